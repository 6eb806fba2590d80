"""The signed, append-only journal: the desk's record of every action.

An append takes the write lock (BEGIN IMMEDIATE), reads the last sequence number and hash, builds
and signs the entry, inserts it, lets the projector update the derived tables in the same
transaction, and commits. A crash at any point leaves either the whole entry or nothing.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from erial_desk.domain.chain import (
    ChainBreak,
    SignedEntry,
    StoredRow,
    build_envelope,
    encode_envelope,
    genesis_hash,
    uuid7,
    verify_chain,
)
from erial_desk.domain.errors import DeskError, IntegrityError

from .engine import connect_raw

_INSERT = (
    "INSERT INTO journal (seq, entry_id, entry_type, at, operator, body, hash, prev_hash,"
    " signature)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_LAST = "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1"
_ROWS = (
    "SELECT seq, entry_id, entry_type, at, body, hash, prev_hash, signature, operator FROM journal"
    " WHERE seq >= ? ORDER BY seq"
)


def utc_now_text() -> str:
    """UTC time as stored in entries: ISO 8601 with microseconds and Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_entry_id() -> str:
    """UUIDv7: made before the write, so a caller can use it as an idempotency key first."""
    return uuid7(time.time_ns() // 1_000_000, os.urandom(10))


@dataclass(frozen=True)
class AppendedEntry:
    """An entry just committed, with its envelope for whoever reacts to it."""

    signed: SignedEntry
    envelope: dict[str, Any]

    @property
    def seq(self) -> int:
        return self.signed.seq

    @property
    def entry_id(self) -> str:
        return self.signed.entry_id


Projector = Callable[[sqlite3.Connection, AppendedEntry], None]


class Journal:
    """Appends to and reads the journal of one terminal in one SQLite file.

    Thread-safe: appends from several threads (or processes) serialise on the database's write
    lock, so sequence numbers stay gapless and unique.
    """

    def __init__(
        self,
        path: Path | str,
        terminal_id: str,
        signing_key: Ed25519PrivateKey | None,
        *,
        projector: Projector | None = None,
        clock: Callable[[], str] = utc_now_text,
    ) -> None:
        self.path = Path(path)
        self.terminal_id = terminal_id
        self._key = signing_key
        self._projector = projector
        self._clock = clock
        self._genesis = genesis_hash(terminal_id)
        self._conn = connect_raw(self.path)
        self._lock = threading.Lock()
        self._tip: tuple[int, str] | None = None  # (seq, hash) of the last entry written here
        self._stopped: DeskError | None = None

    def stop(self, reason: DeskError | None) -> None:
        """Refuse every append with ``reason`` (None: append again). Set when the journal's end
        or the tables derived from it cannot be trusted; see ``services.integrity``."""
        self._stopped = reason

    @property
    def stopped(self) -> DeskError | None:
        return self._stopped

    def refuse_if_stopped(self) -> None:
        reason = self._stopped
        if reason is not None:
            raise type(reason)(reason.code, **reason.params)

    def close(self) -> None:
        self._conn.close()

    def append(
        self,
        entry_type: str,
        payload: dict[str, Any],
        *,
        operator: str | None,
        policy_version: int,
        catalogue_version: int,
        entry_id: str | None = None,
    ) -> AppendedEntry:
        if self._key is None:
            raise IntegrityError("journal.broken", seq=0, reason="journal opened read-only")
        self.refuse_if_stopped()
        entry_id = entry_id or new_entry_id()
        with self._lock:
            try:
                return self._append_locked(
                    entry_type, payload, operator, policy_version, catalogue_version, entry_id
                )
            except sqlite3.IntegrityError as exc:
                if "gapless" not in str(exc):
                    raise
                # Another connection appended since this one last did: read the tip, go again.
                self._tip = None
                return self._append_locked(
                    entry_type, payload, operator, policy_version, catalogue_version, entry_id
                )

    def _append_locked(
        self,
        entry_type: str,
        payload: dict[str, Any],
        operator: str | None,
        policy_version: int,
        catalogue_version: int,
        entry_id: str,
    ) -> AppendedEntry:
        conn = self._conn
        key = self._key
        assert key is not None  # append() refuses a read-only journal first
        conn.execute("BEGIN IMMEDIATE")
        try:
            # The tip this connection wrote last saves a query per append; if another
            # connection has appended meanwhile, the gapless trigger refuses the insert.
            if self._tip is None:
                last = conn.execute(_LAST).fetchone()
                self._tip = (last[0], last[1]) if last else (0, self._genesis)
            seq, prev = self._tip[0] + 1, self._tip[1]
            at = self._clock()
            envelope = build_envelope(
                entry_id=entry_id,
                terminal_id=self.terminal_id,
                seq=seq,
                at=at,
                entry_type=entry_type,
                operator=operator,
                policy_version=policy_version,
                catalogue_version=catalogue_version,
                payload=payload,
                prev=prev,
            )
            body, digest = encode_envelope(envelope)
            signature = key.sign(bytes.fromhex(digest))
            conn.execute(
                _INSERT,
                (seq, entry_id, entry_type, at, operator, body, digest, prev, signature),
            )
            appended = AppendedEntry(SignedEntry(seq, entry_id, body, digest, signature), envelope)
            if self._projector is not None:
                self._projector(conn, appended)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._tip = None
            raise
        self._tip = (seq, digest)
        return appended

    def last(self) -> tuple[int, str]:
        """(last sequence number, its hash); (0, genesis hash) for an empty journal."""
        row = self._conn.execute(_LAST).fetchone()
        return (row[0], row[1]) if row else (0, self._genesis)

    def rows(self, start: int = 1) -> Iterator[StoredRow]:
        # A separate cursor over a read snapshot; appends may continue meanwhile.
        reader = connect_raw(self.path)
        try:
            for r in reader.execute(_ROWS, (start,)):
                yield StoredRow(r[0], r[1], r[2], r[3], bytes(r[4]), r[5], r[6], bytes(r[7]), r[8])
        finally:
            reader.close()

    def signed_entries(self, start: int = 1) -> Iterator[SignedEntry]:
        for row in self.rows(start):
            yield SignedEntry(row.seq, row.entry_id, row.body, row.hash, row.signature)

    def verify(self, public_key: Ed25519PublicKey | None) -> tuple[int, ChainBreak | None]:
        """Recompute every hash (and signature, given the key) from the first entry."""
        return verify_chain(self.rows(), self.terminal_id, public_key)

    def raw_connection(self) -> sqlite3.Connection:
        """The writer's connection, for derived-table maintenance under the same lock."""
        return self._conn

    @property
    def lock(self) -> threading.Lock:
        return self._lock
