"""``python -m bench shift``: the shift summary over a shift of 10,000 entries.

The entries are real journal entries (signed, projected into the derived tables) of one open
shift: top-ups, cash and wallet bill payments, cash drops and voids. The summary is then timed
through the Desk facade, as the supervisor's screen calls it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import tests.keystore  # noqa: F401 - registers the memory key store
from bench.common import Metric, fill_shift, hq_desk, median, percentile, report

TARGET_MS = 50.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench shift")
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, hq_desk(Path(tmp)) as desk:
        desk.login("salim", "1111")
        shift = desk.open_shift({20000: 5})
        started = time.perf_counter()
        fill_shift(desk, shift.entry_id, args.entries)
        fill_s = time.perf_counter() - started
        timings = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            summary = desk.shift_summary()
            timings.append((time.perf_counter() - t0) * 1000)
        print(
            f"shift of {args.entries} entries: expected cash {summary.expected_cash} baisa,"
            f" {summary.top_ups.count} top-ups"
        )
    report(
        "shift",
        [
            Metric("summary_median_ms", median(timings), "ms", TARGET_MS, "lower"),
            Metric("summary_p95_ms", percentile(timings, 95), "ms", TARGET_MS, "lower"),
            Metric("fill_entries_per_s", args.entries / fill_s, "entries/s", None, "higher"),
        ],
    )
    return 0
