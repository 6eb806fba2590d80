"""Every screen and dialog of the shift, in Arabic and English, at 1024×768, saved as pictures
for a person to look at (test-artefacts/ui/). The test checks each picture was drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from erial_desk.services import Desk
from erial_desk.store.print_jobs import PrintJob
from erial_desk.ui.app import CounterApp
from erial_desk.ui.dialogs.approval import ApprovalDialog
from erial_desk.ui.dialogs.print_problem import PrintProblemDialog
from erial_desk.ui.dialogs.settings import SettingsDialog
from tests.conftest import DEMO_PINS, make_desk

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "ui"
SIZE = (1024, 768)


def save(widget, name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    QApplication.processEvents()  # what was just laid out is shown before the picture
    picture = widget.grab()
    assert not picture.isNull() and picture.width() > 0
    assert picture.save(str(path))
    return path


@pytest.mark.parametrize("language", ["ar", "en"])
def test_screens_and_dialogs_drawn(language, qapp, qtbot, tmp_path):
    make_desk(tmp_path / "desk").close()
    app = CounterApp(qapp, lambda: Desk.open(tmp_path / "desk"), language)
    window = app.window
    qtbot.addWidget(window)
    window.resize(*SIZE)
    window.show()
    app.start()
    qtbot.waitUntil(lambda: app.ctx.is_open, timeout=20_000)
    qtbot.waitUntil(lambda: app.login.operator.count() > 0, timeout=20_000)
    saved = [save(window, f"{language}-01-login")]

    desk = app.ctx.desk
    session = desk.login("salim", DEMO_PINS["salim"])
    app.ctx.set_operator(session)
    app.login.logged_in.emit(session)
    qtbot.waitUntil(lambda: not app.ctx.runner.busy, timeout=20_000)
    saved.append(save(window, f"{language}-02-home"))
    for index, name in enumerate(["shift_open"], start=3):
        window.show_screen(name)
        qtbot.waitUntil(lambda: not app.ctx.runner.busy, timeout=20_000)
        saved.append(save(window, f"{language}-{index:02d}-{name}"))
    desk.open_shift({10000: 3, 1000: 5})
    for index, name in enumerate(["shift", "cash_drop", "x_report", "shift_close"], start=4):
        window.show_screen(name)
        qtbot.waitUntil(lambda: not app.ctx.runner.busy, timeout=20_000)
        saved.append(save(window, f"{language}-{index:02d}-{name}"))
    app.lock()
    saved.append(save(window, f"{language}-08-lock"))

    approval = ApprovalDialog("Cash drop of 10.000 OMR to the safe.", window)
    approval.resize(480, 520)
    saved.append(save(approval, f"{language}-09-approval"))
    job = PrintJob(
        7, None, "top_up", False, None, None, "failed", "print.paper", "Paper out", 1, None, "", ""
    )
    problem = PrintProblemDialog(app.ctx, job, window)
    saved.append(save(problem, f"{language}-10-print-problem"))
    settings = SettingsDialog(app.ctx, desk.settings, window)
    saved.append(save(settings, f"{language}-11-settings"))
    QTimer.singleShot(0, approval.reject)
    app.shutdown()
    assert all(path.stat().st_size > 1000 for path in saved)


def test_settings_are_offered_to_supervisors_only(qapp, qtbot, tmp_path):
    make_desk(tmp_path / "desk").close()
    app = CounterApp(qapp, lambda: Desk.open(tmp_path / "desk"), "en")
    qtbot.addWidget(app.window)
    app.start()
    qtbot.waitUntil(lambda: app.ctx.is_open, timeout=20_000)
    desk = app.ctx.desk
    app.ctx.set_operator(desk.login("salim", DEMO_PINS["salim"]))
    assert "Settings" not in [a.label for a in app.global_actions()]
    app.ctx.set_operator(desk.login("aisha", DEMO_PINS["aisha"]))
    assert "Settings" in [a.label for a in app.global_actions()]
    app.shutdown()
