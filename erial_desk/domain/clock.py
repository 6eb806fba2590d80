"""Time, in one place: the clock the desk and central read, and the one text form of a moment.

Everything that depends on "now" (lockouts, offline caps, the age of a balance, the day of a
top-up) takes a ``Clock``, so tests move time forward instead of editing rows. Journal times are
UTC text with microseconds and a Z; receipts show Muscat local time.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Protocol

# Oman keeps UTC+4 all year (no daylight saving): a fixed offset needs no time-zone database,
# which a Windows desk may lack.
MUSCAT = timezone(timedelta(hours=4), "GST")

STAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# The issue time a receipt's QR code carries: UTC to the second, short enough for a small code.
QR_STAMP_FORMAT = "%Y%m%dT%H%M%SZ"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, time-zone aware, in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to: for tests and simulations."""

    def __init__(self, start: datetime | str = "2026-01-01T08:00:00.000000Z") -> None:
        self._now = parse_stamp(start) if isinstance(start, str) else start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, by: timedelta) -> datetime:
        with self._lock:
            self._now += by
            return self._now

    def set(self, moment: datetime | str) -> None:
        with self._lock:
            self._now = parse_stamp(moment) if isinstance(moment, str) else moment.astimezone(UTC)


SYSTEM_CLOCK: Clock = SystemClock()


def stamp(moment: datetime) -> str:
    """A moment as journal entries and central store it: UTC, microseconds, Z."""
    return moment.astimezone(UTC).strftime(STAMP_FORMAT)


def now_stamp(clock: Clock = SYSTEM_CLOCK) -> str:
    return stamp(clock.now())


def parse_stamp(text: str) -> datetime:
    """A stored UTC time (with Z or an offset, any precision) as an aware datetime in UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # older rows were written without an offset
    return moment.astimezone(UTC)


def utc_day(moment: datetime | str) -> str:
    """The UTC calendar day of a moment, as central groups entries: YYYY-MM-DD."""
    value = parse_stamp(moment) if isinstance(moment, str) else moment.astimezone(UTC)
    return value.strftime("%Y-%m-%d")


def muscat_text(moment: datetime | str) -> str:
    """A moment as people read it at the counter: Muscat local time to the second."""
    value = parse_stamp(moment) if isinstance(moment, str) else moment
    return value.astimezone(MUSCAT).strftime("%Y-%m-%d %H:%M:%S")


def qr_stamp(moment: datetime | str) -> str:
    """A moment as a receipt's QR code carries it: ``20260101T080000Z``."""
    value = parse_stamp(moment) if isinstance(moment, str) else moment.astimezone(UTC)
    return value.strftime(QR_STAMP_FORMAT)


def parse_qr_stamp(text: str) -> datetime | None:
    """The moment of ``qr_stamp``'s text, in UTC; None when the text is not one."""
    if len(text) != len("20260101T080000Z"):
        return None
    try:
        return datetime.strptime(text, QR_STAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
