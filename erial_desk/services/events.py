"""What happened on the desk, told to whoever listens: a small, typed event hub without Qt.

Use cases publish what they changed; the UI bridges the hub to Qt signals, so screens refresh
when something they show changed instead of polling. Events of a write are held until its
transaction commits and dropped if it rolls back: a listener hears each committed change once
and nothing of a refused action. Listeners run on the publishing thread (a worker, never the GUI
thread); one that fails is logged and does not disturb the others or the use case.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Base of every desk event."""


@dataclass(frozen=True)
class EntryCommitted(Event):
    """A journal entry was committed (the money or record change it carries is done)."""

    seq: int
    entry_id: str
    entry_type: str
    shift_id: str | None = None
    account: str | None = None


@dataclass(frozen=True)
class ShiftChanged(Event):
    """A shift opened, took a cash drop, or closed."""

    shift_id: str
    state: str  # open, closed


@dataclass(frozen=True)
class SyncStatusChanged(Event):
    """Online or offline, entries waiting, flagged or rejected, last sync or error changed."""

    online: bool
    waiting: int
    flagged: int
    rejected: int


@dataclass(frozen=True)
class PrintJobChanged(Event):
    """A receipt was queued, printed, or failed (with the printer's reason)."""

    job_id: int
    state: str  # queued, printed, failed
    error: str | None = None


@dataclass(frozen=True)
class ReferenceDataChanged(Event):
    """Central's policy, catalogue, operators or office record was replaced."""

    kind: str  # policy, catalogue, operators, office


@dataclass(frozen=True)
class SessionChanged(Event):
    """An operator logged in or out, or the screen was locked or unlocked."""

    operator_id: str | None
    locked: bool = False


@dataclass(frozen=True)
class IntegrityProblem(Event):
    """The desk found its data directory or chain disagreeing with the key store or central
    (for example central holds entries the journal lacks); money actions stop until resolved."""

    code: str
    detail: str = ""


E = TypeVar("E", bound=Event)
Listener = Callable[[Any], None]


class EventHub:
    """Publish and subscribe; thread-safe; events of a transaction wait for its commit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[tuple[type[Event], Listener]] = []
        self._pending = threading.local()

    def subscribe(self, kind: type[E], listener: Callable[[E], None]) -> Callable[[], None]:
        """Call ``listener`` with every event of ``kind`` (or a subclass; ``Event`` for all).
        Returns a function that unsubscribes."""
        item = (kind, listener)
        with self._lock:
            self._listeners.append(item)

        def unsubscribe() -> None:
            with self._lock:
                if item in self._listeners:
                    self._listeners.remove(item)

        return unsubscribe

    def publish(self, event: Event) -> None:
        """Deliver now, or at commit when called inside ``transaction()`` on this thread."""
        held: list[Event] | None = getattr(self._pending, "events", None)
        if held is not None:
            held.append(event)
            return
        self._deliver([event])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold what is published inside until the block ends; deliver it if the block
        succeeded, drop it if it raised. Nested blocks join the outermost one."""
        if getattr(self._pending, "events", None) is not None:
            yield
            return
        self._pending.events = []
        try:
            yield
        except BaseException:
            self._pending.events = None
            raise
        events, self._pending.events = self._pending.events, None
        self._deliver(events)

    def _deliver(self, events: list[Event]) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for event in events:
            for kind, listener in listeners:
                if isinstance(event, kind):
                    try:
                        listener(event)
                    except Exception:
                        log.exception("a listener failed on %s", type(event).__name__)
