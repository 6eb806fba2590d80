"""Escape while a look-up waits on central gives it up: the screen stays, says nothing was
recorded, and the look-up can be asked again; with nothing waiting, Escape goes back as ever."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from erial_desk.domain.errors import Cancelled
from tests.conftest import DEMO_PINS, make_desk

from .helpers import counter_logged_in, press
from .test_counter_shift import screen


def test_escape_gives_up_a_waiting_look_up_and_stays(qapp, qtbot, tmp_path):
    make_desk(tmp_path / "desk").close()
    app = counter_logged_in(qapp, qtbot, tmp_path / "desk", "en", "salim", DEMO_PINS["salim"])
    window = app.window
    press(qtbot, Qt.Key.Key_F4, window)
    bills = window.current()
    assert bills.name == "bills"
    started = threading.Event()
    refused: list[BaseException] = []

    def waits_on_central(desk, deadline):  # as a look-up behind a slow network would
        started.set()
        while not deadline.cancelled:
            threading.Event().wait(0.01)
        deadline.check()

    def told(exc: BaseException) -> None:
        refused.append(exc)
        bills.error.setText(app.ctx.sentence(exc))

    assert app.ctx.call_cancellable("find_bills", waits_on_central, failure=told)
    assert not app.ctx.call_cancellable("find_bills", waits_on_central)  # never twice
    started.wait(10)
    press(qtbot, Qt.Key.Key_Escape, window)
    qtbot.waitUntil(lambda: bool(refused), timeout=10_000)
    assert isinstance(refused[0], Cancelled)
    assert screen(app) == "bills"  # given up, not gone back
    assert bills.error.text().startswith("Cancelled: nothing was recorded")
    assert not app.ctx.runner.busy
    press(qtbot, Qt.Key.Key_Escape, window)  # nothing waits now: back Home
    assert screen(app) == "home"
    app.shutdown()
