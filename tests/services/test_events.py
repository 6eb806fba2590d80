from __future__ import annotations

import threading

import pytest

from erial_desk.services.events import (
    EntryCommitted,
    Event,
    EventHub,
    PrintJobChanged,
    ShiftChanged,
)


def committed(seq: int) -> EntryCommitted:
    return EntryCommitted(seq=seq, entry_id=f"e{seq}", entry_type="top_up")


def test_listeners_hear_their_kind_and_subclasses():
    hub = EventHub()
    entries, everything = [], []
    hub.subscribe(EntryCommitted, entries.append)
    hub.subscribe(Event, everything.append)
    hub.publish(committed(1))
    hub.publish(ShiftChanged("s1", "open"))
    assert entries == [committed(1)]
    assert everything == [committed(1), ShiftChanged("s1", "open")]


def test_unsubscribe_stops_delivery():
    hub = EventHub()
    heard = []
    stop = hub.subscribe(Event, heard.append)
    hub.publish(committed(1))
    stop()
    stop()  # twice is harmless
    hub.publish(committed(2))
    assert heard == [committed(1)]


def test_events_of_a_transaction_wait_for_its_end_and_come_once():
    hub = EventHub()
    heard = []
    hub.subscribe(Event, heard.append)
    with hub.transaction():
        hub.publish(committed(1))
        with hub.transaction():  # a nested block joins the outer one
            hub.publish(ShiftChanged("s1", "open"))
        assert heard == []
    assert heard == [committed(1), ShiftChanged("s1", "open")]


def test_a_refused_action_publishes_nothing():
    hub = EventHub()
    heard = []
    hub.subscribe(Event, heard.append)
    with pytest.raises(ValueError), hub.transaction():
        hub.publish(committed(1))
        raise ValueError("refused")
    hub.publish(committed(2))
    assert heard == [committed(2)]


def test_a_failing_listener_does_not_stop_the_others(caplog):
    hub = EventHub()
    heard = []

    def broken(_event: Event) -> None:
        raise RuntimeError("listener bug")

    hub.subscribe(Event, broken)
    hub.subscribe(Event, heard.append)
    hub.publish(PrintJobChanged(7, "failed", "paper out"))
    assert heard == [PrintJobChanged(7, "failed", "paper out")]
    assert "listener failed on PrintJobChanged" in caplog.text


def test_transactions_on_other_threads_do_not_hold_each_others_events():
    hub = EventHub()
    heard = []
    hub.subscribe(Event, heard.append)
    inside, release = threading.Event(), threading.Event()

    def worker() -> None:
        with hub.transaction():
            hub.publish(committed(1))
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=worker)
    thread.start()
    inside.wait(5)
    hub.publish(committed(2))  # this thread is not inside the worker's transaction
    assert heard == [committed(2)]
    release.set()
    thread.join(5)
    assert heard == [committed(2), committed(1)]
