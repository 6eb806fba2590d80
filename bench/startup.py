"""``python -m bench startup``: from process start to the login window shown, and memory after
a login, against a bare PySide6 window started the same way in the same run.

Each run is a fresh process (offscreen), timed by this process from spawn until the child says
its window is shown. The desk's child then waits for the data directory to open behind the
window, logs in, and reports its resident memory. Medians of several runs of each.

The desk's modules are compiled to bytecode first, as they are where a clerk starts the desk
(the office PCs' bundle carries them compiled; pip compiles them too): a source checkout run
with PYTHONDONTWRITEBYTECODE would otherwise compile them at every start, while the bare
window's modules (PySide6, the standard library) come compiled.
"""

from __future__ import annotations

import argparse
import compileall
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import erial_desk
from bench.common import Metric, median, report
from erial_desk.demo_central import EmbeddedCentral

TARGET_SHOWN_S = 1.0
TARGET_RATIO = 1.5
TARGET_RSS_MB = 200.0
PASSPHRASE = "bench-startup-passphrase"

BARE = textwrap.dedent(
    """
    from PySide6.QtWidgets import QApplication, QLabel
    app = QApplication([])
    window = QLabel("e-Rial Desk")
    window.resize(1024, 768)
    window.show()
    app.processEvents()
    print("shown", flush=True)
    """
)

DESK = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from erial_desk.ui.app import CounterApp, open_desk
    app = QApplication([])
    counter = CounterApp(app, open_desk(Path(sys.argv[1])), "ar")
    counter.window.resize(1024, 768)
    counter.window.show()
    app.processEvents()
    print("shown", flush=True)
    counter.start()
    while not counter.ctx.is_open:
        app.processEvents()
    done = []
    counter.ctx.call("login", lambda desk: desk.login("salim", "1111"), success=done.append,
                     failure=done.append)
    while not done:
        app.processEvents()
    assert not isinstance(done[0], BaseException), done[0]
    rss_kb = next(int(line.split()[1]) for line in open("/proc/self/status")
                  if line.startswith("VmRSS:"))
    print("rss_kb", rss_kb, flush=True)
    counter.shutdown()
    """
)


def _time_shown(code: str, args: list[str], env: dict[str, str]) -> tuple[float, int | None]:
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    shown = None
    rss = None
    for line in child.stdout:
        if line.startswith("shown") and shown is None:
            shown = time.perf_counter() - started
        elif line.startswith("rss_kb"):
            rss = int(line.split()[1])
    if child.wait(60) != 0 or shown is None:
        raise RuntimeError(f"the child failed ({child.returncode})")
    return shown, rss


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench startup")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    compileall.compile_dir(Path(erial_desk.__file__).parent, quiet=1)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ERIAL_DESK_KEY_PASSPHRASE": PASSPHRASE}
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "desk"
        os.environ["ERIAL_DESK_KEY_PASSPHRASE"] = PASSPHRASE
        central = EmbeddedCentral(Path(tmp) / "central").start()  # the desks' sync finds it
        central.enrolled_desk(data_dir, "MCT-HQ", keyring="encrypted-file").close()
        bare, desk, rss = [], [], []
        for _ in range(args.runs):  # interleaved, so both see the same machine
            bare.append(_time_shown(BARE, [], env)[0])
            shown, kb = _time_shown(DESK, [str(data_dir)], env)
            desk.append(shown)
            rss.append((kb or 0) / 1024)
        central.stop()
    ratio = median(desk) / median(bare)
    report(
        "startup",
        [
            Metric("window_shown_median_s", median(desk), "s", TARGET_SHOWN_S, "lower"),
            Metric("bare_window_shown_median_s", median(bare), "s", None, "lower"),
            Metric("shown_ratio_to_bare", ratio, "x", TARGET_RATIO, "lower"),
            Metric("rss_after_login_median_mb", median(rss), "MB", TARGET_RSS_MB, "lower"),
        ],
    )
    return 0
