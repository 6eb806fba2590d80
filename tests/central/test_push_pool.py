"""The push threads: a few at once, below the priority of the rest of the server, so that an
online debit a customer waits for is not queued behind desks catching up."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time

import pytest

from erial_central.push_pool import PUSH_NICENESS, PUSH_SLOTS, PushPool


def _niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is Linux's")
def test_pushes_run_below_the_servers_priority_and_the_loop_keeps_its_own() -> None:
    pool = PushPool()
    try:

        async def main() -> tuple[int, int, int]:
            loop_before = _niceness()
            in_push = await pool.run(_niceness)
            return loop_before, in_push, _niceness()

        loop_before, in_push, loop_after = asyncio.run(main())
    finally:
        pool.close()
    assert in_push == min(19, loop_before + PUSH_NICENESS)
    assert loop_after == loop_before  # only the push threads gave way
    assert _niceness() == loop_before


def test_at_most_the_slots_run_at_once_and_the_rest_wait_their_turn() -> None:
    pool = PushPool()
    running = 0
    most = 0
    lock = threading.Lock()

    def push(n: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return n * n

    async def main() -> list[int]:
        return list(await asyncio.gather(*(pool.run(lambda n=n: push(n)) for n in range(20))))

    try:
        results = asyncio.run(main())
    finally:
        pool.close()
    assert results == [n * n for n in range(20)]  # every push answered, each its own answer
    assert most == PUSH_SLOTS


def test_a_failed_push_reaches_its_request_and_the_pool_goes_on() -> None:
    pool = PushPool()

    def refused() -> None:
        raise ValueError("refused")

    async def main() -> str:
        with pytest.raises(ValueError, match="refused"):
            await pool.run(refused)
        return await pool.run(lambda: "next")

    try:
        assert asyncio.run(main()) == "next"
    finally:
        pool.close()


def test_a_pool_closed_with_its_server_serves_again_when_the_server_starts_again() -> None:
    pool = PushPool()
    try:
        assert asyncio.run(pool.run(lambda: "first")) == "first"
        pool.close()
        assert asyncio.run(pool.run(lambda: "again")) == "again"
    finally:
        pool.close()
