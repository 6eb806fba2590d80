"""A cash drop: notes taken from the drawer to the safe, counted, with the reason, approved by a
supervisor."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from erial_desk.domain.entries import REASON_MAX
from erial_desk.services.results import Approval, TransactionResult

from ..context import DeskContext
from ..dialogs.approval import ask_approval
from ..print_flow import print_waiting
from ..widgets.amounts import money
from ..words import t
from .counting import CountingScreen


class CashDropScreen(CountingScreen):
    name = "cash_drop"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            t("Cash drop: count what goes to the safe"),
            t("Ask a supervisor to approve"),
            parent,
        )
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName(t("Reason"))
        self.reason.setPlaceholderText(t("For example: the drawer is over its limit"))
        self.reason.setMaxLength(REASON_MAX)
        self.reason.returnPressed.connect(self.submit)
        row = QHBoxLayout()
        row.addWidget(QLabel(t("Reason"), self))
        row.addWidget(self.reason, 1)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertLayout(layout.indexOf(self.error), row)
        # Reading order: the counts, then the reason, then the confirm button.
        QWidget.setTabOrder(self.count.last_field(), self.reason)
        QWidget.setTabOrder(self.reason, self.confirm)

    def shown(self) -> None:
        super().shown()
        self.reason.clear()

    def title(self) -> str:
        return t("Cash drop")

    def submit(self) -> None:
        if self.count.total() == 0:
            self.error.setText(t("Count the notes going to the safe first."))
            return
        if not self.reason.text().strip():
            self.error.setText(t("Say why the cash goes to the safe."))
            self.reason.setFocus()
            return
        approval = ask_approval(
            t("Cash drop of {amount} to the safe.", amount=money(self.count.total())), self
        )
        if approval is not None:
            self.drop(approval)

    def drop(self, approval: Approval) -> None:
        counts = self.count.counts()
        reason = self.reason.text()
        self.ctx.call(
            "cash_drop",
            lambda desk: desk.cash_drop(counts, approval, reason),
            success=self._dropped,
            failure=self.refused,
            disable=[self.confirm],
        )

    def _dropped(self, result: TransactionResult) -> None:
        self.ctx.notice.emit(t("Cash drop of {amount} recorded.", amount=money(result.total)))
        print_waiting(self.ctx, self)
        self.go.emit("home")
