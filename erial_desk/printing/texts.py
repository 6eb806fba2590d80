"""The words printed on receipts and documents, in Arabic and English.

Each is a sentence of the words catalogue (its English marked ``N_``, its Arabic in the Arabic
catalogue); entry types and payment methods are named by ``domain.labels``, as everywhere else.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from erial_desk.domain import labels
from erial_desk.domain.labels import entry_label, method_label
from erial_desk.domain.money import format_amount
from erial_desk.domain.words import N_

from .model import Bi, bi

# Oman keeps UTC+4 all year (no daylight saving): a fixed offset needs no time-zone database,
# which a Windows desk may lack.
MUSCAT = timezone(timedelta(hours=4), "GST")


def local_time(at: str | None = None) -> str:
    """A journal time (UTC, ISO 8601 with Z) as printed: Muscat local time to the second."""
    moment = datetime.now(UTC) if at is None else datetime.fromisoformat(at.replace("Z", "+00:00"))
    return moment.astimezone(MUSCAT).strftime("%Y-%m-%d %H:%M:%S")


# --- header ---------------------------------------------------------------------------------
RECEIPT_NO = bi(labels.RECEIPT_NO)
DATE_TIME = bi(labels.DATE_TIME)
PRINTED_AT = bi(N_("Printed at"))
OFFICE = bi(labels.OFFICE)
TERMINAL = bi(N_("Terminal"))
OPERATOR = bi(N_("Operator"))
SHIFT = bi(N_("Shift"))
REPRINTED = bi(N_("Reprinted"))

# --- titles ---------------------------------------------------------------------------------
TITLE_TOP_UP = bi(N_("Top-up receipt"))
TITLE_BILL = bi(N_("Bill payment receipt"))
TITLE_WELCOME = bi(N_("Welcome to e-Rial"))
TITLE_VOID = bi(N_("Void slip"))
TITLE_STATEMENT = bi(N_("Subscriber statement"))
TITLE_PERMIT = bi(N_("Building permit tracking"))
TITLE_X = bi(N_("Mid-shift report (X)"))
TITLE_Z = bi(N_("Shift close report (Z)"))
TITLE_SHIFT = bi(N_("Shift transactions report"))
TITLE_TEST = bi(N_("Printer test page"))

# --- fields ---------------------------------------------------------------------------------
ACCOUNT = bi(N_("Account no."))
SUBSCRIBER = bi(N_("Subscriber"))
KIND = bi(N_("Subscriber type"))
CIVIL_NUMBER = bi(N_("Civil number"))
CR_NUMBER = bi(N_("CR number"))
AUTHORISED_PERSON = bi(N_("Authorised person"))
MOBILE = bi(N_("Mobile"))
EMAIL = bi(N_("E-mail"))
TOP_UP_AMOUNT = bi(labels.TOP_UP_AMOUNT)
BALANCE_AFTER = bi(N_("Balance after"))
BALANCE_KNOWN = bi(N_("Known balance"))
BILL = bi(labels.BILL)
REFERENCE = bi(labels.REFERENCE)
BILL_AMOUNT = bi(labels.BILL_AMOUNT)
SERVICE_CHARGE = bi(labels.SERVICE_CHARGE)
TOTAL = bi(labels.TOTAL)
METHOD = bi(labels.METHOD)
STATUS = bi(N_("Status"))
AUTHORISATION = bi(N_("Authorisation"))
VOIDED_RECEIPT = bi(labels.VOIDED_RECEIPT)
VOIDED_TYPE = bi(labels.TRANSACTION)
REFUND = bi(N_("Amount reversed"))
REASON = bi(N_("Reason"))
APPROVED_BY = bi(N_("Approved by"))
APPLICATION = bi(N_("Application no."))
STAGE = bi(N_("Stage"))
FEE = bi(N_("Fee"))
FEE_STATUS = bi(N_("Fee status"))
DESCRIPTION = bi(N_("Description"))
AMOUNT = bi(labels.AMOUNT)


def entry_name(entry_type: str) -> Bi:
    """An entry type as a receipt names it (``domain.labels``)."""
    return Bi(entry_label(entry_type, "ar"), entry_label(entry_type, "en"))


def method_name(method: str) -> Bi:
    """A payment method as a receipt names it (``domain.labels``)."""
    return Bi(method_label(method, "ar"), method_label(method, "en"))


SYNC_STATUSES: dict[str, Bi] = {
    "confirmed": bi(N_("Confirmed by central")),
    "pending": bi(N_("Pending sync")),
}
SUBSCRIBER_KINDS: dict[str, Bi] = {
    "individual": bi(N_("Individual")),
    "company": bi(N_("Company")),
}
BILL_STATUSES: dict[str, Bi] = {
    "open": bi(N_("Due")),
    "paid": bi(N_("Paid")),
}

# --- QR captions and notes ------------------------------------------------------------------
QR_VERIFY = bi(N_("Scan to verify this receipt"))
QR_ACCOUNT = bi(N_("Your account number"))
QR_APPLICATION = bi(N_("Application number"))
QR_TEST = bi(N_("Test code: the receipt verification address"))
WELCOME_NOTE = bi(
    N_("Keep your account number. Never tell anyone your PIN, not even municipal staff.")
)
PERMIT_NOTE = bi(N_("Follow your application at any service office with this number."))
STATEMENT_NOTE = bi(N_("Transactions recorded at this terminal. Central holds the full statement."))
VOIDED_MARK = bi(N_("voided"))
THANKS = bi(N_("Thank you"))

# --- shift reports --------------------------------------------------------------------------
OPENED = bi(N_("Opened"))
CLOSED = bi(N_("Closed"))
FLOAT = bi(N_("Opening float"))
TOTALS = bi(N_("Totals"))
TOP_UPS = bi(N_("Top-ups"))
BILLS_BY = bi(N_("Bill payments"))
CHARGES = bi(N_("Service charges"))
CASH_DROPS = bi(N_("Cash drops"))
VOIDS = bi(N_("Voids"))
EXPECTED_CASH = bi(N_("Expected cash in drawer"))
COUNTED = bi(N_("Counted cash"))
VARIANCE = bi(N_("Variance"))
DRAWER_COUNT = bi(N_("Drawer count"))
TRANSACTIONS = bi(N_("Transactions"))
TIME = bi(N_("Time"))
TYPE = bi(N_("Type"))

# --- test page ------------------------------------------------------------------------------
CONNECTION = bi(N_("Connection"))
TARGET = bi(N_("Target"))
PROFILE = bi(N_("Printer profile"))
WIDTH = bi(N_("Width"))
CUTTER = bi(N_("Cutter"))
LANGUAGE = bi(N_("Interface language"))
SAMPLE = bi(N_("This English line checks the Latin letters and the digits 0123456789."))
YES_NO = {True: bi(N_("yes")), False: bi(N_("no"))}


def count_label(label: Bi, count: int) -> Bi:
    """``Top-ups (3)``: a label with how many transactions it sums."""
    return Bi(f"{label.ar} ({count})", f"{label.en} ({count})")


# Isolates keep a number left-to-right inside Arabic text: without them the bidi algorithm
# moves a minus sign to the right of the digits ("1.000-").
LRI, PDI = "\u2066", "\u2069"


def amount_parts(baisa: int, lang: str) -> tuple[str, str]:
    """The number and the currency of ``format_amount``: ``("12.500", "ر.ع.")``."""
    number, _, unit = format_amount(baisa, lang).partition(" ")
    return number, unit


def amount_text(baisa: int, lang: str) -> str:
    """An amount as drawn by a renderer that applies the bidi algorithm itself (Qt)."""
    if lang != "ar":
        return format_amount(baisa, lang)
    number, unit = amount_parts(baisa, lang)
    return f"{LRI}{number}{PDI} {unit}"
