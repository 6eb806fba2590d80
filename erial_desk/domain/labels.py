"""Names of entry types and payment methods, as receipts, central's pages and screens show them.

One table, in the words catalogue: a receipt, the receipt-check page and a screen never call the
same thing by two names.
"""

from __future__ import annotations

from .entries import EntryType, Resolution
from .policy import BillKind, FeeCatalogue, PaymentMethod
from .words import N_, text

ENTRY_LABELS: dict[str, str] = {  # keyed by EntryType, found by its value too
    EntryType.SHIFT_OPENED: N_("Shift opened"),
    EntryType.CASH_DROP: N_("Cash drop to the safe"),
    EntryType.SHIFT_CLOSED: N_("Shift closed"),
    EntryType.SUBSCRIBER_REGISTERED: N_("Subscriber registration"),
    EntryType.SUBSCRIBER_UPDATED: N_("Subscriber details changed"),
    EntryType.TOP_UP: N_("Cash top-up"),
    EntryType.BILL_PAID: N_("Bill payment"),
    EntryType.VOID: N_("Void"),
    EntryType.RECEIPT_REPRINTED: N_("Receipt reprinted"),
    EntryType.PROBLEM_RESOLVED: N_("Sync problem resolved"),
}

RESOLUTION_LABELS: dict[str, str] = {  # keyed by Resolution
    Resolution.REFUND_PAID: N_("Refund paid to the customer"),
    Resolution.CUSTOMER_CONTACTED: N_("Customer contacted"),
    Resolution.WRITTEN_OFF: N_("Written off"),
}

METHOD_LABELS: dict[str, str] = {  # keyed by PaymentMethod, found by its value too
    PaymentMethod.WALLET: N_("e-Rial wallet"),
    PaymentMethod.CASH: N_("Cash"),
    PaymentMethod.OFFICE_WALLET: N_("Office wallet"),
}


def entry_label(entry_type: str, language: str) -> str:
    """An entry type's name; a type this version does not know is shown as it is."""
    sentence = ENTRY_LABELS.get(entry_type)
    return entry_type if sentence is None else text(language, sentence)


def resolution_label(resolution: str, language: str) -> str:
    sentence = RESOLUTION_LABELS.get(resolution)
    return resolution if sentence is None else text(language, sentence)


def method_label(method: str, language: str) -> str:
    """A payment method's name; a method this version does not know is shown as it is."""
    sentence = METHOD_LABELS.get(method)
    return method if sentence is None else text(language, sentence)


def service_label(kind: str, language: str, catalogue: FeeCatalogue | None = None) -> str:
    """A bill kind's service name as the fee catalogue (central's, else this version's) names it:
    the name receipts print."""
    services = (catalogue or _DEFAULT_CATALOGUE).services
    try:
        service = services[BillKind(kind)]
    except (ValueError, KeyError):
        return kind
    return service.name_ar if language == "ar" else service.name_en


_DEFAULT_CATALOGUE = FeeCatalogue()


# Movements central's ledger keeps on a wallet besides the desks' entries (a statement's lines):
# the desk's kinds keep the desk's names.
TRANSFER_LABELS: dict[str, str] = {
    "top_up": ENTRY_LABELS[EntryType.TOP_UP],
    "bank_top_up": N_("Online top-up (bank)"),
    "bill": ENTRY_LABELS[EntryType.BILL_PAID],
    "charge": N_("Service charge"),
    "reversal": N_("Reversal"),
}
VOID_OF = N_("Void: {name}")


def transfer_label(kind: str, language: str) -> str:
    """A ledger movement's name; a kind this version does not know is shown as it is."""
    return text(language, TRANSFER_LABELS[kind]) if kind in TRANSFER_LABELS else kind


def void_label(name: str, language: str) -> str:
    """``Void: Parking fine``: what a void cancelled, ``name`` already in ``language``."""
    return text(language, VOID_OF, name=name)


# Who speaks on every receipt and on the receipt check page.
MUNICIPALITY = N_("Muscat Municipality")
SYSTEM = N_("e-Rial")

# Names of the facts a receipt shows, on the paper and on central's receipt check page alike.
RECEIPT_NO = N_("Receipt no.")
DATE_TIME = N_("Date")
OFFICE = N_("Office")
BILL = N_("Bill")
REFERENCE = N_("Reference")
BILL_AMOUNT = N_("Bill amount")
SERVICE_CHARGE = TRANSFER_LABELS["charge"]
TOTAL = N_("Total")
METHOD = N_("Payment method")
AMOUNT = N_("Amount")
VOIDED_RECEIPT = N_("Voided receipt")
TRANSACTION = N_("Transaction")
TOP_UP_AMOUNT = N_("Top-up amount")
