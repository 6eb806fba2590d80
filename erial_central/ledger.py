"""Double-entry postings for one database transaction.

A ``Ledger`` is opened inside a transaction. Guarded accounts (wallets) are locked up front in
sorted order (no deadlock between two pushes touching the same wallets), read once, kept in
memory while the batch is applied, and written back with the transfers in a few statements.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text

from .db import append_changes, for_update, in_list, insert_rows, is_postgres, update_rows
from .models import ledger_accounts, postings, transfers

BANK = "bank"  # clearing account of the partner bank (online top-ups)
SERVICE_CHARGES = "charges"  # service-charge revenue


def wallet(account: str) -> str:
    return f"wallet:{account}"


def office_cash(office_id: str) -> str:
    return f"cash:{office_id}"


def office_wallet(office_id: str) -> str:
    return f"owallet:{office_id}"


def revenue(kind: str) -> str:
    return f"revenue:{kind}"


def refunds_due(office_id: str) -> str:
    """Cash a customer paid twice for one bill: owed back to them at the office."""
    return f"refunds:{office_id}"


def is_guarded(account_id: str) -> bool:
    return account_id.startswith(("wallet:", "owallet:"))


@dataclass(eq=False)
class Transfer:
    kind: str
    amount: int
    source: str
    destination: str
    entry_id: str | None
    at: str
    reverses: int | None = None
    # A transfer of this transaction not written yet, which this one reverses.
    reverses_pending: Transfer | None = field(default=None, repr=False)
    transfer_id: int | None = None  # set when written

    def reversal(self, entry_id: str | None, at: str) -> Transfer:
        """The transfer that undoes this one."""
        return Transfer(
            "reversal",
            self.amount,
            self.destination,
            self.source,
            entry_id,
            at,
            self.transfer_id,
            None if self.transfer_id is not None else self,
        )


class Ledger:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._balances: dict[str, int] = {}
        self._dirty: set[str] = set()
        self._pending: list[Transfer] = []
        self._changes: list[dict[str, object]] = []

    def lock(self, account_ids: Iterable[str]) -> None:
        """Lock and load guarded accounts; unknown ones are created empty."""
        wanted = sorted({a for a in account_ids if is_guarded(a) and a not in self._balances})
        if not wanted:
            return
        rows = self.conn.execute(
            in_list(
                self.conn,
                "SELECT account_id, balance FROM ledger_accounts WHERE account_id IN :ids"
                " ORDER BY account_id" + for_update(self.conn),
            ),
            {"ids": wanted},
        ).fetchall()
        found = {r[0]: int(r[1]) for r in rows}
        missing = [a for a in wanted if a not in found]
        if missing:
            self.conn.execute(
                insert(ledger_accounts),
                [{"account_id": a, "kind": a.split(":", 1)[0], "balance": 0} for a in missing],
            )
            found.update(dict.fromkeys(missing, 0))
        self._balances.update(found)

    def balance(self, account_id: str) -> int:
        if account_id not in self._balances:
            self.lock([account_id])
        return self._balances[account_id]

    def transfer(self, t: Transfer) -> None:
        if t.amount <= 0:
            raise ValueError("a transfer moves a positive amount")
        for account_id, delta in ((t.source, -t.amount), (t.destination, t.amount)):
            if is_guarded(account_id):
                self._balances[account_id] = self.balance(account_id) + delta
                self._dirty.add(account_id)
        self._pending.append(t)

    def unreversed(self, entry_id: str) -> list[Transfer]:
        """The transfers of an entry that nothing reverses yet, written or still pending."""
        pending = [t for t in self._pending if t.entry_id == entry_id]
        reversed_here = {id(t.reverses_pending) for t in self._pending if t.reverses_pending}
        reversed_ids = {t.reverses for t in self._pending if t.reverses is not None}
        found = [
            Transfer(kind, amount, source, destination, entry_id, "", transfer_id=transfer_id)
            for transfer_id, kind, amount, source, destination in transfers_of(self.conn, entry_id)
            if transfer_id not in reversed_ids
        ]
        found += [
            t
            for t in pending
            if t.reverses is None and t.reverses_pending is None and id(t) not in reversed_here
        ]
        return found

    def note_change(
        self, kind: str, key: str, data: dict[str, object], office_id: str | None = None
    ) -> None:
        self._changes.append({"kind": kind, "key": key, "office_id": office_id, "data": data})

    def flush_feed_only(
        self, kind: str, key: str, data: dict[str, object], office_id: str | None = None
    ) -> None:
        self.note_change(kind, key, data, office_id)
        self._flush_balances_and_changes("")

    def flush(self, at: str) -> None:
        """Write transfers, postings, balances and change-feed rows."""
        self.flush_transfers()
        self._flush_balances_and_changes(at)

    def flush_transfers(self) -> list[int]:
        """Write the transfers made so far (a void reads back what it reverses); their ids."""
        conn = self.conn
        if not self._pending:
            return []
        # Ids are taken first, so that the rows go in as one prepared INSERT run many times
        # rather than as a long multi-row INSERT ... RETURNING the driver parses anew each time.
        ids = _new_transfer_ids(conn, len(self._pending))
        rows = []
        legs = []
        for transfer_id, t in zip(ids, self._pending, strict=True):
            t.transfer_id = transfer_id
            if t.reverses_pending is not None:
                t.reverses, t.reverses_pending = t.reverses_pending.transfer_id, None
            rows.append(
                {
                    "transfer_id": transfer_id,
                    "kind": t.kind,
                    "amount": t.amount,
                    "source": t.source,
                    "destination": t.destination,
                    "entry_id": t.entry_id,
                    "reverses": t.reverses,
                    "at": t.at,
                }
            )
            legs.append({"transfer_id": transfer_id, "account_id": t.source, "amount": -t.amount})
            legs.append(
                {"transfer_id": transfer_id, "account_id": t.destination, "amount": t.amount}
            )
        insert_rows(conn, transfers, rows)
        insert_rows(conn, postings, legs)
        self._pending.clear()
        return ids

    def _flush_balances_and_changes(self, at: str) -> None:
        conn = self.conn
        if self._dirty:
            update_rows(
                conn,
                ledger_accounts,
                "account_id",
                [{"account_id": a, "balance": self._balances[a]} for a in sorted(self._dirty)],
            )
            for account_id in sorted(self._dirty):
                if account_id.startswith("wallet:"):
                    account = account_id.split(":", 1)[1]
                    self.note_change(
                        "balance",
                        account,
                        {"account": account, "balance": self._balances[account_id], "at": at},
                    )
            self._dirty.clear()
        if self._changes:
            append_changes(
                conn,
                [
                    {
                        "kind": c["kind"],
                        "key": c["key"],
                        "office_id": c["office_id"],
                        "data": json.dumps(c["data"], ensure_ascii=False, sort_keys=True),
                    }
                    for c in self._changes
                ],
            )
            self._changes.clear()


def _new_transfer_ids(conn: Connection, count: int) -> list[int]:
    """``count`` new transfer ids, ascending: from the table's sequence on PostgreSQL; on SQLite
    after the largest id (the transaction holds the write lock, so nobody else takes them)."""
    if is_postgres(conn):
        return sorted(
            int(r[0])
            for r in conn.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence('transfers', 'transfer_id'))"
                    " FROM generate_series(1, :n)"
                ),
                {"n": count},
            )
        )
    last = int(
        conn.execute(text("SELECT COALESCE(MAX(transfer_id), 0) FROM transfers")).scalar_one()
    )
    return list(range(last + 1, last + 1 + count))


def _unreversed_of_entry() -> Any:
    reversal = transfers.alias("reversal")
    already = select(reversal.c.transfer_id).where(reversal.c.reverses == transfers.c.transfer_id)
    return (
        select(
            transfers.c.transfer_id,
            transfers.c.kind,
            transfers.c.amount,
            transfers.c.source,
            transfers.c.destination,
        )
        .where(transfers.c.entry_id == bindparam("e"))
        .where(transfers.c.reverses.is_(None))
        .where(~already.exists())
        .order_by(transfers.c.transfer_id)
    )


# Built once: a void reads it in every push that holds one, and building it (an alias and a
# subquery) cost more than running it.
_UNREVERSED_OF_ENTRY = _unreversed_of_entry()


def transfers_of(conn: Connection, entry_id: str) -> list[tuple[int, str, int, str, str]]:
    """(transfer id, kind, amount, source, destination) of an entry, not yet reversed."""
    rows = conn.execute(_UNREVERSED_OF_ENTRY, {"e": entry_id}).fetchall()
    return [(int(r[0]), r[1], int(r[2]), r[3], r[4]) for r in rows]
