"""Database engines for central: SQLite on one machine, PostgreSQL beyond.

SQLite transactions begin IMMEDIATE, so a writer holds the lock from its first read and no
update is lost. On PostgreSQL, guarded rows are locked with SELECT ... FOR UPDATE in a fixed
order, and the change feed is written under a transaction-scoped advisory lock so that its
sequence numbers become visible in order (a reader's cursor never skips a late commit).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

FEED_LOCK_KEY = 0x6552_6961  # "eRia": the advisory lock that orders change-feed writes


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 60},
            poolclass=NullPool if ":memory:" not in url else None,
        )

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
            dbapi_conn.isolation_level = None
            for pragma in (
                "PRAGMA journal_mode=WAL",
                "PRAGMA synchronous=FULL",
                "PRAGMA foreign_keys=ON",
                "PRAGMA busy_timeout=60000",
            ):
                dbapi_conn.execute(pragma)

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def for_update(conn: Connection) -> str:
    """The row-lock suffix for this database (SQLite already holds the write lock)."""
    return " FOR UPDATE" if is_postgres(conn) else ""


def lock_feed(conn: Connection) -> None:
    """Serialise change-feed inserts until this transaction ends (PostgreSQL only)."""
    if is_postgres(conn):
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FEED_LOCK_KEY})


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    with engine.begin() as conn:
        yield conn
