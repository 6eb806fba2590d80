"""Shared output of the benchmarks: a list of metrics printed and written as JSON."""

from __future__ import annotations

import json
import random
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from erial_desk.demo_central import EmbeddedCentral
from erial_desk.domain.entries import BillPaid, CashDrop, TopUp, Void
from erial_desk.domain.identifiers import make_account_number
from erial_desk.services import Desk

OUT = Path(__file__).parent / "out"


@dataclass
class Metric:
    metric: str
    value: float
    unit: str
    target: float | None = None
    better: str = "lower"  # "lower" or "higher"

    def meets(self) -> bool | None:
        if self.target is None:
            return None
        return self.value <= self.target if self.better == "lower" else self.value >= self.target


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def report(name: str, metrics: list[Metric]) -> Path:
    """Print the figures beside their targets and write ``bench/out/NAME.json``."""
    print(f"== bench {name} ==")
    width = max(len(m.metric) for m in metrics)
    for m in metrics:
        verdict = {True: "ok", False: "MISSED", None: ""}[m.meets()]
        target = (
            ""
            if m.target is None
            else f"target {'<=' if m.better == 'lower' else '>='} {m.target:g}"
        )
        print(f"  {m.metric:<{width}}  {m.value:>12.3f} {m.unit:<10} {target:<22} {verdict}")
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps([asdict(m) for m in metrics], indent=2) + "\n")
    print(f"  -> {path}")
    return path


@contextmanager
def hq_desk(folder: Path) -> Iterator[Desk]:
    """A terminal of the MCT-HQ counter in ``folder``, enrolled at central embedded there."""
    with EmbeddedCentral(folder / "central") as central:
        desk = central.enrolled_desk(folder / "desk", "MCT-HQ", keyring="memory")
        try:
            yield desk
        finally:
            desk.close()


def fill_shift(desk: Desk, shift_id: str, count: int) -> None:
    """Real, signed and projected entries of one shift: top-ups, cash and wallet bill
    payments, voids and cash drops, in a fixed random mix (seeded)."""
    rng = random.Random(7)
    accounts = [make_account_number(10**10 + i * 7919) for i in range(200)]
    top_ups: list[str] = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.45:
            entry = desk._writer.append(
                TopUp(shift_id, rng.choice(accounts), rng.randint(1, 50) * 1000)
            )
            top_ups.append(entry.entry_id)
        elif roll < 0.9:
            method = rng.choice(["cash", "wallet"])
            desk._writer.append(
                BillPaid(
                    shift=shift_id,
                    bill_kind=rng.choice(["parking", "lease", "licence"]),
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
            desk._writer.append(Void(shift_id, top_ups.pop(), "bench", "aisha", None))
        else:
            desk._writer.append(CashDrop(shift_id, {"100": 1}, 100, "aisha"))
