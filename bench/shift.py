"""``python -m bench shift``: the shift summary over a shift of 10,000 entries.

The entries are real journal entries (signed, projected into the derived tables) of one open
shift: top-ups, cash and wallet bill payments, cash drops and voids. The summary is then timed
through the Desk facade, as the supervisor's screen calls it.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import keyring

from bench.common import Metric, median, percentile, report
from erial_desk.domain.entries import BillPaid, CashDrop, TopUp, Void
from erial_desk.domain.identifiers import make_account_number
from erial_desk.services import Desk
from erial_desk.sync.credentials import MemoryKeyring

TARGET_MS = 50.0


def _fill(desk: Desk, shift_id: str, count: int) -> None:
    rng = random.Random(7)
    accounts = [make_account_number(10**10 + i * 7919) for i in range(200)]
    top_ups: list[str] = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.45:
            entry = desk._append(TopUp(shift_id, rng.choice(accounts), rng.randint(1, 50) * 1000))
            top_ups.append(entry.entry_id)
        elif roll < 0.9:
            method = rng.choice(["cash", "wallet"])
            desk._append(
                BillPaid(
                    shift=shift_id,
                    bill_kind="parking",
                    bill_id=f"PV-{i}",
                    bill_reference=f"PV{i}",
                    amount=rng.randint(1, 40) * 500,
                    service_charge=200 if method == "wallet" else 0,
                    method=method,
                    account=rng.choice(accounts) if method == "wallet" else None,
                    sealed_pin=None,
                    authorisation="AU" if method == "wallet" else None,
                    balance_after=100_000 if method == "wallet" else None,
                    status="confirmed",
                )
            )
        elif roll < 0.95 and top_ups:
            desk._append(Void(shift_id, top_ups.pop(), "bench", "aisha", None))
        else:
            desk._append(CashDrop(shift_id, {"100": 1}, 100, "aisha"))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench shift")
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args(argv)
    keyring.set_keyring(MemoryKeyring())
    with tempfile.TemporaryDirectory() as tmp:
        desk = Desk.init(Path(tmp) / "desk", office_id="MCT-HQ", keyring="memory")
        desk.login("salim", "1111")
        shift = desk.open_shift({20000: 5})
        started = time.perf_counter()
        _fill(desk, shift.entry_id, args.entries)
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
        desk.close()
    report(
        "shift",
        [
            Metric("summary_median_ms", median(timings), "ms", TARGET_MS, "lower"),
            Metric("summary_p95_ms", percentile(timings, 95), "ms", TARGET_MS, "lower"),
            Metric("fill_entries_per_s", args.entries / fill_s, "entries/s", None, "higher"),
        ],
    )
    return 0
