"""One person, one account: suspected duplicates found at registration, and their merge.

A registration (pushed by a desk, or made on the website) whose civil or CR number an open
account already holds still creates its account, because money may already have been taken for
it at a counter that was offline; the account is linked to the first one (``duplicate_of``) and
listed for supervisors of internal offices and administrators. A merge moves the duplicate's
balance to the survivor by a ledger transfer, closes the duplicate with a pointer
(``merged_into``), and from then on every entry or lookup naming the duplicate lands on the
survivor. A merge is never undone: a mistaken one is corrected by new entries.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, false, or_, select, update

from .ledger import Ledger, Transfer, wallet
from .models import SUBSCRIBER_FIELDS, ledger_accounts, subscribers
from .visibility import Viewer, scope

MERGE_TRANSFER = "merge"  # the kind of the ledger transfer that moves a duplicate's balance
_MAX_HOPS = 8  # a duplicate merged into an account merged in turn: followed this far

# Built once: a registration reads it on the push's hot path (two indexed columns).
_FIRST_HOLDER = (
    select(subscribers.c.account)
    .where(
        or_(
            subscribers.c.civil_number == bindparam("civil"),
            subscribers.c.cr_number == bindparam("cr"),
        )
    )
    .where(subscribers.c.closed == false())
    .where(subscribers.c.duplicate_of.is_(None))
    .order_by(subscribers.c.registered_at, subscribers.c.account)
    .limit(1)
)


def first_holder(conn: Connection, civil_number: str | None, cr_number: str | None) -> str | None:
    """The open account (not itself a duplicate) that already holds this civil or CR number."""
    if not civil_number and not cr_number:
        return None
    row = conn.execute(
        _FIRST_HOLDER, {"civil": civil_number or None, "cr": cr_number or None}
    ).first()
    return None if row is None else str(row[0])


def survivor_of(conn: Connection, account: str) -> str:
    """The account that stands for ``account``: itself unless it was merged into another."""
    current = account
    for _ in range(_MAX_HOPS):
        row = conn.execute(
            select(subscribers.c.merged_into).where(subscribers.c.account == current)
        ).first()
        if row is None or row[0] is None:
            return current
        current = str(row[0])
    return current


def merged_accounts(conn: Connection, survivor: str) -> list[str]:
    """Accounts merged into ``survivor`` (directly or through another), oldest link first."""
    found: list[str] = []
    frontier = [survivor]
    for _ in range(_MAX_HOPS):
        if not frontier:
            break
        rows = conn.execute(
            select(subscribers.c.account)
            .where(subscribers.c.merged_into.in_(frontier))
            .order_by(subscribers.c.merged_at, subscribers.c.account)
        ).fetchall()
        frontier = [str(r[0]) for r in rows]
        found += frontier
    return found


_LISTED = (*SUBSCRIBER_FIELDS, "registered_at", "registered_by", "duplicate_of")


def suspected(conn: Connection, viewer: Viewer | None = None) -> list[dict[str, Any]]:
    """Suspected duplicates not merged yet, each with the first account it duplicates and both
    balances; ``viewer``: only those it may see (None: an administrator sees all)."""
    query = (
        select(*[subscribers.c[f] for f in _LISTED])
        .where(subscribers.c.duplicate_of.is_not(None))
        .where(subscribers.c.merged_into.is_(None))
        .where(subscribers.c.closed == false())
        .order_by(subscribers.c.registered_at, subscribers.c.account)
    )
    if viewer is not None:
        query = query.where(scope(viewer, subscribers.c.account)).where(
            scope(viewer, subscribers.c.duplicate_of)
        )
    rows = [dict(zip(_LISTED, r, strict=True)) for r in conn.execute(query)]
    if not rows:
        return []
    firsts = {r["duplicate_of"] for r in rows}
    first_records = {
        r[0]: dict(zip(_LISTED, r, strict=True))
        for r in conn.execute(
            select(*[subscribers.c[f] for f in _LISTED]).where(subscribers.c.account.in_(firsts))
        )
    }
    balances = _balances(conn, [r["account"] for r in rows] + sorted(firsts))
    for row in rows:
        row["balance"] = balances[row["account"]]
        first = first_records.get(row["duplicate_of"], {"account": row["duplicate_of"]})
        row["first"] = {**first, "balance": balances.get(row["duplicate_of"], 0)}
    return rows


def _balances(conn: Connection, accounts: list[str]) -> dict[str, int]:
    ids = [wallet(a) for a in accounts]
    found = {
        r[0]: int(r[1])
        for r in conn.execute(
            select(ledger_accounts.c.account_id, ledger_accounts.c.balance).where(
                ledger_accounts.c.account_id.in_(ids)
            )
        )
    }
    return {a: found.get(wallet(a), 0) for a in accounts}


def _move_balance(ledger: Ledger, source: str, destination: str, entry_id: str, at: str) -> None:
    """Empty wallet ``source`` into wallet ``destination`` (a debt moves the other way)."""
    balance = ledger.balance(source)
    if balance > 0:
        ledger.transfer(Transfer(MERGE_TRANSFER, balance, source, destination, entry_id, at))
    elif balance < 0:  # offline payments overdrew it: the survivor carries the debt
        ledger.transfer(Transfer(MERGE_TRANSFER, -balance, destination, source, entry_id, at))


def sweep_merged(conn: Connection, ledger: Ledger, account: str, *, entry_id: str, at: str) -> str:
    """After a reversal credited (or debited) a merged account's wallet, e.g. a void or an
    online debit undone that was made before the merge: its survivor takes the difference, so
    a merged account holds nothing. Returns the account that stands for ``account``."""
    survivor = survivor_of(conn, account)
    if survivor != account:
        ledger.lock([wallet(account), wallet(survivor)])
        _move_balance(ledger, wallet(account), wallet(survivor), entry_id, at)
    return survivor


class MergeRefused(Exception):
    """Why two accounts cannot be merged; a stable code and a sentence for central's records."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


_MERGE_FIELDS = ("account", "civil_number", "cr_number", "closed", "merged_into")


def merge(
    conn: Connection,
    ledger: Ledger,
    duplicate: str,
    survivor: str,
    *,
    at: str,
    by: str,
    entry_id: str,
) -> bool:
    """Merge ``duplicate`` into ``survivor``; False when it already was (nothing more is done).
    Raises ``MergeRefused`` when the two are not one person's accounts or not open."""
    if duplicate == survivor:
        raise MergeRefused("merge.same_account", "an account cannot be merged into itself")
    rows = {
        r[0]: dict(zip(_MERGE_FIELDS, r, strict=True))
        for r in conn.execute(
            select(*[subscribers.c[f] for f in _MERGE_FIELDS])
            .where(subscribers.c.account.in_([duplicate, survivor]))
            .order_by(subscribers.c.account)
            .with_for_update()  # a no-op on SQLite, whose transaction holds the write lock
        )
    }
    dup, keep = rows.get(duplicate), rows.get(survivor)
    if dup is None or keep is None:
        raise MergeRefused("merge.unknown_account", "an account to merge is unknown at central")
    if dup["merged_into"] == survivor:
        return False  # the same merge again: done already
    if dup["merged_into"] is not None or dup["closed"]:
        raise MergeRefused("merge.closed", "the duplicate account is closed")
    if keep["merged_into"] is not None or keep["closed"]:
        raise MergeRefused("merge.closed", "the surviving account is closed")
    same_civil = dup["civil_number"] and dup["civil_number"] == keep["civil_number"]
    same_cr = dup["cr_number"] and dup["cr_number"] == keep["cr_number"]
    if not (same_civil or same_cr):
        raise MergeRefused("merge.not_same_holder", "the accounts share no civil or CR number")
    ledger.lock([wallet(duplicate), wallet(survivor)])
    _move_balance(ledger, wallet(duplicate), wallet(survivor), entry_id, at)
    conn.execute(
        update(subscribers)
        .where(subscribers.c.account == duplicate)
        .values(closed=True, merged_into=survivor, merged_at=at, merged_by=by)
    )
    # Duplicates of the duplicate now point at the survivor, to be merged into it.
    conn.execute(
        update(subscribers)
        .where(subscribers.c.duplicate_of == duplicate)
        .where(subscribers.c.merged_into.is_(None))
        .values(duplicate_of=survivor)
    )
    return True
