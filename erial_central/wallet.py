"""Online wallet authorisation: a debit is applied at once and answered with the new balance.

The desk's entry id is the idempotency key: asking again with the same values returns the first
answer. The customer's PIN arrives sealed to central's key and bound to that entry id; its
verifier never leaves central. Wrong PINs count even though the debit is refused.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, text, update

from erial_desk.domain.entries import EntryType
from erial_desk.domain.errors import AuthError
from erial_desk.domain.money import format_amount
from erial_desk.domain.pins import open_sealed_pin, verify_pin
from erial_desk.domain.policy import BillKind, FeeCatalogue

from .batch_context import subscriber_record
from .db import for_update
from .duplicates import sweep_merged
from .errors import ApiError
from .ledger import (
    SERVICE_CHARGES,
    Ledger,
    Transfer,
    office_cash,
    office_wallet,
    revenue,
    transfers_of,
    wallet,
)
from .models import authorisations, entries, subscribers
from .visibility import Viewer, can_see, grant


@dataclass(frozen=True)
class Answer:
    reference: str
    balance_after: int


def _existing(conn: Connection, entry_id: str) -> Any:
    return conn.execute(select(authorisations).where(authorisations.c.entry_id == entry_id)).first()


def _insufficient(balance: int, needed: int) -> ApiError:
    return ApiError(
        409,
        "wallet.insufficient",
        balance=format_amount(balance),
        needed=format_amount(needed),
    )


def authorise_debit(
    conn: Connection,
    *,
    terminal_id: str,
    viewer: Viewer,
    entry_id: str,
    account: str | None,
    amount: int,
    bill_id: str,
    sealed_pin: str | None,
    catalogue: FeeCatalogue,
    sealing_private_key: bytes,
    pin_attempts: int,
    at: str,
) -> Answer | ApiError:
    """Debit a wallet (or the office's wallet) for a bill, at the moment ``at`` (stamped from
    the server's clock). Returns an ``ApiError`` instead of raising when the transaction must
    still commit (a wrong PIN is counted).

    Locks in the order every path takes (see ``db``): the bill, then the wallet, then the
    subscriber's row. The answers about a wallet go through the office's scope: to an office
    that may not see the subscriber, an unknown, closed or locked account and a wrong PIN all
    answer ``wallet.refused``, and a short balance is not shown."""
    bill = conn.execute(
        text("SELECT kind, amount, status FROM bills WHERE bill_id = :b" + for_update(conn)),
        {"b": bill_id},
    ).first()
    # Read after the bill's lock: a repeat racing the first request sees its answer.
    done = _existing(conn, entry_id)
    if done is not None:
        if (done.terminal_id, done.account, int(done.amount), done.bill_id) != (
            terminal_id,
            account,
            amount,
            bill_id,
        ):
            raise ApiError(409, "authorisation.conflict")
        if done.cancelled_at is not None:
            raise ApiError(409, "authorisation.cancelled")
        return Answer(done.reference, int(done.balance_after))
    if bill is None:
        raise ApiError(404, "bill.not_found")
    if bill.status != "open":
        raise ApiError(409, "bill.already_paid")
    charge = catalogue.service_charge(BillKind(bill.kind))
    if amount != int(bill.amount) + charge:
        raise ApiError(422, "authorisation.amount")
    ledger = Ledger(conn)
    visible = True
    if account is None:
        if viewer.office_type != "external":
            raise ApiError(
                403,
                "policy.not_allowed",
                office_type="internal",
                action="pay from the office wallet",
            )
        payer = office_wallet(viewer.office_id)
        ledger.lock([payer])
    else:
        visible = can_see(conn, viewer, account)
        if not visible and (viewer.sees_all or not _is_subscriber(conn, account)):
            raise ApiError(404, "subscriber.not_found") if viewer.sees_all else _refused()
        payer = wallet(account)
        ledger.lock([payer])  # the wallet before the subscriber's row, as a push does
        refusal = _check_pin(
            conn, account, sealed_pin, entry_id, sealing_private_key, pin_attempts, visible
        )
        if refusal is not None:
            return refusal
    balance = ledger.balance(payer)
    if balance < amount:
        if not visible:
            raise ApiError(409, "wallet.short", needed=format_amount(amount))
        raise _insufficient(balance, amount)
    ledger.transfer(Transfer("bill", int(bill.amount), payer, revenue(bill.kind), entry_id, at))
    if charge:
        ledger.transfer(Transfer("charge", charge, payer, SERVICE_CHARGES, entry_id, at))
    conn.execute(
        text("UPDATE bills SET status = 'paid', paid_by = :e, paid_at = :at WHERE bill_id = :b"),
        {"e": entry_id, "at": at, "b": bill_id},
    )
    reference = "AU" + secrets.token_hex(6).upper()
    conn.execute(
        insert(authorisations),
        {
            "entry_id": entry_id,
            "terminal_id": terminal_id,
            "kind": "debit",
            "reference": reference,
            "account": account,
            "office_id": viewer.office_id,
            "amount": amount,
            "bill_id": bill_id,
            "voids": None,
            "balance_after": ledger.balance(payer),
            "at": at,
        },
    )
    if account is not None:
        # Only an applied debit lets the office see the subscriber; refusals returned above.
        grant(conn, ledger, viewer, account, subscriber_record(conn, account))
    ledger.flush(at)
    return Answer(reference, ledger.balance(payer))


def _refused() -> ApiError:
    """The one answer about a wallet the office may not see, whatever the reason."""
    return ApiError(403, "wallet.refused")


def _is_subscriber(conn: Connection, account: str) -> bool:
    found = conn.execute(select(subscribers.c.account).where(subscribers.c.account == account))
    return found.first() is not None


def _check_pin(
    conn: Connection,
    account: str,
    sealed_pin: str | None,
    entry_id: str,
    sealing_private_key: bytes,
    attempts: int,
    visible: bool,
) -> ApiError | None:
    row = conn.execute(
        text(
            "SELECT pin_verifier, pin_failures, closed FROM subscribers WHERE account = :a"
            + for_update(conn)
        ),
        {"a": account},
    ).first()
    if row is None:
        raise ApiError(404, "subscriber.not_found") if visible else _refused()
    if row.closed:
        raise ApiError(409, "wallet.closed") if visible else _refused()
    if row.pin_failures >= attempts:
        raise ApiError(423, "wallet.locked") if visible else _refused()
    try:
        good = verify_pin(
            open_sealed_pin(sealing_private_key, sealed_pin or "", entry_id), row.pin_verifier
        )
    except AuthError:
        good = False
    failures = 0 if good else row.pin_failures + 1
    if failures != row.pin_failures:
        conn.execute(
            update(subscribers)
            .where(subscribers.c.account == account)
            .values(pin_failures=failures)
        )
    if good:
        return None
    if not visible:
        return _refused()
    if failures >= attempts:
        return ApiError(423, "wallet.locked")
    return ApiError(403, "wallet.wrong_pin", left=attempts - failures)


def authorise_reversal(
    conn: Connection,
    *,
    terminal_id: str,
    viewer: Viewer,
    entry_id: str,
    voids: str,
    account: str,
    amount: int,
    at: str,
) -> Answer:
    """Take a voided cash top-up back out of the wallet, if the money is still there. A top-up
    is reversed once: asking again, under another entry id, answers with the first reversal.
    ``at``: the moment of the request (``domain.clock.stamp``), for every row it writes."""
    done = _existing(conn, entry_id)
    if done is not None:
        if (done.terminal_id, done.voids, done.account, int(done.amount)) != (
            terminal_id,
            voids,
            account,
            amount,
        ):
            raise ApiError(409, "authorisation.conflict")
        return Answer(done.reference, int(done.balance_after))
    top_up = conn.execute(
        select(
            entries.c.entry_type,
            entries.c.account,
            entries.c.amount,
            entries.c.terminal_id,
            entries.c.status,
        ).where(entries.c.entry_id == voids)
    ).first()
    if top_up is None:
        raise ApiError(409, "reversal.not_synced")
    if (
        top_up.entry_type,
        top_up.account,
        int(top_up.amount or 0),
        top_up.terminal_id,
        top_up.status,
    ) != (EntryType.TOP_UP, account, amount, terminal_id, "applied") or not can_see(
        conn, viewer, account
    ):
        # Only an applied top-up of this terminal: a flagged one moved no money to take back.
        raise ApiError(422, "void.not_voidable")
    ledger = Ledger(conn)
    ledger.lock([wallet(account)])
    # Under the wallet's lock, so two reversals of one top-up cannot both pass this.
    first = conn.execute(
        select(authorisations.c.reference, authorisations.c.balance_after)
        .where(authorisations.c.voids == voids)
        .where(authorisations.c.kind == "reversal")
    ).first()
    if first is not None:
        return Answer(first.reference, int(first.balance_after))
    balance = ledger.balance(wallet(account))
    if balance < amount:
        raise _insufficient(balance, amount)
    for transfer_id, _kind, moved, source, destination in transfers_of(conn, voids):
        if destination == wallet(account) and source == office_cash(viewer.office_id):
            ledger.transfer(
                Transfer("reversal", moved, destination, source, entry_id, at, transfer_id)
            )
    reference = "RV" + secrets.token_hex(6).upper()
    conn.execute(
        insert(authorisations),
        {
            "entry_id": entry_id,
            "terminal_id": terminal_id,
            "kind": "reversal",
            "reference": reference,
            "account": account,
            "office_id": viewer.office_id,
            "amount": amount,
            "bill_id": None,
            "voids": voids,
            "balance_after": ledger.balance(wallet(account)),
            "at": at,
        },
    )
    ledger.flush(at)
    return Answer(reference, ledger.balance(wallet(account)))


def cancel_debit(conn: Connection, *, terminal_id: str, entry_id: str, at: str) -> str:
    """Undo an online debit the desk abandoned: its answer was lost, the desk then refused the
    payment (offline policy) and wrote no entry. Returns "cancelled", "already_cancelled" or
    "unknown" (central never received it). A debit whose entry arrived stays: 409."""
    status = undo_debit(conn, entry_id, at=at, terminal_id=terminal_id)
    if status == "confirmed":
        raise ApiError(409, "authorisation.confirmed")
    return status


def undo_debit(conn: Connection, entry_id: str, *, at: str, terminal_id: str | None = None) -> str:
    """Reverse an online debit no journal entry confirmed, and reopen its bill: for the desk
    that abandoned it (``terminal_id``), or for central's reconciliation (None), which also
    tells the office at its next pull. Returns "cancelled", "already_cancelled", "confirmed"
    (its entry arrived: nothing done) or "unknown".

    The push that confirms a debit locks the same bill and authorisation rows in the same
    order (bill, then authorisation, then wallet), so that exactly one of the two wins: a push
    that comes second finds the debit cancelled and applies its entry as an offline payment,
    an undo that comes second finds the entry."""
    found = conn.execute(
        select(authorisations.c.bill_id).where(authorisations.c.entry_id == entry_id)
    ).first()
    if found is not None and found.bill_id is not None:
        conn.execute(
            text("SELECT bill_id FROM bills WHERE bill_id = :b" + for_update(conn)),
            {"b": found.bill_id},
        )
    done = conn.execute(
        text(
            "SELECT entry_id, terminal_id, kind, account, office_id, bill_id, amount,"
            " cancelled_at FROM authorisations WHERE entry_id = :e" + for_update(conn)
        ),
        {"e": entry_id},
    ).first()
    if done is None or done.kind != "debit":
        return "unknown"
    if terminal_id is not None and done.terminal_id != terminal_id:
        return "unknown"
    if done.cancelled_at is not None:
        return "already_cancelled"
    if conn.execute(select(entries.c.entry_id).where(entries.c.entry_id == entry_id)).first():
        return "confirmed"
    payer = wallet(done.account) if done.account is not None else office_wallet(done.office_id)
    ledger = Ledger(conn)
    ledger.lock([payer])
    for transfer_id, _kind, moved, source, destination in transfers_of(conn, entry_id):
        ledger.transfer(Transfer("reversal", moved, destination, source, entry_id, at, transfer_id))
    if done.bill_id is not None:
        conn.execute(
            text(
                "UPDATE bills SET status = 'open', paid_by = NULL, paid_at = NULL"
                " WHERE bill_id = :b AND paid_by = :e"
            ),
            {"b": done.bill_id, "e": entry_id},
        )
    conn.execute(
        update(authorisations).where(authorisations.c.entry_id == entry_id).values(cancelled_at=at)
    )
    if done.account is not None:
        sweep_merged(conn, ledger, done.account, entry_id=entry_id, at=at)
    if terminal_id is None:
        ledger.note_change(
            "debit_reversed",
            entry_id,
            {
                "entry_id": entry_id,
                "terminal_id": done.terminal_id,
                "bill_id": done.bill_id,
                "account": done.account,
                "amount": int(done.amount),
                "at": at,
            },
            done.office_id,
        )
    ledger.flush(at)
    return "cancelled"
