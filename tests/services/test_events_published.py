"""Each use case tells what it changed, once per commit, and nothing when it is refused."""

from __future__ import annotations

import pytest

from erial_desk.domain.errors import DeskError
from erial_desk.services import Approval
from erial_desk.services.events import (
    EntryCommitted,
    Event,
    SessionChanged,
    ShiftChanged,
    SyncStatusChanged,
)
from tests.conftest import DEMO_PINS
from tests.services.test_payments import register


@pytest.fixture
def heard(desk):
    events: list[Event] = []
    desk.events.subscribe(Event, events.append)
    return events


def kinds(events: list[Event]) -> list[str]:
    return [type(e).__name__ for e in events]


def test_login_shift_and_top_up_are_told_once_each(desk, heard):
    desk.login("salim", DEMO_PINS["salim"])
    assert heard == [SessionChanged("salim")]
    heard.clear()
    opened = desk.open_shift({10000: 2})
    committed = [e for e in heard if isinstance(e, EntryCommitted)]
    assert [(e.entry_type, e.entry_id) for e in committed] == [("shift_opened", opened.entry_id)]
    assert [e for e in heard if isinstance(e, ShiftChanged)] == [
        ShiftChanged(opened.entry_id, "open")
    ]
    account = register(desk)
    heard.clear()
    top_up = desk.top_up(account, "5")
    committed = [e for e in heard if isinstance(e, EntryCommitted)]
    assert [(e.entry_type, e.seq, e.account, e.shift_id) for e in committed] == [
        ("top_up", top_up.seq, account, opened.entry_id)
    ]


def test_a_refused_action_tells_nothing(desk, heard):
    desk.login("salim", DEMO_PINS["salim"])
    desk.open_shift({10000: 2})
    heard.clear()
    with pytest.raises(DeskError):
        desk.top_up("123", "5")  # not an account number
    with pytest.raises(DeskError):
        desk.cash_drop({10000: 1}, Approval("aisha", "0000"), "Safe run")  # wrong supervisor PIN
    with pytest.raises(DeskError):
        desk.open_shift({10000: 1})  # already open
    assert [e for e in heard if isinstance(e, EntryCommitted | ShiftChanged)] == []


def test_closing_tells_the_shift_closed_and_logout_the_session(desk, heard):
    desk.login("salim", DEMO_PINS["salim"])
    opened = desk.open_shift({10000: 2})
    desk.close_shift({10000: 2})
    assert ShiftChanged(opened.entry_id, "closed") in heard
    desk.logout()
    assert heard[-1] == SessionChanged(None)


def test_a_sync_round_tells_the_status(desk, heard):
    desk.sync_once()
    assert "SyncStatusChanged" in kinds(heard)
    assert isinstance([e for e in heard if isinstance(e, SyncStatusChanged)][-1].waiting, int)
