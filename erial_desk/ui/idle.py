"""The idle lock: nobody has touched the keyboard or mouse for the policy's minutes.

The watch sits on the windows the clerk works in (the top-level window of whatever has the
keyboard: the counter's window, a dialog), not on the whole application: an application-wide
Python filter is called for every event of every object, and shiboken then builds Python types
(and their enums) for Qt's private classes, a cost the window's start paid for nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

DEFAULT_IDLE_MINUTES = 5
ACTIVITY = (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress)


class IdleWatch(QObject):
    """Calls ``on_idle`` once the clerk has done nothing for ``minutes`` after ``start``."""

    def __init__(self, on_idle: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(on_idle)
        self.minutes = DEFAULT_IDLE_MINUTES

    def follow(self, app: QApplication) -> None:
        """Watch each window the keyboard goes to: every key and click of a top-level window
        passes its ``QWindow`` first, whichever of its widgets it is for."""
        app.focusChanged.connect(self._focus_moved)

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        handle = new.window().windowHandle() if new is not None else None
        if handle is not None:
            handle.installEventFilter(self)  # once per window: Qt keeps no duplicates

    def start(self, minutes: int) -> None:
        self.minutes = minutes
        self.timer.start(minutes * 60_000)

    def stop(self) -> None:
        self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in ACTIVITY and self.timer.isActive():
            self.timer.start(self.minutes * 60_000)
        return False
