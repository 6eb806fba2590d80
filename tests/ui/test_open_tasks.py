"""Ctrl+Tab: a task left half-done for another screen is found again as it was left, in the
order the tasks were started; a finished task is no longer offered."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from erial_desk.domain.policy import BillKind
from tests.conftest import DEMO_PINS, make_desk

from .helpers import counter_logged_in, press, shift_with_a_subscriber
from .test_counter_shift import screen, wait_idle


@pytest.fixture
def counter(qapp, qtbot, tmp_path):
    make_desk(tmp_path / "desk", "MCT-HQ").close()
    app = counter_logged_in(qapp, qtbot, tmp_path / "desk", "en", "salim", DEMO_PINS["salim"])
    app.account = shift_with_a_subscriber(app.ctx.desk)
    yield app
    app.shutdown()


def next_task(qtbot, window, backwards: bool = False) -> None:
    modifiers = Qt.KeyboardModifier.ControlModifier
    if backwards:
        modifiers |= Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Tab, modifiers)


def test_ctrl_tab_comes_back_to_each_open_task_as_it_was(counter, qtbot):
    app, window = counter, counter.window
    press(qtbot, Qt.Key.Key_Escape, window)
    next_task(qtbot, window)  # nothing started yet
    assert screen(app) == "home"
    assert window.message.text() == "No other task is open."

    # A top-up is started (subscriber and amount), then the clerk turns to a bill.
    app.open_for("top_up", app.account)
    top_up = window.current()
    qtbot.waitUntil(lambda: top_up.subscriber is not None, timeout=20_000)
    qtbot.keyClicks(top_up.amount, "7")
    press(qtbot, Qt.Key.Key_F4, window)
    bills = window.current()
    assert bills.name == "bills"
    bills.service.setCurrentIndex(bills.service.findData(BillKind.LEASE))
    qtbot.keyClicks(bills.key, "12345678")
    press(qtbot, Qt.Key.Key_F2, window)  # and to the search
    assert screen(app) == "search"
    assert window.open_tasks() == ["top_up", "bills"]
    assert "2 open tasks" in "".join(
        label.text() for label in window.keys.findChildren(type(window.message))
    )

    next_task(qtbot, window)  # the first task started, as it was left
    assert screen(app) == "top_up"
    assert top_up.amount.text() == "7" and top_up.subscriber is not None
    next_task(qtbot, window)
    assert screen(app) == "bills" and bills.key.text() == "12345678"
    next_task(qtbot, window, backwards=True)
    assert screen(app) == "top_up"

    # The top-up is finished: it is no longer an open task.
    press(qtbot, Qt.Key.Key_Return, top_up.amount)
    press(qtbot, Qt.Key.Key_Return, top_up.confirm)
    wait_idle(qtbot, app)
    qtbot.waitUntil(lambda: not top_up.has_open_task(), timeout=20_000)
    assert app.ctx.desk.known_balance(app.account) == 7_000
    next_task(qtbot, window)
    assert screen(app) == "bills"
    next_task(qtbot, window)
    assert screen(app) == "bills"
    assert window.message.text() == "No other task is open."


def test_ctrl_tab_does_nothing_on_the_lock_screen(counter, qtbot):
    app, window = counter, counter.window
    app.open_for("top_up", app.account)
    qtbot.keyClicks(window.current().amount, "3")
    press(qtbot, Qt.Key.Key_F9, window)
    assert screen(app) == "lock"
    next_task(qtbot, window)
    assert screen(app) == "lock"
