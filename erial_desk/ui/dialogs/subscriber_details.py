"""Change a subscriber's mobile, e-mail or authorised person (internal offices): the facade checks
each value and journals the change; a refusal is said beside the form."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from erial_desk.services.results import TransactionResult
from erial_desk.store.search import SubscriberRow

from ..context import DeskContext
from ..language import keep_left_to_right
from ..screen import error_label
from ..words import t

DIALOG_WIDTH = 520


class SubscriberDetailsDialog(QDialog):
    changed = Signal(object)  # the TransactionResult of the change

    def __init__(self, ctx: DeskContext, row: SubscriberRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.row = row
        self.setWindowTitle(t("Change the subscriber's details"))
        self.setMinimumWidth(DIALOG_WIDTH)
        self.mobile = QLineEdit(row.mobile or "", self)
        self.email = QLineEdit(row.email or "", self)
        for field in (self.mobile, self.email):
            keep_left_to_right(field)
        self.person = QLineEdit(row.authorised_person or "", self)
        form = QFormLayout()
        form.addRow(t("Mobile"), self.mobile)
        form.addRow(t("E-mail (optional)"), self.email)
        if row.kind == "company":
            form.addRow(t("Authorised person"), self.person)
        else:
            self.person.hide()
        self.error = error_label(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.mobile.setFocus()

    def changes(self) -> dict[str, str | None]:
        """Only what differs from the record."""
        typed: dict[str, str | None] = {
            "mobile": self.mobile.text().strip(),
            "email": self.email.text().strip() or None,
        }
        if self.row.kind == "company":
            typed["authorised_person"] = self.person.text().strip() or None
        current = {
            "mobile": self.row.mobile,
            "email": self.row.email,
            "authorised_person": self.row.authorised_person,
        }
        return {name: value for name, value in typed.items() if value != current[name]}

    def save(self) -> None:
        changes = self.changes()
        if not changes:
            self.reject()
            return
        account = self.row.account
        self.ctx.call(
            "update_subscriber",
            lambda desk: desk.update_subscriber(account, **changes),
            success=self._saved,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc, recorded=False)),
            disable=[self.buttons],
        )

    def _saved(self, result: TransactionResult) -> None:
        self.changed.emit(result)
        self.accept()
