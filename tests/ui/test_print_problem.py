"""A receipt that fails to print opens the print-problem dialog; the transaction stays recorded,
and Try again prints it exactly once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from erial_desk.printing.connections import PdfOutput
from erial_desk.services import Desk
from erial_desk.ui.app import CounterApp
from erial_desk.ui.dialogs.print_problem import PrintProblemDialog
from erial_desk.ui.print_flow import print_waiting
from tests.conftest import DEMO_PINS, make_desk
from tests.services.test_payments import register


@pytest.fixture
def counter(qapp, qtbot, tmp_path):
    make_desk(tmp_path / "desk").close()
    app = CounterApp(qapp, lambda: Desk.open(tmp_path / "desk"), "en")
    qtbot.addWidget(app.window)
    app.window.show()
    app.start()
    qtbot.waitUntil(lambda: app.ctx.is_open, timeout=20_000)
    yield app
    app.shutdown()


def test_a_failed_receipt_is_retried_once(counter, qtbot, tmp_path):
    app = counter
    desk = app.ctx.desk
    session = desk.login("salim", DEMO_PINS["salim"])
    app.ctx.set_operator(session)
    desk.open_shift({10000: 3})
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the printer's folder should be")
    desk.use_printer(PdfOutput(blocked))  # the printer fails: cannot write there

    account = register(desk)
    desk.top_up(account, "5")  # committed; its receipt waits in the print queue
    print_waiting(app.ctx, app.window)  # what every screen does after a money action
    qtbot.waitUntil(
        lambda: (
            isinstance(QApplication.activeModalWidget(), PrintProblemDialog)
            or any(
                isinstance(w, PrintProblemDialog) and w.isVisible()
                for w in QApplication.topLevelWidgets()
            )
        ),
        timeout=20_000,
    )
    dialog = next(
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, PrintProblemDialog) and w.isVisible()
    )
    assert "recorded" in dialog.recorded.text()
    assert dialog.job.state == "failed" and dialog.job.error
    assert desk.drawer_formula().cash_in == 5_000  # the top-up is recorded all the same

    printed_to = tmp_path / "printouts"
    desk.use_printer(PdfOutput(printed_to))  # paper back in
    qtbot.keyClick(dialog.retry_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20_000)
    assert len(list(printed_to.glob("*.pdf"))) == 1
    # Asking again does not print the same receipt twice.
    again = desk.retry_print(dialog.job.job_id)
    assert again.state == "printed"
    assert len(list(printed_to.glob("*.pdf"))) == 1
