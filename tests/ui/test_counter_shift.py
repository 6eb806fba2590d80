"""A clerk's shift by keyboard alone, in Arabic and in English: log in (a wrong PIN first), open
the shift, lock and unlock, a cash drop approved by a supervisor, the X report, and a close with
a variance the supervisor approves."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from erial_desk.services import Desk
from erial_desk.ui.app import CounterApp
from tests.conftest import DEMO_PINS, make_desk

from .helpers import approve_as, press


@pytest.fixture
def data_dir(tmp_path):
    desk = make_desk(tmp_path / "desk")
    desk.close()
    return tmp_path / "desk"


@pytest.fixture(params=["ar", "en"])
def counter(request, qapp, qtbot, data_dir):
    app = CounterApp(qapp, lambda: Desk.open(data_dir), request.param)
    window = app.window
    qtbot.addWidget(window)
    window.show()
    app.start()
    qtbot.waitUntil(lambda: app.ctx.is_open, timeout=20_000)
    yield app
    app.shutdown()


def screen(app) -> str:
    return app.window.current().name


def wait_idle(qtbot, app) -> None:
    qtbot.waitUntil(lambda: not app.ctx.runner.busy, timeout=20_000)


def log_in(qtbot, app, operator: str, pin: str) -> None:
    login = app.login
    login.operator.lineEdit().selectAll()
    qtbot.keyClicks(login.operator.lineEdit(), operator)
    qtbot.keyClicks(login.pad.field, pin)
    press(qtbot, Qt.Key.Key_Return, login.pad.field)
    wait_idle(qtbot, app)


def count_notes(qtbot, form, value: int, typed: str) -> None:
    """The clerk types how many notes of ``value`` they counted."""
    spin = form.count.spins[value]
    spin.selectAll()
    qtbot.keyClicks(spin, typed)


def test_a_shift_from_open_to_close_by_keyboard(counter, qtbot):
    app = counter
    window = app.window
    assert screen(app) == "login"

    log_in(qtbot, app, "salim", "0000")  # wrong PIN: told, still at the login
    assert screen(app) == "login"
    assert app.login.error.text()
    log_in(qtbot, app, "salim", DEMO_PINS["salim"])
    assert screen(app) == "home"
    assert app.ctx.operator.operator_id == "salim"

    # F8: no shift open yet, so the float count opens.
    press(qtbot, Qt.Key.Key_F8, window)
    qtbot.waitUntil(lambda: screen(app) == "shift_open")
    open_screen = window.current()
    count_notes(qtbot, open_screen, 10000, "3")  # three 10-rial notes
    press(qtbot, Qt.Key.Key_Return, open_screen.confirm)
    qtbot.waitUntil(lambda: screen(app) == "home", timeout=20_000)
    assert app.ctx.desk.drawer_formula().float_total == 30_000

    # F9 locks; the same operator's PIN unlocks.
    press(qtbot, Qt.Key.Key_F9, window)
    assert screen(app) == "lock"
    press(qtbot, Qt.Key.Key_F8, window)  # nothing but the PIN works while locked
    assert screen(app) == "lock"
    qtbot.keyClicks(window.screen_named("lock").pad.field, DEMO_PINS["salim"])
    press(qtbot, Qt.Key.Key_Return, window.screen_named("lock").pad.field)
    qtbot.waitUntil(lambda: screen(app) == "home", timeout=20_000)

    # A cash drop of 10 rials, approved by the supervisor on this terminal.
    press(qtbot, Qt.Key.Key_F8, window)
    qtbot.waitUntil(lambda: screen(app) == "shift" and window.current().drop_button.isEnabled())
    press(qtbot, Qt.Key.Key_Space, window.current().drop_button)
    assert screen(app) == "cash_drop"
    drop = window.current()
    count_notes(qtbot, drop, 10000, "1")
    press(qtbot, Qt.Key.Key_Return, drop.confirm)  # no reason yet: it is asked for
    assert drop.error.text() and drop.reason.hasFocus()
    qtbot.keyClicks(drop.reason, "Drawer over its limit")
    approve_as(qtbot, "aisha", DEMO_PINS["aisha"])
    press(qtbot, Qt.Key.Key_Return, drop.reason)
    qtbot.waitUntil(lambda: screen(app) == "home", timeout=20_000)
    wait_idle(qtbot, app)
    assert app.ctx.desk.drawer_formula().expected == 20_000

    # The X report shows the shift so far.
    assert window.message.text()  # what was recorded is said on the message line
    press(qtbot, Qt.Key.Key_F8, window)
    qtbot.waitUntil(lambda: screen(app) == "shift" and window.current().report_button.isEnabled())
    press(qtbot, Qt.Key.Key_Space, window.current().report_button)
    assert screen(app) == "x_report"
    wait_idle(qtbot, app)
    assert window.current()._cells

    # Close with one rial missing: beyond the tolerance, the supervisor approves the variance.
    press(qtbot, Qt.Key.Key_Escape, window)
    assert screen(app) == "home"
    press(qtbot, Qt.Key.Key_F8, window)
    qtbot.waitUntil(lambda: screen(app) == "shift" and window.current().close_button.isEnabled())
    press(qtbot, Qt.Key.Key_Space, window.current().close_button)
    close = window.current()
    assert close.name == "shift_close"
    wait_idle(qtbot, app)
    assert close.expected.baisa == 20_000
    count_notes(qtbot, close, 10000, "1")
    count_notes(qtbot, close, 5000, "1")
    count_notes(qtbot, close, 1000, "4")  # 19 rials counted
    assert close.variance.baisa == -1_000
    approve_as(qtbot, "aisha", DEMO_PINS["aisha"])
    press(qtbot, Qt.Key.Key_Return, close.confirm)
    qtbot.waitUntil(lambda: screen(app) == "home", timeout=20_000)
    wait_idle(qtbot, app)
    summary = app.ctx.desk.shift_summary()
    assert summary.closed_at is not None
    assert (summary.counted_total, summary.variance, summary.close_approver) == (
        19_000,
        -1_000,
        "aisha",
    )
