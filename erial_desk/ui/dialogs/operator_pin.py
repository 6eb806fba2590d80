"""A new PIN for an operator, chosen with the supervisor: typed twice on a masked pad, so a
slip of the finger is caught before central is asked."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ..widgets.pin_pad import PinPad
from ..words import t

DIALOG_WIDTH = 440  # the prompt with a long Arabic name wraps without clipping


class OperatorPinDialog(QDialog):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("New PIN"))
        self.setModal(True)
        self.setMinimumWidth(DIALOG_WIDTH)
        self.name = name
        self._first = ""
        self._pin = ""
        self.prompt = QLabel(self)
        self.prompt.setWordWrap(True)
        self.prompt.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.pad = PinPad(self)
        self.pad.submitted.connect(self._entered)
        self.problem = QLabel(self)
        self.problem.setObjectName("error")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.pad)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self._words()
        self.pad.field.setFocus()

    def _words(self) -> None:
        if self._first:
            self.prompt.setText(t("Type the same PIN again for {name}", name=self.name))
        else:
            self.prompt.setText(t("Type a new PIN for {name}", name=self.name))

    def _entered(self, pin: str) -> None:
        if not pin:
            return
        if not self._first:
            self._first = pin
            self.problem.clear()
        elif pin != self._first:
            self._first = ""
            self.problem.setText(t("The two PINs differ. Type the new PIN again."))
        else:
            self._pin = pin
            self.accept()
        self.pad.clear()
        self._words()

    def pin(self) -> str:
        return self._pin


def ask_operator_pin(name: str, parent: QWidget | None = None) -> str | None:
    """The new PIN typed twice alike, or None when the supervisor cancelled."""
    dialog = OperatorPinDialog(name, parent)
    return dialog.pin() if dialog.exec() == QDialog.DialogCode.Accepted else None
