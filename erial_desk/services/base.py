"""State and helpers shared by the use cases of the ``Desk`` facade."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from erial_desk.config import Settings
from erial_desk.domain.central import Central
from erial_desk.domain.entries import Payload, receipt_number, terminal_code
from erial_desk.domain.errors import AuthError, CentralUnavailable, StateError
from erial_desk.domain.policy import Action, FeeCatalogue, Office, Policy, check_allowed
from erial_desk.store.journal import AppendedEntry, Journal

from .results import OperatorSession


class DeskBase:
    """Holds the open data directory; use-case mixins build on it."""

    data_dir: Path
    settings: Settings
    terminal_id: str
    office: Office
    policy: Policy
    catalogue: FeeCatalogue
    central: Central
    journal: Journal
    _read: Engine
    _session: OperatorSession | None
    _sealing_key: bytes | None
    _push_lock: threading.Lock

    # --- reading ---------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with self._read.connect() as conn:
            yield conn

    def _open_shift_row(self) -> tuple[str, str] | None:
        with self._reading() as conn:
            row = conn.execute(
                text("SELECT shift_id, operator FROM shifts WHERE closed_seq IS NULL")
            ).fetchone()
        return None if row is None else (row[0], row[1])

    # --- guards ----------------------------------------------------------------------------

    def _require_operator(self) -> OperatorSession:
        if self._session is None:
            raise AuthError("login.required")
        return self._session

    def _allow(self, action: Action) -> OperatorSession:
        """The logged-in operator, once the office type and role allow ``action``."""
        session = self._require_operator()
        check_allowed(self.policy, self.office, session.role, action)
        return session

    def _require_own_shift(self) -> str:
        """The open shift's id; it must belong to the logged-in operator."""
        session = self._require_operator()
        row = self._open_shift_row()
        if row is None:
            raise StateError("shift.none_open")
        if row[1] != session.operator_id:
            raise StateError("shift.not_yours")
        return row[0]

    # --- writing ---------------------------------------------------------------------------

    def _append(self, payload: Payload, *, entry_id: str | None = None) -> AppendedEntry:
        session = self._session
        return self.journal.append(
            payload.TYPE.value,
            payload.to_payload(),
            operator=session.operator_id if session else None,
            policy_version=self.policy.version,
            catalogue_version=self.catalogue.version,
            entry_id=entry_id,
        )

    def _receipt(self, seq: int) -> str:
        return receipt_number(terminal_code(self.terminal_id), seq)

    def _sealing(self) -> bytes:
        """Central's public key for sealed PINs (kept once fetched: sealing works offline)."""
        if self._sealing_key is None:
            self._sealing_key = self.central.sealing_key()
        return self._sealing_key

    def push_pending(self, limit: int = 500) -> int:
        """Send waiting entries to central in sequence order; returns how many were answered.

        Until the sync worker exists this runs after each commit; a failure leaves the entries
        waiting, never lost.
        """
        if not self._push_lock.acquire(blocking=False):
            return 0  # another thread is pushing; it will take these entries too
        try:
            with self._reading() as conn:
                first = conn.execute(
                    text("SELECT MIN(seq) FROM outbox WHERE state = 'pending'")
                ).scalar()
            if first is None:
                return 0
            entries = []
            for signed in self.journal.signed_entries(first):
                entries.append(signed)
                if len(entries) >= limit:
                    break
            try:
                results = self.central.push(entries)
            except CentralUnavailable:
                return 0
            by_id = {entry.entry_id: entry.seq for entry in entries}
            conn_raw = self.journal.raw_connection()
            with self.journal.lock:
                conn_raw.execute("BEGIN IMMEDIATE")
                for result in results:
                    conn_raw.execute(
                        "UPDATE outbox SET state = ?, result = ?,"
                        " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE seq = ?",
                        (result.status, result.reason, by_id[result.entry_id]),
                    )
                conn_raw.execute("COMMIT")
            return len(results)
        finally:
            self._push_lock.release()
