"""What each journal entry does at central: ledger transfers, bill status, the directory.

An entry that was validly signed already happened at a counter: it is never refused for a
business reason. When it breaks a rule (a bill paid twice, a wrong PIN found at sync, an offline
overdraft) it is applied so that no baisa is lost, and flagged with the reason for a supervisor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text, update

from erial_desk.domain.errors import AuthError
from erial_desk.domain.pins import hash_pin, open_sealed_pin, verify_pin

from .db import for_update
from .ledger import (
    SERVICE_CHARGES,
    Ledger,
    Transfer,
    office_cash,
    office_wallet,
    refunds_due,
    revenue,
    transfers_of,
    wallet,
)
from .models import authorisations, bills, entries, office_subscribers, subscribers

Outcome = tuple[str, str | None]  # (applied | flagged, reason)
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
class BatchContext:
    """What the entries of one push share: the connection, the ledger and the terminal."""

    conn: Connection
    ledger: Ledger
    terminal_id: str
    office_id: str
    office_type: str
    top_up_authorised: bool
    sealing_private_key: bytes
    wallet_pin_attempts: int
    served: set[str] = field(default_factory=set)

    def serve(self, account: str | None) -> None:
        """An external office keeps the subscribers it has served in its directory."""
        if account is None or account in self.served or self.office_type == "internal":
            return
        self.served.add(account)
        exists = self.conn.execute(
            select(office_subscribers.c.account).where(
                office_subscribers.c.office_id == self.office_id,
                office_subscribers.c.account == account,
            )
        ).first()
        if exists is None:
            self.conn.execute(
                insert(office_subscribers), {"office_id": self.office_id, "account": account}
            )
            record = subscriber_record(self.conn, account)
            if record is not None:
                self.ledger.note_change("subscriber", account, record)


def subscriber_record(conn: Connection, account: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(*[subscribers.c[f] for f in SUBSCRIBER_FIELDS]).where(
            subscribers.c.account == account
        )
    ).first()
    return None if row is None else dict(zip(SUBSCRIBER_FIELDS, row, strict=True))


def _lock_bill(conn: Connection, bill_id: str) -> Any:
    return conn.execute(
        text(
            "SELECT bill_id, kind, amount, status, paid_by FROM bills WHERE bill_id = :b"
            + for_update(conn)
        ),
        {"b": bill_id},
    ).first()


def _mark_bill(conn: Connection, bill_id: str, paid_by: str | None, at: str | None) -> None:
    conn.execute(
        update(bills)
        .where(bills.c.bill_id == bill_id)
        .values(status="paid" if paid_by else "open", paid_by=paid_by, paid_at=at)
    )


def apply_entry(ctx: BatchContext, env: dict[str, Any]) -> Outcome:
    handler = _HANDLERS.get(env["type"])
    if handler is None:
        return ("flagged", f"unknown entry type {env['type']}")
    return handler(ctx, env)


def _record_only(ctx: BatchContext, env: dict[str, Any]) -> Outcome:
    return APPLIED


def _subscriber_registered(ctx: BatchContext, env: dict[str, Any]) -> Outcome:
    p = env["payload"]
    if subscriber_record(ctx.conn, p["account"]) is not None:
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
    ctx.ledger.lock([wallet(p["account"])])
    ctx.ledger.note_change("subscriber", p["account"], values)
    ctx.serve(p["account"])
    if ctx.office_type != "internal":
        return ("flagged", "registered at an external office")
    return APPLIED


def _subscriber_updated(ctx: BatchContext, env: dict[str, Any]) -> Outcome:
    p = env["payload"]
    allowed = {"mobile", "email", "name_ar", "name_en", "authorised_person"}
    changes = {k: v for k, v in p["changes"].items() if k in allowed}
    if subscriber_record(ctx.conn, p["account"]) is None:
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
    if subscriber_record(ctx.conn, p["account"]) is None:
        ctx.ledger.transfer(
            Transfer(
                "refund_due", p["amount"], cash, refunds_due(ctx.office_id), env["id"], env["at"]
            )
        )
        return ("flagged", "unknown account: the cash is due back to the customer")
    ctx.ledger.transfer(
        Transfer("top_up", p["amount"], cash, wallet(p["account"]), env["id"], env["at"])
    )
    ctx.serve(p["account"])
    if ctx.office_type != "internal" and not ctx.top_up_authorised:
        return ("flagged", "top-up at an office not authorised to take top-ups")
    return APPLIED


def _bill_paid(ctx: BatchContext, env: dict[str, Any]) -> Outcome:
    p = env["payload"]
    conn = ctx.conn
    entry_id = env["id"]
    total = p["amount"] + p["service_charge"]
    ctx.serve(p["account"])
    auth = conn.execute(
        select(authorisations.c.amount, authorisations.c.account, authorisations.c.bill_id).where(
            authorisations.c.entry_id == entry_id
        )
    ).first()
    if auth is not None:
        # Already debited online when the desk asked; the entry only confirms it.
        if (int(auth[0]), auth[1], auth[2]) != (total, p["account"], p["bill_id"]):
            return ("flagged", "entry differs from its online authorisation")
        return APPLIED
    bill = _lock_bill(conn, p["bill_id"])
    method = p["method"]
    payer = {
        "cash": office_cash(ctx.office_id),
        "wallet": wallet(p["account"] or ""),
        "office_wallet": office_wallet(ctx.office_id),
    }[method]
    if bill is None or (bill.status == "paid" and bill.paid_by != entry_id):
        why = "unknown bill" if bill is None else "bill already paid"
        if method == "cash":
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
    if method == "wallet":
        wrong_pin = not _offline_pin_ok(ctx, p["account"], p["sealed_pin"], entry_id)
        if wrong_pin:
            for move in reversed(moves):
                ctx.ledger.transfer(
                    Transfer(
                        "reversal", move.amount, move.destination, move.source, entry_id, env["at"]
                    )
                )
            return ("flagged", "wrong PIN found at sync: payment reversed, bill left open")
    _mark_bill(conn, p["bill_id"], entry_id, env["at"])
    reasons = []
    if int(bill.amount) != p["amount"]:
        reasons.append("amount differs from the bill")
    if method != "cash" and ctx.ledger.balance(payer) < 0:
        reasons.append("offline payments took the wallet below zero: recovery needed")
    return ("flagged", "; ".join(reasons)) if reasons else APPLIED


def _offline_pin_ok(ctx: BatchContext, account: str, sealed: str | None, entry_id: str) -> bool:
    row = ctx.conn.execute(
        select(subscribers.c.pin_verifier).where(subscribers.c.account == account)
    ).first()
    if row is None or not sealed:
        return False
    try:
        return verify_pin(open_sealed_pin(ctx.sealing_private_key, sealed, entry_id), row[0])
    except AuthError:
        return False


def _void(ctx: BatchContext, env: dict[str, Any]) -> Outcome:
    p = env["payload"]
    conn = ctx.conn
    voided = conn.execute(
        select(entries.c.entry_type, entries.c.voided_by, entries.c.body).where(
            entries.c.entry_id == p["voids"]
        )
    ).first()
    if voided is None:
        return ("flagged", "voided entry unknown at central")
    conn.execute(
        update(entries).where(entries.c.entry_id == p["voids"]).values(voided_by=env["id"])
    )
    online = conn.execute(
        select(authorisations.c.reference).where(authorisations.c.entry_id == env["id"])
    ).first()
    if online is not None:
        return APPLIED  # the reversal was made when the desk asked, before the void was written
    ctx.ledger.flush_transfers()
    for transfer_id, _kind, amount, source, destination in transfers_of(conn, p["voids"]):
        ctx.ledger.transfer(
            Transfer("reversal", amount, destination, source, env["id"], env["at"], transfer_id)
        )
    voided_payload = json.loads(voided.body)["payload"]
    if voided.entry_type == "bill_paid":
        bill = _lock_bill(conn, voided_payload["bill_id"])
        if bill is not None and bill.paid_by == p["voids"]:
            _mark_bill(conn, voided_payload["bill_id"], None, None)
    account = voided_payload.get("account")
    if account and ctx.ledger.balance(wallet(account)) < 0:
        return ("flagged", "the void took the wallet below zero: recovery needed")
    return APPLIED


_HANDLERS = {
    "shift_opened": _record_only,
    "cash_drop": _record_only,
    "shift_closed": _record_only,
    "receipt_reprinted": _record_only,
    "subscriber_registered": _subscriber_registered,
    "subscriber_updated": _subscriber_updated,
    "top_up": _top_up,
    "bill_paid": _bill_paid,
    "void": _void,
}


def accounts_touched(env: dict[str, Any], office_id: str) -> list[str]:
    """Guarded ledger accounts an entry may move, to lock them all up front in order."""
    p = env["payload"]
    found = []
    if p.get("account"):
        found.append(wallet(p["account"]))
    if p.get("method") == "office_wallet":
        found.append(office_wallet(office_id))
    return found


def voided_accounts(conn: Connection, voided_ids: list[str]) -> list[str]:
    if not voided_ids:
        return []
    rows = conn.execute(
        text(
            "SELECT account FROM entries WHERE entry_id IN :ids AND account IS NOT NULL"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": voided_ids},
    ).fetchall()
    return [wallet(r[0]) for r in rows]
