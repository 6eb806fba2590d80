"""Reads the counter's screens need beyond the use cases: a subscriber's recent transactions and
wallet as this desk knows it, the shift's transactions (to void one), a receipt by its number
(follow-up) and the last receipt printed (to reprint it). Local reads only: none waits on central.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from erial_desk.domain.entries import VOIDABLE, receipt_number, terminal_code
from erial_desk.domain.errors import NotFoundError
from erial_desk.domain.identifiers import normalise_account_number
from erial_desk.domain.policy import Action

from .parts import Guards, Reader


@dataclass(frozen=True)
class TransactionLine:
    """One money transaction as the counter lists it."""

    entry_id: str
    receipt: str
    entry_type: str  # top_up, bill_paid, void, cash_drop...
    at: str
    account: str | None
    method: str | None
    bill_kind: str | None
    bill_reference: str | None
    amount: int
    service_charge: int
    status: str | None  # the payment's own status (wallet debits: confirmed / pending)
    central: str  # what central made of the entry: confirmed, pending, flagged, rejected
    voided_by: str | None
    shift_id: str
    operator: str | None

    @property
    def total(self) -> int:
        return self.amount + self.service_charge


@dataclass(frozen=True)
class WalletView:
    """A wallet as this desk knows it: central's last word and the debits made since."""

    account: str
    balance: int | None  # central's last reported balance, less the debits pending here
    reported_at: str | None  # when central reported it (UTC text)
    pending_debits: int


_LINE = (
    "SELECT t.entry_id, t.seq, t.entry_type, t.at, t.account, t.method, t.bill_kind,"
    " t.bill_reference, t.amount, t.service_charge, t.status, o.state, t.voided_by, t.shift_id,"
    " t.operator FROM transactions AS t LEFT JOIN outbox AS o ON o.seq = t.seq"
)
_CENTRAL_STATE = {"applied": "confirmed", "duplicate": "confirmed", None: "pending"}
RECENT = 20


class CounterReads:
    """Local reads of transactions and wallets; none waits on central."""

    def __init__(self, guards: Guards, reader: Reader, terminal_id: str) -> None:
        self._guards = guards
        self._reader = reader
        self._terminal_id = terminal_id

    def _receipt(self, seq: int) -> str:
        return receipt_number(terminal_code(self._terminal_id), seq)

    def account_transactions(self, account: str, limit: int = RECENT) -> list[TransactionLine]:
        """A subscriber's latest transactions made at this desk, newest first."""
        self._guards.allow(Action.INQUIRE)
        account = normalise_account_number(account)
        return self._lines(" WHERE t.account = :a ORDER BY t.seq DESC LIMIT :n", a=account, n=limit)

    def wallet_view(self, account: str) -> WalletView:
        self._guards.allow(Action.INQUIRE)
        account = normalise_account_number(account)
        with self._reader.connect() as conn:
            row = conn.execute(
                text("SELECT balance, balance_at, pending_debits FROM wallets WHERE account = :a"),
                {"a": account},
            ).fetchone()
        if row is None or row[0] is None:
            return WalletView(account, None, None, 0 if row is None else int(row[2]))
        return WalletView(account, int(row[0]) - int(row[2]), row[1], int(row[2]))

    def shift_transactions(self) -> list[TransactionLine]:
        """What the open shift (the operator's own) may still void, newest first."""
        shift_id = self._guards.own_shift()
        kinds = sorted(str(kind) for kind in VOIDABLE)
        marks = ", ".join(f":k{i}" for i in range(len(kinds)))
        return self._lines(
            f" WHERE t.shift_id = :s AND t.entry_type IN ({marks}) AND t.voided_by IS NULL"
            " ORDER BY t.seq DESC",
            s=shift_id,
            **{f"k{i}": kind for i, kind in enumerate(kinds)},
        )

    def find_receipt(self, receipt: str) -> TransactionLine:
        """A transaction by the receipt number printed on it (this terminal's receipts)."""
        self._guards.allow(Action.INQUIRE)
        code, _, number = receipt.strip().upper().partition("-")
        if not number.isdigit() or code != terminal_code(self._terminal_id):
            raise NotFoundError("entry.not_found")
        lines = self._lines(" WHERE t.seq = :q", q=int(number))
        if not lines:
            raise NotFoundError("entry.not_found")
        return lines[0]

    def last_receipt(self) -> str | None:
        """The entry whose receipt printed last at this desk (copies aside), if any."""
        self._guards.operator()
        with self._reader.connect() as conn:
            entry_id = conn.execute(
                text(
                    "SELECT entry_id FROM print_jobs WHERE entry_id IS NOT NULL AND NOT copy"
                    " ORDER BY job_id DESC LIMIT 1"
                )
            ).scalar()
        return None if entry_id is None else str(entry_id)

    def _lines(self, where: str, **params: Any) -> list[TransactionLine]:
        with self._reader.connect() as conn:
            rows = conn.execute(text(_LINE + where), params).fetchall()
        return [
            TransactionLine(
                entry_id=row[0],
                receipt=self._receipt(int(row[1])),
                entry_type=row[2],
                at=row[3],
                account=row[4],
                method=row[5],
                bill_kind=row[6],
                bill_reference=row[7],
                amount=int(row[8]),
                service_charge=int(row[9] or 0),
                status=row[10],
                central=str(_CENTRAL_STATE.get(row[11], row[11])),
                voided_by=row[12],
                shift_id=row[13],
                operator=row[14],
            )
            for row in rows
        ]
