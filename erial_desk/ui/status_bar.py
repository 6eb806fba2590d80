"""The line always at the bottom: operator, shift, online or offline, waiting entries, last
sync, flagged items and the printer. It reads the counter's status when the core says
something changed (never on a timer), and never twice at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from .context import DeskContext
from .words import language, t, tn

if TYPE_CHECKING:
    from datetime import datetime

    from erial_desk.services.results import CounterStatus

SEPARATOR = " · "


def _time_of_day(moment: datetime | str) -> str:
    """HH:MM in Muscat. The clock (and datetime) are imported once there is a status to show,
    not before the login window shows."""
    from erial_desk.domain.clock import muscat_text

    return muscat_text(moment)[11:16]


class StatusBar(QWidget):
    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("status")
        self.operator = QLabel(self)
        self.shift = QLabel(self)
        self.sync = QLabel(self)
        self.flagged = QLabel(self)
        self.printer = QLabel(self)
        self.busy = QLabel(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for label in (self.operator, self.shift, self.sync, self.flagged, self.printer):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            layout.addWidget(label)
        layout.addStretch(1)
        layout.addWidget(self.busy)
        self.status: CounterStatus | None = None
        self._again = False
        ctx.events.any_event.connect(self.refresh)
        ctx.desk_opened.connect(self.refresh)
        ctx.session_changed.connect(self.refresh)
        ctx.runner.busy_changed.connect(self._show_busy)
        self.operator.setText(t("Opening the terminal…"))

    def refresh(self, *_: object) -> None:
        if not self.ctx.is_open:
            return
        # Keyed by this bar: a window rebuilt in another language has a bar of its own.
        started = self.ctx.call(
            f"status-{id(self)}", lambda desk: desk.counter_status(), success=self.show_status
        )
        if not started:
            self._again = True  # a change arrived while reading: read once more after

    def show_status(self, status: CounterStatus) -> None:
        self.status = status
        who = status.operator
        if who is None:
            self.operator.setText(t("Nobody logged in"))
        else:
            name = who.name_ar if language() == "ar" else who.name_en
            self.operator.setText(t("Operator: {name}", name=name))
        if status.shift is None:
            self.shift.setText(t("No shift open"))
        else:
            self.shift.setText(
                t(
                    "Shift of {operator} since {time}",
                    operator=status.shift.operator,
                    time=_time_of_day(status.shift.opened_at),
                )
            )
        self.sync.setText(self._sync_text(status))
        problems = status.sync.flagged + status.sync.rejected
        self.flagged.setText(
            tn("{count} item flagged by central", "{count} items flagged by central", problems)
            if problems
            else ""
        )
        self.printer.setText(self._printer_text(status))
        if self._again:
            self._again = False
            self.refresh()

    @staticmethod
    def _sync_text(counter: CounterStatus) -> str:
        status = counter.sync
        if not status.enrolled:
            state = t("Demo central")
        elif status.online and status.waiting:
            state = tn("Syncing ({count} waiting)", "Syncing ({count} waiting)", status.waiting)
        elif status.online:
            state = t("Online")
        elif status.last_sync:
            state = tn(
                "Offline since {time} ({count} waiting)",
                "Offline since {time} ({count} waiting)",
                status.waiting,
                time=_time_of_day(status.last_sync),
            )
            return state
        else:
            state = tn("Offline ({count} waiting)", "Offline ({count} waiting)", status.waiting)
        if status.last_sync:
            state += SEPARATOR + t("last sync {time}", time=_time_of_day(status.last_sync))
        return state

    @staticmethod
    def _printer_text(status: CounterStatus) -> str:
        if status.print_failed:
            return tn(
                "Printer: {count} receipt not printed",
                "Printer: {count} receipts not printed",
                status.print_failed,
            )
        if status.print_waiting:
            return t("Printer: printing")
        return t("Printer: ready")

    def _show_busy(self, busy: bool) -> None:
        self.busy.setText(t("Working…") if busy else "")
