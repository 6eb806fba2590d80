"""HTTP routes of the office reports (``reports``): a terminal reads its own office's day, shifts
and settlement, never another office's; the municipality's administrator reads any office's
settlement. An office's figures say nothing about who its customers are beyond what its own
counters already hold, so no subscriber scoping applies here beyond the office."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from erial_desk.domain.clock import utc_day

from . import admin, reports
from .api import AdminDep, Terminal, TerminalDep
from .db import reading
from .errors import ApiError

DAY = r"^\d{4}-\d{2}-\d{2}$"
MAX_SETTLEMENT_DAYS = 92  # a quarter: a statement is made per month, at most per quarter

router = APIRouter()
DayQuery = Annotated[str | None, Query(pattern=DAY)]
FromQuery = Annotated[str, Query(alias="from", pattern=DAY)]
ToQuery = Annotated[str, Query(alias="to", pattern=DAY)]


def _today(request: Request) -> str:
    return utc_day(request.app.state.clock.now())  # central's injected clock


def _own_office(term: Terminal, office_id: str) -> None:
    if office_id != term.office_id:
        raise ApiError(403, "auth.forbidden")


def check_period(first: str, last: str) -> None:
    """A settlement period: real days, in order, at most ``MAX_SETTLEMENT_DAYS`` long."""
    try:
        start, end = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError as exc:
        raise ApiError(422, "request.invalid", reason="not a calendar day") from exc
    if not 0 <= (end - start).days < MAX_SETTLEMENT_DAYS:
        raise ApiError(
            422, "request.invalid", reason=f"from..to must span 1 to {MAX_SETTLEMENT_DAYS} days"
        )


@router.get("/v1/offices/{office_id}/day")
def office_day(office_id: str, term: TerminalDep, request: Request, day: DayQuery = None) -> Any:
    """The office's day: totals by service, method, clerk, terminal and hour, and its shifts."""
    _own_office(term, office_id)
    with reading(request.app.state.engine) as conn:
        return reports.office_day(conn, office_id, day or _today(request))


@router.get("/v1/offices/{office_id}/shifts")
def office_shifts(
    office_id: str, term: TerminalDep, request: Request, day: DayQuery = None
) -> dict[str, Any]:
    _own_office(term, office_id)
    with reading(request.app.state.engine) as conn:
        return {"shifts": reports.office_shifts(conn, office_id, day or _today(request))}


@router.get("/v1/offices/{office_id}/settlement")
def office_settlement(
    office_id: str, term: TerminalDep, request: Request, first: FromQuery, last: ToQuery
) -> dict[str, Any]:
    """The office's own settlement statement, as the municipality will settle it."""
    _own_office(term, office_id)
    check_period(first, last)
    with reading(request.app.state.engine) as conn:
        return reports.settlement(conn, office_id, first, last)


@router.get("/v1/admin/offices/{office_id}/settlement")
def admin_settlement(
    office_id: str, _admin: AdminDep, request: Request, first: FromQuery, last: ToQuery
) -> dict[str, Any]:
    check_period(first, last)
    with reading(request.app.state.engine) as conn:
        admin.get_office(conn, office_id)
        return reports.settlement(conn, office_id, first, last)
