"""The supervisor's console on the desk: who may open it, and every figure of its views and
exports against sums taken independently from the journal entries of the office's terminals
(a property over random days of several clerks and terminals, with a real central)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from erial_desk.domain.clock import MUSCAT, parse_stamp, utc_day
from erial_desk.domain.entries import Resolution
from erial_desk.domain.errors import AuthError, PolicyError, StateError
from erial_desk.domain.policy import BillKind, PaymentMethod
from erial_desk.services import Approval
from erial_desk.services.supervisor import NEEDS_REFUND, read_day_csv, without_shifts
from tests.conftest import DEMO_PINS, make_desk
from tests.services.test_payments import register

SUPERVISOR = Approval("aisha", DEMO_PINS["aisha"])
# Building-permit bills the test central holds (every fifth generated bill).
PERMITS = [f"BP{300004 + 5 * i}" for i in range(12)]


def test_a_clerk_never_opens_the_console(clerk_desk):
    assert clerk_desk.may_open_console() is False
    for read in (
        clerk_desk.terminal_shifts,
        clerk_desk.office_day,
        clerk_desk.approvals,
        clerk_desk.sync_problems,
        clerk_desk.day_report_csv,
    ):
        with pytest.raises(PolicyError) as refused:
            read()
        assert refused.value.code == "role.not_allowed"
    clerk_desk.logout()
    clerk_desk.login("aisha", DEMO_PINS["aisha"])
    assert clerk_desk.may_open_console() is True
    (shift,) = clerk_desk.terminal_shifts()
    assert shift.operator == "salim" and shift.expected_cash == 46000


def test_a_clerk_cannot_approve_their_own_close(clerk_desk):
    account = register(clerk_desk)
    clerk_desk.top_up(account, 5000)
    with pytest.raises(AuthError) as refused:  # 2.000 OMR short: beyond the tolerance
        clerk_desk.close_shift({20000: 2, 1000: 9}, Approval("salim", DEMO_PINS["salim"]))
    assert refused.value.code == "approval.invalid"
    summary = clerk_desk.close_shift({20000: 2, 1000: 9}, SUPERVISOR)
    assert summary.close_approver == "aisha"
    clerk_desk.logout()
    clerk_desk.login("aisha", DEMO_PINS["aisha"])
    (item,) = [a for a in clerk_desk.approvals() if a.kind == "shift_closed"]
    assert (item.asked_by, item.approver, item.amount) == ("salim", "aisha", -2000)


# --- a random office day ------------------------------------------------------------------------

MOVES = st.lists(
    st.tuples(
        st.integers(0, 1),  # which counter
        st.sampled_from(["top_up", "top_up", "bill", "drop", "void", "close"]),
        st.integers(1, 40),  # rials
    ),
    min_size=1,
    max_size=10,
)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory):
    """Two counters of MCT-HQ (Salim at one, Aisha serving at the other) and a third terminal
    where the supervisor reviews the day, sharing one central."""
    base = tmp_path_factory.mktemp("office")
    counters = [make_desk(base / "one"), make_desk(base / "two")]
    for desk, clerk in zip(counters, ("salim", "aisha"), strict=True):
        desk.login(clerk, DEMO_PINS[clerk])
        desk.open_shift({1000: 10})
    account = register(counters[0])
    console = make_desk(base / "console")
    console.login("aisha", DEMO_PINS["aisha"])
    yield {"counters": counters, "console": console, "account": account, "permits": list(PERMITS)}
    for desk in (*counters, console):
        desk.close()


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=MOVES)
def test_every_view_and_export_equals_the_journal(office, moves, tmp_path_factory):
    counters, console = office["counters"], office["console"]
    for which, move, rials in moves:
        desk = counters[which]
        if move == "top_up":
            desk.top_up(office["account"], rials * 1000)
        elif move == "bill" and office["permits"]:
            bill = desk.find_bills(BillKind.BUILDING_PERMIT, office["permits"].pop())[0]
            desk.pay_bill(bill, PaymentMethod.CASH)
        elif move == "drop":
            if desk.expected_cash(desk.shift_summary().shift_id) >= 1000:
                desk.cash_drop({1000: 1}, SUPERVISOR, "to the safe")
        elif move == "void":
            voidable = [
                e
                for e in desk.entries()
                if e["type"] == "top_up" and e["payload"]["shift"] == desk.shift_summary().shift_id
            ]
            try:
                desk.void(voidable[-1]["id"], "keyed twice", SUPERVISOR)
            except (IndexError, StateError, PolicyError):
                pass  # nothing to void, voided already, or the money is spent
        else:
            expected = desk.shift_summary().expected_cash
            notes = expected // 1000 - (rials % 3)  # sometimes short, beyond the tolerance
            desk.close_shift({1000: max(notes, 0)}, SUPERVISOR)
            desk.open_shift({1000: 10})
    for desk in counters:
        desk.push_pending(wait=True)

    day = console.office_day()
    entries = [e for desk in counters for e in desk.entries() if utc_day(e["at"]) == day.day]
    voided = {e["payload"]["voids"] for e in entries if e["type"] == "void"}
    standing = [e for e in entries if e["id"] not in voided]
    assert day.top_ups.amount == _sum(standing, "top_up")
    assert day.top_ups.count == len([e for e in standing if e["type"] == "top_up"])
    assert day.bill_payments.amount == _sum(standing, "bill_paid")
    assert day.cash_drops.amount == _sum(standing, "cash_drop")
    assert day.voids == len(voided)
    takings_by_hour: dict[str, int] = defaultdict(int)
    by_clerk: dict[str, int] = defaultdict(int)
    by_terminal: dict[str, int] = defaultdict(int)
    for e in standing:
        if e["type"] == "cash_drop":
            by_clerk[e["operator"]] += 0  # a clerk who only dropped cash is listed, takings nil
        if e["type"] in ("top_up", "bill_paid"):
            amount = e["payload"]["amount"] + e["payload"].get("service_charge", 0)
            takings_by_hour[f"{parse_stamp(e['at']).astimezone(MUSCAT).hour:02d}"] += amount
            by_clerk[e["operator"]] += e["payload"]["amount"]
            by_terminal[e["terminal"]] += amount
    assert day.by_hour == takings_by_hour
    assert day.by_terminal == by_terminal
    assert {
        clerk: c.top_ups.amount + c.bill_payments.amount for clerk, c in day.by_clerk.items()
    } == by_clerk
    assert day.takings == sum(by_terminal.values())

    # Every shift of the office, this terminal's from its tables and the others' from central:
    # float + cash in - cash out, as the journal says.
    shifts = {s.shift_id: s for s in day.shifts}
    for e in entries:
        if e["type"] != "shift_opened":
            continue
        shift = shifts[e["id"]]
        mine = [x for x in standing if x["payload"].get("shift") == e["id"]]
        cash = _sum(mine, "top_up") + _sum(mine, "bill_paid") - _sum(mine, "cash_drop")
        assert shift.expected_cash == e["payload"]["float_total"] + cash
        closed = [
            x for x in entries if x["type"] == "shift_closed" and x["payload"]["shift"] == e["id"]
        ]
        if closed:
            assert shift.variance == closed[0]["payload"]["variance"]
            assert shift.approver == closed[0]["payload"]["approver"]
    # The office's approvals: every drop, void and approved close, with who asked and approved.
    approved = console.approvals()
    assert sorted(a.entry_id for a in approved) == sorted(
        e["id"]
        for e in entries
        if e["type"] in ("cash_drop", "void")
        or (e["type"] == "shift_closed" and e["payload"]["approver"])
    )
    assert all(a.approver == "aisha" for a in approved)
    asked = {e["id"]: e["operator"] for e in entries}
    assert all(a.asked_by == asked[a.entry_id] for a in approved)
    drops = {e["id"]: e["payload"]["amount"] for e in entries if e["type"] == "cash_drop"}
    assert all(a.amount == drops[a.entry_id] for a in approved if a.kind == "cash_drop")

    # The exports: CSV reads back as the day; the PDF is written.
    assert read_day_csv(console.day_report_csv()) == without_shifts(console.office_day())
    pdf = console.day_report_pdf(path=tmp_path_factory.mktemp("pdf") / "day.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def _sum(entries: list[dict[str, Any]], entry_type: str) -> int:
    return sum(
        e["payload"]["amount"] + e["payload"].get("service_charge", 0)
        for e in entries
        if e["type"] == entry_type
    )


def test_a_sync_problem_is_resolved_by_a_journaled_entry_central_applies(tmp_path: Path):
    first, second = make_desk(tmp_path / "first"), make_desk(tmp_path / "second")
    try:
        first.login("salim", DEMO_PINS["salim"])
        second.login("aisha", DEMO_PINS["aisha"])
        for desk in (first, second):
            desk.open_shift({1000: 10})
        # Both counters took cash for one bill: central keeps the first, the second is flagged.
        stale = second.find_bills(BillKind.BUILDING_PERMIT, PERMITS[1])[0]
        bill = first.find_bills(BillKind.BUILDING_PERMIT, PERMITS[1])[0]
        first.pay_bill(bill, PaymentMethod.CASH)
        twice = second.pay_bill(stale, PaymentMethod.CASH)
        second.push_pending(wait=True)
        (problem,) = second.sync_problems()
        assert (problem.entry_id, problem.state, problem.amount) == (
            twice.entry_id,
            "flagged",
            bill.amount,
        )
        assert problem.reason and problem.need == NEEDS_REFUND
        with pytest.raises(PolicyError):
            first.resolve_problem(twice.entry_id, Resolution.REFUND_PAID, "")  # a clerk
        with pytest.raises(StateError) as refused:
            second.resolve_problem(twice.entry_id, Resolution.WRITTEN_OFF, "  ")
        assert refused.value.code == "resolution.reason_required"
        second.resolve_problem(twice.entry_id, Resolution.REFUND_PAID, "paid back at the counter")
        second.push_pending(wait=True)
        assert second.sync_problems() == []
        (done,) = second.sync_problems(include_resolved=True)
        assert (done.resolution, done.resolved_by) == ("refund_paid", "aisha")
        assert second.outbox_counts() == {"applied": len(list(second.entries())) - 1, "flagged": 1}
    finally:
        first.close()
        second.close()


def test_the_permission_table_is_the_policy_for_every_role_office_type_and_action():
    from erial_desk.domain.policy import (
        CONSOLE_ACTION,
        Action,
        Office,
        OfficeType,
        Policy,
        Role,
        check_allowed,
        permission_table,
    )

    policy = Policy()
    cafe = Office("CAFE-X", "Cafe", "مقهى", OfficeType.EXTERNAL, top_up_authorised=False)
    table = permission_table(policy, cafe)
    assert len(table) == len(Role) * len(OfficeType) * len(Action)
    for (role, office_type, action), allowed in table.items():
        office = cafe if office_type is OfficeType.EXTERNAL else Office("O", "", "", office_type)
        try:
            check_allowed(policy, office, role, action)
        except PolicyError:
            assert not allowed
        else:
            assert allowed
    # The console is the supervisor's alone, at either kind of office.
    for office_type in OfficeType:
        assert table[(Role.SUPERVISOR, office_type, CONSOLE_ACTION)]
        assert not table[(Role.CLERK, office_type, CONSOLE_ACTION)]
        assert not table[(Role.OPERATOR, office_type, CONSOLE_ACTION)]
    assert not table[(Role.SUPERVISOR, OfficeType.EXTERNAL, Action.TOP_UP)]  # not authorised
    assert table[(Role.CLERK, OfficeType.INTERNAL, Action.REGISTER_SUBSCRIBER)]
