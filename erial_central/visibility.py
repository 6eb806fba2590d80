"""Who may see a subscriber: the one scoping rule of every read that returns subscriber data.

Internal offices see every subscriber. An external office (a café, a partner counter) sees a
subscriber only once an entry of its own for that subscriber was applied: a registration, a top-up
or a payment. Flagged entries and refused online debits grant nothing. To an office that may not
see it, an account answers exactly as an unknown account does, so a read is no oracle of which
account numbers exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, insert, select, true

from .ledger import Ledger
from .models import office_subscribers, subscribers


@dataclass(frozen=True)
class Viewer:
    """The office a read is made for."""

    office_id: str
    office_type: str

    @property
    def sees_all(self) -> bool:
        return self.office_type == "internal"


def scope(viewer: Viewer, account: ColumnElement[str]) -> ColumnElement[bool]:
    """The condition on an account-number column for rows ``viewer`` may see."""
    if viewer.sees_all:
        return true()
    served = select(office_subscribers.c.account).where(
        office_subscribers.c.office_id == viewer.office_id
    )
    return account.in_(served)


def can_see(conn: Connection, viewer: Viewer, account: str) -> bool:
    """Whether ``account`` is a subscriber that ``viewer`` may see (False when unknown)."""
    found = conn.execute(
        select(subscribers.c.account)
        .where(subscribers.c.account == account)
        .where(scope(viewer, subscribers.c.account))
    ).first()
    return found is not None


def grant(
    conn: Connection,
    ledger: Ledger,
    viewer: Viewer,
    account: str,
    record: dict[str, Any] | None,
) -> None:
    """``viewer`` served ``account`` (its ``record``; None: no such subscriber) with an applied
    entry: from now on it sees the subscriber, whose record reaches its desks by the feed."""
    if viewer.sees_all or record is None:
        return
    exists = conn.execute(
        select(office_subscribers.c.account).where(
            office_subscribers.c.office_id == viewer.office_id,
            office_subscribers.c.account == account,
        )
    ).first()
    if exists is None:
        conn.execute(
            insert(office_subscribers), {"office_id": viewer.office_id, "account": account}
        )
        ledger.note_change("subscriber", account, record)
