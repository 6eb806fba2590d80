"""Time-dependent rules tested by moving the desk's clock, not by editing rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from erial_desk.domain.clock import ManualClock
from erial_desk.domain.errors import AuthError
from erial_desk.services import Desk
from tests.conftest import DEMO_PINS, make_desk


@pytest.fixture
def clock():
    return ManualClock("2026-03-01T05:00:00Z")


@pytest.fixture
def timed_desk(tmp_path, clock):
    make_desk(tmp_path / "desk").close()
    desk = Desk.open(tmp_path / "desk", clock=clock)
    yield desk
    desk.close()


def test_an_operator_lockout_ends_when_its_time_has_passed(timed_desk, clock):
    attempts = timed_desk.policy.operator_pin_attempts
    minutes = timed_desk.policy.operator_lockout_minutes
    for _ in range(attempts - 1):
        with pytest.raises(AuthError) as refused:
            timed_desk.login("salim", "0000")
        assert refused.value.code == "login.failed"
    with pytest.raises(AuthError) as locked:
        timed_desk.login("salim", "0000")
    assert locked.value.code == "login.locked"
    # Muscat time (UTC+4) of the end of the lockout, as the clerk reads it.
    end = clock.now() + timedelta(minutes=minutes, hours=4)
    assert locked.value.params["until"] == end.strftime("%H:%M")

    clock.advance(timedelta(minutes=minutes - 1))
    with pytest.raises(AuthError) as still:
        timed_desk.login("salim", DEMO_PINS["salim"])  # even the right PIN waits
    assert still.value.code == "login.locked"
    clock.advance(timedelta(minutes=2))
    assert timed_desk.login("salim", DEMO_PINS["salim"]).operator_id == "salim"


def test_entries_carry_the_desks_time(timed_desk, clock):
    timed_desk.login("salim", DEMO_PINS["salim"])
    clock.advance(timedelta(hours=3, minutes=7))
    opened = timed_desk.open_shift({10000: 1})
    assert opened.at == "2026-03-01T08:07:00.000000Z"
