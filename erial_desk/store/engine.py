"""Connections to the desk's SQLite file, always with the same pragmas.

WAL lets the counter read while the journal writes; ``synchronous=FULL`` makes a commit durable
across power loss, not only process death; foreign keys are on. Two SQLAlchemy engines share the
file: reads begin deferred, writes begin immediate so that a writer takes the lock before it reads
the last sequence number. The journal's append path uses a raw ``sqlite3`` connection: the ORM
would cost more than the insert itself.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

BUSY_TIMEOUT_MS = 30_000

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
)


def apply_pragmas(conn: sqlite3.Connection) -> None:
    for pragma in PRAGMAS:
        conn.execute(pragma)


def connect_raw(path: Path | str) -> sqlite3.Connection:
    """A raw connection in autocommit mode; the caller issues BEGIN IMMEDIATE / COMMIT."""
    conn = sqlite3.connect(
        str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    apply_pragmas(conn)
    return conn


def make_engine(path: Path | str, *, immediate: bool = False) -> Engine:
    """SQLAlchemy engine on the file; ``immediate`` engines take the write lock at BEGIN."""
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_conn.isolation_level = None
        apply_pragmas(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
