"""A customer's wallet PIN set anew at a counter: ``POST /v1/subscribers/{account}/pin``.

Central alone holds wallet PINs, so a reset is made here, online, never at a desk. The desk is
not trusted: the office type and the named operator's role are checked again with the policy's
own table, the new PIN arrives sealed to central's key and bound to this account and request (a
sealed PIN of a payment or another reset does not open), and the wrong-PIN lock is lifted only
with a new PIN. The desk journals the reset afterwards as a change of the subscriber without
the PIN.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import Connection, select, update

from erial_desk.domain.clock import SYSTEM_CLOCK, Clock
from erial_desk.domain.errors import DeskError, PolicyError
from erial_desk.domain.identifiers import normalise_pin
from erial_desk.domain.pins import hash_pin, open_sealed_pin, pin_reset_context
from erial_desk.domain.policy import Action, check_allowed

from . import admin
from .counter_lookups import TerminalDep, operator_role
from .db import run_transaction
from .errors import ApiError
from .models import subscribers
from .visibility import can_see

if TYPE_CHECKING:
    from .api import Terminal

router = APIRouter()


class PinResetModel(BaseModel):
    request_id: str = Field(
        min_length=8, max_length=64, description="the desk's new journal entry id (UUIDv7)"
    )
    operator_id: str = Field(min_length=1, max_length=64)
    sealed_pin: str = Field(min_length=1, max_length=1024)


@router.post("/v1/subscribers/{account}/pin")
def reset_pin(
    account: str,
    body: PinResetModel,
    request: Request,
    term: TerminalDep,
) -> dict[str, Any]:
    from .api import _account

    account = _account(account)
    engine = request.app.state.engine
    secrets = request.app.state.secrets
    clock: Clock = request.app.state.clock
    return run_transaction(
        engine,
        lambda conn: reset(
            conn, term, account, body, sealing_private_key=secrets.sealing_private_key, clock=clock
        ),
    )


def reset(
    conn: Connection,
    term: Terminal,
    account: str,
    body: PinResetModel,
    *,
    sealing_private_key: bytes,
    clock: Clock = SYSTEM_CLOCK,
) -> dict[str, Any]:
    """Check the office, the operator and the sealed PIN; set the new PIN, lift the lock."""
    policy, _ = admin.current_policy(conn)
    office = admin.get_office(conn, term.office_id)
    role = operator_role(conn, term.office_id, body.operator_id)
    try:
        check_allowed(policy, office, role, Action.RESET_CUSTOMER_PIN)
    except PolicyError as exc:
        raise ApiError(403, exc.code, **exc.params) from exc
    if not can_see(conn, term.viewer, account):
        raise ApiError(404, "subscriber.not_found")
    closed = conn.execute(
        select(subscribers.c.closed).where(subscribers.c.account == account).with_for_update()
    ).scalar_one()
    if closed:
        raise ApiError(409, "wallet.closed")
    refuse_stale(body.request_id, clock)
    context = pin_reset_context(account, body.request_id)
    try:
        pin = normalise_pin(
            open_sealed_pin(sealing_private_key, body.sealed_pin, context), policy.pin_length
        )
    except DeskError as exc:
        # A PIN sealed for something else, or not a PIN at all: nothing changes.
        raise ApiError(
            422, "pin.invalid", min=policy.pin_length[0], max=policy.pin_length[1]
        ) from exc
    conn.execute(
        update(subscribers)
        .where(subscribers.c.account == account)
        .values(pin_verifier=hash_pin(pin), pin_failures=0)
    )
    return {"account": account, "status": "reset"}


FRESH_MS = 10 * 60 * 1000  # a reset is sent as the customer types: older ones are replays


def refuse_stale(request_id: str, clock: Clock) -> None:
    """The request id is the desk's new journal entry id, a UUIDv7 whose first 48 bits are
    when it was made: a sealed PIN captured on the way is worthless after a few minutes (by
    central's clock, the one its other stamps come from)."""
    try:
        made_ms = uuid.UUID(request_id).int >> 80
    except ValueError as exc:
        raise ApiError(422, "request.invalid", reason="request_id: not a UUID") from exc
    now_ms = int(clock.now().timestamp() * 1000)
    if abs(now_ms - made_ms) > FRESH_MS:
        raise ApiError(422, "request.invalid", reason="request_id: not made just now")
