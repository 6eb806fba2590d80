"""Shift review: every shift of the office today, per clerk, with its figures and the expected
cash's formula; a closed shift of this terminal can have its Z report printed again."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from erial_desk.domain.clock import muscat_text
from erial_desk.domain.entries import terminal_code
from erial_desk.domain.labels import method_label
from erial_desk.services.supervisor import OfficeDay, ShiftReview
from erial_desk.store.print_jobs import PrintJob

from ..context import DeskContext
from ..dialogs.print_problem import PrintProblemDialog
from ..screen import Screen, error_label, heading
from ..widgets.amounts import money
from ..words import language, t
from .supervisor_day import fill, table
from .supervisor_nav import nav_row


class SupervisorShiftsScreen(Screen):
    name = "supervisor_shifts"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.shifts: list[ShiftReview] = []
        self.names: OfficeDay | None = None  # the day whose clerks' names the table shows
        self.heading = heading(t("Shifts of the office"), self)
        self.table = table(
            [
                t("Clerk"),
                t("Terminal"),
                t("Opened"),
                t("Closed"),
                t("Opening float"),
                t("Expected cash"),
                t("Counted cash"),
                t("Variance"),
                t("Approved by"),
            ],
            self,
        )
        self.table.itemSelectionChanged.connect(self._selected)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.reprint_button = QPushButton(t("Reprint the Z report"), self)
        self.reprint_button.setEnabled(False)
        self.reprint_button.clicked.connect(self.reprint)
        self.error = error_label(self)
        layout = QVBoxLayout(self)
        layout.addLayout(nav_row(self))
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.error)
        layout.addWidget(self.reprint_button)

    def title(self) -> str:
        return t("Shifts of the office")

    def shown(self) -> None:
        self.error.clear()
        self.ctx.call(
            "supervisor-shifts",
            lambda desk: desk.office_day(),
            success=self._show_day,
            failure=self._offline,
        )

    def _offline(self, exc: BaseException) -> None:
        """Central out of reach: this terminal's own shifts still show, and the reason why the
        others do not."""
        self.error.setText(self.ctx.sentence(exc))
        self.ctx.call(
            "supervisor-own-shifts", lambda desk: desk.terminal_shifts(), success=self.show_shifts
        )

    def _show_day(self, day: OfficeDay) -> None:
        self.names = day
        self.show_shifts(day.shifts)

    def show_shifts(self, shifts: list[ShiftReview]) -> None:
        self.shifts = shifts
        fill(
            self.table,
            [
                [
                    self._name(s.operator),
                    terminal_code(s.terminal_id) + (" *" if s.this_terminal else ""),
                    muscat_text(s.opened_at)[11:16],
                    muscat_text(s.closed_at)[11:16] if s.closed_at else t("open"),
                    s.float_total,
                    s.expected_cash,
                    s.counted_total,
                    s.variance,
                    self._name(s.approver) if s.approver else ("!" if s.needs_approval else ""),
                ]
                for s in shifts
            ],
        )
        if shifts:
            self.table.setCurrentCell(0, 0)
        self.table.setFocus()

    def _name(self, operator_id: str) -> str:
        return operator_id if self.names is None else self.names.clerk(operator_id, language())

    def _selected(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.shifts):
            return
        s = self.shifts[row]
        lang = language()
        methods = ", ".join(
            f"{method_label(m, lang)} {money(f.amount)} ({f.count})"
            for m, f in sorted(s.bill_payments.items())
        )
        self.detail.setText(
            t(
                "Expected cash {expected} = opening float {float} + cash taken {cash_in}"
                " - cash dropped {cash_out}. Bills: {methods}",
                expected=money(s.expected_cash),
                float=money(s.float_total),
                cash_in=money(s.cash_in),
                cash_out=money(s.cash_out),
                methods=methods or "-",
            )
            + "\n"
            + t(
                "Top-ups {top_ups} ({count}), service charges {charges}, voids {voids},"
                " cash drops {drops} ({drop_count}).",
                top_ups=money(s.top_ups.amount),
                count=s.top_ups.count,
                charges=money(s.service_charges),
                voids=s.voids,
                drops=money(s.cash_drops.amount),
                drop_count=s.cash_drops.count,
            )
        )
        self.reprint_button.setEnabled(s.this_terminal and s.closed_at is not None)

    def reprint(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.shifts):
            return
        shift_id = self.shifts[row].shift_id
        self.ctx.call(
            "supervisor-reprint-z",
            lambda desk: desk.reprint_z_report(shift_id),
            success=self._printed,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            disable=[self.reprint_button],
        )

    def _printed(self, job: PrintJob) -> None:
        if job.state == "failed":
            PrintProblemDialog(self.ctx, job, self).open()
        else:
            self.ctx.notice.emit(t("Z report printed again (copy)."))
