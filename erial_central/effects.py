"""What each journal entry does at central: ledger transfers, bill status, the directory.

Every entry first passes the rule check (``rules.check``); one that breaks a rule is flagged and
moves no money, except that cash already taken at the counter becomes a refund due at the
office (``flag_breach``). An entry within the rules already happened at a counter: it is never
refused for what central learns only now (a bill paid twice, an offline overdraft); it is
applied so that no baisa is lost, and flagged with the reason for a supervisor.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from erial_desk.domain.entries import EntryType
from erial_desk.domain.errors import AuthError
from erial_desk.domain.money_effects import money_effect
from erial_desk.domain.pins import hash_pin, open_sealed_pin
from erial_desk.domain.policy import PaymentMethod

from .batch_context import APPLIED, BatchContext, Outcome, subscriber_record
from .db import in_list
from .duplicates import MergeRefused, first_holder, merge, sweep_merged
from .ledger import (
    SERVICE_CHARGES,
    Transfer,
    office_cash,
    office_wallet,
    refunds_due,
    revenue,
    wallet,
)
from .models import SUBSCRIBER_FIELDS, entries, subscribers
from .rules import (
    Breach,
    payload_problem,
)

_VOIDED_ENTRY = select(entries.c.entry_type, entries.c.body).where(
    entries.c.entry_id == bindparam("e")
)
_MARK_VOIDED = (
    update(entries).where(entries.c.entry_id == bindparam("e")).values(voided_by=bindparam("by"))
)


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
        return wallet(ctx.target(env["payload"]["account"] or "")), -effect.wallet
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
    # One indexed read: does an open account already hold this civil or CR number?
    first = first_holder(ctx.conn, p.get("civil_number"), p.get("cr_number"))
    ctx.conn.execute(
        insert(subscribers),
        {
            **values,
            "duplicate_of": first,
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
    if first is not None:
        # Money may already be taken for it offline: the account stands, flagged for a merge.
        return ("flagged", f"suspected duplicate of account {first}: registered, to be merged")
    return APPLIED


def _subscribers_merged(ctx: BatchContext, env: dict[str, Any]) -> Outcome:
    p = env["payload"]
    try:
        merged = merge(
            ctx.conn,
            ctx.ledger,
            p["duplicate"],
            p["survivor"],
            at=env["at"],
            by=env["id"],
            entry_id=env["id"],
        )
    except MergeRefused as refused:
        return ("flagged", f"{refused.reason}: not merged")
    ctx.merged[p["duplicate"]] = p["survivor"]
    return APPLIED if merged else ("applied", "merged before: nothing more to do")


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
    account = ctx.target(p["account"])
    ctx.ledger.transfer(Transfer("top_up", credited, cash, wallet(account), env["id"], env["at"]))
    return _landed(p["account"], account)


def _landed(named: str, account: str) -> Outcome:
    """Applied; to the survivor when the entry named an account merged into it."""
    if named == account:
        return APPLIED
    return ("applied", f"account {named} was merged into {account}: applied to {account}")


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
    if method is PaymentMethod.WALLET:
        return _landed(p["account"], ctx.target(p["account"]))
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
    if isinstance(account, str) and account:  # merged since: the survivor takes it over
        account = sweep_merged(ctx.conn, ctx.ledger, account, entry_id=env["id"], at=env["at"])
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
    EntryType.SUBSCRIBERS_MERGED: _subscribers_merged,
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
