"""The one way to write on a raw SQLite connection: begin, commit, and roll back on any failure.

A connection left inside a transaction after an error would make every later write on it fail
("cannot start a transaction within a transaction"); the journal's writer connection is shared
by the counter and the sync worker, so one forgotten rollback stops the whole desk.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext


@contextmanager
def write_transaction(
    conn: sqlite3.Connection, lock: threading.Lock | None = None
) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` on ``conn`` (holding ``lock`` when given), ``COMMIT`` when the block
    ends, ``ROLLBACK`` when it raises anything, including a failed commit."""
    with lock if lock is not None else nullcontext():
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
