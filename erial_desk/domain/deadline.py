"""How long a slow call may take, and a way to give it up sooner: the Qt-free half of the
operations runner. A window makes a ``Deadline`` for each operation it starts on its worker
thread and calls ``cancel()`` from the GUI thread when the clerk gives up.

A call that receives a deadline checks it before each step that waits (a request to central, a
retry's pause, a print job) and bounds each wait by what is left:

- cancelled: it raises ``Cancelled``; nothing was journaled. A wallet debit central may already
  have taken is recorded as abandoned and cancelled at central by the next sync round.
- expired: a request to central that could not finish in time counts as central being
  unreachable (``CentralUnavailable``), so the offline policy decides, exactly as for a network
  timeout; a print queue stops before its next job (the jobs left wait, queued).

Which facade calls are slow and take a deadline is listed in ``services.call_kinds.SLOW_CALLS``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .errors import Cancelled, CentralUnavailable


class Deadline:
    """An optional time limit (``seconds`` from now) and a cancel switch, shared by threads."""

    def __init__(
        self, seconds: float | None = None, *, now: Callable[[], float] = time.monotonic
    ) -> None:
        self._now = now
        self._end = None if seconds is None else now() + seconds
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        """Give up (from any thread): the call stops at its next check or wait."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def remaining(self) -> float | None:
        """Seconds left (0 once passed), or None without a time limit."""
        if self._end is None:
            return None
        return max(0.0, self._end - self._now())

    @property
    def expired(self) -> bool:
        return self.remaining() == 0.0

    def check(self) -> None:
        """Raise ``Cancelled`` when cancelled, ``CentralUnavailable`` when the time is up."""
        if self.cancelled:
            raise Cancelled()
        if self.expired:
            raise CentralUnavailable(reason="the time allowed for it ran out")

    def bound(self, seconds: float) -> float:
        """``seconds``, or what is left when that is less (never quite 0: a socket timeout of
        0 would mean "do not block" rather than "no time")."""
        left = self.remaining()
        return seconds if left is None else max(0.001, min(seconds, left))

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (less when the time runs out), waking at once on ``cancel``."""
        self._cancelled.wait(self.bound(seconds))
        self.check()

    def wait_for(self, done: threading.Event) -> None:
        """Wait until ``done`` is set; raise as ``check`` does if cancelled or out of time first."""
        while not done.is_set():
            left = self.remaining()
            step = 0.05 if left is None else min(0.05, left)
            if done.wait(step):
                return
            self.check()


def check(deadline: Deadline | None) -> None:
    """``deadline.check()`` when there is a deadline."""
    if deadline is not None:
        deadline.check()
