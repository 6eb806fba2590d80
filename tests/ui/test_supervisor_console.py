"""The supervisor's console in the window: F12 only for a supervisor, the day view's figures are
the facade's, the sync problem is resolved from its screen; every console screen drawn in Arabic
and English at 1024x768 (test-artefacts/ui/)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from erial_desk.domain.policy import BillKind, PaymentMethod
from erial_desk.services import Approval
from tests.conftest import DEMO_PINS, make_desk

from .helpers import counter_logged_in, press, shift_with_a_subscriber
from .test_screenshots import SIZE
from .test_screenshots import save as save_picture

SUPERVISOR = Approval("aisha", DEMO_PINS["aisha"])


def save(widget, name: str):
    QApplication.processEvents()
    return save_picture(widget, name)


def busy_done(qtbot, app) -> None:
    qtbot.waitUntil(lambda: not app.ctx.runner.busy, timeout=20_000)


def test_a_clerk_has_no_console_key(qapp, qtbot, tmp_path):
    make_desk(tmp_path / "desk").close()
    app = counter_logged_in(qapp, qtbot, tmp_path / "desk", "en", "salim", DEMO_PINS["salim"])
    keys = {a.key: a for a in app.window.key_actions()}
    assert not keys[Qt.Key.Key_F12].shown
    press(qtbot, Qt.Key.Key_F12)
    assert app.window.current().name == "home"
    assert app.window.message.text() == (
        "Only the office's supervisors open the supervisor console."
    )


def an_office_day(tmp_path) -> None:
    """A counter's closed shift (with a drop, a void and a short count) and, at the console's
    terminal, a bill paid twice across the two counters: central flags the second."""
    counter = make_desk(tmp_path / "counter")
    console = make_desk(tmp_path / "console")
    try:
        counter.login("salim", DEMO_PINS["salim"])
        account = shift_with_a_subscriber(counter)
        for amount in (20_000, 15_000, 5_000):
            counter.top_up(account, amount)
        keyed_twice = counter.top_up(account, 5_000)
        counter.void(keyed_twice.entry_id, "keyed twice", SUPERVISOR)
        counter.cash_drop({10000: 2}, SUPERVISOR, "to the safe")
        console.login("aisha", DEMO_PINS["aisha"])
        console.open_shift({5000: 4})
        stale = console.find_bills(BillKind.BUILDING_PERMIT, "BP20260401")[0]
        bill = counter.find_bills(BillKind.BUILDING_PERMIT, "BP20260401")[0]
        counter.pay_bill(bill, PaymentMethod.CASH)
        console.pay_bill(stale, PaymentMethod.CASH)
        console.top_up(account, 12_000)
        expected = counter.shift_summary().expected_cash
        counter.close_shift({1000: expected // 1000 - 2}, SUPERVISOR)  # 2 rials short
        for desk in (counter, console):
            desk.push_pending(wait=True)
    finally:
        counter.close()
        console.close()


@pytest.mark.parametrize("language", ["ar", "en"])
def test_supervisor_console_drawn(language, qapp, qtbot, tmp_path):
    an_office_day(tmp_path)
    app = counter_logged_in(
        qapp, qtbot, tmp_path / "console", language, "aisha", DEMO_PINS["aisha"], SIZE
    )
    window = app.window
    assert {a.key: a for a in window.key_actions()}[Qt.Key.Key_F12].shown
    press(qtbot, Qt.Key.Key_F12)
    busy_done(qtbot, app)
    day_screen = window.current()
    assert day_screen.name == "supervisor_day"
    day = app.ctx.desk.office_day()
    assert day_screen.day == day
    assert day_screen.amounts["takings"].baisa == day.takings
    assert day_screen.by_clerk.rowCount() == len(day.by_clerk) == 2
    assert sum(v for _, v in day_screen.hours.bars) == day.takings
    saved = [save(window, f"{language}-60-supervisor-day")]

    window.show_screen("supervisor_shifts")
    busy_done(qtbot, app)
    shifts = window.current()
    assert shifts.table.rowCount() == len(day.shifts) == 2  # the counter's, the console's
    closed = next(i for i, s in enumerate(shifts.shifts) if s.variance is not None)
    shifts.table.setCurrentCell(closed, 0)
    assert shifts.shifts[closed].variance == -2000
    saved.append(save(window, f"{language}-61-supervisor-shifts"))

    window.show_screen("supervisor_approvals")
    busy_done(qtbot, app)
    approvals = window.current()
    saved.append(save(window, f"{language}-62-supervisor-approvals"))
    assert approvals.table.rowCount() == len(app.ctx.desk.approvals())

    window.show_screen("supervisor_sync")
    busy_done(qtbot, app)
    sync = window.current()
    assert len(sync.problems) == 1 and sync.problems[0].state == "flagged"
    sync.note.setText("paid back" if language == "en" else "رُدّ المبلغ نقدًا")
    saved.append(save(window, f"{language}-63-supervisor-sync"))
    sync.record()
    busy_done(qtbot, app)
    qtbot.waitUntil(lambda: sync.problems == [], timeout=20_000)
    assert [p.resolution for p in app.ctx.desk.sync_problems(include_resolved=True)] == [
        "refund_paid"
    ]
    for path in saved:
        assert path.stat().st_size > 10_000
    # The day report as the supervisor exports it, kept beside the pictures to be looked at.
    folder = saved[0].parent
    pdf = app.ctx.desk.day_report_pdf(path=folder / f"{language}-64-day-report.pdf")
    csv = app.ctx.desk.day_report_csv_file(path=folder / f"{language}-64-day-report.csv")
    assert pdf.read_bytes().startswith(b"%PDF") and csv.read_text().startswith("section,")
