"""The window keeps turning while work runs behind it, and an action cannot be sent twice."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt, QTimer

from erial_desk.services import Desk
from erial_desk.ui.app import CounterApp
from tests.conftest import DEMO_PINS, make_desk


def test_double_enter_while_the_journal_is_busy_opens_one_shift(qapp, qtbot, tmp_path):
    make_desk(tmp_path / "desk").close()
    release = threading.Event()
    opening = threading.Event()

    def slow_open() -> Desk:
        opening.set()
        release.wait(20)  # central is slow to answer while the terminal opens
        return Desk.open(tmp_path / "desk")

    app = CounterApp(qapp, slow_open, "en")
    qtbot.addWidget(app.window)
    app.window.show()
    app.start()
    assert opening.wait(10)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    qtbot.waitUntil(lambda: len(ticks) >= 5)  # the event loop turns while the desk opens
    assert app.window.current().name == "login"
    app.login.log_in()  # the clerk is faster than the terminal: told to wait, nothing breaks
    assert app.login.error.text()
    release.set()
    qtbot.waitUntil(lambda: app.ctx.is_open, timeout=20_000)

    desk = app.ctx.desk
    app.ctx.set_operator(desk.login("salim", DEMO_PINS["salim"]))
    app.window.show_screen("shift_open")
    screen = app.window.current()
    screen.count.spins[10000].selectAll()
    qtbot.keyClicks(screen.count.spins[10000], "2")
    hold = threading.Event()
    app.ctx.call("slow-write", lambda _desk: hold.wait(20))  # the journal worker is busy
    qtbot.keyClick(screen.confirm, Qt.Key.Key_Space)
    assert not screen.confirm.isEnabled()  # disabled while it runs
    qtbot.keyClick(screen.confirm, Qt.Key.Key_Space)  # impatient: again
    screen.submit()  # and the confirm path itself, as a repeated Enter reaches it
    assert app.ctx.runner.is_running("open_shift")
    hold.set()
    qtbot.waitUntil(lambda: not app.ctx.runner.busy, timeout=20_000)
    opened = [e for e in desk.entries() if e["type"] == "shift_opened"]
    assert len(opened) == 1
    assert app.window.current().name == "home"
    timer.stop()
    app.shutdown()
