"""Names of entry types and payment methods, as receipts, central's pages and screens show them.

One table, in the words catalogue: a receipt, the receipt-check page and a screen never call the
same thing by two names.
"""

from __future__ import annotations

from .entries import EntryType
from .policy import PaymentMethod
from .words import N_, text

ENTRY_LABELS: dict[EntryType, str] = {
    EntryType.SHIFT_OPENED: N_("Shift opened"),
    EntryType.CASH_DROP: N_("Cash drop to the safe"),
    EntryType.SHIFT_CLOSED: N_("Shift closed"),
    EntryType.SUBSCRIBER_REGISTERED: N_("Subscriber registration"),
    EntryType.SUBSCRIBER_UPDATED: N_("Subscriber details changed"),
    EntryType.TOP_UP: N_("Cash top-up"),
    EntryType.BILL_PAID: N_("Bill payment"),
    EntryType.VOID: N_("Void"),
    EntryType.RECEIPT_REPRINTED: N_("Receipt reprinted"),
}

METHOD_LABELS: dict[PaymentMethod, str] = {
    PaymentMethod.WALLET: N_("e-Rial wallet"),
    PaymentMethod.CASH: N_("Cash"),
    PaymentMethod.OFFICE_WALLET: N_("Office wallet"),
}


def entry_label(entry_type: str, language: str) -> str:
    return text(language, ENTRY_LABELS[EntryType(entry_type)])


def method_label(method: str, language: str) -> str:
    return text(language, METHOD_LABELS[PaymentMethod(method)])
