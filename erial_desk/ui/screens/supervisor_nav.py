"""The row of buttons that moves between the supervisor's screens (day, shifts, approvals, sync
problems): reachable with Tab and Enter like every other button."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton

from ..screen import Screen
from ..words import t


def console_pages() -> list[tuple[str, str]]:
    """(screen name, button text) of the console, in reading order."""
    return [
        ("supervisor_day", t("Office day")),
        ("supervisor_shifts", t("Shifts")),
        ("supervisor_approvals", t("Approvals")),
        ("supervisor_sync", t("Sync problems")),
    ]


def nav_row(screen: Screen) -> QHBoxLayout:
    row = QHBoxLayout()
    for name, label in console_pages():
        button = QPushButton(label, screen)
        button.setEnabled(name != screen.name)
        button.clicked.connect(lambda _=False, n=name: screen.go.emit(n))
        row.addWidget(button)
    row.addStretch(1)
    return row
