"""Where the journal's end is known besides the journal: high-water marks.

The journal vouches for its own content (hashes, signatures), never for its length: entries cut
from its end, or lost with a ``-wal`` file, leave a shorter chain that verifies. So its end is
compared with every record of it the desk keeps (the derived tables, the outbox and what central
acknowledged, printed receipts) and those kept outside the file (the key store's anchor, central's
last sequence number and hash). A mark past the journal's end, or naming another hash, means
entries are missing or were replaced.

A desk whose journal lost entries central already holds must take no money: the next entry would
reuse a sequence number central has. That stop is kept in ``sync_state`` so a restart keeps it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass

from erial_desk.domain.errors import DeskError, JournalStopped

from .sync_state import ACKNOWLEDGED, get_state, put_state

STOP_KEY = "journal_stopped"


@dataclass(frozen=True)
class Mark:
    """A record that the journal held entry ``seq`` (with ``hash``, when the record has it)."""

    source: str  # who keeps the record, in words: "the key store", "central"...
    seq: int
    hash: str | None = None


@dataclass(frozen=True)
class JournalEnd:
    """The journal's last sequence number and a way to read the hash of any entry."""

    conn: sqlite3.Connection

    @property
    def last(self) -> int:
        return int(self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM journal").fetchone()[0])

    def hash_at(self, seq: int) -> str | None:
        row = self.conn.execute("SELECT hash FROM journal WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else str(row[0])


def local_marks(conn: sqlite3.Connection) -> list[Mark]:
    """The marks the desk keeps in its own database (an attacker with the file can change these
    too; the key store's and central's are out of reach)."""
    queries: tuple[tuple[str, str, tuple[str, ...]], ...] = (
        ("the outbox", "SELECT MAX(seq) FROM outbox", ()),
        (
            "central's acknowledgements in the outbox",
            "SELECT MAX(seq) FROM outbox WHERE state IN (?, ?, ?)",
            ACKNOWLEDGED,
        ),
        ("the transactions table", "SELECT MAX(seq) FROM transactions", ()),
        (
            "the shifts table",
            "SELECT MAX(MAX(opened_seq), COALESCE(MAX(closed_seq), 0)) FROM shifts",
            (),
        ),
    )
    marks = []
    for source, sql, params in queries:
        seq = conn.execute(sql, params).fetchone()[0]
        if seq:
            marks.append(Mark(source, int(seq)))
    return marks


def printed_but_missing(conn: sqlite3.Connection) -> list[str]:
    """Entry ids of receipts printed for entries the journal does not hold."""
    rows = conn.execute(
        "SELECT DISTINCT entry_id FROM print_jobs WHERE entry_id IS NOT NULL"
        " AND entry_id NOT IN (SELECT entry_id FROM journal) ORDER BY entry_id"
    )
    return [str(r[0]) for r in rows]


@dataclass(frozen=True)
class Gap:
    """How the journal falls short of a mark."""

    mark: Mark
    journal_last: int
    differs: bool  # the entry exists but its hash is not the one recorded

    def found(self) -> tuple[str, str]:
        """What the journal has instead, in English and Arabic."""
        if self.differs:
            return (
                f"holds a different entry {self.mark.seq}",
                f"يحتوي على قيد مختلف برقم {self.mark.seq}",
            )
        return (
            f"ends at entry {self.journal_last}",
            f"ينتهي عند القيد {self.journal_last}",
        )

    def __str__(self) -> str:
        if self.differs:
            return f"entry {self.mark.seq} differs from the one {self.mark.source} records"
        return (
            f"entries {self.journal_last + 1} to {self.mark.seq} are missing: {self.mark.source}"
            f" records entry {self.mark.seq}, the journal ends at entry {self.journal_last}"
        )


def gap(end: JournalEnd, mark: Mark) -> Gap | None:
    """None when the journal holds what ``mark`` records."""
    if mark.seq <= 0:
        return None
    last = end.last
    if mark.seq > last:
        return Gap(mark, last, differs=False)
    if mark.hash is not None and end.hash_at(mark.seq) != mark.hash:
        return Gap(mark, last, differs=True)
    return None


# --- the stop, kept across restarts ----------------------------------------------------------


def saved_stop(conn: sqlite3.Connection) -> JournalStopped | None:
    value = get_state(conn, STOP_KEY)
    if not value:
        return None
    saved = json.loads(value)
    return JournalStopped(saved["code"], **saved["params"])


def save_stop(conn: sqlite3.Connection, lock: threading.Lock, error: DeskError) -> None:
    with lock:
        put_state(conn, STOP_KEY, json.dumps({"code": error.code, "params": error.params}))


def clear_stop(conn: sqlite3.Connection, lock: threading.Lock) -> None:
    with lock:
        conn.execute("DELETE FROM sync_state WHERE key = ?", (STOP_KEY,))
