"""What each journal entry does at central: ledger transfers, bill status, the directory.

Every entry first passes the rule check (``rules.check``); one that breaks a rule is flagged and
moves no money, except that cash already taken at the counter becomes a refund due at the
office (``flag_breach``). An entry within the rules already happened at a counter: it is never
refused for what central learns only now (a bill paid twice, an offline overdraft); it is
applied so that no baisa is lost, and flagged with the reason for a supervisor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text, update

from erial_desk.domain.entries import EntryType
from erial_desk.domain.errors import AuthError
from erial_desk.domain.money_effects import money_effect
from erial_desk.domain.pins import hash_pin, open_sealed_pin, verify_pin
from erial_desk.domain.policy import FeeCatalogue, Office, OfficeType, PaymentMethod, Policy

from .db import for_update, in_list, insert_rows
from .ledger import (
    SERVICE_CHARGES,
    Ledger,
    Transfer,
    office_cash,
    office_wallet,
    refunds_due,
    revenue,
    wallet,
)
from .models import authorisations, bills, entries, operators, subscribers
from .rules import (
    Breach,
    CentralBill,
    Earlier,
    Staff,
    WalletState,
    payload_problem,
)
from .visibility import Viewer, grant

Outcome = tuple[str, str | None]  # (applied | flagged, reason)
_OFFICE_STAFF = select(operators.c.operator_id, operators.c.role, operators.c.active).where(
    operators.c.office_id == bindparam("office")
)  # built once: its compiled form is reused without a cache key per push
_VOIDED_ENTRY = select(entries.c.entry_type, entries.c.body).where(
    entries.c.entry_id == bindparam("e")
)
_MARK_VOIDED = (
    update(entries).where(entries.c.entry_id == bindparam("e")).values(voided_by=bindparam("by"))
)
_ONLINE_TYPES = frozenset({EntryType.BILL_PAID, EntryType.VOID})  # may have an authorisation
APPLIED: Outcome = ("applied", None)

SUBSCRIBER_FIELDS = (
    "account",
    "kind",
    "civil_number",
    "cr_number",
    "name_ar",
    "name_en",
    "mobile",
    "email",
    "authorised_person",
)


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
            found = {
                r[0]
                for r in conn.execute(
                    in_list(conn, "SELECT account FROM subscribers WHERE account IN :ids"),
                    {"ids": accounts},
                )
            }
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
        for account, verifier, failures, closed in self.conn.execute(
            in_list(
                self.conn,
                "SELECT account, pin_verifier, pin_failures, closed FROM subscribers"
                " WHERE account IN :ids ORDER BY account" + for_update(self.conn),
            ),
            {"ids": wanted},
        ):
            self.wallets[account] = (verifier, WalletState(bool(closed), int(failures)))

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
        return self.known[account]

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
            "b": bill_id,
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
            self.conn.execute(
                update(subscribers)
                .where(subscribers.c.account == bindparam("a"))
                .values(pin_failures=bindparam("f")),
                [{"a": a, "f": f} for a, f in sorted(self.pin_changes.items())],
            )
            self.pin_changes.clear()
        if self.bill_changes:
            self.conn.execute(
                update(bills)
                .where(bills.c.bill_id == bindparam("b"))
                .values(
                    status=bindparam("status"),
                    paid_by=bindparam("paid_by"),
                    paid_at=bindparam("paid_at"),
                ),
                list(self.bill_changes.values()),
            )
            self.bill_changes.clear()

    def serve(self, account: str | None) -> None:
        """An external office keeps the subscribers it has served in its directory: called only
        once an entry (or online debit) of the office for that subscriber was applied."""
        if account is None or account in self.served or self.office_type == "internal":
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


def apply_entry(ctx: BatchContext, env: dict[str, Any], *, checked: bool = False) -> Outcome:
    """Apply one entry that passed the rule check; ``checked``: its payload already passed
    ``payload_problem``. An applied top-up or payment puts its subscriber in an external
    office's directory."""
    problem = None if checked else payload_problem(env)
    if problem is not None:
        return ("flagged", f"{problem}: not applied")
    outcome = _HANDLERS[env["type"]](ctx, env)
    if outcome == APPLIED and env["type"] in (EntryType.TOP_UP, EntryType.BILL_PAID):
        ctx.serve(env["payload"]["account"])
    return outcome


def flag_breach(ctx: BatchContext, env: dict[str, Any], breach: Breach) -> Outcome:
    """An entry that broke a rule moves no money. Cash the counter already took is due back to
    the customer at the office; an online debit the entry confirms is undone, its bill reopened."""
    p = env["payload"]
    # The cash the counter took: what the entry put in the drawer (a top-up, a cash payment).
    cash_taken = 0 if breach.code == "rule.malformed" else _cash_in(env)
    if cash_taken:
        ctx.ledger.transfer(
            Transfer(
                "refund_due",
                cash_taken,
                office_cash(ctx.office_id),
                refunds_due(ctx.office_id),
                env["id"],
                env["at"],
            )
        )
        return ("flagged", f"{breach.stored()}; the cash is due back to the customer")
    if env["type"] == EntryType.BILL_PAID and breach.code != "rule.malformed":
        if ctx.authorisation(env["id"]) is not None:
            for transfer in ctx.ledger.unreversed(env["id"]):
                ctx.ledger.transfer(transfer.reversal(env["id"], env["at"]))
            bill = ctx.bill(p["bill_id"])
            if bill is not None and bill.paid_by == env["id"]:
                ctx.mark_bill(p["bill_id"], None, None)
            return ("flagged", f"{breach.stored()}; the online debit is undone")
    return ("flagged", breach.stored())


def _cash_in(env: dict[str, Any]) -> int:
    """Baisa an entry put in the office's drawer (``domain.money_effects``); 0 for a void."""
    if env["type"] == EntryType.VOID:
        return 0
    return max(0, money_effect(env["type"], env["payload"]).cash)


def _payer(ctx: BatchContext, env: dict[str, Any]) -> tuple[str, int]:
    """The ledger account a bill payment draws on, and the baisa it pays (bill and service
    charge): the purse the entry's money effect moves (``domain.money_effects``)."""
    effect = money_effect(env["type"], env["payload"])
    if effect.wallet:
        return wallet(env["payload"]["account"] or ""), -effect.wallet
    if effect.office_wallet:
        return office_wallet(ctx.office_id), -effect.office_wallet
    return office_cash(ctx.office_id), effect.cash


def _record_only(ctx: BatchContext, env: dict[str, Any]) -> Outcome:
    return APPLIED


def _subscriber_registered(ctx: BatchContext, env: dict[str, Any]) -> Outcome:
    p = env["payload"]
    if ctx.is_subscriber(p["account"]):
        return ("flagged", "account number already taken: registration not applied")
    try:
        pin = open_sealed_pin(ctx.sealing_private_key, p["sealed_pin"], p["account"])
    except AuthError:
        return ("flagged", "sealed PIN does not open: registration not applied")
    values = {f: p.get(f) for f in SUBSCRIBER_FIELDS}
    ctx.conn.execute(
        insert(subscribers),
        {
            **values,
            "pin_verifier": hash_pin(pin),
            "pin_failures": 0,
            "closed": False,
            "registered_at": env["at"],
            "registered_by": ctx.office_id,
        },
    )
    ctx.known[p["account"]] = True
    ctx.ledger.lock([wallet(p["account"])])
    ctx.ledger.note_change("subscriber", p["account"], values)
    return APPLIED


def _subscriber_updated(ctx: BatchContext, env: dict[str, Any]) -> Outcome:
    p = env["payload"]
    allowed = {"mobile", "email", "name_ar", "name_en", "authorised_person"}
    changes = {k: v for k, v in p["changes"].items() if k in allowed}
    if not ctx.is_subscriber(p["account"]):
        return ("flagged", "unknown account")
    if changes:
        ctx.conn.execute(
            update(subscribers).where(subscribers.c.account == p["account"]).values(**changes)
        )
        ctx.ledger.note_change(
            "subscriber", p["account"], subscriber_record(ctx.conn, p["account"]) or {}
        )
    return APPLIED


def _top_up(ctx: BatchContext, env: dict[str, Any]) -> Outcome:
    p = env["payload"]
    cash = office_cash(ctx.office_id)
    if not ctx.is_subscriber(p["account"]):
        ctx.ledger.transfer(
            Transfer(
                "refund_due", p["amount"], cash, refunds_due(ctx.office_id), env["id"], env["at"]
            )
        )
        return ("flagged", "unknown account: the cash is due back to the customer")
    credited = money_effect(env["type"], p).wallet
    ctx.ledger.transfer(
        Transfer("top_up", credited, cash, wallet(p["account"]), env["id"], env["at"])
    )
    return APPLIED


def _bill_paid(ctx: BatchContext, env: dict[str, Any]) -> Outcome:
    p = env["payload"]
    entry_id = env["id"]
    payer, total = _payer(ctx, env)
    auth = ctx.authorisation(entry_id)
    if auth is not None:
        # Already debited online when the desk asked; the entry only confirms it.
        if auth != (total, p["account"], p["bill_id"]):
            return ("flagged", "entry differs from its online authorisation")
        return APPLIED
    bill = ctx.bill(p["bill_id"])
    method = PaymentMethod(p["method"])
    if bill is None or (bill.status == "paid" and bill.paid_by != entry_id):
        why = "unknown bill" if bill is None else "bill already paid"
        if method is PaymentMethod.CASH:
            ctx.ledger.transfer(
                Transfer(
                    "refund_due",
                    p["amount"],
                    payer,
                    refunds_due(ctx.office_id),
                    entry_id,
                    env["at"],
                )
            )
            return ("flagged", f"{why}: the first payment stands, cash refund due")
        # Offline wallet payments were never debited: the payer keeps the money.
        return ("flagged", f"{why}: the first payment stands, the payer was not charged")
    moves = [Transfer("bill", p["amount"], payer, revenue(p["bill_kind"]), entry_id, env["at"])]
    if p["service_charge"]:
        moves.append(
            Transfer("charge", p["service_charge"], payer, SERVICE_CHARGES, entry_id, env["at"])
        )
    for move in moves:
        ctx.ledger.transfer(move)
    ctx.mark_bill(p["bill_id"], entry_id, env["at"])
    if method is not PaymentMethod.CASH and ctx.ledger.balance(payer) < 0:
        return ("flagged", "offline payments took the wallet below zero: recovery needed")
    return APPLIED


def _void(ctx: BatchContext, env: dict[str, Any]) -> Outcome:
    p = env["payload"]
    conn = ctx.conn
    in_batch = ctx.pending_entry(p["voids"])  # the voided entry may be in this very batch
    if in_batch is not None:
        entry_type, body = in_batch["entry_type"], in_batch["body"]
        in_batch["voided_by"] = env["id"]
    else:
        voided = conn.execute(_VOIDED_ENTRY, {"e": p["voids"]}).first()
        if voided is None:
            return ("flagged", "voided entry unknown at central")
        entry_type, body = voided
        conn.execute(_MARK_VOIDED, {"e": p["voids"], "by": env["id"]})
        read = ctx.earlier_entries.get(p["voids"])
        if read is not None:  # a second void in this batch must see this one
            ctx.earlier_entries[p["voids"]] = replace(read, voided_by=env["id"])
    if ctx.authorisation(env["id"]) is not None:
        return APPLIED  # the reversal was made when the desk asked, before the void was written
    for transfer in ctx.ledger.unreversed(p["voids"]):
        ctx.ledger.transfer(transfer.reversal(env["id"], env["at"]))
    voided_payload = json.loads(body)["payload"]
    if entry_type == EntryType.BILL_PAID:
        bill = ctx.bill(voided_payload["bill_id"])
        if bill is not None and bill.paid_by == p["voids"]:
            ctx.mark_bill(voided_payload["bill_id"], None, None)
    account = voided_payload.get("account")
    if isinstance(account, str) and account and ctx.ledger.balance(wallet(account)) < 0:
        return ("flagged", "the void took the wallet below zero: recovery needed")
    return APPLIED


_HANDLERS = {
    EntryType.SHIFT_OPENED: _record_only,
    EntryType.CASH_DROP: _record_only,
    EntryType.SHIFT_CLOSED: _record_only,
    EntryType.RECEIPT_REPRINTED: _record_only,
    EntryType.PROBLEM_RESOLVED: _record_only,
    EntryType.SUBSCRIBER_REGISTERED: _subscriber_registered,
    EntryType.SUBSCRIBER_UPDATED: _subscriber_updated,
    EntryType.TOP_UP: _top_up,
    EntryType.BILL_PAID: _bill_paid,
    EntryType.VOID: _void,
}


def accounts_touched(env: dict[str, Any], office_id: str) -> list[str]:
    """Guarded ledger accounts an entry may move, to lock them all up front in order."""
    p = env["payload"]
    found = []
    if p.get("account") and isinstance(p["account"], str):
        found.append(wallet(p["account"]))
    if p.get("method") == PaymentMethod.OFFICE_WALLET:
        found.append(office_wallet(office_id))
    return found


def voided_accounts(conn: Connection, voided_ids: list[str]) -> list[str]:
    if not voided_ids:
        return []
    rows = conn.execute(
        in_list(conn, "SELECT account FROM entries WHERE entry_id IN :ids AND account IS NOT NULL"),
        {"ids": voided_ids},
    ).fetchall()
    return [wallet(r[0]) for r in rows]
