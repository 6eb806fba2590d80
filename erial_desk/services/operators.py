"""The operators of the office, for its supervisor: who they are and whether they may log in;
lock, unlock and a new PIN, carried out at central.

Operators and their PIN hashes are central's: a change is made there, online only, and reaches
every terminal of the office by the change feed. The supervisor approves each change with their
own PIN, sealed to central's key and bound to that action on that operator in that request (the
new PIN is sealed under another context), so central checks the supervisor itself; this desk
then pulls the feed at once, so its own operators table shows the change without waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text

from erial_desk.domain.central import Central
from erial_desk.domain.deadline import Deadline, check
from erial_desk.domain.identifiers import normalise_pin
from erial_desk.domain.pins import operator_action_context, operator_new_pin_context, seal_pin
from erial_desk.domain.policy import CONSOLE_ACTION
from erial_desk.store.journal import new_entry_id

from .central_calls import ask_central
from .parts import Guards, Reader, Reference
from .results import Approval

LOCK, UNLOCK, RESET_PIN = "lock", "unlock", "reset_pin"


@dataclass(frozen=True)
class OfficeOperator:
    """An operator of this office as the supervisor's list shows them (no PIN hash)."""

    operator_id: str
    name_en: str
    name_ar: str
    role: str
    active: bool


class OperatorUseCases:
    """``office_staff``, ``lock_operator``, ``unlock_operator``, ``reset_operator_pin``."""

    def __init__(
        self,
        guards: Guards,
        reader: Reader,
        reference: Reference,
        central: Central,
        sealing_key: Callable[[], bytes],
        pull: Callable[[], object],
    ) -> None:
        self._guards = guards
        self._reader = reader
        self._reference = reference
        self._central = central
        self._sealing_key = sealing_key
        self._pull = pull

    def office_staff(self) -> list[OfficeOperator]:
        """Every operator of the office as last synced, locked ones too (a local read)."""
        self._guards.allow(CONSOLE_ACTION)
        with self._reader.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT operator_id, name_en, name_ar, role, active FROM operators"
                    " WHERE office_id = :office ORDER BY name_en"
                ),
                {"office": self._reference.office.office_id},
            ).fetchall()
        return [OfficeOperator(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]

    def lock_operator(
        self, operator_id: str, approval: Approval, *, deadline: Deadline | None = None
    ) -> None:
        """Lock an operator of the office at central: no terminal lets them log in after sync."""
        self._act(LOCK, operator_id, approval, None, deadline)

    def unlock_operator(
        self, operator_id: str, approval: Approval, *, deadline: Deadline | None = None
    ) -> None:
        """Let a locked operator of the office log in again."""
        self._act(UNLOCK, operator_id, approval, None, deadline)

    def reset_operator_pin(
        self,
        operator_id: str,
        new_pin: str,
        approval: Approval,
        *,
        deadline: Deadline | None = None,
    ) -> None:
        """Give an operator of the office a new PIN, chosen with the supervisor."""
        pin = normalise_pin(new_pin, self._reference.policy.pin_length)
        self._act(RESET_PIN, operator_id, approval, pin, deadline)

    def _act(
        self,
        action: str,
        operator_id: str,
        approval: Approval,
        new_pin: str | None,
        deadline: Deadline | None,
    ) -> None:
        """The ``deadline`` bounds and may cancel the request; nothing is journaled here, so a
        request given up leaves the operator as central has them, which the next pull shows."""
        self._guards.allow(CONSOLE_ACTION)
        operator_id = operator_id.strip().lower()
        request_id = new_entry_id()  # a UUIDv7: central refuses it when old or seen before
        key = self._sealing_key()
        body: dict[str, object] = {
            "request_id": request_id,
            "action": action,
            "supervisor_id": approval.operator_id.strip().lower(),
            "sealed_supervisor_pin": seal_pin(
                key, approval.pin, operator_action_context(action, operator_id, request_id)
            ),
        }
        if new_pin is not None:
            body["sealed_new_pin"] = seal_pin(
                key, new_pin, operator_new_pin_context(operator_id, request_id)
            )
        check(deadline)
        ask_central(
            self._central,
            "POST",
            f"/v1/operators/{operator_id}/actions",
            json=body,
            deadline=deadline,
        )
        # The change is central's now: bring it to this desk's operators at once (not bounded
        # by the deadline: the action is done, a late pull must not report it failed).
        self._pull()
