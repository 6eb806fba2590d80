"""Derived tables checked against the journal itself.

The derived tables are a convenience, never a record: an edit to them (a top-up's amount lowered
by raw SQL) would change a shift's expected cash without touching the signed journal. So the
journal, or the part of it since a shift opened, is replayed with the very projection functions
that keep the tables into a scratch database in memory, and the two are compared row by row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from erial_desk.domain.canonical import parse
from erial_desk.domain.errors import IntegrityError

from .engine import connect_raw
from .projections import APPLY

_SCRATCH_TABLES = ("transactions", "shifts", "wallets", "subscribers", "outbox")
# A shift's expected cash: its float plus every cash movement (voids cancel what they reverse).
EXPECTED_CASH = (
    "SELECT s.float_total + COALESCE((SELECT SUM(cash_effect) FROM transactions t"
    " WHERE t.shift_id = s.shift_id), 0) FROM shifts s WHERE s.shift_id = ?"
)


@dataclass(frozen=True)
class Difference:
    """One place where a derived table and the journal's replay disagree."""

    table: str
    key: object  # the row: an entry's sequence number or a shift's id
    column: str  # "row" when the row is missing on one side
    journal: object
    database: object

    def __str__(self) -> str:
        if self.column == "row":
            return (
                f"{self.table}: the row of {self.key} is {self.database} in the table but"
                f" {self.journal} by the journal"
            )
        return (
            f"{self.table}: {self.column} of {self.key} is {self.database!r} in the table but"
            f" {self.journal!r} by the journal"
        )


def _scratch(source: sqlite3.Connection) -> sqlite3.Connection:
    """Empty derived tables in memory, made as the migrations made the file's (no triggers)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    names = ", ".join("?" for _ in _SCRATCH_TABLES)
    for (ddl,) in source.execute(
        f"SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN ({names})",  # noqa: S608
        _SCRATCH_TABLES,
    ):
        conn.execute(ddl)
    return conn


def _replay(source: sqlite3.Connection, scratch: sqlite3.Connection, start: int) -> None:
    for seq, body in source.execute(
        "SELECT seq, body FROM journal WHERE seq >= ? ORDER BY seq", (start,)
    ):
        try:
            env = parse(bytes(body))
            APPLY[env["type"]](scratch, env)
        except Exception as exc:  # a damaged body must be named, never crash the check
            raise IntegrityError(
                "journal.broken", seq=seq, reason="the entry cannot be replayed"
            ) from exc
        scratch.execute("INSERT INTO outbox (seq, state) VALUES (?, 'pending')", (seq,))


def _rows(
    conn: sqlite3.Connection, table: str, key: str, columns: list[str], where: str, params: tuple
) -> dict[object, dict[str, Any]]:
    names = ", ".join(columns)
    query = f"SELECT {names} FROM {table} {where}"  # noqa: S608 - names from the schema
    return {
        row[columns.index(key)]: dict(zip(columns, row, strict=True))
        for row in conn.execute(query, params)
    }


def _compare(
    db: sqlite3.Connection,
    scratch: sqlite3.Connection,
    table: str,
    key: str,
    columns: list[str],
    where: str = "",
    params: tuple = (),
) -> list[Difference]:
    mine, replayed = (
        _rows(db, table, key, columns, where, params),
        _rows(scratch, table, key, columns, where, params),
    )
    found = []
    for row_key in sorted(set(mine) | set(replayed), key=str):
        ours, theirs = mine.get(row_key), replayed.get(row_key)
        if ours is None or theirs is None:
            found.append(
                Difference(
                    table,
                    row_key,
                    "row",
                    "absent" if theirs is None else "present",
                    "absent" if ours is None else "present",
                )
            )
            continue
        for column in columns:
            if ours[column] != theirs[column]:
                found.append(Difference(table, row_key, column, theirs[column], ours[column]))
    return found


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """The table's columns as the migrations made them (the scratch copy has the same DDL)."""
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


@contextmanager
def _snapshot(path: Path) -> Iterator[sqlite3.Connection]:
    """A read transaction: the journal and the tables as of one moment."""
    with closing(connect_raw(path)) as conn:
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")


@dataclass(frozen=True)
class ShiftFigures:
    """Expected cash by the journal and by the tables, and every row that differs."""

    journal_cash: int
    database_cash: int
    differences: list[Difference]


def _expected_cash(conn: sqlite3.Connection, shift_id: str) -> int:
    row = conn.execute(EXPECTED_CASH, (shift_id,)).fetchone()
    return 0 if row is None else int(row[0])


def shift_figures(path: Path, shift_id: str) -> ShiftFigures:
    """Replay the journal from the entry that opened ``shift_id`` and compare the shift's row
    and transactions with the tables."""
    with _snapshot(path) as db, closing(_scratch(db)) as scratch:
        opened = db.execute("SELECT seq FROM journal WHERE entry_id = ?", (shift_id,)).fetchone()
        if opened is None:
            missing = Difference("shifts", shift_id, "row", "absent", "present")
            return ShiftFigures(0, _expected_cash(db, shift_id), [missing])
        _replay(db, scratch, int(opened[0]))
        where, params = "WHERE shift_id = ?", (shift_id,)
        found = _compare(
            db, scratch, "shifts", "shift_id", _columns(scratch, "shifts"), where, params
        )
        found += _compare(
            db, scratch, "transactions", "seq", _columns(scratch, "transactions"), where, params
        )
        return ShiftFigures(_expected_cash(scratch, shift_id), _expected_cash(db, shift_id), found)


def derived_differences(path: Path) -> list[Difference]:
    """Replay the whole journal and compare the tables derived from it alone: transactions,
    shifts and the outbox's entries (wallets and subscribers also take central's feed)."""
    with _snapshot(path) as db, closing(_scratch(db)) as scratch:
        _replay(db, scratch, 1)
        found = _compare(db, scratch, "shifts", "shift_id", _columns(scratch, "shifts"))
        found += _compare(db, scratch, "transactions", "seq", _columns(scratch, "transactions"))
        found += _compare(db, scratch, "outbox", "seq", ["seq"])
        return found
