from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from erial_desk.domain.clock import (
    ManualClock,
    SystemClock,
    muscat_text,
    now_stamp,
    parse_stamp,
    stamp,
    utc_day,
)


def test_stamp_round_trips_with_microseconds():
    moment = datetime(2026, 3, 1, 20, 59, 58, 123456, tzinfo=UTC)
    assert stamp(moment) == "2026-03-01T20:59:58.123456Z"
    assert parse_stamp(stamp(moment)) == moment


def test_stamp_converts_other_offsets_to_utc():
    gulf = timezone(timedelta(hours=4))
    assert stamp(datetime(2026, 3, 2, 0, 30, tzinfo=gulf)) == "2026-03-01T20:30:00.000000Z"


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-01T20:30:00Z",
        "2026-03-01T20:30:00.000000Z",
        "2026-03-01T20:30:00+00:00",
        "2026-03-02T00:30:00+04:00",
        "2026-03-01T20:30:00",
    ],
)
def test_parse_accepts_every_form_stored_so_far(text):
    assert parse_stamp(text) == datetime(2026, 3, 1, 20, 30, tzinfo=UTC)


def test_muscat_time_is_four_hours_ahead_and_crosses_midnight():
    assert muscat_text("2026-03-01T20:30:00.000000Z") == "2026-03-02 00:30:00"
    assert utc_day("2026-03-01T20:30:00.000000Z") == "2026-03-01"


def test_manual_clock_moves_only_when_told():
    clock = ManualClock("2026-05-05T05:00:00Z")
    assert clock.now() == clock.now() == datetime(2026, 5, 5, 5, tzinfo=UTC)
    clock.advance(timedelta(minutes=16))
    assert now_stamp(clock) == "2026-05-05T05:16:00.000000Z"
    clock.set("2027-01-01T00:00:00Z")
    assert utc_day(clock.now()) == "2027-01-01"


def test_system_clock_is_aware_utc():
    now = SystemClock().now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
