"""``Deadline``: a time limit read from an injected clock, and a cancel switch."""

from __future__ import annotations

import threading

import pytest

from erial_desk.domain.deadline import Deadline, check
from erial_desk.domain.errors import Cancelled, CentralUnavailable


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_without_a_limit_only_a_cancel_stops_the_call():
    deadline = Deadline()
    assert deadline.remaining() is None and not deadline.expired
    assert deadline.bound(4.0) == 4.0
    check(deadline)
    check(None)
    deadline.cancel()
    with pytest.raises(Cancelled):
        check(deadline)


def test_a_limit_bounds_each_wait_and_then_reads_as_central_unreachable():
    ticks = Ticks()
    deadline = Deadline(5.0, now=ticks)
    assert deadline.bound(4.0) == 4.0
    ticks.now += 3.0
    assert deadline.remaining() == 2.0 and deadline.bound(4.0) == 2.0
    ticks.now += 2.5
    assert deadline.expired and deadline.remaining() == 0.0
    assert deadline.bound(4.0) > 0.0, "a socket timeout of 0 would mean no timeout at all"
    with pytest.raises(CentralUnavailable):
        deadline.check()


def test_a_cancel_from_another_thread_ends_a_wait():
    deadline = Deadline()
    never = threading.Event()
    threading.Timer(0.05, deadline.cancel).start()
    with pytest.raises(Cancelled):
        deadline.wait_for(never)
    with pytest.raises(Cancelled):
        deadline.sleep(3600)  # wakes at once: already cancelled


def test_a_wait_ends_when_the_work_is_done():
    deadline = Deadline()
    done = threading.Event()
    threading.Timer(0.05, done.set).start()
    deadline.wait_for(done)
    assert done.is_set() and not deadline.cancelled
