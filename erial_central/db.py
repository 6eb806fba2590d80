"""Database engines for central: SQLite on one machine, PostgreSQL beyond.

SQLite runs in WAL mode. Its writing transactions begin IMMEDIATE, so a writer holds the lock
from its first read and no update is lost; reads (``reading``) begin DEFERRED and read a snapshot
without waiting for a writer. On PostgreSQL, guarded rows are locked with SELECT ... FOR UPDATE,
and the change feed is written under a transaction-scoped advisory lock so that its sequence
numbers become visible in order (a reader's cursor never skips a late commit).

Lock order, the same on every path (push, online debit and reversal, cancel, reconciliation,
bank top-up), so that two transactions never wait for each other in a circle: the terminal row,
then bills by id, then online authorisations by entry id, then ledger accounts (wallets) sorted
by id, then subscriber rows, and the change-feed lock last. A transaction that still meets a
deadlock or a serialisation failure is run again (``run_transaction``).
"""

from __future__ import annotations

import functools
import logging
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import (
    ARRAY,
    Connection,
    Engine,
    Table,
    Text,
    TextClause,
    bindparam,
    create_engine,
    event,
    insert,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from .models import changes

log = logging.getLogger(__name__)
FEED_LOCK_KEY = 0x6552_6961  # "eRia": the advisory lock that orders change-feed writes
READ_ONLY = "erial_read_only"  # execution option of ``reading``: a deferred SQLite transaction
RETRIES = 2  # extra attempts for a transaction that met a deadlock or serialisation failure
# PostgreSQL's serialization_failure and deadlock_detected: the transaction may simply run again.
_RETRYABLE_STATES = {"40001", "40P01"}

T = TypeVar("T")


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
            # Readers take no lock in WAL mode; writers take it up front (see above).
            read_only = conn.get_execution_options().get(READ_ONLY, False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    # No ping before each checkout: on a healthy pool it is a round trip per request for
    # nothing. A connection the server dropped fails its first statement instead; the pool
    # then drops every connection of that age and ``run_transaction`` runs the work again.
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=3600)


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def for_update(conn: Connection) -> str:
    """The row-lock suffix for this database (SQLite already holds the write lock)."""
    return " FOR UPDATE" if is_postgres(conn) else ""


def in_list(conn: Connection, sql: str) -> TextClause:
    """``sql`` whose ``IN :ids`` takes a list of strings. On PostgreSQL that is one array
    parameter (``= ANY(:ids)``), so the statement text does not change with the list's length
    and the driver parses and prepares it once; on SQLite, an expanding IN list."""
    return _in_list(is_postgres(conn), sql)


@functools.lru_cache(maxsize=256)
def _in_list(postgres: bool, sql: str) -> TextClause:
    # Built once per statement: parsing the text again at every push cost more than running it.
    if postgres:
        return text(sql.replace("IN :ids", "= ANY(:ids)")).bindparams(
            bindparam("ids", type_=ARRAY(Text))
        )
    return text(sql).bindparams(bindparam("ids", expanding=True))


@functools.cache
def _insert_of(table: Table) -> Any:
    """One INSERT statement per table, built once (its compiled form is then reused)."""
    return insert(table)


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows with the same keys. On PostgreSQL they are streamed with COPY in the
    transaction (no statement per row); on SQLite, one prepared INSERT run for each."""
    if not rows:
        return
    if len(rows) < 8 or not is_postgres(conn):  # a COPY costs more than a few INSERTs
        conn.execute(_insert_of(table), rows)
        return
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    raw: Any = conn.connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def update_rows(conn: Connection, table: Table, key: str, rows: list[dict[str, Any]]) -> None:
    """Set the other columns of each row found by ``key``; every row has the same keys. On
    PostgreSQL one UPDATE over arrays (one statement however many rows: the driver would
    otherwise send, parse and answer one statement per row); on SQLite, one prepared UPDATE
    run for each. The rows must already be locked by the transaction (see the lock order)."""
    if not rows:
        return
    columns = tuple(c for c in rows[0] if c != key)
    if not is_postgres(conn):
        conn.execute(
            _update_by_key(table, key, columns),
            [{**{c: r[c] for c in columns}, "key_": r[key]} for r in rows],
        )
        return
    conn.execute(
        _update_from_arrays(table, key, columns, conn.dialect),
        {f"a_{c}": [r[c] for r in rows] for c in (key, *columns)},
    )


@functools.cache
def _update_by_key(table: Table, key: str, columns: tuple[str, ...]) -> Any:
    # The key's bound name is not the column's: SQLAlchemy keeps those for the SET clause.
    return (
        update(table)
        .where(table.c[key] == bindparam("key_"))
        .values({c: bindparam(c) for c in columns})
    )


@functools.cache
def _update_from_arrays(table: Table, key: str, columns: tuple[str, ...], dialect: Any) -> Any:
    names = (key, *columns)
    arrays = ", ".join(
        f"CAST(:a_{c} AS {table.c[c].type.compile(dialect=dialect)}[])" for c in names
    )
    sets = ", ".join(f'"{c}" = u."{c}"' for c in columns)
    listed = ", ".join(f'"{c}"' for c in names)
    return text(
        f'UPDATE "{table.name}" SET {sets} FROM unnest({arrays}) AS u({listed})'
        f' WHERE "{table.name}"."{key}" = u."{key}"'
    )


_APPEND_CHANGES = text(
    "INSERT INTO changes (kind, key, office_id, data)"
    " SELECT u.kind, u.key, u.office_id, u.data"
    " FROM (SELECT pg_advisory_xact_lock(:lock)) AS locked,"
    " unnest(:kinds, :keys, :offices, :data) AS u(kind, key, office_id, data)"
).bindparams(
    bindparam("kinds", type_=ARRAY(Text)),
    bindparam("keys", type_=ARRAY(Text)),
    bindparam("offices", type_=ARRAY(Text)),
    bindparam("data", type_=ARRAY(Text)),
)


def append_changes(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Add rows to the change feed, as the last writes of the transaction. On PostgreSQL the
    feed lock is taken in the same statement (no row gets a sequence number before it), so the
    lock is held for as little as one statement and the commit."""
    if not rows:
        return
    if not is_postgres(conn):
        conn.execute(insert(changes), rows)  # SQLite: the transaction already holds the lock
        return
    conn.execute(
        _APPEND_CHANGES,
        {
            "lock": FEED_LOCK_KEY,
            "kinds": [r["kind"] for r in rows],
            "keys": [r["key"] for r in rows],
            "offices": [r["office_id"] for r in rows],
            "data": [r["data"] for r in rows],
        },
    )


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    with engine.begin() as conn:
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reads only: on SQLite a deferred transaction that does not wait behind
    a writer (WAL readers see the last commit); on PostgreSQL an ordinary one."""
    with engine.execution_options(**{READ_ONLY: True}).connect() as conn:
        yield conn


def _state_of(exc: DBAPIError) -> str:
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return str(state) if state else str(exc.orig).splitlines()[0][:80]


def is_retryable(exc: BaseException) -> bool:
    """A deadlock or serialisation failure (PostgreSQL), a busy SQLite database, or a pooled
    connection the database server had closed (restarted, or idle too long)."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    return _state_of(exc) in _RETRYABLE_STATES or "database is locked" in str(exc.orig)


def run_transaction(engine: Engine, work: Callable[[Connection], T], retries: int = RETRIES) -> T:
    """``work`` in one writing transaction, run again (at most ``retries`` times) when the
    database chose it as a deadlock's victim or could not serialise it: it rolled back whole,
    so running it again is safe, and the caller gets an answer instead of a server error."""
    for attempt in range(retries + 1):
        try:
            with engine.begin() as conn:
                return work(conn)
        except DBAPIError as exc:
            if attempt == retries or not is_retryable(exc):
                raise
            log.warning("transaction ran into %s; running it again", _state_of(exc))
            # A short random pause, so that two victims do not meet again in step.
            time.sleep(random.uniform(0.005, 0.05) * (attempt + 1))
    raise AssertionError("unreachable")
