"""What a screen is to the window: a title, the function keys it offers, and what it does when
shown. The window routes keys; a screen never installs shortcuts of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from .context import DeskContext


class KeyAction(NamedTuple):  # not a dataclass: that module's import slowed the window's start
    key: Qt.Key
    label: str
    run: Callable[[], None]
    enabled: bool = True
    shown: bool = True  # False: not in the key bar (not allowed here), pressing it says why


class Screen(QWidget):
    """Base of every screen. ``go`` asks the window to show another screen by name."""

    name = "screen"
    # A customer's task (a top-up, bills, a registration, a count): left half-done for another
    # screen, Ctrl+Tab comes back to it as it was.
    keeps_task = False
    go = Signal(str)
    keys_changed = Signal()

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    def title(self) -> str:
        return ""

    def key_actions(self) -> list[KeyAction]:
        """The keys this screen offers beyond the window's own (shown in the key bar)."""
        return []

    def shown(self) -> None:
        """Called each time the window shows this screen."""

    def has_open_task(self) -> bool:
        """True while this screen's task is started and not finished: something typed into it."""
        return self.keeps_task and any(
            field.text().strip()
            for field in self.findChildren(QLineEdit)
            if not field.isReadOnly() and not isinstance(field.parent(), QAbstractSpinBox)
        )

    def escape(self) -> bool:
        """Escape on this screen: True when it handled it (else the window goes Home)."""
        return False


def error_label(parent: QWidget | None = None) -> QLabel:
    """A line beside a form where its error sentence goes."""
    label = QLabel(parent)
    label.setObjectName("error")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020; font-weight: bold;")
    return label


def heading(text: str, parent: QWidget | None = None, point_size: int = 16) -> QLabel:
    """A screen's title line, large and bold."""
    label = QLabel(text, parent)
    label.setStyleSheet(f"font-size: {point_size}pt; font-weight: bold;")
    return label


def centred(column: QLayout, parent: QWidget) -> None:
    """Lay ``column`` out in the middle third of ``parent`` (login, lock), top-aligned."""
    if isinstance(column, QVBoxLayout):
        column.addStretch(1)
    outer = QHBoxLayout(parent)
    outer.addStretch(1)
    outer.addLayout(column, 2)
    outer.addStretch(1)
