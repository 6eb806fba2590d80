"""The parts the use-case groups are built from; ``Desk.open`` makes one of each and hands each
group only the parts it uses.

- ``Reader``: the read engine (reads never use the journal's writer connection).
- ``SessionHolder``: who is logged in at this counter.
- ``Reference``: office, policy, catalogue and central's keys, replaced by each sync.
- ``Place``: the data directory and its settings.
- ``JournalWriter``: the one way to write: journal entries, and any other write in one
  transaction on the writer connection; it tells the event hub what each entry changed.
- ``Guards``: who may do what, and the open shift's owner.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from erial_desk.config import Settings
from erial_desk.domain.entries import EntryType, Payload, receipt_number, terminal_code
from erial_desk.domain.errors import AuthError, DeskError, StateError
from erial_desk.domain.policy import Action, FeeCatalogue, Office, Policy, check_allowed
from erial_desk.store.journal import AppendedEntry, Journal
from erial_desk.store.transaction import write_transaction

from .events import EntryCommitted, EventHub, IntegrityProblem, ShiftChanged
from .results import OperatorSession

# Entries that change a shift, and what the shift is after them.
SHIFT_STATES = {
    EntryType.SHIFT_OPENED: "open",
    EntryType.CASH_DROP: "open",
    EntryType.SHIFT_CLOSED: "closed",
}

EntryHook = Callable[[AppendedEntry, Payload], None]


class Reader:
    """Connections of the read engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            yield conn

    @contextmanager
    def raw(self) -> Iterator[sqlite3.Connection]:
        """A reader connection as plain ``sqlite3``, for the store functions that take one."""
        with self._engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert isinstance(raw, sqlite3.Connection)
            yield raw

    def open_shift(self) -> tuple[str, str] | None:
        """The open shift's id and operator, if a shift is open."""
        with self.connect() as conn:
            row = conn.execute(
                text("SELECT shift_id, operator FROM shifts WHERE closed_seq IS NULL")
            ).fetchone()
        return None if row is None else (row[0], row[1])

    def central_state(self, seq: int) -> str:
        """ "confirmed" once central has acknowledged entry ``seq``, else "pending"."""
        with self.connect() as conn:
            state = conn.execute(
                text("SELECT state FROM outbox WHERE seq = :s"), {"s": seq}
            ).scalar()
        return "confirmed" if state in ("applied", "duplicate") else "pending"

    def dispose(self) -> None:
        self._engine.dispose()


class SessionHolder:
    """The operator logged in at this counter, if any."""

    def __init__(self) -> None:
        self.current: OperatorSession | None = None

    def require(self) -> OperatorSession:
        if self.current is None:
            raise AuthError("login.required")
        return self.current


@dataclass
class Reference:
    """What central decides for this office; the sync group replaces it after each sync."""

    office: Office
    policy: Policy
    catalogue: FeeCatalogue
    sealing_key: bytes | None = None  # central's key for sealed PINs (works offline once kept)
    reference_key: bytes | None = None  # central's signing key, pinned in the key store


class Place:
    """The data directory and its settings."""

    def __init__(self, data_dir: Path, settings: Settings) -> None:
        self.data_dir = data_dir
        self.settings = settings

    def save(self, **changes: str) -> None:
        self.settings = replace(self.settings, **changes)
        self.settings.save(self.data_dir)


class JournalWriter:
    """Every write of the desk goes through here: ``append`` for journal entries (told to the
    event hub, then to the entry hooks, then to the commit hooks), ``transaction`` for the rest."""

    def __init__(
        self,
        journal: Journal,
        session: SessionHolder,
        reference: Reference,
        events: EventHub,
    ) -> None:
        self.journal = journal
        self._session = session
        self._reference = reference
        self._events = events
        self._entry_hooks: list[EntryHook] = []
        self._commit_hooks: list[Callable[[], None]] = []

    def on_entry(self, hook: EntryHook) -> None:
        """Call ``hook`` with each committed entry (the print queue takes its receipt)."""
        self._entry_hooks.append(hook)

    def on_commit(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` after each committed entry (the sync worker wakes to push it)."""
        self._commit_hooks.append(hook)

    def append(self, payload: Payload, *, entry_id: str | None = None) -> AppendedEntry:
        session = self._session.current
        entry = self.journal.append(
            payload.TYPE.value,
            payload.to_payload(),
            operator=session.operator_id if session else None,
            policy_version=self._reference.policy.version,
            catalogue_version=self._reference.catalogue.version,
            entry_id=entry_id,
        )
        self._tell_committed(entry, payload)
        for hook in self._entry_hooks:
            hook(entry, payload)
        for after in self._commit_hooks:
            after()
        return entry

    def _tell_committed(self, entry: AppendedEntry, payload: Payload) -> None:
        data = payload.to_payload()
        shift = data.get("shift")
        account = data.get("account")
        shift_id = entry.entry_id if payload.TYPE is EntryType.SHIFT_OPENED else shift
        self._events.publish(
            EntryCommitted(
                seq=entry.seq,
                entry_id=entry.entry_id,
                entry_type=payload.TYPE.value,
                shift_id=shift_id if isinstance(shift_id, str) else None,
                account=account if isinstance(account, str) else None,
            )
        )
        if payload.TYPE in SHIFT_STATES and isinstance(shift_id, str):
            self._events.publish(ShiftChanged(shift_id, SHIFT_STATES[payload.TYPE]))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on the writer connection (begin, commit, roll back)."""
        with write_transaction(self.journal.raw_connection(), self.journal.lock) as conn:
            yield conn

    @contextmanager
    def locked(self) -> Iterator[sqlite3.Connection]:
        """The writer connection, held alone, for store functions that commit on their own."""
        with self.journal.lock:
            yield self.journal.raw_connection()

    @property
    def stopped(self) -> DeskError | None:
        return self.journal.stopped

    def stop_money(self, reason: DeskError | None) -> None:
        """Refuse every money action with ``reason`` (None lifts the stop) and tell whoever
        shows the counter's state."""
        self.journal.stop(reason)
        if reason is not None:
            self._events.publish(IntegrityProblem(reason.code, reason.message("en")))

    def receipt(self, seq: int) -> str:
        return receipt_number(terminal_code(self.journal.terminal_id), seq)


class Guards:
    """Who may do what at this counter, and whose shift is open."""

    def __init__(
        self, session: SessionHolder, reference: Reference, reader: Reader, writer: JournalWriter
    ) -> None:
        self._session = session
        self._reference = reference
        self._reader = reader
        self._writer = writer

    def operator(self) -> OperatorSession:
        return self._session.require()

    def allow(self, action: Action) -> OperatorSession:
        """The logged-in operator, once the office type and role allow ``action``."""
        session = self._session.require()
        check_allowed(self._reference.policy, self._reference.office, session.role, action)
        return session

    def own_shift(self) -> str:
        """The open shift's id; it must belong to the logged-in operator."""
        self._writer.journal.refuse_if_stopped()  # before central is asked to move any money
        session = self._session.require()
        row = self._reader.open_shift()
        if row is None:
            raise StateError("shift.none_open")
        if row[1] != session.operator_id:
            raise StateError("shift.not_yours")
        return row[0]
