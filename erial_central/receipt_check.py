"""What central can tell anyone holding a receipt: the state of the entry it names, and the few
public facts printed on it (never a name, an ID, an account number or a balance).

The receipt number names a terminal and a sequence number; the ``h`` of its QR code must be the
entry's full hash before anything about the entry is told. A receipt central has not received
yet is told apart from one that cannot exist: its terminal is enrolled, not revoked, and has not
pushed that far. The customer's reason for a reversed entry is read from what the ledger did
(cash due back, a bill paid by someone else, nothing taken), not from the reason central records
for the office, which may name a wallet's PIN or state.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, bindparam, text

from erial_desk.domain.clock import parse_qr_stamp, parse_stamp, stamp
from erial_desk.domain.entries import EntryType, receipt_number
from erial_desk.domain.policy import BillKind, FeeCatalogue

from .admin import current_policy

_RECEIPT = re.compile(r"([0-9A-F]{8})-([0-9]{1,12})", re.ASCII)
_ENTRY_HASH = re.compile(r"[0-9a-f]{64}", re.ASCII)
# A receipt issued this far in the future of central's clock is not one a desk printed.
_CLOCK_SLACK = timedelta(minutes=10)


class State(StrEnum):
    CONFIRMED = "confirmed"
    UNDER_REVIEW = "under_review"  # received and applied, flagged for the municipality
    NOT_VALID = "not_valid"  # broke a rule or lost a conflict: no money moved, or it was undone
    VOIDED = "voided"  # cancelled afterwards by a void slip
    VOID_SLIP = "void_slip"  # a void slip that cancels another receipt
    NOT_RECEIVED = "not_received"
    NO_MATCH = "no_match"


class Reason(StrEnum):
    """Why an entry is not valid, as its customer may be told."""

    CASH_DUE_BACK = "cash_due_back"
    ALREADY_PAID = "already_paid"
    WALLET_NOT_CONFIRMED = "wallet_not_confirmed"
    NOT_ACCEPTED = "not_accepted"


@dataclass(frozen=True)
class Linked:
    """Another receipt this one points to (a void slip and what it cancels)."""

    receipt: str
    entry_hash: str


@dataclass(frozen=True)
class ReceiptCheck:
    receipt: str
    state: State
    entry_type: str | None = None
    at: str | None = None  # UTC stamp of the entry; for NOT_RECEIVED the issue time of the QR
    office_id: str | None = None
    office_en: str | None = None
    office_ar: str | None = None
    bill_kind: str | None = None
    service_en: str | None = None
    service_ar: str | None = None
    bill_reference: str | None = None
    plate: str | None = None
    amount: int | None = None
    service_charge: int | None = None
    method: str | None = None
    reason: Reason | None = None
    cash_due_back: bool = False
    bill_still_due: bool = False
    voided_by: Linked | None = None
    voids: Linked | None = None
    check_again: bool = False  # NOT_RECEIVED: recent enough to be waiting for the office's sync

    @property
    def total(self) -> int | None:
        if self.amount is None:
            return None
        return self.amount + (self.service_charge or 0)


def check_receipt(
    conn: Connection, receipt: str, entry_hash: str, issued: str, now: datetime
) -> ReceiptCheck:
    """The state of ``receipt`` and what may be shown of it (see the module's docstring)."""
    shown = receipt.strip().upper()
    found = _RECEIPT.fullmatch(shown)
    if found is None:
        return ReceiptCheck(shown[:40], State.NO_MATCH)
    code, seq = found.group(1), int(found.group(2))
    shown = receipt_number(code, seq)
    terminal = conn.execute(
        text(
            "SELECT terminal_id, last_seq, revoked FROM terminals"
            " WHERE terminal_code = :c AND terminal_id IS NOT NULL"
        ),
        {"c": code},
    ).first()
    if terminal is None or seq < 1:
        return ReceiptCheck(shown, State.NO_MATCH)
    row = conn.execute(
        text(
            "SELECT entry_id, entry_type, at, amount, service_charge, method, office_id, hash,"
            " body, voided_by, status, rule FROM entries WHERE terminal_id = :t AND seq = :s"
        ),
        {"t": terminal.terminal_id, "s": seq},
    ).first()
    given = entry_hash.strip().lower()
    if _ENTRY_HASH.fullmatch(given) is None:
        return ReceiptCheck(shown, State.NO_MATCH)  # no receipt's QR code carries less
    if row is None:
        if seq <= int(terminal.last_seq) or terminal.revoked:
            # A revoked counter can send nothing more: what it printed since is not valid.
            return ReceiptCheck(shown, State.NO_MATCH)
        return _not_received(conn, shown, terminal, issued, now)
    if not hmac.compare_digest(given.encode(), str(row.hash).encode()):
        return ReceiptCheck(shown, State.NO_MATCH)
    return _received(conn, shown, row)


def _not_received(
    conn: Connection, receipt: str, terminal: Any, issued: str, now: datetime
) -> ReceiptCheck:
    """A receipt after the last entry its terminal pushed. The issue time comes from the QR
    code, unchecked, so it is told only when it could be true: not before the last entry central
    holds from that terminal, not in the future. A time that could not be true (a forged code,
    or a counter whose clock was wrong) is left out; the page then cannot say how long ago."""
    at = parse_qr_stamp(issued)
    last = conn.execute(  # the time of the last entry it pushed
        text("SELECT at FROM entries WHERE terminal_id = :t AND seq = :s"),
        {"t": terminal.terminal_id, "s": int(terminal.last_seq)},
    ).scalar()
    if at is not None and (
        (last is not None and at < parse_stamp(str(last)).replace(microsecond=0))
        or at > now + _CLOCK_SLACK
    ):
        at = None
    policy, _ = current_policy(conn)
    waiting = timedelta(hours=policy.unconfirmed_debit_hours)
    return ReceiptCheck(
        receipt,
        State.NOT_RECEIVED,
        at=None if at is None else stamp(at),
        check_again=at is None or now - at <= waiting,
    )


def _received(conn: Connection, receipt: str, row: Any) -> ReceiptCheck:
    payload = json.loads(row.body).get("payload", {})
    office = conn.execute(
        text("SELECT name_en, name_ar FROM offices WHERE office_id = :o"), {"o": row.office_id}
    ).first()
    facts: dict[str, Any] = {
        "entry_type": row.entry_type,
        "at": row.at,
        "office_id": row.office_id,
        "office_en": None if office is None else office.name_en,
        "office_ar": None if office is None else office.name_ar,
        "amount": None if row.amount is None else int(row.amount),
        "service_charge": None if row.service_charge is None else int(row.service_charge),
        "method": row.method,
    }
    bill = None
    if row.entry_type == EntryType.BILL_PAID:
        bill = _bill(conn, payload)
        facts.update(_service(conn, payload, bill))
    if row.entry_type == EntryType.VOID and isinstance(payload.get("voids"), str):
        facts["voids"] = _linked(conn, payload["voids"])
    if row.voided_by is not None:
        facts["voided_by"] = _linked(conn, str(row.voided_by))
    if row.voided_by is not None:  # set only by a void central applied, whatever came before
        return ReceiptCheck(receipt, State.VOIDED, **facts)
    if row.status == "flagged":
        if _money_stands(conn, row.entry_id, row.entry_type):
            return ReceiptCheck(receipt, State.UNDER_REVIEW, **facts)
        return ReceiptCheck(receipt, State.NOT_VALID, **facts, **_why(conn, row, bill))
    if row.entry_type == EntryType.VOID:
        return ReceiptCheck(receipt, State.VOID_SLIP, **facts)
    return ReceiptCheck(receipt, State.CONFIRMED, **facts)


def _bill(conn: Connection, payload: dict[str, Any]) -> Any:
    bill_id = payload.get("bill_id")
    if not isinstance(bill_id, str):
        return None
    return conn.execute(
        text("SELECT kind, reference, subject, status, paid_by FROM bills WHERE bill_id = :b"),
        {"b": bill_id},
    ).first()


def _service(conn: Connection, payload: dict[str, Any], bill: Any) -> dict[str, Any]:
    """The service and bill reference of a payment, from central's own bill where it has it
    (the plate of a parking violation is the bill's subject)."""
    kind = bill.kind if bill is not None else payload.get("bill_kind")
    facts: dict[str, Any] = {"bill_kind": kind if isinstance(kind, str) else None}
    reference = bill.reference if bill is not None else payload.get("bill_reference")
    facts["bill_reference"] = reference if isinstance(reference, str) else None
    if bill is not None and bill.kind == BillKind.PARKING:
        facts["plate"] = bill.subject
    catalogue: FeeCatalogue = current_policy(conn)[1]
    service = next((s for k, s in catalogue.services.items() if k.value == kind), None)
    if service is not None:
        facts["service_en"], facts["service_ar"] = service.name_en, service.name_ar
    return facts


def _linked(conn: Connection, entry_id: str) -> Linked | None:
    row = conn.execute(
        text(
            "SELECT t.terminal_code, e.seq, e.hash FROM entries e JOIN terminals t"
            " ON t.terminal_id = e.terminal_id WHERE e.entry_id = :e"
        ),
        {"e": entry_id},
    ).first()
    if row is None:
        return None
    return Linked(receipt_number(str(row.terminal_code), int(row.seq)), str(row.hash))


def _money_stands(conn: Connection, entry_id: str, entry_type: str) -> bool:
    """Whether a flagged entry's own movement is in the ledger and not reversed: then it was
    applied with a conflict for the municipality to review. A void's movement is its reversal
    of what it cancels; an entry that moves no money stands when it was recorded at all."""
    if entry_type not in (EntryType.TOP_UP, EntryType.BILL_PAID, EntryType.VOID):
        return False
    kinds = ("reversal",) if entry_type == EntryType.VOID else ("top_up", "bill")
    standing = conn.execute(
        text(
            "SELECT COUNT(*) FROM transfers t WHERE t.entry_id = :e AND t.kind IN :kinds"
            " AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.reverses = t.transfer_id)"
        ).bindparams(bindparam("kinds", expanding=True)),
        {"e": entry_id, "kinds": list(kinds)},
    ).scalar()
    return int(standing or 0) > 0


def _why(conn: Connection, row: Any, bill: Any) -> dict[str, Any]:
    refund = conn.execute(
        text("SELECT COUNT(*) FROM transfers WHERE entry_id = :e AND kind = 'refund_due'"),
        {"e": row.entry_id},
    ).scalar()
    cash_due_back = int(refund or 0) > 0
    bill_still_due = bill is not None and bill.status == "open"
    if bill is not None and bill.status == "paid" and bill.paid_by != row.entry_id:
        reason = Reason.ALREADY_PAID
    elif cash_due_back:
        reason = Reason.CASH_DUE_BACK
    elif row.entry_type == EntryType.BILL_PAID and row.method != "cash":
        reason = Reason.WALLET_NOT_CONFIRMED
    else:
        reason = Reason.NOT_ACCEPTED
    return {"reason": reason, "cash_due_back": cash_due_back, "bill_still_due": bill_still_due}
