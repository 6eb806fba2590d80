"""What a push's entries read at central, read once per batch: the terminal's office and staff,
the bills, wallets and earlier entries the batch names, the online authorisations; and the
ledger and directory writes the effects share (``effects`` applies each entry through it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, bindparam, select, text

from erial_desk.domain.entries import EntryType
from erial_desk.domain.errors import AuthError
from erial_desk.domain.pins import open_sealed_pin, verify_pin
from erial_desk.domain.policy import FeeCatalogue, Office, OfficeType, PaymentMethod, Policy

from .db import for_update, in_list, insert_rows, update_rows
from .duplicates import survivor_of
from .ledger import (
    Ledger,
)
from .models import SUBSCRIBER_FIELDS, authorisations, bills, entries, operators, subscribers
from .rules import (
    CentralBill,
    Earlier,
    Staff,
    WalletState,
)
from .visibility import Viewer, grant

Outcome = tuple[str, str | None]  # (applied | flagged, reason)
_OFFICE_STAFF = select(operators.c.operator_id, operators.c.role, operators.c.active).where(
    operators.c.office_id == bindparam("office")
)  # built once: its compiled form is reused without a cache key per push
_ONLINE_TYPES = frozenset({EntryType.BILL_PAID, EntryType.VOID})  # may have an authorisation
APPLIED: Outcome = ("applied", None)


@dataclass
class Bill:
    """A bill as a push sees it, locked for the rest of the transaction."""

    bill_id: str
    kind: str
    amount: int
    status: str
    paid_by: str | None


@dataclass
class BatchContext:
    """What the entries of one push share: the connection, the ledger and the terminal, and what
    the batch reads and writes in bulk (subscribers, bills, authorisations, entry rows), so that
    a batch costs a few statements rather than a few per entry."""

    conn: Connection
    ledger: Ledger
    terminal_id: str
    office_id: str
    office_type: str
    top_up_authorised: bool
    sealing_private_key: bytes
    wallet_pin_attempts: int
    served: set[str] = field(default_factory=set)
    known: dict[str, bool] = field(default_factory=dict)  # account -> is a subscriber
    bills: dict[str, Bill | None] = field(default_factory=dict)  # locked by this transaction
    bill_changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    authorised: dict[str, tuple[int, str | None, str | None]] = field(default_factory=dict)
    checked_authorisations: set[str] = field(default_factory=set)
    pending_entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # by entry id
    policy: Policy = field(default_factory=Policy)
    catalogue: FeeCatalogue = field(default_factory=FeeCatalogue)
    operators: dict[str, Staff] | None = None  # of this office, read once
    earlier_entries: dict[str, Earlier | None] = field(default_factory=dict)
    wallets: dict[str, tuple[str, WalletState] | None] = field(default_factory=dict)
    pin_changes: dict[str, int] = field(default_factory=dict)  # account -> PIN failures
    merged: dict[str, str] = field(default_factory=dict)  # merged account -> its survivor

    def prefetch(self, envelopes: list[dict[str, Any]]) -> None:
        """Read the batch's subscribers and online authorisations, and lock its bills (in bill
        id order, before any wallet, as an online debit does)."""
        conn = self.conn
        accounts = sorted(
            {
                e["payload"]["account"]
                for e in envelopes
                if isinstance(e["payload"].get("account"), str)
            }
            - self.known.keys()
        )
        if accounts:
            found = set()
            for account, merged_into in conn.execute(
                in_list(conn, "SELECT account, merged_into FROM subscribers WHERE account IN :ids"),
                {"ids": accounts},
            ):
                found.add(account)
                if merged_into is not None:
                    self.merged[account] = survivor_of(conn, merged_into)
            self.known.update({a: a in found for a in accounts})
        payments = [e for e in envelopes if e["type"] == EntryType.BILL_PAID]
        bill_ids = sorted({e["payload"]["bill_id"] for e in payments} - self.bills.keys())
        if bill_ids:
            rows = conn.execute(
                in_list(
                    conn,
                    "SELECT bill_id, kind, amount, status, paid_by FROM bills"
                    " WHERE bill_id IN :ids ORDER BY bill_id" + for_update(conn),
                ),
                {"ids": bill_ids},
            ).fetchall()
            self.bills.update(dict.fromkeys(bill_ids))
            self.bills.update({r[0]: Bill(r[0], r[1], int(r[2]), r[3], r[4]) for r in rows})
        self._lock_wallet_states(
            sorted(
                {
                    e["payload"]["account"]
                    for e in payments
                    if e["payload"]["method"] == PaymentMethod.WALLET
                }
            )
        )
        self._read_earlier(
            [e["payload"]["voids"] for e in envelopes if e["type"] == EntryType.VOID]
            + [
                e["payload"]["entry"]
                for e in envelopes
                if e["type"] in (EntryType.RECEIPT_REPRINTED, EntryType.PROBLEM_RESOLVED)
            ]
        )
        # A payment's online debit, or a void's online reversal: one read for the batch.
        entry_ids = [e["id"] for e in envelopes if e["type"] in _ONLINE_TYPES]
        if entry_ids:
            for entry_id, amount, account, bill_id in conn.execute(
                in_list(
                    conn,
                    # Locked after the bills, as a cancel locks them: one of the two wins.
                    "SELECT entry_id, amount, account, bill_id FROM authorisations"
                    " WHERE entry_id IN :ids AND terminal_id = :t AND cancelled_at IS NULL"
                    " ORDER BY entry_id" + for_update(conn),
                ),
                {"ids": entry_ids, "t": self.terminal_id},
            ):
                self.authorised[entry_id] = (int(amount), account, bill_id)
            self.checked_authorisations.update(entry_ids)

    def _lock_wallet_states(self, accounts: list[str]) -> None:
        """Lock the subscriber rows of wallets paid from (after the bills, before the wallets'
        balances, as an online debit does) and read their PIN state."""
        wanted = [a for a in accounts if a not in self.wallets]
        if not wanted:
            return
        self.wallets.update(dict.fromkeys(wanted))
        for account, verifier, failures, closed, merged_into in self.conn.execute(
            in_list(
                self.conn,
                "SELECT account, pin_verifier, pin_failures, closed, merged_into FROM subscribers"
                " WHERE account IN :ids ORDER BY account" + for_update(self.conn),
            ),
            {"ids": wanted},
        ):
            # A merged wallet is closed only in name: its payments land on the survivor. The
            # PIN the customer typed is still checked against the duplicate's own.
            open_ = merged_into is not None or not closed
            self.wallets[account] = (verifier, WalletState(not open_, int(failures)))

    def _read_earlier(self, entry_ids: list[str]) -> None:
        wanted = sorted(
            {
                e
                for e in entry_ids
                if e not in self.earlier_entries and e not in self.pending_entries
            }
        )
        if not wanted:
            return
        self.earlier_entries.update(dict.fromkeys(wanted))
        for entry_id, terminal_id, office_id, entry_type, voided_by in self.conn.execute(
            in_list(
                self.conn,
                "SELECT entry_id, terminal_id, office_id, entry_type, voided_by FROM entries"
                " WHERE entry_id IN :ids",
            ),
            {"ids": wanted},
        ):
            self.earlier_entries[entry_id] = Earlier(terminal_id, office_id, entry_type, voided_by)

    # --- what the rule check reads (rules.Facts) ----------------------------------------------

    @cached_property
    def office(self) -> Office:
        return Office(self.office_id, "", "", OfficeType(self.office_type), self.top_up_authorised)

    def staff(self, operator_id: str) -> Staff | None:
        if self.operators is None:
            self.operators = {
                r[0]: Staff(self.office_id, r[1], bool(r[2]))
                for r in self.conn.execute(_OFFICE_STAFF, {"office": self.office_id})
            }
        return self.operators.get(operator_id)

    def earlier(self, entry_id: str) -> Earlier | None:
        row = self.pending_entry(entry_id)
        if row is not None:
            return Earlier(
                row["terminal_id"], row["office_id"], row["entry_type"], row["voided_by"]
            )
        self._read_earlier([entry_id])
        return self.earlier_entries.get(entry_id)

    def central_bill(self, bill_id: str) -> CentralBill | None:
        bill = self.bill(bill_id)
        return None if bill is None else CentralBill(bill.kind, bill.amount)

    def confirmed_online(self, entry_id: str) -> bool:
        return self.authorisation(entry_id) is not None

    def wallet_state(self, account: str) -> WalletState | None:
        self._lock_wallet_states([account])
        found = self.wallets.get(account)
        return WalletState(False, 0, exists=False) if found is None else found[1]

    def wallet_pin_ok(self, account: str, sealed_pin: str | None, entry_id: str) -> bool:
        """Verify an offline payment's sealed PIN; count a failure toward the lockout and clear
        the count on success, as an online debit does."""
        found = self.wallets.get(account)
        if found is None:
            return False
        verifier, state = found
        try:
            pin = open_sealed_pin(self.sealing_private_key, sealed_pin or "", entry_id)
            good = verify_pin(pin, verifier)
        except AuthError:
            good = False
        failures = 0 if good else state.pin_failures + 1
        if failures != state.pin_failures:
            self.wallets[account] = (verifier, WalletState(state.closed, failures))
            self.pin_changes[account] = failures
        return good

    def is_subscriber(self, account: str) -> bool:
        if account not in self.known:
            self.known[account] = subscriber_record(self.conn, account) is not None
            if self.known[account]:
                survivor = survivor_of(self.conn, account)
                if survivor != account:
                    self.merged[account] = survivor
        return self.known[account]

    def target(self, account: str) -> str:
        """The account an entry naming ``account`` lands on: its survivor once merged."""
        return self.merged.get(account, account)

    def authorisation(self, entry_id: str) -> tuple[int, str | None, str | None] | None:
        """(amount, account, bill id) of the online debit made for ``entry_id``, if any."""
        if entry_id not in self.checked_authorisations:
            row = self.conn.execute(
                select(authorisations.c.amount, authorisations.c.account, authorisations.c.bill_id)
                .where(authorisations.c.entry_id == entry_id)
                .where(authorisations.c.terminal_id == self.terminal_id)
                .where(authorisations.c.cancelled_at.is_(None))
            ).first()
            if row is not None:
                self.authorised[entry_id] = (int(row[0]), row[1], row[2])
            self.checked_authorisations.add(entry_id)
        return self.authorised.get(entry_id)

    def bill(self, bill_id: str) -> Bill | None:
        """The bill, locked until the transaction ends."""
        if bill_id not in self.bills:
            row = self.conn.execute(
                text(
                    "SELECT bill_id, kind, amount, status, paid_by FROM bills WHERE bill_id = :b"
                    + for_update(self.conn)
                ),
                {"b": bill_id},
            ).first()
            self.bills[bill_id] = (
                None if row is None else Bill(row[0], row[1], int(row[2]), row[3], row[4])
            )
        return self.bills[bill_id]

    def mark_bill(self, bill_id: str, paid_by: str | None, at: str | None) -> None:
        bill = self.bill(bill_id)
        if bill is None:
            return
        bill.status, bill.paid_by = ("paid" if paid_by else "open"), paid_by
        self.bill_changes[bill_id] = {
            "bill_id": bill_id,
            "status": bill.status,
            "paid_by": paid_by,
            "paid_at": at,
        }

    def add_entry(self, row: dict[str, Any]) -> None:
        self.pending_entries[row["entry_id"]] = row

    def pending_entry(self, entry_id: str) -> dict[str, Any] | None:
        """The row of an entry of this batch not written yet (it can still change)."""
        return self.pending_entries.get(entry_id)

    def flush_entries(self) -> None:
        if self.pending_entries:
            insert_rows(self.conn, entries, list(self.pending_entries.values()))
            self.pending_entries = {}

    def flush(self) -> None:
        """Write the entry rows, bill changes and PIN failure counts kept so far."""
        self.flush_entries()
        if self.pin_changes:
            update_rows(
                self.conn,
                subscribers,
                "account",
                [{"account": a, "pin_failures": f} for a, f in sorted(self.pin_changes.items())],
            )
            self.pin_changes.clear()
        if self.bill_changes:
            update_rows(self.conn, bills, "bill_id", list(self.bill_changes.values()))
            self.bill_changes.clear()

    def serve(self, account: str | None) -> None:
        """An external office keeps the subscribers it has served in its directory: called only
        once an entry (or online debit) of the office for that subscriber was applied."""
        if account is None or self.office_type == "internal":
            return
        account = self.target(account)
        if account in self.served:
            return
        self.served.add(account)
        viewer = Viewer(self.office_id, self.office_type)
        grant(self.conn, self.ledger, viewer, account, subscriber_record(self.conn, account))


def subscriber_record(conn: Connection, account: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(*[subscribers.c[f] for f in SUBSCRIBER_FIELDS]).where(
            subscribers.c.account == account
        )
    ).first()
    return None if row is None else dict(zip(SUBSCRIBER_FIELDS, row, strict=True))
