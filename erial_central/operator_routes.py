"""A supervisor locks, unlocks or sets a new PIN for an operator of their own office:
``POST /v1/operators/{operator_id}/actions``.

Operators and their PIN hashes live here and reach the desks by the change feed, so the change
is made here and every terminal of the office sees it after its next pull. The desk is not
trusted: the supervisor is checked here again (their PIN, sealed to central's key and bound to
this action on this operator in this request, against the hash central holds; their role by the
policy's table; their office and active state), a supervisor acts neither on themselves nor on
another office's operator, and the new PIN arrives sealed under another context. A request id is
a fresh UUIDv7 used once: a captured request is refused when sent again, at once or later.
Every action, and every wrong supervisor PIN, is kept in ``operator_actions``; wrong PINs count
toward the policy's operator lockout, so a hostile desk cannot try PIN after PIN.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from erial_desk.domain.clock import Clock, muscat_text, parse_stamp, stamp
from erial_desk.domain.errors import DeskError, PolicyError
from erial_desk.domain.identifiers import normalise_pin
from erial_desk.domain.pins import (
    hash_pin,
    open_sealed_pin,
    operator_action_context,
    operator_new_pin_context,
    verify_pin,
)
from erial_desk.domain.policy import CONSOLE_ACTION, Policy, Role, check_allowed

from . import admin
from .counter_lookups import TerminalDep
from .customer_pin import refuse_stale
from .db import run_transaction
from .errors import ApiError
from .ledger import Ledger
from .models import operator_actions, operators

if TYPE_CHECKING:
    from .api import Terminal

router = APIRouter()

OperatorAction = Literal["lock", "unlock", "reset_pin"]
DONE, WRONG_PIN = "done", "wrong_pin"


class OperatorActionModel(BaseModel):
    request_id: str = Field(min_length=8, max_length=64, description="a new UUIDv7, used once")
    action: OperatorAction
    supervisor_id: str = Field(min_length=1, max_length=64)
    sealed_supervisor_pin: str = Field(min_length=1, max_length=1024)
    sealed_new_pin: str | None = Field(default=None, max_length=1024)


class _WrongSupervisorPin(Exception):
    """Raised inside the transaction, which rolls back; the failure is kept in another one."""


@router.post("/v1/operators/{operator_id}/actions")
def operator_action(
    operator_id: str, body: OperatorActionModel, request: Request, term: TerminalDep
) -> dict[str, Any]:
    operator_id = operator_id.strip().lower()[:64]
    engine = request.app.state.engine
    key = request.app.state.secrets.sealing_private_key
    clock: Clock = request.app.state.clock
    try:
        try:
            return run_transaction(
                engine, lambda conn: act(conn, term, operator_id, body, key, clock)
            )
        except _WrongSupervisorPin:
            run_transaction(
                engine, lambda conn: _record(conn, term, operator_id, body, WRONG_PIN, clock)
            )
            raise ApiError(403, "approval.invalid") from None
    except IntegrityError as exc:  # the same request sent twice at once: one of them is kept
        raise ApiError(409, "request.invalid", reason="request_id: already used") from exc


def act(
    conn: Connection,
    term: Terminal,
    operator_id: str,
    body: OperatorActionModel,
    sealing_private_key: bytes,
    clock: Clock,
) -> dict[str, Any]:
    """Check the request, the supervisor and the operator; make the change, feed and record it."""
    policy, _ = admin.current_policy(conn)
    refuse_stale(body.request_id, clock)
    if conn.execute(
        select(operator_actions.c.request_id).where(
            operator_actions.c.request_id == body.request_id
        )
    ).first():
        raise ApiError(409, "request.invalid", reason="request_id: already used")
    supervisor = body.supervisor_id.strip().lower()
    _check_supervisor(conn, term, policy, supervisor, clock)
    context = operator_action_context(body.action, operator_id, body.request_id)
    if not _pin_matches(conn, supervisor, body.sealed_supervisor_pin, context, sealing_private_key):
        raise _WrongSupervisorPin
    if operator_id == supervisor:
        raise ApiError(409, "operator.own")
    target = conn.execute(
        select(operators.c.operator_id)
        .where(operators.c.operator_id == operator_id, operators.c.office_id == term.office_id)
        .with_for_update()
    ).first()
    if target is None:  # another office's operator: the same answer as no such operator
        raise ApiError(404, "operator.not_found")
    changes: dict[str, object]
    if body.action == "reset_pin":
        changes = {"pin_hash": hash_pin(_new_pin(body, operator_id, policy, sealing_private_key))}
    else:
        changes = {"active": body.action == "unlock"}
    conn.execute(update(operators).where(operators.c.operator_id == operator_id).values(changes))
    record = conn.execute(select(operators).where(operators.c.operator_id == operator_id)).one()
    data = dict(record._mapping)
    data["active"] = bool(data["active"])
    Ledger(conn).flush_feed_only("operator", operator_id, data, term.office_id)
    _record(conn, term, operator_id, body, DONE, clock)
    return {"operator_id": operator_id, "action": body.action, "active": data["active"]}


def _check_supervisor(
    conn: Connection, term: Terminal, policy: Policy, supervisor: str, clock: Clock
) -> None:
    """An active supervisor of the terminal's office, not locked by recent wrong PINs."""
    row = conn.execute(
        select(operators.c.role, operators.c.active).where(
            operators.c.operator_id == supervisor, operators.c.office_id == term.office_id
        )
    ).first()
    if row is None or not row.active:
        raise ApiError(403, "approval.invalid")  # same answer as a wrong PIN: no id oracle
    try:
        check_allowed(
            policy, admin.get_office(conn, term.office_id), Role(row.role), CONSOLE_ACTION
        )
    except PolicyError as exc:
        raise ApiError(403, exc.code, **exc.params) from exc
    since = clock.now() - timedelta(minutes=policy.operator_lockout_minutes)
    failures = conn.execute(
        select(func.count(), func.max(operator_actions.c.at)).where(
            operator_actions.c.supervisor_id == supervisor,
            operator_actions.c.outcome == WRONG_PIN,
            operator_actions.c.at >= stamp(since),
        )
    ).one()
    if failures[0] >= policy.operator_pin_attempts:
        until = parse_stamp(failures[1]) + timedelta(minutes=policy.operator_lockout_minutes)
        raise ApiError(403, "login.locked", until=muscat_text(until)[11:16])


def _pin_matches(
    conn: Connection, supervisor: str, sealed: str, context: str, sealing_private_key: bytes
) -> bool:
    pin_hash = conn.execute(
        select(operators.c.pin_hash).where(operators.c.operator_id == supervisor)
    ).scalar_one()
    try:
        pin = open_sealed_pin(sealing_private_key, sealed, context)
    except DeskError:
        return False  # sealed for another action, operator or request: no approval
    return verify_pin(pin, pin_hash)


def _new_pin(
    body: OperatorActionModel, operator_id: str, policy: Policy, sealing_private_key: bytes
) -> str:
    if body.sealed_new_pin is None:
        raise ApiError(422, "request.invalid", reason="sealed_new_pin: missing")
    context = operator_new_pin_context(operator_id, body.request_id)
    try:
        return normalise_pin(
            open_sealed_pin(sealing_private_key, body.sealed_new_pin, context), policy.pin_length
        )
    except DeskError as exc:
        raise ApiError(
            422, "pin.invalid", min=policy.pin_length[0], max=policy.pin_length[1]
        ) from exc


def _record(
    conn: Connection,
    term: Terminal,
    operator_id: str,
    body: OperatorActionModel,
    outcome: str,
    clock: Clock,
) -> None:
    conn.execute(
        insert(operator_actions).values(
            request_id=body.request_id,
            at=stamp(clock.now()),
            office_id=term.office_id,
            terminal_id=term.terminal_id,
            supervisor_id=body.supervisor_id.strip().lower()[:64],
            operator_id=operator_id,
            action=body.action,
            outcome=outcome,
        )
    )
