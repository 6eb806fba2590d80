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

from erial_desk.domain.errors import AuthError
from erial_desk.domain.money import format_amount
from erial_desk.domain.pins import open_sealed_pin, verify_pin
from erial_desk.domain.policy import BillKind, FeeCatalogue

from .db import for_update
from .effects import BatchContext
from .errors import ApiError
from .ingest import now_text
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
from .models import authorisations, entries, offices, subscribers


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
    office_id: str,
    entry_id: str,
    account: str | None,
    amount: int,
    bill_id: str,
    sealed_pin: str | None,
    catalogue: FeeCatalogue,
    sealing_private_key: bytes,
    pin_attempts: int,
) -> Answer | ApiError:
    """Debit a wallet (or the office's wallet) for a bill. Returns an ``ApiError`` instead of
    raising when the transaction must still commit (a wrong PIN is counted)."""
    done = _existing(conn, entry_id)
    if done is not None:
        if (done.account, int(done.amount), done.bill_id) != (account, amount, bill_id):
            raise ApiError(409, "authorisation.conflict")
        if done.cancelled_at is not None:
            raise ApiError(409, "authorisation.cancelled")
        return Answer(done.reference, int(done.balance_after))
    bill = conn.execute(
        text("SELECT kind, amount, status FROM bills WHERE bill_id = :b" + for_update(conn)),
        {"b": bill_id},
    ).first()
    if bill is None:
        raise ApiError(404, "bill.not_found")
    if bill.status != "open":
        raise ApiError(409, "bill.already_paid")
    charge = catalogue.service_charge(BillKind(bill.kind))
    if amount != int(bill.amount) + charge:
        raise ApiError(422, "authorisation.amount")
    if account is None:
        office_type = conn.execute(
            select(offices.c.office_type).where(offices.c.office_id == office_id)
        ).scalar_one()
        if office_type != "external":
            raise ApiError(
                403,
                "policy.not_allowed",
                office_type="internal",
                action="pay from the office wallet",
            )
        payer = office_wallet(office_id)
    else:
        refusal = _check_pin(conn, account, sealed_pin, entry_id, sealing_private_key, pin_attempts)
        if refusal is not None:
            return refusal
        payer = wallet(account)
    ledger = Ledger(conn)
    ledger.lock([payer])
    balance = ledger.balance(payer)
    if balance < amount:
        raise _insufficient(balance, amount)
    at = now_text()
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
            "office_id": office_id,
            "amount": amount,
            "bill_id": bill_id,
            "voids": None,
            "balance_after": ledger.balance(payer),
            "at": at,
        },
    )
    _serve(conn, ledger, office_id, account)
    ledger.flush(at)
    return Answer(reference, ledger.balance(payer))


def _serve(conn: Connection, ledger: Ledger, office_id: str, account: str | None) -> None:
    office_type = conn.execute(
        select(offices.c.office_type).where(offices.c.office_id == office_id)
    ).scalar_one()
    ctx = BatchContext(conn, ledger, "", office_id, office_type, True, b"", 0)
    ctx.serve(account)


def _check_pin(
    conn: Connection,
    account: str,
    sealed_pin: str | None,
    entry_id: str,
    sealing_private_key: bytes,
    attempts: int,
) -> ApiError | None:
    row = conn.execute(
        text(
            "SELECT pin_verifier, pin_failures, closed FROM subscribers WHERE account = :a"
            + for_update(conn)
        ),
        {"a": account},
    ).first()
    if row is None:
        raise ApiError(404, "subscriber.not_found")
    if row.closed:
        raise ApiError(409, "wallet.closed")
    if row.pin_failures >= attempts:
        raise ApiError(423, "wallet.locked")
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
    if failures >= attempts:
        return ApiError(423, "wallet.locked")
    return ApiError(403, "wallet.wrong_pin", left=attempts - failures)


def authorise_reversal(
    conn: Connection,
    *,
    terminal_id: str,
    office_id: str,
    entry_id: str,
    voids: str,
    account: str,
    amount: int,
) -> Answer:
    """Take a voided cash top-up back out of the wallet, if the money is still there."""
    done = _existing(conn, entry_id)
    if done is not None:
        if (done.voids, done.account, int(done.amount)) != (voids, account, amount):
            raise ApiError(409, "authorisation.conflict")
        return Answer(done.reference, int(done.balance_after))
    top_up = conn.execute(
        select(
            entries.c.entry_type, entries.c.account, entries.c.amount, entries.c.terminal_id
        ).where(entries.c.entry_id == voids)
    ).first()
    if top_up is None:
        raise ApiError(409, "reversal.not_synced")
    if (top_up.entry_type, top_up.account, int(top_up.amount or 0), top_up.terminal_id) != (
        "top_up",
        account,
        amount,
        terminal_id,
    ):
        raise ApiError(422, "void.not_voidable")
    ledger = Ledger(conn)
    ledger.lock([wallet(account)])
    balance = ledger.balance(wallet(account))
    if balance < amount:
        raise _insufficient(balance, amount)
    at = now_text()
    for transfer_id, _kind, moved, source, destination in transfers_of(conn, voids):
        if destination == wallet(account) and source == office_cash(office_id):
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
            "office_id": office_id,
            "amount": amount,
            "bill_id": None,
            "voids": voids,
            "balance_after": ledger.balance(wallet(account)),
            "at": at,
        },
    )
    ledger.flush(at)
    return Answer(reference, ledger.balance(wallet(account)))


def cancel_debit(conn: Connection, *, terminal_id: str, entry_id: str) -> str:
    """Undo an online debit the desk abandoned: its answer was lost, the desk then refused the
    payment (offline policy) and wrote no entry. Returns "cancelled", "already_cancelled" or
    "unknown" (central never received it). A debit whose entry arrived stays: 409."""
    done = conn.execute(
        text(
            "SELECT entry_id, terminal_id, kind, account, office_id, bill_id, cancelled_at"
            " FROM authorisations WHERE entry_id = :e" + for_update(conn)
        ),
        {"e": entry_id},
    ).first()
    if done is None or done.terminal_id != terminal_id or done.kind != "debit":
        return "unknown"
    if done.cancelled_at is not None:
        return "already_cancelled"
    if conn.execute(select(entries.c.entry_id).where(entries.c.entry_id == entry_id)).first():
        raise ApiError(409, "authorisation.confirmed")
    payer = wallet(done.account) if done.account is not None else office_wallet(done.office_id)
    ledger = Ledger(conn)
    ledger.lock([payer])
    at = now_text()
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
    ledger.flush(at)
    return "cancelled"
