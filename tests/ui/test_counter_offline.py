"""Offline is a state, not an error: with central out of reach the screens that need it say so
before the clerk starts, and a money action's confirmation says it will be pending sync."""

from __future__ import annotations

from dataclasses import replace

from erial_desk.services.sync_service import SyncStatus
from erial_desk.ui.words import t
from tests.conftest import DEMO_PINS, make_desk

from .helpers import counter_logged_in, shift_with_a_subscriber


def test_screens_needing_central_say_so_before_the_clerk_starts(qapp, qtbot, tmp_path):
    make_desk(tmp_path / "desk").close()
    app = counter_logged_in(qapp, qtbot, tmp_path / "desk", "en", "salim", DEMO_PINS["salim"])
    desk = app.ctx.desk
    account = shift_with_a_subscriber(desk)
    online = desk.counter_status()
    offline = replace(
        online,
        sync=SyncStatus(
            enrolled=True,
            online=False,
            waiting=2,
            flagged=0,
            rejected=0,
            last_sync=None,
            last_error="unreachable",
            revoked=False,
        ),
    )
    for name in ("top_up", "bills", "void"):
        app.open_for(name, account)
        qtbot.waitUntil(lambda: not app.ctx.runner.busy, timeout=20_000)
        screen = app.window.current()
        assert not screen.offline.isVisible()  # the demo's local central is always there
        screen._status(offline)
        assert screen.offline.isVisible() and screen.offline.text()
        if name != "void":
            assert screen.confirmation.text().startswith(t("Pending sync"))
        screen._status(online)
        assert not screen.offline.isVisible()
    app.shutdown()
