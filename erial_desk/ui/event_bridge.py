"""The desk's events as Qt signals, delivered on the GUI thread (Electrum's qt_event_listener).

The core's ``EventHub`` calls its listeners on the thread that committed the change (the
journal worker, the sync worker). The bridge re-emits each event as a signal of a ``QObject``
living on the GUI thread; Qt queues a signal emitted from another thread, so slots run on the
GUI thread and may touch widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, SignalInstance

if TYPE_CHECKING:
    from erial_desk.services.events import Event, EventHub


class EventBridge(QObject):
    """One signal per kind of event, and ``any_event`` for all of them."""

    any_event = Signal(object)
    entry_committed = Signal(object)
    shift_changed = Signal(object)
    sync_status_changed = Signal(object)
    print_job_changed = Signal(object)
    reference_data_changed = Signal(object)
    session_changed = Signal(object)
    integrity_problem = Signal(object)

    def __init__(self, hub: EventHub | None = None, parent: QObject | None = None) -> None:
        """Relays ``hub``; with none, nothing until ``listen_to`` (the counter's window shows
        before the desk, and its events, exist)."""
        super().__init__(parent)
        self._signals: dict[type[Event], SignalInstance] = {}
        self._unsubscribe: Callable[[], None] | None = None
        if hub is not None:
            self.listen_to(hub)

    def listen_to(self, hub: EventHub) -> None:
        """Relay ``hub`` from now on (the desk's own, once it is open)."""
        # The core's events are imported with the first hub, not before the window shows.
        from erial_desk.services.events import (
            EntryCommitted,
            Event,
            IntegrityProblem,
            PrintJobChanged,
            ReferenceDataChanged,
            SessionChanged,
            ShiftChanged,
            SyncStatusChanged,
        )

        self._signals = {
            EntryCommitted: self.entry_committed,
            ShiftChanged: self.shift_changed,
            SyncStatusChanged: self.sync_status_changed,
            PrintJobChanged: self.print_job_changed,
            ReferenceDataChanged: self.reference_data_changed,
            SessionChanged: self.session_changed,
            IntegrityProblem: self.integrity_problem,
        }
        self.close()
        self._unsubscribe = hub.subscribe(Event, self._relay)

    def _relay(self, event: Event) -> None:
        # Runs on the publishing thread: only emit here, never touch a widget.
        signal = self._signals.get(type(event))
        if signal is not None:
            signal.emit(event)
        self.any_event.emit(event)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
