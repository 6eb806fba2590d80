"""State and helpers shared by the use cases of the ``Desk`` facade."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, Engine, text

from erial_desk.config import Settings
from erial_desk.domain.central import Central, PushResult
from erial_desk.domain.chain import SignedEntry
from erial_desk.domain.clock import SYSTEM_CLOCK, Clock
from erial_desk.domain.entries import EntryType, Payload, receipt_number, terminal_code
from erial_desk.domain.errors import (
    AuthError,
    CentralError,
    CentralUnavailable,
    DeskError,
    StateError,
)
from erial_desk.domain.policy import Action, FeeCatalogue, Office, Policy, check_allowed
from erial_desk.store.journal import AppendedEntry, Journal
from erial_desk.store.transaction import write_transaction

from .events import EntryCommitted, EventHub, IntegrityProblem, ShiftChanged
from .results import OperatorSession

PUSH_WAIT_S = 5.0  # longest a debit waits for another thread's push before asking central

# Entries that change a shift, and what the shift is after them.
SHIFT_STATES = {
    EntryType.SHIFT_OPENED: "open",
    EntryType.CASH_DROP: "open",
    EntryType.SHIFT_CLOSED: "closed",
}


class DeskBase:
    """Holds the open data directory; use-case mixins build on it."""

    data_dir: Path
    settings: Settings
    terminal_id: str
    public_key: Ed25519PublicKey
    office: Office
    policy: Policy
    catalogue: FeeCatalogue
    central: Central
    journal: Journal
    _read: Engine
    _session: OperatorSession | None
    _sealing_key: bytes | None
    _reference_key: bytes | None = None  # central's, pinned in the key store
    _push_lock: threading.Lock
    _sync_wake: threading.Event | None = None
    clock: Clock = SYSTEM_CLOCK
    events: EventHub

    # --- reading ---------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with self._read.connect() as conn:
            yield conn

    @contextmanager
    def _reading_raw(self) -> Iterator[sqlite3.Connection]:
        """A reader connection as plain ``sqlite3``, for the store functions that take one:
        reads never use the journal's writer connection, which other threads write on."""
        with self._read.connect() as conn:
            raw = conn.connection.driver_connection
            assert isinstance(raw, sqlite3.Connection)
            yield raw

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
        self.journal.refuse_if_stopped()  # before central is asked to move any money
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
        entry = self.journal.append(
            payload.TYPE.value,
            payload.to_payload(),
            operator=session.operator_id if session else None,
            policy_version=self.policy.version,
            catalogue_version=self.catalogue.version,
            entry_id=entry_id,
        )
        # Told here, once the entry is committed: every use case writes through this method.
        self._tell_committed(entry, payload)
        return entry

    def _tell_committed(self, entry: AppendedEntry, payload: Payload) -> None:
        data = payload.to_payload()
        shift = data.get("shift")
        account = data.get("account")
        shift_id = entry.entry_id if payload.TYPE is EntryType.SHIFT_OPENED else shift
        self.events.publish(
            EntryCommitted(
                seq=entry.seq,
                entry_id=entry.entry_id,
                entry_type=payload.TYPE.value,
                shift_id=shift_id if isinstance(shift_id, str) else None,
                account=account if isinstance(account, str) else None,
            )
        )
        if payload.TYPE in SHIFT_STATES and isinstance(shift_id, str):
            self.events.publish(ShiftChanged(shift_id, SHIFT_STATES[payload.TYPE]))

    def _stop_money(self, reason: DeskError) -> None:
        """Refuse every money action with ``reason`` and tell whoever shows the counter's state."""
        self.journal.stop(reason)
        self.events.publish(IntegrityProblem(reason.code, reason.message("en")))

    def _receipt(self, seq: int) -> str:
        return receipt_number(terminal_code(self.terminal_id), seq)

    def _sealing(self) -> bytes:
        """Central's public key for sealed PINs (kept once fetched: sealing works offline)."""
        if self._sealing_key is None:
            self._sealing_key = self.central.sealing_key()
        return self._sealing_key

    def _reference_refused(self) -> None:
        """Reference data failed its signature check (see the sync mixin)."""

    def _after_commit(self) -> None:
        """A transaction was committed: wake the sync worker to let central know. The counter
        never waits for the network (a cash receipt says "pending sync" until acknowledged)."""
        if self._sync_wake is not None:
            self._sync_wake.set()

    def push_pending(
        self, limit: int = 500, *, raise_errors: bool = False, wait: bool = False
    ) -> int:
        """Send waiting entries to central in sequence order; returns how many were answered.

        A failure leaves the entries waiting, never lost; with ``raise_errors`` the caller (the
        sync round) learns why. With ``wait``, a push already under way on another thread is
        waited for (briefly), so that what this counter wrote has reached central before it
        asks central to move money.
        """
        if not self._push_lock.acquire(blocking=wait, timeout=PUSH_WAIT_S if wait else -1):
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
            except (CentralUnavailable, CentralError):
                if raise_errors:
                    raise
                return 0
            self._record_results(entries, results)
            return len(results)
        finally:
            self._push_lock.release()

    def _record_results(self, entries: list[SignedEntry], results: list[PushResult]) -> None:
        """Central's answers go to the outbox; flagged and rejected ones are kept with reasons.

        An offline wallet debit that central has taken stops counting as pending here once the
        balance known here includes it. With the real central that is after the next complete
        pull of the feed (``sync_state.recount_pending_debits``): until then the balance is the
        one from before the debit, and forgetting the debit would overstate what the wallet
        holds (the pull after a push can fail), or, for a debit central did not charge (the
        bill was paid elsewhere, a wrong PIN), the feed brings no new balance at all."""
        by_id = {entry.entry_id: entry for entry in entries}
        conn = self.journal.raw_connection()
        with write_transaction(conn, self.journal.lock):
            for result in results:
                entry = by_id[result.entry_id]
                conn.execute(
                    "UPDATE outbox SET state = ?, result = ?,"
                    " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE seq = ?",
                    (result.status, result.reason, entry.seq),
                )
