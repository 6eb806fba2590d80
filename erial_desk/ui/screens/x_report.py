"""The X report: the open shift's totals so far, on screen and printed on request."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from erial_desk.domain.labels import method_label
from erial_desk.services.results import ShiftSummary
from erial_desk.store.print_jobs import PrintJob

from ..context import DeskContext
from ..dialogs.print_problem import PrintProblemDialog
from ..screen import Screen, error_label, heading
from ..widgets.amounts import AmountLabel
from ..words import language, t


class XReportScreen(Screen):
    name = "x_report"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.heading = heading(t("X report: the shift so far"), self)
        self.table = QGridLayout()
        self.print_button = QPushButton(t("Print the X report"), self)
        self.print_button.clicked.connect(self.print_report)
        self.error = error_label(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.table)
        layout.addWidget(self.error)
        layout.addWidget(self.print_button)
        layout.addStretch(1)
        self._cells: list[QWidget] = []

    def title(self) -> str:
        return t("X report")

    def shown(self) -> None:
        self.error.clear()
        self.ctx.call(
            "x_report",
            lambda desk: desk.shift_summary(),
            success=self._show,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
        )
        self.print_button.setFocus()

    def _show(self, summary: ShiftSummary) -> None:
        for cell in self._cells:
            cell.deleteLater()
        self._cells = []
        lang = language()
        rows: list[tuple[str, int, int]] = [
            (t("Opening float"), 0, summary.float_total),
            (t("Cash top-ups"), summary.top_ups.count, summary.top_ups.amount),
        ]
        for method, totals in sorted(summary.bill_payments.items()):
            rows.append(
                (
                    t("Bills paid: {method}", method=method_label(method, lang)),
                    totals.count,
                    totals.amount,
                )
            )
            if totals.service_charge:
                rows.append((t("Service charges"), totals.count, totals.service_charge))
        rows += [
            (t("Cash drops to the safe"), summary.cash_drops.count, summary.cash_drops.amount),
            (t("Voids"), summary.voids.count, summary.voids.amount),
            (t("Expected in the drawer"), 0, summary.expected_cash),
        ]
        for row, (label, count, amount) in enumerate(rows):
            cells: list[QWidget] = [
                QLabel(label, self),
                QLabel(str(count) if count else "", self),
                AmountLabel(amount, self),
            ]
            for column, cell in enumerate(cells):
                self.table.addWidget(cell, row, column)
            self._cells += cells

    def print_report(self) -> None:
        self.ctx.call(
            "print-x",
            lambda desk: desk.print_shift_report(),
            success=self._printed,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            disable=[self.print_button],
        )

    def _printed(self, job: PrintJob) -> None:
        if job.state == "failed":
            PrintProblemDialog(self.ctx, job, self).open()
        else:
            self.ctx.notice.emit(t("X report printed."))
