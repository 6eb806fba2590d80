"""``python -m bench ui_search [--rows N] [--queries N]``: the counter's search screen on N
subscribers (default 1,000,000), offscreen.

A demo terminal enrolled at central embedded in this process, holding the subscribers ``bench
search`` builds (reused while its inputs are unchanged). Measured:

- keystroke to result rows painted: the query typed but for its last key, a pause, then the last
  key; the clock stops when the rows are painted (the search runs on the journal worker, the
  rows come back on the GUI thread);
- Enter on a top-up's confirm button to the receipt's job queued (the screen's answer), beside
  the facade's own ``top_up`` timed in the same run.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import tempfile
import time
from pathlib import Path

import tests.keystore  # noqa: F401 - registers the memory key store
from bench import search as search_bench
from bench.common import OUT, Metric, median, percentile, report
from erial_desk.demo_central import EmbeddedCentral

KEY_TO_ROWS_TARGET_MS = 50.0
TOP_UP_RATIO_TARGET = 1.5
TOP_UPS = 30


def desk_on(built: Path, data_dir: Path, central: EmbeddedCentral) -> None:
    """A demo desk enrolled at ``central`` whose directory also holds the built subscribers
    (loaded through the search index's triggers, as the change feed would load them)."""
    from erial_desk.config import DATABASE_FILE

    central.enrolled_desk(data_dir, "MCT-HQ", keyring="memory").close()
    conn = sqlite3.connect(data_dir / DATABASE_FILE, isolation_level=None)
    try:
        conn.execute("ATTACH DATABASE ? AS built", (str(built),))
        conn.execute("BEGIN")
        conn.execute("INSERT OR IGNORE INTO subscribers SELECT * FROM built.subscribers")
        conn.execute("COMMIT")
    finally:
        conn.close()


def queries(built: Path, count: int) -> list[str]:
    rnd = random.Random(search_bench.SEED + 2)
    kinds = list({**search_bench.NAME_KINDS, **search_bench.ID_KINDS}.values())
    samples = search_bench._samples(built, count, rnd)
    return [kinds[i % len(kinds)](rnd, s) for i, s in enumerate(samples)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench ui_search")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    built = OUT / f"search-{args.rows}-{search_bench._fingerprint(args.rows)}.sqlite"
    OUT.mkdir(parents=True, exist_ok=True)
    if not search_bench._complete(built, args.rows):
        for old in OUT.glob("search-*"):
            old.unlink()
        print(f"building {args.rows:,} subscribers in {built.name} ...", flush=True)
        search_bench.build(built, args.rows)
    with (
        tempfile.TemporaryDirectory(prefix="erial-ui-search-") as tmp,
        EmbeddedCentral(Path(tmp) / "central") as central,
    ):
        data_dir = Path(tmp) / "desk"
        print("loading them into an enrolled desk ...", flush=True)
        desk_on(built, data_dir, central)
        typed = queries(built, args.queries)
        key_ms, confirm_ms, facade_ms = run(data_dir, typed)
    metrics = [
        Metric("key_to_rows_p95", percentile(key_ms, 95), "ms", KEY_TO_ROWS_TARGET_MS),
        Metric("key_to_rows_median", median(key_ms), "ms"),
        Metric("top_up_confirm_to_receipt_queued_median", median(confirm_ms), "ms"),
        Metric("facade_top_up_median", median(facade_ms), "ms"),
        Metric(
            "top_up_screen_over_facade",
            median(confirm_ms) / max(median(facade_ms), 1e-9),
            "ratio",
            TOP_UP_RATIO_TARGET,
        ),
    ]
    report("ui_search", metrics)
    return 0


def run(data_dir: Path, typed: list[str]) -> tuple[list[float], list[float], list[float]]:
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from erial_desk.services import Desk
    from erial_desk.ui.app import CounterApp
    from erial_desk.ui.screens.search import DEBOUNCE_MS, SearchScreen
    from erial_desk.ui.screens.top_up import TopUpScreen

    qapp = QApplication.instance() or QApplication(["bench"])
    assert isinstance(qapp, QApplication)
    app = CounterApp(qapp, lambda: Desk.open(data_dir), "ar")
    assert app.window is not None
    window = app.window
    window.resize(1024, 768)
    window.show()
    app.start()

    def settle(done: object) -> None:
        while not done():  # type: ignore[operator]
            qapp.processEvents()
            time.sleep(0.0005)

    settle(lambda: app.ctx.is_open)
    desk = app.ctx.desk
    session = desk.login("salim", "1111")
    desk.open_shift({10000: 3})
    app.ctx.set_operator(session)
    app.login.logged_in.emit(session)
    settle(lambda: not app.ctx.runner.busy)

    window.show_screen("search")
    screen = window.current()
    assert isinstance(screen, SearchScreen)
    painted: list[float] = []
    show = screen._show

    def show_and_paint(query: str, rows: list[object]) -> None:
        show(query, rows)  # type: ignore[arg-type]
        screen.table.repaint()  # the rows on the screen, not only in the model
        painted.append(time.perf_counter())

    screen._show = show_and_paint  # type: ignore[method-assign]
    key_ms: list[float] = []
    for query in typed:
        if len(query) < 3:
            continue
        screen.query.blockSignals(True)
        screen.query.setText(query[:-1])
        screen.query.blockSignals(False)
        screen.timer.stop()
        time.sleep(DEBOUNCE_MS / 1000)  # the clerk's pause before the key that is timed
        settle(lambda: not app.ctx.runner.busy)
        painted.clear()
        started = time.perf_counter()
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, query[-1])
            QApplication.sendEvent(screen.query, event)
        settle(lambda: bool(painted) and not app.ctx.runner.busy)
        key_ms.append((painted[0] - started) * 1000)

    # Top-ups: the screen's confirm against the facade's own call, alternating.
    target = desk.find_subscribers("محمد", limit=1)[0].account
    app.open_for("top_up", target)
    form = window.current()
    assert isinstance(form, TopUpScreen)
    settle(lambda: form.subscriber is not None and not app.ctx.runner.busy)
    confirm_ms: list[float] = []
    facade_ms: list[float] = []
    done: list[float] = []
    original = form._done

    def done_and_time(result: object) -> None:
        done.append(time.perf_counter())
        original(result)  # type: ignore[arg-type]

    form._done = done_and_time  # type: ignore[method-assign]
    for _ in range(TOP_UPS):
        started = time.perf_counter()
        desk.top_up(target, 1000)
        facade_ms.append((time.perf_counter() - started) * 1000)
        settle(lambda: not app.ctx.runner.busy)
        form.lookup.look_up(target)
        settle(lambda: form.subscriber is not None and not app.ctx.runner.busy)
        form.amount.setText("1")
        done.clear()
        started = time.perf_counter()
        form.confirm.click()
        settle(lambda: bool(done))
        confirm_ms.append((done[0] - started) * 1000)
        settle(lambda: not app.ctx.runner.busy)
    app.shutdown()
    return key_ms, confirm_ms, facade_ms


if __name__ == "__main__":
    raise SystemExit(main([]))
