"""The one way a screen calls the desk: work off the GUI thread, the answer back on it.

After Anki's ``CollectionOp``/``QueryOp`` and its task manager. Journal work (anything that writes
or reads the SQLite file) runs on one worker thread, in the order it was asked for, so the desk's
single writer is never contended by the window; network look-ups (bills, subscribers at central)
run on a small pool so a slow central does not hold up the counter's writes. The GUI thread
never waits on SQL, HTTP or a printer.

Each operation has a key (the action: "top_up", "open_shift"...). While one runs, asking again
with the same key does nothing: a double click or a repeated Enter cannot submit twice. The
widgets named with it are disabled until it ends, and the busy mark shows only after a short
delay, so quick work does not flicker.

A look-up the clerk may give up (``cancellable``) gets the core's ``Deadline``: ``cancel()`` (the
window's Escape) stops it at its next wait, with nothing recorded, and its screen is told so.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from erial_desk.domain.deadline import Deadline

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_DELAY_MS = 300


class Lane(Enum):
    """Where an operation runs."""

    JOURNAL = "journal"  # one thread: every use of the desk's database, in order
    NETWORK = "network"  # a small pool: look-ups that only wait on central


class Operation(Generic[T]):
    """One call in flight. A plain class: importing ``dataclasses`` cost the login window's
    start about 2 ms of its own."""

    __slots__ = ("key", "work", "lane", "success", "failure", "disabled", "done", "deadline")

    def __init__(
        self,
        key: str,
        work: Callable[[], T],
        lane: Lane,
        success: Callable[[T], None] | None,
        failure: Callable[[BaseException], None] | None,
    ) -> None:
        self.key = key
        self.work = work
        self.lane = lane
        self.success = success
        self.failure = failure
        self.disabled: list[QWidget] = []  # what this call disabled, enabled again at its end
        self.done = False
        self.deadline: Deadline | None = None  # set for a call the clerk may give up


class OperationsRunner(QObject):
    """Runs the facade's calls in the background and answers on the GUI thread."""

    busy_changed = Signal(bool)  # the busy mark: shown after the delay, hidden at the end
    failed = Signal(str, object)  # (key, exception) for failures without their own handler
    _finished = Signal(object, object, object)  # (operation, result, exception), queued

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        network_workers: int = 3,
        busy_delay_ms: int = BUSY_DELAY_MS,
    ) -> None:
        super().__init__(parent)
        self._journal = ThreadPoolExecutor(1, thread_name_prefix="erial-journal")
        self._network = ThreadPoolExecutor(network_workers, thread_name_prefix="erial-network")
        self._running: dict[str, Operation[Any]] = {}
        self._busy_delay_ms = busy_delay_ms
        self._busy_shown = False
        self._closed = False
        self._finished.connect(self._on_finished)

    # --- asking ------------------------------------------------------------------------------

    def run(
        self,
        key: str,
        work: Callable[[], T],
        *,
        lane: Lane = Lane.JOURNAL,
        success: Callable[[T], None] | None = None,
        failure: Callable[[BaseException], None] | None = None,
        disable: Iterable[QWidget] = (),
        deadline: Deadline | None = None,
    ) -> bool:
        """Start ``work`` unless an operation with ``key`` is still running.

        Returns whether it started. ``success`` gets the result and ``failure`` the exception,
        both on the GUI thread; without ``failure`` the ``failed`` signal carries it. With a
        ``deadline`` (the one ``work`` passes to the facade), ``cancel`` can stop it.
        """
        if self._closed or key in self._running:
            return False
        op: Operation[T] = Operation(key, work, lane, success, failure)
        op.deadline = deadline
        for widget in disable:
            if widget.isEnabled():  # leave alone what something else disabled
                widget.setEnabled(False)
                op.disabled.append(widget)
        self._running[key] = op
        pool = self._journal if lane is Lane.JOURNAL else self._network
        future: Future[None] = pool.submit(self._call, op)
        future.add_done_callback(_log_unexpected)
        QTimer.singleShot(self._busy_delay_ms, lambda: self._show_busy(op))
        return True

    def is_running(self, key: str) -> bool:
        return key in self._running

    def cancel(self) -> list[str]:
        """Give up every running call that may be given up; the keys of those cancelled. Each
        still ends through its ``failure`` (``Cancelled``) once its worker notices."""
        cancelled = []
        for key, op in self._running.items():
            if op.deadline is not None and not op.deadline.cancelled:
                op.deadline.cancel()
                cancelled.append(key)
        return cancelled

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def shutdown(self, wait: bool = True) -> None:
        """Refuse new work and, with ``wait``, let what runs finish (at exit)."""
        self._closed = True
        self._journal.shutdown(wait=wait, cancel_futures=not wait)
        self._network.shutdown(wait=wait, cancel_futures=not wait)

    # --- the worker side ---------------------------------------------------------------------

    def _call(self, op: Operation[Any]) -> None:
        try:
            result = op.work()
        except BaseException as exc:  # every failure goes back to the screen that asked
            self._finished.emit(op, None, exc)
        else:
            self._finished.emit(op, result, None)

    # --- the GUI side ------------------------------------------------------------------------

    @Slot(object, object, object)
    def _on_finished(self, op: Operation[Any], result: Any, exc: BaseException | None) -> None:
        assert threading.current_thread() is threading.main_thread()
        op.done = True
        self._running.pop(op.key, None)
        for widget in op.disabled:
            widget.setEnabled(True)
        self._update_busy()
        try:
            if exc is None:
                if op.success is not None:
                    op.success(result)
            elif op.failure is not None:
                op.failure(exc)
            else:
                self.failed.emit(op.key, exc)
        except Exception:
            # A screen's callback failing must not take the window down: log it, say so.
            log.exception("the screen's handler of %s failed", op.key)

    def _show_busy(self, op: Operation[Any]) -> None:
        """The delay has passed: show the busy mark if this operation is still running."""
        if not op.done and not self._busy_shown:
            self._busy_shown = True
            self.busy_changed.emit(True)

    def _update_busy(self) -> None:
        if not self._running and self._busy_shown:
            self._busy_shown = False
            self.busy_changed.emit(False)


def _log_unexpected(future: Future[None]) -> None:
    # ``_call`` catches everything; this only logs what went wrong outside it (a shutdown).
    if not future.cancelled() and future.exception() is not None:
        log.error("operation runner failed", exc_info=future.exception())
