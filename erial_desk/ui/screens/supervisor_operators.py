"""Operators of the office: who they are and whether they may log in; the supervisor locks,
unlocks or gives a new PIN, each approved with their own PIN and carried out at central, so
every terminal of the office sees it after its next sync. Central is needed: offline the line
under the list says so before the supervisor starts, and the buttons wait."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from erial_desk.domain.policy import ROLE_NAMES, Role
from erial_desk.services.operators import OfficeOperator
from erial_desk.services.results import Approval, CounterStatus

from ..context import DeskContext
from ..dialogs.approval import ask_approval
from ..dialogs.operator_pin import ask_operator_pin
from ..screen import Screen, error_label, heading
from ..words import language, t
from .counter_base import is_offline, offline_notice
from .supervisor_day import fill, table
from .supervisor_nav import nav_row

if TYPE_CHECKING:
    from erial_desk.services import Desk

KEY = "supervisor-operator"


class SupervisorOperatorsScreen(Screen):
    name = "supervisor_operators"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.staff: list[OfficeOperator] = []
        self.online = False
        self.heading = heading(t("Operators of the office"), self)
        self.table = table([t("Name"), t("Operator"), t("Role"), t("State")], self)
        self.table.setTabKeyNavigation(False)  # Tab goes on to the buttons, arrows choose
        self.table.itemSelectionChanged.connect(self._enable)
        self.offline = offline_notice(self)
        self.lock_button = QPushButton(t("Lock the operator"), self)
        self.lock_button.clicked.connect(self.lock)
        self.unlock_button = QPushButton(t("Unlock the operator"), self)
        self.unlock_button.clicked.connect(self.unlock)
        self.pin_button = QPushButton(t("New PIN"), self)
        self.pin_button.clicked.connect(self.new_pin)
        self.buttons = [self.lock_button, self.unlock_button, self.pin_button]
        for button in self.buttons:
            button.setAutoDefault(True)  # Enter on the focused button presses it
        self.error = error_label(self)
        row = QHBoxLayout()
        for button in self.buttons:
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(nav_row(self))
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.offline)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def title(self) -> str:
        return t("Operators of the office")

    def shown(self) -> None:
        self.error.clear()
        self.ctx.call(
            "supervisor-operators",
            lambda desk: (desk.office_staff(), desk.counter_status()),
            success=lambda found: self.show_staff(*found),
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
        )

    def show_staff(self, staff: list[OfficeOperator], status: CounterStatus) -> None:
        chosen = self.chosen()
        self.staff = staff
        self.online = not is_offline(status)
        self.offline.setVisible(not self.online)
        self.offline.setText(
            t(
                "Offline: operators can be locked, unlocked or given a new PIN only while"
                " central answers."
            )
        )
        lang = language()
        fill(
            self.table,
            [
                [
                    o.name_ar if lang == "ar" else o.name_en,
                    o.operator_id,
                    _title(t(ROLE_NAMES[Role(o.role)])),
                    t("Active") if o.active else t("Locked: cannot log in"),
                ]
                for o in staff
            ],
        )
        ids = [o.operator_id for o in staff]
        keep = chosen is not None and chosen.operator_id in ids
        self.table.setCurrentCell(ids.index(chosen.operator_id) if keep and chosen else 0, 0)
        if not staff:
            self.table.clearSelection()
        self._enable()
        self.table.setFocus()

    def chosen(self) -> OfficeOperator | None:
        row = self.table.currentRow()
        return self.staff[row] if 0 <= row < len(self.staff) else None

    def _enable(self) -> None:
        operator = self.chosen()
        me = self.ctx.operator.operator_id if self.ctx.operator is not None else ""
        running = self.ctx.runner.is_running(KEY)
        other = operator is not None and operator.operator_id != me and self.online and not running
        self.lock_button.setEnabled(other and operator is not None and operator.active)
        self.unlock_button.setEnabled(other and operator is not None and not operator.active)
        self.pin_button.setEnabled(other)

    def _name(self, operator: OfficeOperator) -> str:
        return operator.name_ar if language() == "ar" else operator.name_en

    def lock(self) -> None:
        operator = self.chosen()
        if operator is None or not self.lock_button.isEnabled():
            return
        why = t(
            "Lock {name}: they cannot log in on any terminal of the office.",
            name=self._name(operator),
        )
        self._run(
            why,
            lambda desk, approval: desk.lock_operator(operator.operator_id, approval),
            t(
                "{name} is locked; the office's terminals refuse them after their next sync.",
                name=self._name(operator),
            ),
        )

    def unlock(self) -> None:
        operator = self.chosen()
        if operator is None or not self.unlock_button.isEnabled():
            return
        why = t("Unlock {name}: they may log in again.", name=self._name(operator))
        self._run(
            why,
            lambda desk, approval: desk.unlock_operator(operator.operator_id, approval),
            t("{name} may log in again once the terminal has synced.", name=self._name(operator)),
        )

    def new_pin(self) -> None:
        operator = self.chosen()
        if operator is None or not self.pin_button.isEnabled():
            return
        pin = ask_operator_pin(self._name(operator), self)
        if pin is None:
            self.error.setText(t("Cancelled: the PIN was not changed."))
            return
        why = t("A new PIN for {name}.", name=self._name(operator))
        self._run(
            why,
            lambda desk, approval: desk.reset_operator_pin(operator.operator_id, pin, approval),
            t(
                "{name} has a new PIN; it works on the office's terminals after their next sync.",
                name=self._name(operator),
            ),
        )

    def _run(self, why: str, work: Callable[[Desk, Approval], None], done: str) -> None:
        approval = ask_approval(why, self)
        self.window().activateWindow()  # the keyboard back to the console after the dialog
        if approval is None:
            self.error.setText(t("Not approved: nothing was changed."))
            return
        self.error.clear()
        self.ctx.call(
            KEY,
            lambda desk: work(desk, approval),
            success=lambda _: self._done(done),
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            disable=self.buttons,
        )

    def _done(self, done: str) -> None:
        self.ctx.notice.emit(done)
        self.shown()


def _title(word: str) -> str:
    """A role's name as a column entry: capitalised (the catalogue's is for inside sentences)."""
    return word[:1].upper() + word[1:]
