"""The shift (F8): open one, or for the open shift a cash drop, the X report, or closing."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from erial_desk.services.results import CounterStatus

from ..context import DeskContext
from ..screen import Screen, heading
from ..words import t


class ShiftScreen(Screen):
    name = "shift"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.heading = heading(t("Shift"), self)
        self.state = QLabel(self)
        self.drop_button = QPushButton(t("&Cash drop to the safe"), self)
        self.report_button = QPushButton(t("&X report"), self)
        self.close_button = QPushButton(t("C&lose the shift"), self)
        for button, target in (
            (self.drop_button, "cash_drop"),
            (self.report_button, "x_report"),
            (self.close_button, "shift_close"),
        ):
            button.setMinimumHeight(56)
            button.clicked.connect(lambda _=False, n=target: self.go.emit(n))
        row = QHBoxLayout()
        for button in (self.drop_button, self.report_button, self.close_button):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.state)
        layout.addLayout(row)
        layout.addStretch(1)

    def title(self) -> str:
        return t("Shift")

    def shown(self) -> None:
        self.ctx.call("shift-status", lambda desk: desk.counter_status(), success=self._route)

    def _route(self, status: CounterStatus) -> None:
        if status.shift is None:
            self.go.emit("shift_open")
            return
        mine = status.operator is not None and status.shift.operator == status.operator.operator_id
        for button in (self.drop_button, self.close_button):
            button.setEnabled(mine)
        self.state.setText(
            t("Your shift is open.")
            if mine
            else t("The open shift belongs to {operator}.", operator=status.shift.operator)
        )
        self.drop_button.setFocus()
