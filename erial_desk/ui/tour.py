"""A guided tour of the counter's screens without a display: each screen, in Arabic and English,
saved as a picture in a folder, so a newcomer on a machine with no screen still sees the product.

It drives the real application on a data directory of its own (the demo's), through the same
facade calls the screens make: a clerk logs in, opens a shift, makes a cash drop, looks at the X
report, and reaches the close.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QElapsedTimer
from PySide6.QtWidgets import QApplication

from .app import CounterApp

if TYPE_CHECKING:
    from erial_desk.services import Desk

SIZE = (1024, 768)
STEPS = ("login", "home", "shift_open", "shift", "cash_drop", "x_report", "shift_close", "lock")


def _wait(app: QApplication, done: Callable[[], bool], timeout_ms: int = 30_000) -> None:
    clock = QElapsedTimer()
    clock.start()
    app.processEvents()  # what the last step laid out is shown before the picture is taken
    while not done():
        if clock.elapsed() > timeout_ms:
            raise TimeoutError("the tour waited too long for the terminal")
        app.processEvents()
        QCoreApplication.sendPostedEvents()


def take_tour(
    opener: Callable[[], Desk],
    folder: Path,
    *,
    operator: str,
    pin: str,
    float_counts: dict[int, int],
    languages: tuple[str, ...] = ("ar", "en"),
) -> list[Path]:
    """Screens of the shift in each language, saved as PNG files in ``folder``."""
    app = QApplication.instance() or QApplication(["erial-desk"])
    assert isinstance(app, QApplication)
    folder.mkdir(parents=True, exist_ok=True)
    counter = CounterApp(app, opener, languages[0])
    saved: list[Path] = []
    try:
        counter.start()
        _wait(app, lambda: counter.ctx.is_open)
        for language in languages:
            if language != counter.language:
                counter.switch_language(language)
            window = counter.window
            assert window is not None
            window.resize(*SIZE)
            window.show()
            for index, name in enumerate(STEPS, start=1):
                _arrive(counter, app, name, operator, pin, float_counts)
                _wait(app, lambda: not counter.ctx.runner.busy)
                path = folder / f"{language}-{index:02d}-{name}.png"
                window.grab().save(str(path))
                saved.append(path)
            counter.ctx.set_operator(None)
    finally:
        counter.shutdown()
    return saved


def _arrive(
    counter: CounterApp,
    app: QApplication,
    name: str,
    operator: str,
    pin: str,
    float_counts: dict[int, int],
) -> None:
    window = counter.window
    assert window is not None
    ctx = counter.ctx
    if name == "login":
        window.show_screen("login")
        return
    if ctx.operator is None:
        result: list[object] = []
        ctx.call("tour-login", lambda desk: desk.login(operator, pin), success=result.append)
        _wait(app, lambda: bool(result) or not ctx.runner.busy)
        ctx.set_operator(result[0])  # type: ignore[arg-type]
    if name == "shift_open":
        window.show_screen("shift_open")
        window.screen_named("shift_open").count.set_counts(float_counts)  # type: ignore[attr-defined]
        return
    if name == "shift":
        # Open the shift as the clerk would have on the screen before, if nobody has yet.
        ready: list[object] = []
        ctx.call(
            "tour-open",
            lambda desk: desk.counter_status().shift or desk.open_shift(float_counts),
            success=ready.append,
            failure=ready.append,
        )
        _wait(app, lambda: bool(ready))
    if name == "lock":
        counter.lock()
        return
    window.show_screen(name)
