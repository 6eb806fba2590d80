"""Void (F10): a top-up or bill payment of this shift taken back, with the reason and a
supervisor's approval on this terminal; the void slip prints. Voiding a top-up takes the money
back out of the wallet, which only central can allow: offline, the screen says so first."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from erial_desk.services.counter_reads import TransactionLine
from erial_desk.services.results import Approval, CounterStatus, TransactionResult

from ..context import DeskContext
from ..dialogs.approval import ask_approval
from ..print_flow import print_waiting
from ..screen import error_label, heading
from ..widgets.amounts import money
from ..widgets.transactions import TransactionTable, entry_name
from ..words import t
from .counter_base import CounterScreen, confirm_row, end_row, is_offline, offline_notice


class VoidScreen(CounterScreen):
    name = "void"
    keeps_task = True

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.heading = heading(t("Void a transaction of this shift"), self)
        self.offline = offline_notice(self)
        self.table = TransactionTable(self)
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName(t("Reason"))
        self.reason.returnPressed.connect(self.submit)
        self.error = error_label(self)
        self.confirm = confirm_row(t("Ask a supervisor to approve the void"), self, self.submit)
        row = QHBoxLayout()
        row.addWidget(QLabel(t("Reason"), self))
        row.addWidget(self.reason, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.offline)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addLayout(end_row(self.confirm))

    def help_text(self) -> str:
        return t(
            "Choose the transaction with the arrows, Tab to the reason, Enter asks a supervisor "
            "to approve."
        )

    def title(self) -> str:
        return t("Void")

    def shown(self) -> None:
        self.reason.clear()
        self.error.clear()
        self.reload()
        self.ctx.call("void-status", lambda desk: desk.counter_status(), success=self._status)

    def reload(self) -> None:
        self.ctx.call(
            "shift-transactions",
            lambda desk: desk.shift_transactions(),
            success=self._listed,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
        )

    def _listed(self, lines: list[TransactionLine]) -> None:
        self.table.show_lines(lines)
        if not lines:
            self.error.setText(t("This shift has nothing to void."))
        self.table.setFocus()

    def _status(self, status: CounterStatus) -> None:
        self.offline.setVisible(is_offline(status))
        self.offline.setText(
            t("Offline: a top-up cannot be voided until central is reachable; payments can.")
        )

    def submit(self) -> None:
        line = self.table.selected()
        if line is None:
            self.error.setText(t("Choose the transaction to void."))
            self.table.setFocus()
            return
        reason = self.reason.text().strip()
        if not reason:
            self.error.setText(t("Say why it is voided."))
            self.reason.setFocus()
            return
        if self.ctx.runner.is_running("void"):
            return
        approval = ask_approval(
            t(
                "Void of {what}, {amount}, receipt {receipt}: {reason}",
                what=entry_name(line),
                amount=money(line.total),
                receipt=line.receipt,
                reason=reason,
            ),
            self,
        )
        if approval is not None:
            self.void(line, reason, approval)

    def void(self, line: TransactionLine, reason: str, approval: Approval) -> None:
        self.ctx.call(
            "void",
            lambda desk: desk.void(line.entry_id, reason, approval),
            success=self._voided,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc, recorded=False)),
            disable=[self.confirm, self.reason],
        )

    def _voided(self, result: TransactionResult) -> None:
        self.ctx.notice.emit(
            t(
                "Void of {amount} recorded, slip {receipt}.",
                amount=money(result.total),
                receipt=result.receipt,
            )
        )
        print_waiting(self.ctx, self)
        self.go.emit("home")
