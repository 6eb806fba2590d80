"""The threads that apply journal pushes, a few per server process, below the others' priority.

A push is a desk catching up in the background: nobody stands at a counter waiting for it. An
online wallet debit is a customer waiting, and most of its time is the deliberately slow PIN
check, which needs a core. With the cores busy applying pushes, the operating system shares
them fairly and the debit waits its turn several times over; lowered, the push threads give way
whenever a debit, a look-up or the event loop wants a core, and take the rest. (The interpreter
lock is not the obstacle: the PIN check and the signature checks run without it.)
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

PUSH_SLOTS = 4  # journal pushes applied at once per server process
# How far below the process's own priority (Unix "nice" steps: 0 is normal, 19 the least).
# Enough to let a debit through first; not so far that pushes stall behind a busy neighbour.
PUSH_NICENESS = 10


def _lower_this_thread() -> None:
    """Lower the calling thread's scheduling priority (Linux schedules each thread on its
    own; elsewhere the threads keep the process's priority)."""
    if not hasattr(os, "setpriority") or not hasattr(threading, "get_native_id"):
        return
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, current + PUSH_NICENESS))
    except OSError as exc:  # not allowed here: pushes then run at the usual priority
        log.info("push threads keep the usual priority: %s", exc)


class PushPool:
    """``PUSH_SLOTS`` threads at lowered priority; pushes beyond them wait on the event loop,
    holding neither a thread nor a database connection."""

    def __init__(self, slots: int = PUSH_SLOTS) -> None:
        self._slots = slots
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _threads(self) -> ThreadPoolExecutor:
        # Made on first use, and again after ``close``: a server stopped and started again
        # in one process (the demo, the tests) serves the same app twice.
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self._slots,
                    thread_name_prefix="push",
                    initializer=_lower_this_thread,
                )
            return self._executor

    async def run(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads(), work)

    def close(self) -> None:
        """Let the pushes under way finish, then end the threads."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
