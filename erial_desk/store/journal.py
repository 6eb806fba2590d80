"""The signed, append-only journal: the desk's record of every action.

An append builds and signs the entry over the tip this journal keeps (the last sequence number
and hash it wrote), then takes the write lock (BEGIN IMMEDIATE), inserts the entry, lets the
projector update the derived tables in the same transaction, and commits. Signing before the
lock keeps the lock for the disk's work only. If another connection appended meanwhile, the
gapless trigger refuses the insert and nothing is written; the entry is then built again over the
tip read under the lock. A crash at any point leaves either the whole entry or nothing.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from nacl.bindings import crypto_sign, crypto_sign_seed_keypair

from erial_desk.domain.canonical import canonical_bytes
from erial_desk.domain.chain import (
    ChainBreak,
    SignedEntry,
    StoredRow,
    build_envelope,
    genesis_hash,
    uuid7,
    verify_chain,
)
from erial_desk.domain.clock import now_stamp
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
        clock: Callable[[], str] = now_stamp,
    ) -> None:
        """``clock``: the moment an entry is made, as journal text (``domain.clock.now_stamp``
        over the desk's Clock)."""
        self.path = Path(path)
        self.terminal_id = terminal_id
        self._key = signing_key
        # The same Ed25519 signature (the scheme is deterministic) from libsodium, about a
        # third faster than OpenSSL's binding for one short message.
        self._sodium_key = (
            crypto_sign_seed_keypair(signing_key.private_bytes_raw())[1]
            if signing_key is not None
            else b""
        )
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
        made = (entry_type, payload, operator, policy_version, catalogue_version, entry_id)
        with self._lock:
            if self._tip is not None:
                # Built and signed outside the write lock over the tip this journal wrote last.
                signed = self._signed(self._tip, *made)
                try:
                    return self._write(signed, lock_taken=False)
                except sqlite3.IntegrityError as exc:
                    if "gapless" not in str(exc):
                        raise
                    # Another connection appended since this one last did: nothing was written.
            return self._write_at_tip(made)

    def _write_at_tip(
        self, made: tuple[str, dict[str, Any], str | None, int, int, str]
    ) -> AppendedEntry:
        """Take the write lock, read the tip under it, then build, sign and write: cannot meet
        another writer's entry."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            last = conn.execute(_LAST).fetchone()
            tip = (last[0], last[1]) if last else (0, self._genesis)
            signed = self._signed(tip, *made)
        except BaseException:
            conn.execute("ROLLBACK")
            self._tip = None
            raise
        return self._write(signed, lock_taken=True)

    def _signed(
        self,
        tip: tuple[int, str],
        entry_type: str,
        payload: dict[str, Any],
        operator: str | None,
        policy_version: int,
        catalogue_version: int,
        entry_id: str,
    ) -> tuple[tuple[Any, ...], AppendedEntry]:
        """The row to insert and the entry it holds, chained after ``tip``."""
        seq, prev = tip[0] + 1, tip[1]
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
        body = canonical_bytes(envelope)
        hashed = hashlib.sha256(body)
        digest = hashed.hexdigest()
        signature = crypto_sign(hashed.digest(), self._sodium_key)[:64]
        row = (seq, entry_id, entry_type, at, operator, body, digest, prev, signature)
        return row, AppendedEntry(SignedEntry(seq, entry_id, body, digest, signature), envelope)

    def _write(
        self, signed: tuple[tuple[Any, ...], AppendedEntry], *, lock_taken: bool
    ) -> AppendedEntry:
        row, appended = signed
        conn = self._conn
        if not lock_taken:
            conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(_INSERT, row)
            if self._projector is not None:
                self._projector(conn, appended)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._tip = None
            raise
        self._tip = (appended.seq, appended.signed.hash)
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
