"""The locked screen: the counter stays with its operator while they are away.

Unlocking asks the same operator's PIN. Another operator may log in instead: that logs the
first out, and an open shift stays with its owner (nobody else can take money into it).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..context import DeskContext
from ..screen import Screen, centred, error_label
from ..widgets.pin_pad import PinPad
from ..words import language, t


class LockScreen(Screen):
    name = "lock"
    unlocked = Signal(object)  # OperatorSession
    other_operator = Signal()

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.who = QLabel(self)
        self.who.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.pad = PinPad(self)
        self.pad.submitted.connect(lambda _pin: self.unlock())
        self.unlock_button = QPushButton(t("Unlock"), self)
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.unlock)
        self.switch_button = QPushButton(t("Another operator"), self)
        self.switch_button.clicked.connect(self._switch)
        self.error = error_label(self)
        column = QVBoxLayout()
        column.addWidget(self.who)
        column.addWidget(QLabel(t("Enter your PIN to unlock."), self))
        column.addWidget(self.pad)
        column.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.unlock_button)
        buttons.addStretch(1)
        buttons.addWidget(self.switch_button)
        column.addLayout(buttons)
        centred(column, self)

    def title(self) -> str:
        return t("Locked")

    def shown(self) -> None:
        operator = self.ctx.operator
        if operator is not None:
            name = operator.name_ar if language() == "ar" else operator.name_en
            self.who.setText(t("Locked by {name}", name=name))
        self.pad.clear()
        self.error.clear()
        self.pad.field.setFocus()

    def unlock(self) -> None:
        operator = self.ctx.operator
        if operator is None:
            self.other_operator.emit()
            return
        self.ctx.log_in(
            operator.operator_id,
            self.pad,
            self.error,
            done=self.unlocked.emit,
            disable=[self.unlock_button],
        )

    def _switch(self) -> None:
        self.ctx.call(
            "logout",
            lambda desk: desk.logout(),
            success=lambda _none: self._logged_out(),
            disable=[self.switch_button],
        )

    def _logged_out(self) -> None:
        self.ctx.set_operator(None)
        self.other_operator.emit()
