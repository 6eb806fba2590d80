"""One person, one account in the window: registration of a known ID offers to open the
account it has; the supervisor's console lists duplicate accounts and merges one after the ID
check (the button waits for the tick). Drawn in Arabic and English at 1024x768
(test-artefacts/ui/)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from erial_desk.domain.demo_records import OPERATORS
from erial_desk.ui.screens.supervisor_nav import console_pages
from tests.conftest import central_of_test, make_desk
from tests.services.test_payments import register

from .helpers import counter_logged_in, press, type_text
from .test_counter_screenshots import save
from .test_counter_shift import screen, wait_idle
from .test_screenshots import SIZE

PINS = {o[0]: o[5] for o in OPERATORS}


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_known_id_opens_the_account_it_has(language, qapp, qtbot, tmp_path):
    desk = make_desk(tmp_path / "desk")
    desk.login("salim", PINS["salim"])
    desk.open_shift({10000: 3})
    account = register(desk, civil="13572468")
    desk.close()
    app = counter_logged_in(qapp, qtbot, tmp_path / "desk", language, "salim", PINS["salim"], SIZE)
    try:
        press(qtbot, Qt.Key.Key_F6, app.window)
        form = app.window.current()
        assert form.name == "registration" and not form.existing.isVisible()
        type_text(form.name_ar, "أحمد")
        qtbot.keyClicks(form.name_en, "Ahmed")
        qtbot.keyClicks(form.number, "13572468")
        qtbot.keyClicks(form.mobile, "91234567")
        form.submit()
        wait_idle(qtbot, app)
        assert form.existing.isVisible() and form.existing_account == account
        assert account in form.existing.text()
        save(app.window, f"{language}-36-registration-open-existing")
        press(qtbot, Qt.Key.Key_Return, form.existing)  # focus is on it: Enter opens it
        qtbot.waitUntil(lambda: screen(app) == "subscriber", timeout=20_000)
        assert app.window.current().account == account
        entries = [e for e in app.ctx.desk.entries() if e["type"] == "subscriber_registered"]
        assert len(entries) == 1  # nothing registered again
    finally:
        app.shutdown()


def two_offline_registrations(tmp_path) -> tuple[str, str]:
    """Two internal counters offline register one civil number and take a top-up each; the
    first is the console's own terminal. (first account, duplicate)."""
    central = central_of_test()
    console = make_desk(tmp_path / "console")
    bawshar = make_desk(tmp_path / "bawshar", "MCT-BWR")
    try:
        for desk, clerk in ((console, "salim"), (bawshar, "yousuf")):
            desk._central._sleep = lambda _seconds: None
            desk.login(clerk, PINS[clerk])
            desk.open_shift({})
        central.stop()
        first = register(console, civil="24681357", pin="4321")
        console.top_up(first, 7_000)
        duplicate = register(bawshar, civil="24681357", pin="2468")
        bawshar.top_up(duplicate, 5_000)
        central.start()
        for desk in (console, bawshar):
            desk.push_pending(wait=True)
        return first, duplicate
    finally:
        console.close()
        bawshar.close()


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_supervisor_merges_a_duplicate_account(language, qapp, qtbot, tmp_path):
    first, duplicate = two_offline_registrations(tmp_path)
    app = counter_logged_in(
        qapp, qtbot, tmp_path / "console", language, "aisha", PINS["aisha"], SIZE
    )
    try:
        press(qtbot, Qt.Key.Key_F12)
        wait_idle(qtbot, app)
        app.window.show_screen("supervisor_duplicates")
        wait_idle(qtbot, app)
        page = app.window.current()
        assert page.name == "supervisor_duplicates"
        assert [(d.duplicate.account, d.first.account) for d in page.duplicates] == [
            (duplicate, first)
        ]
        assert page.table.rowCount() == 1
        assert not page.merge_button.isEnabled()  # not before the ID check
        page.id_checked.setChecked(True)
        assert page.merge_button.isEnabled()
        save(app.window, f"{language}-64-supervisor-duplicates")
        qtbot.mouseClick(page.merge_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.duplicates == [], timeout=20_000)
        wait_idle(qtbot, app)
        assert page.table.rowCount() == 0
        assert app.ctx.desk._central.wallet_balance(first) == 12_000
        save(app.window, f"{language}-65-supervisor-duplicates-merged")
    finally:
        app.shutdown()


def test_a_cafe_supervisor_has_no_duplicates_page(qapp, qtbot, tmp_path):
    make_desk(tmp_path / "cafe", "CAFE-RUWI").close()
    app = counter_logged_in(qapp, qtbot, tmp_path / "cafe", "en", "noora", PINS["noora"], SIZE)
    try:
        press(qtbot, Qt.Key.Key_F12)
        wait_idle(qtbot, app)
        assert "supervisor_duplicates" not in dict(console_pages(app.ctx))
        assert app.ctx.desk.may_merge_duplicates() is False
    finally:
        app.shutdown()
