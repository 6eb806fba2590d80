"""Operator login, logout, lockout and supervisor approval."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import text

from erial_desk.domain.central import OperatorRecord
from erial_desk.domain.clock import Clock, muscat_text, parse_stamp, stamp
from erial_desk.domain.errors import AuthError, IntegrityError
from erial_desk.domain.identifiers import normalise_pin
from erial_desk.domain.pins import verify_pin
from erial_desk.domain.policy import Role
from erial_desk.domain.reference import check_reference, operator_data

from .events import EventHub, ReferenceDataChanged, SessionChanged
from .parts import JournalWriter, Reader, Reference, SessionHolder
from .results import Approval, OperatorSession


class SessionUseCases:
    """Who works at the counter: login with lockout, logout, a supervisor's approval."""

    def __init__(
        self,
        session: SessionHolder,
        reader: Reader,
        writer: JournalWriter,
        reference: Reference,
        clock: Clock,
        events: EventHub,
        reference_refused: Callable[[], None],
    ) -> None:
        self._session = session
        self._reader = reader
        self._writer = writer
        self._reference = reference
        self._clock = clock
        self._events = events
        self._reference_refused = reference_refused

    def refresh_operators(self, operators: list[OperatorRecord]) -> None:
        """Replace the office's operators (from central's feed) in the local table."""
        with self._writer.transaction() as conn:
            self._replace_operators(conn, operators)
        self._events.publish(ReferenceDataChanged("operators"))

    @staticmethod
    def _replace_operators(conn: sqlite3.Connection, operators: list[OperatorRecord]) -> None:
        conn.execute("DELETE FROM operators")
        conn.executemany(
            "INSERT INTO operators (operator_id, office_id, name_en, name_ar, role, pin_hash,"
            " active, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    o.operator_id,
                    o.office_id,
                    o.name_en,
                    o.name_ar,
                    o.role.value,
                    o.pin_hash,
                    o.active,
                    o.signature,
                )
                for o in operators
            ],
        )

    def _check_operator_pin(self, operator_id: str, pin: str) -> OperatorSession:
        """Check a PIN with lockout; counts failures whether for login or approval."""
        operator_id = operator_id.strip().lower()
        with self._reader.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT o.name_en, o.name_ar, o.role, o.pin_hash, o.active, o.office_id,"
                    " l.failures, l.locked_until, o.signature FROM operators o"
                    " LEFT JOIN login_state l ON l.operator_id = o.operator_id"
                    " WHERE o.operator_id = :id"
                ),
                {"id": operator_id},
            ).fetchone()
        policy = self._reference.policy
        attempts = policy.operator_pin_attempts
        if row is None:
            # Same answer as a wrong PIN: do not tell which operator ids exist.
            raise AuthError("login.failed", left=attempts)
        name_en, name_ar, role, pin_hash, active, office_id, failures, locked_until, sig = row
        # The row is used only as central signed it: a PIN hash or role edited in the file
        # (a clerk approving as the supervisor) is refused, before any PIN is tried.
        signed = operator_data(operator_id, office_id, name_en, name_ar, role, pin_hash, active)
        try:
            check_reference(self._reference.reference_key, "operator", signed, sig)
        except IntegrityError:
            self._reference_refused()
            raise
        now = self._clock.now()
        if locked_until and parse_stamp(locked_until) > now:
            raise AuthError("login.locked", until=muscat_text(locked_until)[11:16])
        if not active:
            raise AuthError("login.inactive")
        if office_id != self._reference.office.office_id:
            raise AuthError("login.wrong_office")
        try:
            pin = normalise_pin(pin, policy.pin_length)
            good = verify_pin(pin, pin_hash)
        except Exception:
            good = False
        failures = 0 if locked_until else (failures or 0)
        if not good:
            failures += 1
            lock = None
            if failures >= attempts:
                lock = stamp(now + timedelta(minutes=policy.operator_lockout_minutes))
            self._set_login_state(operator_id, failures, lock)
            if lock:
                raise AuthError("login.locked", until=muscat_text(lock)[11:16])
            raise AuthError("login.failed", left=attempts - failures)
        self._set_login_state(operator_id, 0, None)
        return OperatorSession(operator_id, name_en, name_ar, Role(role), office_id)

    def _set_login_state(self, operator_id: str, failures: int, locked_until: str | None) -> None:
        with self._writer.transaction() as conn:
            conn.execute(
                "INSERT INTO login_state (operator_id, failures, locked_until) VALUES (?, ?, ?)"
                " ON CONFLICT(operator_id) DO UPDATE SET failures = excluded.failures,"
                " locked_until = excluded.locked_until",
                (operator_id, failures, locked_until),
            )

    def login(self, operator_id: str, pin: str) -> OperatorSession:
        """Log an operator in with their PIN; repeated failures lock the operator for a while."""
        session = self._check_operator_pin(operator_id, pin)
        self._session.current = session
        self._events.publish(SessionChanged(session.operator_id))
        return session

    def logout(self) -> None:
        """End the session; an open shift stays open for its operator's return."""
        self._session.current = None
        self._events.publish(SessionChanged(None))

    @property
    def current_operator(self) -> OperatorSession | None:
        return self._session.current

    def approve(self, approval: Approval | None) -> str:
        """A supervisor of this office approves with their own PIN; returns their id."""
        if approval is None:
            raise AuthError("approval.required")
        try:
            supervisor = self._check_operator_pin(approval.operator_id, approval.pin)
        except AuthError as exc:
            if exc.code == "login.locked":
                raise
            raise AuthError("approval.invalid") from exc
        if supervisor.role is not Role.SUPERVISOR:
            raise AuthError("approval.invalid")
        return supervisor.operator_id
