"""Login: the operator chosen from the office's list or typed, the PIN on a masked pad, and the
language switch. It shows while the data directory opens on the worker thread, so the clerk can
type at once; the login itself waits for the desk to be open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..context import DeskContext
from ..language import keep_left_to_right
from ..screen import Screen, centred, error_label, heading
from ..widgets.pin_pad import PinPad
from ..words import language, t

if TYPE_CHECKING:
    from erial_desk.services.results import OperatorChoice


class LoginScreen(Screen):
    name = "login"
    switch_language = Signal(str)
    logged_in = Signal(object)  # OperatorSession

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.operator = QComboBox(self)
        self.operator.setEditable(True)  # typed ids work too (an operator not listed yet)
        self.operator.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        keep_left_to_right(self.operator)
        self.operator.setAccessibleName(t("Operator"))
        self.pad = PinPad(self)
        self.pad.submitted.connect(lambda _pin: self.log_in())
        self.button = QPushButton(t("Log in"), self)
        self.button.setDefault(True)
        self.button.clicked.connect(self.log_in)
        other = "en" if language() == "ar" else "ar"
        self.language_button = QPushButton("English" if other == "en" else "العربية", self)
        self.language_button.clicked.connect(lambda: self.switch_language.emit(other))
        self.error = error_label(self)
        self.heading = heading(t("Log in to the counter"), self, 18)
        form = QFormLayout()
        form.addRow(t("Operator"), self.operator)
        form.addRow(t("PIN"), self.pad)
        buttons = QHBoxLayout()
        buttons.addWidget(self.button)
        buttons.addStretch(1)
        buttons.addWidget(self.language_button)
        column = QVBoxLayout()
        column.addWidget(self.heading)
        column.addLayout(form)
        column.addWidget(self.error)
        column.addLayout(buttons)
        centred(column, self)
        self.setTabOrder(self.operator, self.pad.field)
        self.setTabOrder(self.pad.field, self.button)
        ctx.desk_opened.connect(self._load_operators)

    def title(self) -> str:
        return t("Log in")

    def shown(self) -> None:
        self.pad.clear()
        self.error.clear()
        if self.ctx.is_open:
            self._load_operators()
        self.operator.setFocus()

    def _load_operators(self) -> None:
        self.ctx.call("operators", lambda desk: desk.office_operators(), success=self._fill)

    def _fill(self, operators: list[OperatorChoice]) -> None:
        typed = self.operator.currentText()
        self.operator.clear()
        for choice in operators:
            name = choice.name_ar if language() == "ar" else choice.name_en
            self.operator.addItem(f"{name} ({choice.operator_id})", choice.operator_id)
        self.operator.setEditText(typed)

    def operator_id(self) -> str:
        index = self.operator.findText(self.operator.currentText(), Qt.MatchFlag.MatchExactly)
        if index >= 0:
            return str(self.operator.itemData(index))
        return self.operator.currentText().strip()

    def log_in(self) -> None:
        operator_id = self.operator_id()
        if not operator_id:
            self.error.setText(t("Choose or type your operator id."))
            self.operator.setFocus()
            return
        if not self.ctx.is_open:
            self.error.setText(t("The terminal is still opening; try again in a moment."))
            return
        self.error.clear()
        self.ctx.log_in(
            operator_id, self.pad, self.error, done=self.logged_in.emit, disable=[self.button]
        )
