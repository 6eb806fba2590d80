"""Shared output of the benchmarks: a list of metrics printed and written as JSON."""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path

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
