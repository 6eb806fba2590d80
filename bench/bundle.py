"""``python -m bench bundle``: the bundle's size, and the start of the bundled desk to its login
window against the same from the virtual environment, in the same run.

Build the bundle first (``make bundle``). Each run is a fresh process (offscreen):
``erial-desk gui --quit-when-open`` on a terminal enrolled at central embedded here, timed from
spawn until the process ends, which it does once the login window is shown and the data
directory is open behind it. Bundle and virtual environment runs alternate, so both see the same
machine; the first run of each (the coldest, files not yet in the page cache) is reported apart
from the median of the rest.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Metric, median, report
from erial_desk.demo_central import EmbeddedCentral
from erial_desk.sync.credentials import PASSPHRASE_VARIABLE

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.2
PASSPHRASE = "bench-bundle-passphrase"
MB = 1024 * 1024


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def time_start(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} did not open: {done.stdout}\n{done.stderr}")
    return elapsed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench bundle")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "erial-desk")
    args = parser.parse_args(argv)
    program = args.bundle / ("erial-desk.exe" if sys.platform == "win32" else "erial-desk")
    if not program.exists():
        print(f"no bundle at {args.bundle}: run 'make bundle' first", file=sys.stderr)
        return 2
    venv_program = Path(sys.executable).parent / "erial-desk"
    os.environ[PASSPHRASE_VARIABLE] = PASSPHRASE
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTHON")},
        "QT_QPA_PLATFORM": "offscreen",
    }
    tarballs = sorted(args.bundle.parent.glob("erial-desk-*-linux-*.tar.gz"))
    with tempfile.TemporaryDirectory() as tmp, EmbeddedCentral(Path(tmp) / "central") as central:
        data_dir = Path(tmp) / "desk"
        central.enrolled_desk(data_dir, keyring="encrypted-file").close()
        gui = ["--data-dir", str(data_dir), "gui", "--quit-when-open"]
        bundled, venv = [], []
        for _ in range(args.runs):  # interleaved
            bundled.append(time_start([str(program), *gui], env))
            venv.append(time_start([str(venv_program), *gui], env))
    ratio = median(bundled[1:]) / median(venv[1:])
    metrics = [
        Metric("bundle_size_mb", folder_size(args.bundle) / MB, "MB", None, "lower"),
        Metric("bundled_start_median_s", median(bundled[1:]), "s", None, "lower"),
        Metric("venv_start_median_s", median(venv[1:]), "s", None, "lower"),
        Metric("bundled_to_venv_start_ratio", ratio, "x", TARGET_RATIO, "lower"),
        Metric("bundled_first_start_s", bundled[0], "s", None, "lower"),
        Metric("venv_first_start_s", venv[0], "s", None, "lower"),
    ]
    if tarballs:
        metrics.insert(1, Metric("tarball_size_mb", tarballs[-1].stat().st_size / MB, "MB"))
    report("bundle", metrics)
    return 0
