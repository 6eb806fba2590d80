"""The barcode/QR scanner types like a keyboard: a burst of keys, far faster than a person, ending
in Enter. A burst carrying an account number (a welcome slip's QR) opens that subscriber from any
screen; a receipt's QR opens its follow-up. Into a field that takes an account number the burst
is left alone: the field fills as if typed. Ordinary typing never triggers it.

Also here: a letter or digit typed on Home starts the subscriber search with it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

BURST_GAP_S = 0.05  # a scanner's keys come within a few milliseconds of each other
BURST_MIN_KEYS = 8  # fewer is a PIN or an amount typed briskly
ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ScannerWatch(QObject):
    """An event filter on whatever has the keyboard: ``on_account(account)`` /
    ``on_receipt(receipt)`` when a burst ends; ``on_home_key(text)`` for a printable key while
    ``at_home()``."""

    def __init__(
        self,
        window: Callable[[], QWidget | None],
        at_home: Callable[[], bool],
        on_home_key: Callable[[str], None],
        on_account: Callable[[str], None],
        on_receipt: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.window = window
        self.at_home = at_home
        self.on_home_key = on_home_key
        self.on_account = on_account
        self.on_receipt = on_receipt
        self.burst = ""
        self._last = 0.0

    def follow(self, app: QApplication) -> None:
        """Sit on the widget with the keyboard focus (it is the first to get each key) and on
        its window (which gets the keys when no widget has the focus), moving with the focus.
        Not an application-wide filter: that is called for every event of every object, and
        shiboken then builds Python types (and their enums) for Qt's private classes, which
        made the window's start slower by half for nothing."""
        app.focusChanged.connect(self._focus_moved)
        self._focus_moved(None, app.focusWidget())

    def _focus_moved(self, old: QWidget | None, new: QWidget | None) -> None:
        if old is not None and not old.isWindow():
            old.removeEventFilter(self)
        if new is not None:
            new.window().installEventFilter(self)
            new.installEventFilter(self)  # installed last: this filter sees the key first

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        window = self.window()
        focus = QApplication.focusWidget()
        # Each key once (the widget with the focus sees it first), in the counter's window only.
        if window is None or watched is not (focus or window):
            return False
        if not isinstance(watched, QWidget) or watched.window() is not window:
            return False
        if QApplication.activeModalWidget() is not None:
            return False
        now = time.monotonic()
        gap, self._last = now - self._last, now
        key = Qt.Key(event.key())
        if key in ENTER:
            burst, self.burst = self.burst, ""
            if gap <= BURST_GAP_S and len(burst) >= BURST_MIN_KEYS:
                return self._scanned(burst, focus)
            return False
        typed = event.text()
        if not typed or not typed.isprintable():
            self.burst = ""
            return False
        self.burst = self.burst + typed if gap <= BURST_GAP_S else typed
        modifiers = event.modifiers() & ~(
            Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
        )
        if not typed.isspace() and not modifiers and self.at_home():
            self.on_home_key(typed)
            return True
        return False

    def _scanned(self, burst: str, focus: QWidget | None) -> bool:
        # Imported at the first scan, not before the login window shows (the desk, opening
        # behind the window, imports them anyway).
        from erial_desk.domain.entries import parse_receipt_qr
        from erial_desk.domain.errors import ValidationError
        from erial_desk.domain.identifiers import normalise_account_number

        from .screens.counter_base import ACCOUNT_FIELD

        if focus is not None and focus.property(ACCOUNT_FIELD):
            return False  # the field takes the number as typed
        receipt = parse_receipt_qr(burst)
        account = None
        if receipt is None:
            try:
                account = normalise_account_number(burst)
            except ValidationError:
                return False
        if isinstance(focus, QLineEdit) and focus.text().endswith(burst):
            focus.setText(focus.text()[: -len(burst)])  # the scan was not meant for the field
        if receipt is not None:
            self.on_receipt(receipt[0])
        elif account is not None:
            self.on_account(account)
        return True
