"""Read side of central: bills, subscriber lookup and statement, office day totals, the change
and feed (receipts are checked by ``receipt_check``)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from erial_desk.domain.entries import EntryType
from erial_desk.domain.labels import transfer_label
from erial_desk.domain.policy import BillKind

from .batch_context import subscriber_record
from .duplicates import merged_accounts, survivor_of
from .ledger import wallet
from .models import SUBSCRIBER_FIELDS, bills, changes, entries, postings, terminals, transfers
from .visibility import Viewer, can_see, scope

# Entries that move money, in an office's day totals.
_MONEY_TYPES = tuple(
    t.value for t in (EntryType.TOP_UP, EntryType.BILL_PAID, EntryType.CASH_DROP, EntryType.VOID)
)

# Change-feed kinds addressed to one office (``changes.office_id``): its operators, and its
# online debits that central reversed because no journal entry confirmed them in time.
OFFICE_KINDS = ("operator", "debit_reversed")

BILL_FIELDS = (
    "bill_id",
    "kind",
    "reference",
    "subject",
    "description_en",
    "description_ar",
    "amount",
    "status",
    "detail_en",
    "detail_ar",
)


def find_bills(conn: Connection, kind: BillKind | None, key: str) -> list[dict[str, Any]]:
    """Bills whose subject (plate, civil, CR or application number) or reference is ``key``."""
    key = key.strip().upper()
    query = select(*[bills.c[f] for f in BILL_FIELDS]).where(
        # Subjects and references are stored upper case (canonical plates, reference numbers),
        # so the indexes on both columns serve the lookup.
        or_(bills.c.subject == key, bills.c.reference == key)
    )
    if kind is not None:
        query = query.where(bills.c.kind == kind.value)
    rows = conn.execute(query.order_by(bills.c.bill_id).limit(200)).fetchall()
    return [dict(zip(BILL_FIELDS, r, strict=True)) for r in rows]


def lookup_subscriber(conn: Connection, viewer: Viewer, account: str) -> dict[str, Any] | None:
    """The subscriber's record, or None when unknown or not ``viewer``'s to see (alike)."""
    if not can_see(conn, viewer, account):
        return None
    # A merged account's number leads to the account that took it over.
    return subscriber_record(conn, survivor_of(conn, account))


def statement(
    conn: Connection, viewer: Viewer, account: str, limit: int = 500
) -> dict[str, Any] | None:
    """The latest ``limit`` movements of a subscriber's wallet, desk and online, oldest first,
    each with the balance after it; the balance is over every movement, however many. None
    when the subscriber is unknown or not ``viewer``'s to see. A merged account's number shows
    its survivor's statement, which holds the histories of every account merged into it (each
    line says whose wallet it moved)."""
    if not can_see(conn, viewer, account):
        return None
    account = survivor_of(conn, account)
    merged = merged_accounts(conn, account)
    wallets = {wallet(a): a for a in [account, *merged]}
    total = int(
        conn.execute(
            select(func.coalesce(func.sum(postings.c.amount), 0)).where(
                postings.c.account_id.in_(list(wallets))
            )
        ).scalar()
        or 0
    )
    newest = conn.execute(
        select(
            transfers.c.transfer_id,
            transfers.c.at,
            transfers.c.kind,
            transfers.c.entry_id,
            postings.c.amount,
            transfers.c.source,
            transfers.c.destination,
            postings.c.account_id,
        )
        .join(postings, postings.c.transfer_id == transfers.c.transfer_id)
        .where(postings.c.account_id.in_(list(wallets)))
        .order_by(transfers.c.transfer_id.desc(), postings.c.amount)
        .limit(limit)
    ).fetchall()
    rows = list(reversed(newest))
    balance = total - sum(int(r[4]) for r in rows)  # the balance before the first line shown
    lines = []
    for transfer_id, at, kind, entry_id, amount, source, destination, wallet_id in rows:
        other = destination if int(amount) < 0 else source
        if source in wallets and destination in wallets:
            # A merge within this statement moves nothing overall: one line, on the survivor's
            # side, says it happened; the duplicate's leg is not shown twice.
            if int(amount) < 0:
                continue
            amount, other = 0, source
        balance += int(amount)
        lines.append(
            {
                "transfer": int(transfer_id),
                "at": at,
                "kind": kind,
                "description_en": transfer_label(kind, "en"),
                "description_ar": transfer_label(kind, "ar"),
                "counterpart": other,
                "entry_id": entry_id,
                "amount": int(amount),
                "balance": balance,
                "wallet_of": wallets[wallet_id],
            }
        )
    return {"account": account, "merged": merged, "lines": lines, "balance": total}


def office_totals(conn: Connection, office_id: str, day: str) -> dict[str, Any]:
    """The office's day at central, netted of voids, to compare with its terminals' shifts."""
    rows = conn.execute(
        select(
            entries.c.entry_type,
            entries.c.method,
            func.count(),
            func.coalesce(func.sum(entries.c.amount), 0),
            func.coalesce(func.sum(entries.c.service_charge), 0),
        )
        .where(and_(entries.c.office_id == office_id, entries.c.day == day))
        .where(entries.c.voided_by.is_(None))
        .where(entries.c.entry_type.in_(_MONEY_TYPES))
        .group_by(entries.c.entry_type, entries.c.method)
    ).fetchall()
    totals: dict[str, Any] = {
        "office_id": office_id,
        "day": day,
        "top_ups": 0,
        "voids": 0,
        "cash_drops": 0,
        "bill_payments": {},
        "service_charges": 0,
        "top_up_count": 0,
    }
    for entry_type, method, count, amount, charge in rows:
        if entry_type == EntryType.TOP_UP:
            totals["top_ups"] += int(amount)
            totals["top_up_count"] += int(count)
        elif entry_type == EntryType.BILL_PAID:
            totals["bill_payments"][method] = {"count": int(count), "amount": int(amount)}
            totals["service_charges"] += int(charge)
        elif entry_type == EntryType.CASH_DROP:
            totals["cash_drops"] += int(amount)
        else:
            totals["voids"] += int(count)
    return totals


def feed(conn: Connection, viewer: Viewer, cursor: int, limit: int) -> dict[str, Any]:
    """Changes after ``cursor`` that this office may see, in order: everyone's policy and
    catalogue, rows addressed to this office alone (its operators, its debits central reversed),
    and subscriber and balance rows within the office's scope."""
    visible = or_(
        changes.c.kind.in_(("policy", "catalogue")),
        and_(changes.c.kind.in_(OFFICE_KINDS), changes.c.office_id == viewer.office_id),
        and_(changes.c.kind.in_(("subscriber", "balance")), scope(viewer, changes.c.key)),
    )
    # Read the newest sequence number first: every change up to it is already committed (feed
    # writes are serialised), so jumping the cursor to it later cannot skip a late commit.
    newest = int(conn.execute(select(func.max(changes.c.seq))).scalar() or 0)
    rows = conn.execute(
        select(changes.c.seq, changes.c.kind, changes.c.key, changes.c.data)
        .where(changes.c.seq > cursor)
        .where(changes.c.seq <= newest)
        .where(visible)
        .order_by(changes.c.seq)
        .limit(limit + 1)
    ).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = int(rows[-1][0]) if rows else cursor
    if not more:
        # Nothing more this office may see: jump past what it may not, so the next pull is cheap.
        next_cursor = max(next_cursor, newest)
    return {
        "changes": [
            {"seq": int(s), "kind": k, "key": key, "data": json.loads(d)} for s, k, key, d in rows
        ],
        "cursor": next_cursor,
        "newest": newest,
        "more": more,
    }


def subscriber_fields() -> tuple[str, ...]:
    return SUBSCRIBER_FIELDS


def terminal_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(terminals)).scalar() or 0)
