"""The print queue's table: one row per document to print, with its state and last error.

Receipts of journal entries name their entry; documents that are not one entry (a mid-shift
report, a statement, a permit slip, a test page) carry what is needed to make them again in
``subject`` and ``data``. The table is not derived from the journal: it records what reached
paper, which the journal cannot know, and ``erial-desk rebuild`` leaves it alone.

Functions take the writer's raw connection (``Journal.raw_connection()``); the caller holds the
journal's lock around them, as for every other write to the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

QUEUED, PRINTING, PRINTED, FAILED = "queued", "printing", "printed", "failed"
STATES = (QUEUED, PRINTING, PRINTED, FAILED)

_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
_COLUMNS = (
    "job_id, entry_id, kind, copy, subject, data, state, error_code, error, attempts, output,"
    " created_at, updated_at"
)


@dataclass(frozen=True)
class PrintJob:
    job_id: int
    entry_id: str | None  # the journal entry whose receipt this is
    kind: str  # document kind (erial_desk.printing.model.DocumentKind)
    copy: bool  # a reprint, marked COPY
    subject: str | None  # shift id, account or application number of other documents
    data: str | None  # JSON of what else the document needs (a bill found at central)
    state: str  # queued, printing, printed, failed
    error_code: str | None
    error: str | None  # the printer's own words, for the supervisor
    attempts: int
    output: str | None  # where it printed: the printer, or the PDF file
    created_at: str
    updated_at: str


def _job(row: tuple[object, ...]) -> PrintJob:
    values: list[Any] = list(row)
    values[3] = bool(values[3])  # copy: SQLite keeps booleans as 0 and 1
    return PrintJob(*values)


def add_job(
    conn: sqlite3.Connection,
    kind: str,
    *,
    entry_id: str | None = None,
    copy: bool = False,
    subject: str | None = None,
    data: str | None = None,
) -> int:
    cursor = conn.execute(
        "INSERT INTO print_jobs (entry_id, kind, copy, subject, data, state, attempts, created_at,"
        f" updated_at) VALUES (?, ?, ?, ?, ?, '{QUEUED}', 0, {_NOW}, {_NOW})",
        (entry_id, kind, int(copy), subject, data),
    )
    assert cursor.lastrowid is not None
    return int(cursor.lastrowid)


def get_job(conn: sqlite3.Connection, job_id: int) -> PrintJob | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM print_jobs WHERE job_id = ?", (job_id,)).fetchone()
    return None if row is None else _job(row)


def list_jobs(
    conn: sqlite3.Connection, states: Iterable[str] | None = None, limit: int = 500
) -> list[PrintJob]:
    """Jobs oldest first, of the given states (all when None)."""
    wanted = list(states) if states is not None else list(STATES)
    marks = ", ".join("?" for _ in wanted)
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM print_jobs WHERE state IN ({marks}) ORDER BY job_id LIMIT ?",
        (*wanted, limit),
    ).fetchall()
    return [_job(row) for row in rows]


def jobs_for_entry(conn: sqlite3.Connection, entry_id: str) -> list[PrintJob]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM print_jobs WHERE entry_id = ? ORDER BY job_id", (entry_id,)
    ).fetchall()
    return [_job(row) for row in rows]


def claim(conn: sqlite3.Connection, job_id: int) -> bool:
    """Take a queued or failed job for one attempt. False when another attempt has it or it is
    printed already: a job reaches paper once however many retries are asked for."""
    cursor = conn.execute(
        f"UPDATE print_jobs SET state = '{PRINTING}', attempts = attempts + 1, updated_at = {_NOW}"
        f" WHERE job_id = ? AND state IN ('{QUEUED}', '{FAILED}')",
        (job_id,),
    )
    return cursor.rowcount == 1


def finish(
    conn: sqlite3.Connection,
    job_id: int,
    *,
    printed: bool,
    output: str | None = None,
    error_code: str | None = None,
    error: str | None = None,
) -> None:
    if printed:
        conn.execute(
            f"UPDATE print_jobs SET state = '{PRINTED}', output = ?, error_code = NULL,"
            f" error = NULL, updated_at = {_NOW} WHERE job_id = ?",
            (output, job_id),
        )
    else:
        conn.execute(
            f"UPDATE print_jobs SET state = '{FAILED}', error_code = ?, error = ?,"
            f" updated_at = {_NOW} WHERE job_id = ?",
            (error_code, error, job_id),
        )


def recover_interrupted(conn: sqlite3.Connection) -> int:
    """Jobs left mid-print by a crash: the paper may hold part of them, so they wait for a
    retry like any failed print. Returns how many."""
    cursor = conn.execute(
        f"UPDATE print_jobs SET state = '{FAILED}', error_code = 'print.interrupted',"
        f" error = 'the desk stopped while printing', updated_at = {_NOW}"
        f" WHERE state = '{PRINTING}'"
    )
    return cursor.rowcount
