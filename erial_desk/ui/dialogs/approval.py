"""A supervisor's approval on this terminal: their id and their own PIN.

The dialog only collects them; the facade checks the PIN (with lockout) as part of the action it
approves, so an approval cannot be separated from what it approves.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from erial_desk.services.results import Approval

from ..language import keep_left_to_right
from ..widgets.pin_pad import PinPad
from ..words import t


class ApprovalDialog(QDialog):
    def __init__(self, why: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("Supervisor approval"))
        self.setModal(True)
        self.reason = QLabel(why, self)
        self.reason.setWordWrap(True)
        self.supervisor = QLineEdit(self)
        self.supervisor.setAccessibleName(t("Supervisor"))
        keep_left_to_right(self.supervisor)
        self.pad = PinPad(self)
        self.pad.submitted.connect(lambda _pin: self.accept())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(t("Supervisor"), self.supervisor)
        form.addRow(t("Supervisor's PIN"), self.pad)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.supervisor.setFocus()

    def approval(self) -> Approval:
        return Approval(self.supervisor.text().strip(), self.pad.pin())


def ask_approval(why: str, parent: QWidget | None = None) -> Approval | None:
    """The supervisor's approval, or None when the clerk cancelled."""
    dialog = ApprovalDialog(why, parent)
    return dialog.approval() if dialog.exec() == QDialog.DialogCode.Accepted else None
