"""A PIN field with a numeric pad: masked, left to right, large keys for touch.

Digits come from the keyboard (Western or Arabic-Indic: the facade normalises them) or from the
pad's keys; the pad is laid out like a telephone's and never mirrored.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ..language import keep_left_to_right
from ..words import t

KEY_SIZE = 56


class PinPad(QWidget):
    submitted = Signal(str)  # Enter on the field or the pad's OK key

    def __init__(self, parent: QWidget | None = None, *, max_digits: int = 6) -> None:
        super().__init__(parent)
        keep_left_to_right(self)
        self.field = QLineEdit(self)
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setMaxLength(max_digits)
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field.setAccessibleName(t("PIN"))
        self.field.returnPressed.connect(self._submit)
        grid = QGridLayout()
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok"]
        for index, key in enumerate(keys):
            label = {"clear": t("Clear"), "ok": t("OK")}.get(key, key)
            button = QPushButton(label, self)
            button.setMinimumSize(KEY_SIZE, KEY_SIZE)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing stays in the field
            button.clicked.connect(lambda _=False, k=key: self._press(k))
            grid.addWidget(button, index // 3, index % 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.field)
        layout.addLayout(grid)

    def _press(self, key: str) -> None:
        if key == "clear":
            self.field.clear()
        elif key == "ok":
            self._submit()
        elif len(self.field.text()) < self.field.maxLength():
            self.field.setText(self.field.text() + key)
        self.field.setFocus()

    def _submit(self) -> None:
        self.submitted.emit(self.field.text())

    def pin(self) -> str:
        return self.field.text()

    def clear(self) -> None:
        self.field.clear()
