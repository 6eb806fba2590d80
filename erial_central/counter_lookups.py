"""Reads a counter makes before it acts or when a customer asks:

- ``GET /v1/online-payments/{reference}``: a payment made on the website (the bank's top-up
  callback), found by the reference the customer was given; what, when, for which account.
- ``GET /v1/registered-ids``: whether a civil or CR number already has an account, asked before
  the customer chooses a PIN. Only an office that may register subscribers may ask: to anyone
  else it would be an oracle of who holds an account.

Both keep the visibility rule of every subscriber read (``visibility.can_see``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from sqlalchemy import Connection, select

from erial_desk.domain.errors import PolicyError
from erial_desk.domain.labels import transfer_label
from erial_desk.domain.policy import Action, Role, check_allowed

from . import admin
from .db import reading
from .errors import ApiError
from .models import bank_top_ups, operators, subscribers
from .visibility import can_see

router = APIRouter()

ONLINE_KIND = "bank_top_up"


def _terminal(request: Request, authorization: Annotated[str | None, Header()] = None) -> Any:
    from .api import terminal_auth  # the API module includes this router: imported late

    return terminal_auth(request, authorization)


TerminalDep = Annotated[Any, Depends(_terminal)]  # api.Terminal


@router.get("/v1/online-payments/{reference}")
def online_payment(reference: str, request: Request, term: TerminalDep) -> dict[str, Any]:
    reference = reference.strip()[:64]
    with reading(request.app.state.engine) as conn:
        row = conn.execute(
            select(
                bank_top_ups.c.bank_reference,
                bank_top_ups.c.account,
                bank_top_ups.c.amount,
                bank_top_ups.c.received_at,
            ).where(bank_top_ups.c.bank_reference == reference)
        ).first()
        # Not this office's subscriber: the same answer as no such payment.
        if row is None or not can_see(conn, term.viewer, row.account):
            raise ApiError(404, "entry.not_found")
    return {
        "reference": row.bank_reference,
        "kind": ONLINE_KIND,
        "description_en": transfer_label(ONLINE_KIND, "en"),
        "description_ar": transfer_label(ONLINE_KIND, "ar"),
        "account": row.account,
        "amount": int(row.amount),
        "at": row.received_at,
        "status": "confirmed",  # on central's ledger since the bank's callback
    }


@router.get("/v1/registered-ids")
def registered_ids(
    request: Request,
    term: TerminalDep,
    civil_number: Annotated[str | None, Query(max_length=16)] = None,
    cr_number: Annotated[str | None, Query(max_length=16)] = None,
    operator_id: Annotated[str, Query(min_length=1, max_length=64)] = "",
) -> dict[str, bool]:
    if (civil_number is None) == (cr_number is None):
        raise ApiError(422, "request.invalid", reason="one of civil_number, cr_number")
    with reading(request.app.state.engine) as conn:
        policy, _ = admin.current_policy(conn)
        office = admin.get_office(conn, term.office_id)
        role = operator_role(conn, term.office_id, operator_id)
        try:
            check_allowed(policy, office, role, Action.REGISTER_SUBSCRIBER)
        except PolicyError as exc:
            raise ApiError(403, exc.code, **exc.params) from exc
        column = subscribers.c.civil_number if civil_number else subscribers.c.cr_number
        found = conn.execute(
            select(subscribers.c.account).where(column == (civil_number or cr_number)).limit(1)
        ).first()
    return {"registered": found is not None}


def operator_role(conn: Connection, office_id: str, operator_id: str) -> Role:
    """The role of an active operator of ``office_id``; refused for anyone else."""
    staff = conn.execute(
        select(operators.c.role, operators.c.active).where(
            operators.c.operator_id == operator_id, operators.c.office_id == office_id
        )
    ).first()
    if staff is None or not staff.active:
        raise ApiError(403, "login.wrong_office")
    try:
        return Role(staff.role)
    except ValueError as exc:
        raise ApiError(403, "login.wrong_office") from exc
