"""The row of buttons that moves between the supervisor's screens (day, shifts, approvals, sync
problems, operators, duplicate accounts): reachable with Tab and Enter like every other button."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton

from erial_desk.domain.policy import may_merge_subscribers

from ..context import DeskContext
from ..screen import Screen
from ..words import t


def console_pages(ctx: DeskContext | None = None) -> list[tuple[str, str]]:
    """(screen name, button text) of the console, in reading order; duplicate accounts only
    where the logged-in supervisor may merge them (an internal office)."""
    pages = [
        ("supervisor_day", t("Office day")),
        ("supervisor_shifts", t("Shifts")),
        ("supervisor_approvals", t("Approvals")),
        ("supervisor_sync", t("Sync problems")),
        ("supervisor_operators", t("Operators")),
    ]
    if ctx is not None and ctx.is_open and ctx.operator is not None:
        desk = ctx.desk
        if may_merge_subscribers(desk.policy, desk.office, ctx.operator.role):
            pages.append(("supervisor_duplicates", t("Duplicate accounts")))
    return pages


def nav_row(screen: Screen) -> QHBoxLayout:
    row = QHBoxLayout()
    for name, label in console_pages(screen.ctx):
        button = QPushButton(label, screen)
        button.setEnabled(name != screen.name)
        button.clicked.connect(lambda _=False, n=name: screen.go.emit(n))
        row.addWidget(button)
    row.addStretch(1)
    return row
