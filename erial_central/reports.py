"""Office reports at central: an office's day, its shifts, and a café's settlement statement.

The day report and the shift list count what the office's counters journaled (flagged entries
too: their cash is in the drawer, owed back to the customer), less what was voided, so that they
match the desk's own shift figures. The settlement statement is the ledger of record: only
applied entries, and the refunds due that central booked for the office.

Reads of an office's figures are scoped to the caller's office by the API; these functions take
the office they report on and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, and_, func, select

from erial_desk.domain.clock import MUSCAT
from erial_desk.domain.entries import EntryType
from erial_desk.domain.money_effects import money_effect
from erial_desk.domain.policy import needs_close_approval

from .admin import current_policy
from .ledger import refunds_due
from .models import entries, offices, postings, transfers

MONEY_TYPES = (EntryType.TOP_UP.value, EntryType.BILL_PAID.value, EntryType.CASH_DROP.value)
APPROVED_TYPES = (EntryType.CASH_DROP.value, EntryType.VOID.value, EntryType.SHIFT_CLOSED.value)


def _figures() -> dict[str, int]:
    return {"count": 0, "amount": 0, "service_charge": 0}


def _add(into: dict[str, int], count: int, amount: int, charge: int) -> None:
    into["count"] += count
    into["amount"] += amount
    into["service_charge"] += charge


def _muscat_hour(utc_hour: str) -> str:
    """The Muscat hour ("08") of a stored UTC time's hour: the chart's buckets."""
    offset = MUSCAT.utcoffset(None)
    hours = 0 if offset is None else int(offset.total_seconds()) // 3600
    return f"{(int(utc_hour) + hours) % 24:02d}"


def office_record(conn: Connection, office_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(
            offices.c.office_id, offices.c.name_en, offices.c.name_ar, offices.c.office_type
        ).where(offices.c.office_id == office_id)
    ).first()
    return None if row is None else dict(row._mapping)


# --- the office's day -----------------------------------------------------------------------------


def office_day(conn: Connection, office_id: str, day: str) -> dict[str, Any]:
    """Totals of an office's UTC day by service, method, clerk, terminal and Muscat hour."""
    kind = entries.c.bill_kind
    hour = func.substr(entries.c.at, 12, 2)
    keys = (
        entries.c.entry_type,
        entries.c.method,
        entries.c.operator,
        entries.c.terminal_id,
        hour,
        kind,
    )
    rows = conn.execute(
        select(
            *keys,
            func.count(),
            func.coalesce(func.sum(entries.c.amount), 0),
            func.coalesce(func.sum(entries.c.service_charge), 0),
        )
        .where(and_(entries.c.office_id == office_id, entries.c.day == day))
        .where(entries.c.entry_type.in_(MONEY_TYPES))
        .where(entries.c.voided_by.is_(None))
        .group_by(*keys)
    ).fetchall()
    report: dict[str, Any] = {
        "office_id": office_id,
        "day": day,
        "top_ups": _figures(),
        "bill_payments": _figures(),
        "cash_drops": _figures(),
        "by_service": {},
        "by_method": {},
        "by_clerk": {},
        "by_terminal": {},
        "by_hour": {},
        "cash_in": 0,
    }
    for entry_type, method, operator, terminal, utc_hour, bill_kind, count, amount, charge in rows:
        count, amount, charge = int(count), int(amount), int(charge)
        clerk = report["by_clerk"].setdefault(
            operator or "", {"top_ups": _figures(), "bill_payments": _figures(), "cash_drops": 0}
        )
        takings = amount + charge if entry_type != EntryType.CASH_DROP else 0
        if entry_type == EntryType.TOP_UP:
            _add(report["top_ups"], count, amount, 0)
            _add(clerk["top_ups"], count, amount, 0)
        elif entry_type == EntryType.BILL_PAID:
            _add(report["bill_payments"], count, amount, charge)
            _add(clerk["bill_payments"], count, amount, charge)
            _add(
                report["by_service"].setdefault(bill_kind or "", _figures()), count, amount, charge
            )
            _add(report["by_method"].setdefault(method or "", _figures()), count, amount, charge)
        else:
            _add(report["cash_drops"], count, amount, 0)
            clerk["cash_drops"] += amount
        if takings:
            report["by_terminal"][terminal] = report["by_terminal"].get(terminal, 0) + takings
            hour_key = _muscat_hour(utc_hour)
            report["by_hour"][hour_key] = report["by_hour"].get(hour_key, 0) + takings
        effect = money_effect(
            entry_type, {"amount": amount, "service_charge": charge, "method": method or "cash"}
        )
        report["cash_in"] += effect.cash
    report["voids"] = _count(conn, office_id, day, EntryType.VOID)
    report["flagged"] = flagged_entries(conn, office_id, day, day)
    report["refunds_due"] = refunds_due_in(conn, office_id, day, day)
    report["shifts"] = office_shifts(conn, office_id, day)
    report["approvals"] = office_approvals(conn, office_id, day)
    return report


def office_approvals(conn: Connection, office_id: str, day: str) -> list[dict[str, Any]]:
    """The day's cash drops, voids and closes that needed or had a supervisor: who asked (the
    entry's operator), who approved, when, and the amount (a drop's, the voided entry's, a
    close's variance). A close beyond the tolerance without an approver is listed too."""
    policy, _ = current_policy(conn)
    rows = conn.execute(
        select(
            entries.c.entry_id,
            entries.c.entry_type,
            entries.c.at,
            entries.c.operator,
            entries.c.amount,
            entries.c.body,
        )
        .where(entries.c.office_id == office_id, entries.c.day == day)
        .where(entries.c.entry_type.in_(APPROVED_TYPES))
        .order_by(entries.c.at)
    ).fetchall()
    payloads = {row.entry_id: json.loads(row.body)["payload"] for row in rows}
    voided = [p["voids"] for p in payloads.values() if isinstance(p.get("voids"), str)]
    amounts = dict(
        conn.execute(
            select(
                entries.c.entry_id, entries.c.amount + func.coalesce(entries.c.service_charge, 0)
            ).where(entries.c.entry_id.in_(voided))
        ).fetchall()
    )
    found = []
    for row in rows:
        p = payloads[row.entry_id]
        if row.entry_type == EntryType.SHIFT_CLOSED:
            if p.get("approver") is None and not needs_close_approval(policy, p["variance"]):
                continue
            amount = p["variance"]
        elif row.entry_type == EntryType.VOID:
            amount = amounts.get(p["voids"]) or 0
        else:
            amount = row.amount or 0
        found.append(
            {
                "entry_id": row.entry_id,
                "kind": row.entry_type,
                "at": row.at,
                "asked_by": row.operator,
                "approver": p.get("approver"),
                "amount": int(amount),
            }
        )
    return found


def _count(conn: Connection, office_id: str, day: str, entry_type: str) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(entries)
            .where(entries.c.office_id == office_id, entries.c.day == day)
            .where(entries.c.entry_type == entry_type)
        ).scalar()
        or 0
    )


def flagged_entries(
    conn: Connection, office_id: str, first: str, last: str
) -> list[dict[str, Any]]:
    """Entries central flagged for the office in the period: what a supervisor must resolve."""
    rows = conn.execute(
        select(
            entries.c.entry_id,
            entries.c.terminal_id,
            entries.c.seq,
            entries.c.entry_type,
            entries.c.at,
            entries.c.operator,
            entries.c.account,
            entries.c.method,
            entries.c.amount,
            entries.c.service_charge,
            entries.c.rule,
            entries.c.reason,
        )
        .where(entries.c.office_id == office_id)
        .where(entries.c.day >= first, entries.c.day <= last)
        .where(entries.c.status == "flagged")
        .order_by(entries.c.at)
    ).fetchall()
    return [dict(row._mapping) for row in rows]


def refunds_due_in(conn: Connection, office_id: str, first: str, last: str) -> int:
    """Baisa central booked as due back to the office's customers in the period (net)."""
    day = func.substr(transfers.c.at, 1, 10)
    total = conn.execute(
        select(func.coalesce(func.sum(postings.c.amount), 0))
        .select_from(postings.join(transfers, transfers.c.transfer_id == postings.c.transfer_id))
        .where(postings.c.account_id == refunds_due(office_id))
        .where(day >= first, day <= last)
    ).scalar()
    return int(total or 0)


# --- shifts ---------------------------------------------------------------------------------------


def office_shifts(conn: Connection, office_id: str, day: str) -> list[dict[str, Any]]:
    """Every shift of the office opened on ``day`` or with an entry on it, open or closed: per
    clerk its float, top-ups, bill payments by method and service, service charges, voids, cash
    drops, expected cash and its parts, counted cash, variance and approver."""
    shift_ids = sorted(
        str(r[0])
        for r in conn.execute(
            select(entries.c.shift_id)
            .where(entries.c.office_id == office_id, entries.c.day == day)
            .where(entries.c.shift_id.is_not(None))
            .distinct()
        ).fetchall()
    )
    return shifts_by_id(conn, office_id, shift_ids)


def shifts_by_id(
    conn: Connection, office_id: str, shift_ids: Iterable[str]
) -> list[dict[str, Any]]:
    ids = list(shift_ids)
    if not ids:
        return []
    shifts: dict[str, dict[str, Any]] = {}
    for row in conn.execute(
        select(
            entries.c.entry_id,
            entries.c.terminal_id,
            entries.c.operator,
            entries.c.at,
            entries.c.body,
        )
        .where(entries.c.office_id == office_id)
        .where(entries.c.entry_type == EntryType.SHIFT_OPENED)
        .where(entries.c.entry_id.in_(ids))
    ).fetchall():
        payload = json.loads(row.body)["payload"]
        shifts[row.entry_id] = {
            "shift_id": row.entry_id,
            "terminal_id": row.terminal_id,
            "operator": row.operator,
            "opened_at": row.at,
            "float_total": int(payload.get("float_total", 0)),
            "top_ups": _figures(),
            "bill_payments": {},
            "by_service": {},
            "service_charges": 0,
            "cash_drops": _figures(),
            "voids": 0,
            "cash_in": 0,
            "cash_out": 0,
            "closed_at": None,
            "counted_total": None,
            "expected_at_close": None,
            "variance": None,
            "approver": None,
        }
    for closed in conn.execute(
        select(entries.c.shift_id, entries.c.at, entries.c.body)
        .where(entries.c.office_id == office_id)
        .where(entries.c.entry_type == EntryType.SHIFT_CLOSED)
        .where(entries.c.shift_id.in_(list(shifts)))
    ).fetchall():
        payload = json.loads(closed.body)["payload"]
        shifts[closed.shift_id].update(
            closed_at=closed.at,
            counted_total=payload.get("counted_total"),
            expected_at_close=payload.get("expected"),
            variance=payload.get("variance"),
            approver=payload.get("approver"),
        )
    kind = entries.c.bill_kind
    groups = conn.execute(
        select(
            entries.c.shift_id,
            entries.c.entry_type,
            entries.c.method,
            kind,
            func.count(),
            func.coalesce(func.sum(entries.c.amount), 0),
            func.coalesce(func.sum(entries.c.service_charge), 0),
        )
        .where(entries.c.office_id == office_id)
        .where(entries.c.shift_id.in_(list(shifts)))
        .where(entries.c.entry_type.in_((*MONEY_TYPES, EntryType.VOID.value)))
        .where(entries.c.voided_by.is_(None))
        .group_by(entries.c.shift_id, entries.c.entry_type, entries.c.method, kind)
    ).fetchall()
    for shift_id, entry_type, method, bill_kind, count, amount, charge in groups:
        shift = shifts[shift_id]
        count, amount, charge = int(count), int(amount), int(charge)
        if entry_type == EntryType.VOID:
            shift["voids"] += count
            continue
        if entry_type == EntryType.TOP_UP:
            _add(shift["top_ups"], count, amount, 0)
        elif entry_type == EntryType.BILL_PAID:
            _add(shift["bill_payments"].setdefault(method or "", _figures()), count, amount, charge)
            _add(shift["by_service"].setdefault(bill_kind or "", _figures()), count, amount, charge)
            shift["service_charges"] += charge
        else:
            _add(shift["cash_drops"], count, amount, 0)
        cash = money_effect(
            entry_type, {"amount": amount, "service_charge": charge, "method": method or "cash"}
        ).cash
        if cash > 0:
            shift["cash_in"] += cash
        else:
            shift["cash_out"] -= cash
    out = []
    for shift in sorted(shifts.values(), key=lambda s: (s["opened_at"], s["shift_id"])):
        shift["expected_cash"] = shift["float_total"] + shift["cash_in"] - shift["cash_out"]
        out.append(shift)
    return out


# --- a café's settlement ------------------------------------------------------------------------


def settlement(conn: Connection, office_id: str, first: str, last: str) -> dict[str, Any]:
    """What an office's counters did for the municipality from day ``first`` to day ``last``
    (UTC, both included), as the ledger of record has it: entries central applied and nothing
    voided, and the few it flagged but kept (a wallet taken below zero offline: the payment
    stands, its money moved). Refused entries moved nothing and are left out."""
    period = and_(entries.c.office_id == office_id, entries.c.day >= first, entries.c.day <= last)
    money = entries.c.entry_type.in_((EntryType.TOP_UP.value, EntryType.BILL_PAID.value))
    keys = (entries.c.entry_type, entries.c.method, entries.c.bill_kind)
    sums = (
        func.count(),
        func.coalesce(func.sum(entries.c.amount), 0),
        func.coalesce(func.sum(entries.c.service_charge), 0),
    )
    applied = conn.execute(
        select(*keys, *sums)
        .where(period, money, entries.c.voided_by.is_(None), entries.c.status == "applied")
        .group_by(*keys)
    ).fetchall()
    # A flagged entry stands when its own ledger transfer does (none reversed it).
    reversal = transfers.alias("reversal")
    kept = conn.execute(
        select(*keys, *sums)
        .where(period, money, entries.c.voided_by.is_(None), entries.c.status == "flagged")
        .where(
            select(transfers.c.transfer_id)
            .where(transfers.c.entry_id == entries.c.entry_id)
            .where(transfers.c.kind.in_(("top_up", "bill")))
            .where(
                ~select(reversal.c.transfer_id)
                .where(reversal.c.reverses == transfers.c.transfer_id)
                .exists()
            )
            .exists()
        )
        .group_by(*keys)
    ).fetchall()
    payments = _figures()
    by_method: dict[str, dict[str, int]] = {}
    by_service: dict[str, dict[str, int]] = {}
    top_ups = _figures()
    cash_taken = 0
    for entry_type, method, bill_kind, count, amount, charge in [*applied, *kept]:
        count, amount, charge = int(count), int(amount), int(charge)
        method = method or "cash"
        if entry_type == EntryType.TOP_UP:
            _add(top_ups, count, amount, 0)
        else:
            _add(payments, count, amount, charge)
            _add(by_method.setdefault(method, _figures()), count, amount, charge)
            _add(by_service.setdefault(bill_kind or "", _figures()), count, amount, charge)
        cash_taken += money_effect(
            entry_type, {"amount": amount, "service_charge": charge, "method": method}
        ).cash
    flagged = flagged_entries(conn, office_id, first, last)
    return {
        "office": office_record(conn, office_id),
        "from": first,
        "to": last,
        "payments": payments,
        "payments_by_method": by_method,
        "payments_by_service": by_service,
        "service_charges": payments["service_charge"],
        "top_ups": top_ups,
        "cash_taken": cash_taken,
        "refunds_due": refunds_due_in(conn, office_id, first, last),
        "flagged": len(flagged),
    }
