"""The core's events reach the GUI thread as Qt signals."""

from __future__ import annotations

import threading

from erial_desk.services.events import EntryCommitted, EventHub, ShiftChanged
from erial_desk.ui.event_bridge import EventBridge


def test_events_published_on_a_worker_arrive_on_the_gui_thread(qtbot):
    hub = EventHub()
    bridge = EventBridge(hub)
    received = []
    bridge.entry_committed.connect(
        lambda event: received.append((event, threading.current_thread()))
    )
    everything = []
    bridge.any_event.connect(everything.append)
    event = EntryCommitted(seq=3, entry_id="e3", entry_type="top_up", shift_id="s1")

    def worker() -> None:
        with hub.transaction():
            hub.publish(event)
            hub.publish(ShiftChanged("s1", "open"))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(5)
    qtbot.waitUntil(lambda: len(everything) == 2)
    assert received == [(event, threading.main_thread())]
    assert everything == [event, ShiftChanged("s1", "open")]
    bridge.close()
    hub.publish(ShiftChanged("s1", "closed"))
    qtbot.wait(50)
    assert len(everything) == 2
