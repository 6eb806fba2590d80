"""The window's keys are Qt's shortcuts of the window, not an application-wide filter: they reach
the window over a focused combo box (which would open on F4) and a field (which would keep
Escape), real keys from the platform included; the backward Ctrl+Tab as a keyboard sends it
(Backtab); the idle lock hears keys and clicks that go through the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from tests.conftest import DEMO_PINS, make_desk

from .helpers import counter_logged_in, press, shift_with_a_subscriber
from .test_counter_shift import screen, wait_idle


@pytest.fixture
def counter(qapp, qtbot, tmp_path):
    make_desk(tmp_path / "desk", "MCT-HQ").close()
    app = counter_logged_in(qapp, qtbot, tmp_path / "desk", "en", "salim", DEMO_PINS["salim"])
    yield app
    app.shutdown()


def test_function_keys_and_escape_reach_the_window_over_a_combo_box_and_a_field(counter, qtbot):
    app, window = counter, counter.window
    press(qtbot, Qt.Key.Key_F4, window)
    bills = window.current()
    assert bills.name == "bills"
    bills.service.setFocus()
    assert bills.service.hasFocus()

    press(qtbot, Qt.Key.Key_F4, bills.service)  # the combo box's own key: the window takes it
    assert not bills.service.view().isVisible()
    assert screen(app) == "bills"
    press(qtbot, Qt.Key.Key_F2, bills.service)
    assert screen(app) == "search"

    search = window.current()
    search.query.setFocus()
    press(qtbot, Qt.Key.Key_Escape, search.query)
    assert screen(app) == "home"

    # A key from the platform goes through the window first, then to the focused widget.
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_F4)
    assert screen(app) == "bills"
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Escape)
    assert screen(app) == "home"


def test_a_dialog_keeps_its_own_keys(counter, qtbot):
    from PySide6.QtWidgets import QDialog, QLineEdit

    app, window = counter, counter.window
    dialog = QDialog(window)
    field = QLineEdit(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: field.hasFocus())
    QTest.keyClick(field, Qt.Key.Key_F4)
    assert screen(app) == "home"  # F4 was the dialog's, not the counter's bills
    QTest.keyClick(field, Qt.Key.Key_Escape)
    assert not dialog.isVisible()  # and Escape closed the dialog
    assert screen(app) == "home"


def test_ctrl_shift_tab_as_a_keyboard_sends_it_goes_back(counter, qtbot):
    app, window = counter, counter.window
    app.account = shift_with_a_subscriber(app.ctx.desk)
    app.open_for("top_up", app.account)
    top_up = window.current()
    qtbot.waitUntil(lambda: top_up.subscriber is not None, timeout=20_000)
    qtbot.keyClicks(top_up.amount, "7")
    press(qtbot, Qt.Key.Key_F4, window)
    qtbot.keyClicks(window.current().key, "12345678")
    press(qtbot, Qt.Key.Key_Escape, window)
    assert screen(app) == "home"
    control_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Backtab, control_shift)
    assert screen(app) == "bills"  # from Home, backwards: the last task started
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Backtab, control_shift)
    assert screen(app) == "top_up"
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert screen(app) == "bills"
    wait_idle(qtbot, app)


def test_the_idle_lock_hears_keys_and_clicks_and_locks_when_left_alone(counter, qtbot):
    app, window = counter, counter.window
    idle = app.idle
    assert idle.timer.isActive()  # armed at login
    full = idle.minutes * 60_000

    idle.timer.start(1_000)  # as if the counter had been left alone all but a second
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Left)
    assert idle.timer.remainingTime() > full - 60_000  # a key starts the wait again

    idle.timer.start(1_000)
    QTest.mouseClick(window.windowHandle(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert idle.timer.remainingTime() > full - 60_000  # and so does a click

    idle.timer.start(0)  # nobody touched it: the screen locks
    qtbot.waitUntil(lambda: screen(app) == "lock")
    assert not idle.timer.isActive()
