"""The console's operators screen driven by keyboard: the supervisor locks a clerk, gives them a
new PIN typed twice, and unlocks them, each approved with their own PIN; another terminal of the
office refuses the locked clerk and takes the new PIN once it synced. Drawn in Arabic and English
at 1024x768 (test-artefacts/ui/)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from erial_desk.domain.errors import AuthError
from erial_desk.ui.dialogs.approval import ApprovalDialog
from erial_desk.ui.dialogs.operator_pin import OperatorPinDialog
from erial_desk.ui.words import t
from tests.conftest import DEMO_PINS, central_of_test, make_desk

from .helpers import approve_as, counter_logged_in, press, when_modal
from .test_screenshots import SIZE
from .test_screenshots import save as save_picture


def save(widget, name: str):
    QApplication.processEvents()
    return save_picture(widget, name)


def settled(qtbot, app) -> None:
    qtbot.waitUntil(lambda: not app.ctx.runner.busy, timeout=20_000)


def press_button(qtbot, screen, button: QPushButton) -> None:
    """Tab from the list to ``button`` and press Space on it, as a supervisor at the keyboard."""
    screen.table.setFocus()
    for _ in range(12):
        if QApplication.focusWidget() is button:
            break
        press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is button
    press(qtbot, Qt.Key.Key_Space)


def state_of(screen, operator_id: str) -> str:
    row = [o.operator_id for o in screen.staff].index(operator_id)
    return screen.table.item(row, 3).text()


@pytest.mark.parametrize("language", ["ar", "en"])
def test_operators_locked_unlocked_and_given_a_new_pin(language, qapp, qtbot, tmp_path):
    counter = make_desk(tmp_path / "counter")
    make_desk(tmp_path / "console").close()
    app = counter_logged_in(
        qapp, qtbot, tmp_path / "console", language, "aisha", DEMO_PINS["aisha"], SIZE
    )
    window = app.window
    press(qtbot, Qt.Key.Key_F12)
    settled(qtbot, app)
    buttons = window.current().findChildren(QPushButton)
    nav = next(b for b in buttons if b.text() == t("Operators"))
    nav.setFocus()
    press(qtbot, Qt.Key.Key_Space)
    settled(qtbot, app)
    screen = window.current()
    assert screen.name == "supervisor_operators"
    assert [o.operator_id for o in screen.staff] == ["aisha", "salim"]
    assert not screen.offline.isVisible()
    # The supervisor's own row: nothing to do on oneself.
    screen.table.setCurrentCell(0, 0)
    assert not any(b.isEnabled() for b in screen.buttons)
    screen.table.setFocus()
    press(qtbot, Qt.Key.Key_Down)
    assert screen.chosen().operator_id == "salim"
    assert screen.lock_button.isEnabled() and not screen.unlock_button.isEnabled()

    pictures = []
    when_modal(ApprovalDialog, lambda d: pictures.append(save(d, f"{language}-66-lock-approval")))
    approve_as(qtbot, "aisha", DEMO_PINS["aisha"])
    press_button(qtbot, screen, screen.lock_button)
    settled(qtbot, app)
    qtbot.waitUntil(lambda: not screen.staff[1].active, timeout=20_000)
    assert pictures
    assert state_of(screen, "salim") == t("Locked: cannot log in")
    assert screen.unlock_button.isEnabled() and not screen.lock_button.isEnabled()
    saved = [save(window, f"{language}-65-supervisor-operators")]
    counter.pull()
    with pytest.raises(AuthError) as refused:
        counter.login("salim", DEMO_PINS["salim"])
    assert refused.value.code == "login.inactive"

    def type_twice(dialog) -> None:
        for pin in ("86420", "86421"):  # a slip: the two differ, the pad asks again
            qtbot.keyClicks(dialog.pad.field, pin)
            qtbot.keyClick(dialog.pad.field, Qt.Key.Key_Return)
        assert dialog.problem.text()
        saved.append(save(dialog, f"{language}-66-operator-new-pin"))
        for _ in range(2):
            qtbot.keyClicks(dialog.pad.field, "86420")
            qtbot.keyClick(dialog.pad.field, Qt.Key.Key_Return)

    when_modal(OperatorPinDialog, type_twice)
    approve_as(qtbot, "aisha", DEMO_PINS["aisha"])
    press_button(qtbot, screen, screen.pin_button)
    settled(qtbot, app)
    assert screen.error.text() == ""

    approve_as(qtbot, "aisha", DEMO_PINS["aisha"])
    press_button(qtbot, screen, screen.unlock_button)
    settled(qtbot, app)
    qtbot.waitUntil(lambda: screen.staff[1].active, timeout=20_000)

    # A wrong supervisor PIN changes nothing and says so in a sentence.
    approve_as(qtbot, "aisha", "0000")
    press_button(qtbot, screen, screen.lock_button)
    settled(qtbot, app)
    assert screen.error.text() == t("Supervisor approval failed: wrong supervisor or PIN.")
    assert screen.staff[1].active
    saved.append(save(window, f"{language}-67-supervisor-operators-refused"))

    counter.pull()
    with pytest.raises(AuthError):
        counter.login("salim", DEMO_PINS["salim"])
    assert counter.login("salim", "86420").operator_id == "salim"
    counter.close()
    for path in saved:
        assert path.stat().st_size > 5_000


@pytest.mark.parametrize("language", ["ar", "en"])
def test_offline_the_screen_says_so_before_the_supervisor_starts(language, qapp, qtbot, tmp_path):
    make_desk(tmp_path / "console").close()
    app = counter_logged_in(
        qapp, qtbot, tmp_path / "console", language, "aisha", DEMO_PINS["aisha"], SIZE
    )
    central_of_test().stop()
    app.ctx.desk.sync_once()  # the failed sync tells the desk central is away
    app.window.show_screen("supervisor_operators")
    settled(qtbot, app)
    screen = app.window.current()
    qtbot.waitUntil(lambda: screen.offline.isVisible(), timeout=20_000)
    screen.table.setCurrentCell(1, 0)
    assert screen.chosen().operator_id == "salim"
    assert not any(b.isEnabled() for b in screen.buttons)
    save(app.window, f"{language}-68-supervisor-operators-offline")
