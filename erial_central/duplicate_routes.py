"""HTTP routes of suspected duplicate accounts (``duplicates``): an internal office's terminal
lists them for its supervisor console (the merge itself is a journal entry the desk pushes);
the municipality's administrator lists and merges them at central. A café's counter may do
neither: it sees only the subscribers it served and cannot merge."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from . import admin, duplicates
from .api import AdminDep, TerminalDep
from .db import reading, run_transaction
from .errors import ApiError

router = APIRouter()


class MergeRequestModel(BaseModel):
    duplicate: str = Field(min_length=1, max_length=64)
    survivor: str = Field(min_length=1, max_length=64)
    id_checked: bool  # the administrator saw the holder's civil ID or CR certificate


@router.get("/v1/duplicates")
def suspected_duplicates(request: Request, term: TerminalDep) -> dict[str, Any]:
    if not term.viewer.sees_all:
        raise ApiError(403, "auth.forbidden")
    with reading(request.app.state.engine) as conn:
        return {"duplicates": duplicates.suspected(conn, term.viewer)}


@router.get("/v1/admin/duplicates")
def admin_duplicates(request: Request, _admin: AdminDep) -> dict[str, Any]:
    with reading(request.app.state.engine) as conn:
        return {"duplicates": duplicates.suspected(conn)}


@router.post("/v1/admin/subscribers/merge")
def admin_merge(
    request: Request, body: MergeRequestModel, administrator: AdminDep
) -> dict[str, Any]:
    """One audited action: the closed account and the ledger transfer name the administrator."""
    if not body.id_checked:
        raise ApiError(422, "merge.id_not_checked")
    merged = run_transaction(
        request.app.state.engine,
        lambda conn: admin.merge_subscribers(conn, body.duplicate, body.survivor, administrator),
    )
    return {"duplicate": body.duplicate, "survivor": body.survivor, "merged": merged}
