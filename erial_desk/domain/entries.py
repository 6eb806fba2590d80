"""Journal entry types and their payloads.

Payloads are plain values (str, int, bool, None, dicts and lists of them); money is int baisa.
Denomination counts are maps from the denomination in baisa (as a string key, JSON needs one) to
a count. The receipt number is not in the payload: it is derived from the terminal and sequence
number, so it can be rebuilt from the journal.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from .clock import qr_stamp
from .entry_types import EntryType
from .errors import ValidationError
from .policy import DENOMINATIONS

__all__ = ["EntryType"]  # named here too: most callers take it with the payloads


Counts = dict[str, int]


def make_counts(counts: dict[int, int]) -> Counts:
    """Check a count by denomination and return its journal form (zero counts dropped)."""
    result: Counts = {}
    for denomination in counts:
        if type(denomination) is not int or denomination not in DENOMINATIONS:
            raise ValidationError("denomination.invalid", value=denomination)
    for denomination, count in sorted(counts.items(), reverse=True):
        if denomination not in DENOMINATIONS:
            raise ValidationError("denomination.invalid", value=denomination)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValidationError("count.invalid")
        if count:
            result[str(denomination)] = count
    return result


REASON_MAX = 200  # characters: a sentence a supervisor reads, well inside central's text limit


def check_reason(typed: str) -> str:
    """A clerk's reason (a void, a cash drop): trimmed, required, one sentence long at most."""
    reason = " ".join(typed.split())
    if not reason:
        raise ValidationError("reason.required")
    if len(reason) > REASON_MAX:
        raise ValidationError("reason.too_long", max=REASON_MAX)
    return reason


def counts_total(counts: Counts) -> int:
    return sum(int(denomination) * count for denomination, count in counts.items())


@dataclass(frozen=True)
class Payload:
    """Base of every payload; ``TYPE`` names its entry type."""

    TYPE: ClassVar[EntryType]

    def to_payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Payload:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class ShiftOpened(Payload):
    TYPE = EntryType.SHIFT_OPENED
    office: str
    float_counts: Counts
    float_total: int


@dataclass(frozen=True)
class CashDrop(Payload):
    TYPE = EntryType.CASH_DROP
    shift: str
    counts: Counts
    amount: int
    approver: str
    reason: str = ""  # why the cash goes to the safe; drops journaled before it had none


@dataclass(frozen=True)
class ShiftClosed(Payload):
    TYPE = EntryType.SHIFT_CLOSED
    shift: str
    counted: Counts
    counted_total: int
    expected: int
    variance: int  # counted - expected; negative when cash is short
    approver: str | None


@dataclass(frozen=True)
class SubscriberRegistered(Payload):
    TYPE = EntryType.SUBSCRIBER_REGISTERED
    account: str
    kind: str  # "individual" or "company"
    civil_number: str | None
    cr_number: str | None
    name_ar: str
    name_en: str
    mobile: str
    email: str | None
    authorised_person: str | None
    sealed_pin: str  # base64 sealed box to central's key; the desk never sees a verifier


@dataclass(frozen=True)
class SubscriberUpdated(Payload):
    TYPE = EntryType.SUBSCRIBER_UPDATED
    account: str
    changes: dict[str, str | None]  # field -> new value (mobile, email, names, person)


@dataclass(frozen=True)
class TopUp(Payload):
    TYPE = EntryType.TOP_UP
    shift: str
    account: str
    amount: int


@dataclass(frozen=True)
class BillPaid(Payload):
    TYPE = EntryType.BILL_PAID
    shift: str
    bill_kind: str
    bill_id: str
    bill_reference: str
    amount: int  # the bill's amount as central gave it
    service_charge: int  # added for wallet payments only; 0 otherwise
    method: str  # PaymentMethod
    account: str | None  # wallet paid from (method wallet)
    sealed_pin: str | None  # method wallet
    authorisation: str | None  # central's reference when authorised online
    balance_after: int | None  # wallet balance central reported, when known
    status: str  # "confirmed" by central or "pending" sync


@dataclass(frozen=True)
class Void(Payload):
    TYPE = EntryType.VOID
    shift: str
    voids: str  # entry id of the top-up or bill payment it reverses
    reason: str
    approver: str
    authorisation: str | None


@dataclass(frozen=True)
class ReceiptReprinted(Payload):
    TYPE = EntryType.RECEIPT_REPRINTED
    entry: str  # entry id whose receipt was printed again
    receipt: str


class Resolution(StrEnum):
    """What a supervisor did about an entry central flagged or rejected."""

    REFUND_PAID = "refund_paid"  # the cash due back was paid to the customer at the office
    CUSTOMER_CONTACTED = "customer_contacted"  # the customer was told (a wallet to recover)
    WRITTEN_OFF = "written_off"  # nothing more will be done; the note says why


@dataclass(frozen=True)
class ProblemResolved(Payload):
    """A supervisor's resolution of a sync problem; moves no money, names the entry."""

    TYPE = EntryType.PROBLEM_RESOLVED
    entry: str  # the flagged or rejected entry's id
    resolution: str  # Resolution
    note: str
    approver: str  # the supervisor who resolved it


PAYLOAD_TYPES: dict[EntryType, type[Payload]] = {
    cls.TYPE: cls
    for cls in (
        ShiftOpened,
        CashDrop,
        ShiftClosed,
        SubscriberRegistered,
        SubscriberUpdated,
        TopUp,
        BillPaid,
        Void,
        ReceiptReprinted,
        ProblemResolved,
    )
}

# Entries a void can reverse.
VOIDABLE = frozenset({EntryType.TOP_UP, EntryType.BILL_PAID})


def payload_of(entry_type: str, data: dict[str, Any]) -> Payload:
    return PAYLOAD_TYPES[EntryType(entry_type)].from_payload(data)


def receipt_number(terminal_code: str, seq: int) -> str:
    """Receipt number printed and encoded in the QR: terminal code and sequence number."""
    return f"{terminal_code}-{seq:07d}"


# The whole entry hash: central's page shows a receipt's details only to the full hash, so a
# few guessed digits reveal nothing.
RECEIPT_HASH_CHARS = 64


def receipt_qr(
    verify_base_url: str, receipt: str, entry_hash: str, issued_at: str | None = None
) -> str:
    """Text of a receipt's QR code: central's verification page for this receipt, with the
    entry's hash so the page can say whether the paper matches the journal, and the time it
    was issued (UTC), so that a receipt central has not received yet can be told from a fake."""
    url = f"{verify_base_url.rstrip('/')}/r/{receipt}?h={entry_hash[:RECEIPT_HASH_CHARS]}"
    return url if issued_at is None else f"{url}&t={qr_stamp(issued_at)}"


def parse_receipt_qr(text: str) -> tuple[str, str] | None:
    """(receipt number, entry hash) from a receipt QR, or None when it is not one."""
    marker = "/r/"
    if marker not in text or "?h=" not in text:
        return None
    receipt, _, query = text.rsplit(marker, 1)[1].partition("?h=")
    query = query.split("&", 1)[0]  # the issue time that may follow the hash
    code, _, seq = receipt.partition("-")
    if len(code) != 8 or not seq.isdigit() or len(query) != RECEIPT_HASH_CHARS:
        return None
    return receipt, query


def terminal_code(terminal_id: str) -> str:
    """Short, printable code of a terminal: the last 8 hex digits of its id, upper case."""
    return terminal_id.replace("-", "")[-8:].upper()
