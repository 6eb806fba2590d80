"""The supervisor's console: its screens, made the first time each is shown, and F12 (UI.md),
shown only to whoever the policy lets open the console; pressing it otherwise says why."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt

from erial_desk.domain.policy import CONSOLE_ACTION

from .context import DeskContext
from .counter_keys import refusal
from .screen import KeyAction, Screen
from .words import t


def supervisor_factories(ctx: DeskContext) -> dict[str, Callable[[], Screen]]:
    def day() -> Screen:
        from .screens.supervisor_day import SupervisorDayScreen

        return SupervisorDayScreen(ctx)

    def shifts() -> Screen:
        from .screens.supervisor_shifts import SupervisorShiftsScreen

        return SupervisorShiftsScreen(ctx)

    def approvals() -> Screen:
        from .screens.supervisor_approvals import SupervisorApprovalsScreen

        return SupervisorApprovalsScreen(ctx)

    def sync() -> Screen:
        from .screens.supervisor_sync import SupervisorSyncScreen

        return SupervisorSyncScreen(ctx)

    return {
        "supervisor_day": day,
        "supervisor_shifts": shifts,
        "supervisor_approvals": approvals,
        "supervisor_sync": sync,
    }


def console_action(ctx: DeskContext, show: Callable[[str], None]) -> KeyAction:
    """F12: the console for a supervisor; for anyone else not shown, and pressing it says why."""
    label = t("Supervisor console")
    if refusal(ctx, CONSOLE_ACTION) is not None:
        why = t("Only the office's supervisors open the supervisor console.")
        return KeyAction(Qt.Key.Key_F12, label, partial(ctx.message.emit, why), shown=False)
    return KeyAction(Qt.Key.Key_F12, label, partial(show, "supervisor_day"))
