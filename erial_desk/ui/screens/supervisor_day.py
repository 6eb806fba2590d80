"""The supervisor's day view: the office's takings by service, method and clerk, two small
charts (by hour, by service), the variance history of the day's closes, and the exports."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from erial_desk.domain.clock import muscat_text
from erial_desk.domain.labels import method_label, service_label
from erial_desk.services.supervisor import OfficeDay

from ..context import DeskContext
from ..screen import Screen, error_label, heading
from ..widgets.amounts import RIGHT, AmountLabel, money
from ..widgets.bar_chart import BarChart
from ..words import language, t
from .supervisor_nav import nav_row


def table(columns: list[str], parent: QWidget) -> QTableWidget:
    """A read-only table with the given column titles (reading order)."""
    widget = QTableWidget(0, len(columns), parent)
    widget.setHorizontalHeaderLabels(columns)
    widget.verticalHeader().setVisible(False)
    widget.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    # The columns share the width: a 1024-pixel window shows every one without scrolling.
    widget.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    widget.horizontalHeader().setMinimumSectionSize(40)
    widget.setMinimumHeight(120)
    return widget


def fill(widget: QTableWidget, rows: list[list[str | int | None]]) -> None:
    """Rows of text and amounts (int baisa, right-aligned with the currency)."""
    widget.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(money(value) if isinstance(value, int) else (value or ""))
            if isinstance(value, int):
                item.setTextAlignment(RIGHT)
            widget.setItem(r, c, item)


def hour_bars(by_hour: dict[str, int]) -> list[tuple[str, int]]:
    """Every hour of the counter's usual day (07 to 19, wider when the takings were), in order;
    hours without takings are empty bars."""
    hours = [int(h) for h in by_hour]
    first, last = min([7, *hours]), max([19, *hours])
    return [(f"{h:02d}", by_hour.get(f"{h:02d}", 0)) for h in range(first, last + 1)]


class SupervisorDayScreen(Screen):
    name = "supervisor_day"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.day: OfficeDay | None = None
        self.heading = heading(t("Office day"), self)
        self.totals = QGridLayout()
        self.amounts: dict[str, AmountLabel] = {}
        self.counts: dict[str, QLabel] = {}
        for row, (key, label) in enumerate(self._total_rows()):
            self.totals.addWidget(QLabel(label, self), row % 4, (row // 4) * 3)
            self.counts[key] = QLabel(self)
            self.amounts[key] = AmountLabel(0, self)
            self.totals.addWidget(self.counts[key], row % 4, (row // 4) * 3 + 1)
            self.totals.addWidget(self.amounts[key], row % 4, (row // 4) * 3 + 2)
        self.by_clerk = table(
            [t("Clerk"), t("Top-ups"), t("Bill payments"), t("Service charges"), t("Cash drops")],
            self,
        )
        self.by_method = QLabel(self)
        self.by_method.setWordWrap(True)
        self.variances = table([t("Closed at"), t("Clerk"), t("Variance")], self)
        self.hours = BarChart(self)
        self.services = BarChart(self)
        self.csv_button = QPushButton(t("Export CSV"), self)
        self.pdf_button = QPushButton(t("Export PDF"), self)
        self.csv_button.clicked.connect(self.export_csv)
        self.pdf_button.clicked.connect(self.export_pdf)
        self.error = error_label(self)
        tables = QHBoxLayout()
        tables.addWidget(self.by_clerk, 3)
        tables.addWidget(self.variances, 2)
        charts = QGridLayout()
        charts.addWidget(QLabel(t("Takings by hour (OMR)"), self), 0, 0)
        charts.addWidget(QLabel(t("Takings by service (OMR)"), self), 0, 1)
        charts.addWidget(self.hours, 1, 0)
        charts.addWidget(self.services, 1, 1)
        top = nav_row(self)  # the exports share the console's row: the day needs the height
        top.addWidget(self.csv_button)
        top.addWidget(self.pdf_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.heading)
        layout.addLayout(self.totals)
        layout.addWidget(self.by_method)
        layout.addLayout(tables, 3)
        layout.addLayout(charts, 1)
        layout.addWidget(self.error)

    @staticmethod
    def _total_rows() -> list[tuple[str, str]]:
        return [
            ("top_ups", t("Cash top-ups")),
            ("bills", t("Bill payments")),
            ("charges", t("Service charges")),
            ("takings", t("Takings")),
            ("drops", t("Cash drops to the safe")),
            ("voids", t("Voids")),
            ("refunds", t("Refunds due to customers")),
            ("flagged", t("Flagged by central")),
        ]

    def title(self) -> str:
        return t("Office day")

    def shown(self) -> None:
        self.error.clear()
        self.ctx.call(
            "supervisor-day",
            lambda desk: desk.office_day(),
            success=self.show_day,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            disable=[self.csv_button, self.pdf_button],
        )

    def show_day(self, day: OfficeDay) -> None:
        self.day = day
        lang = language()
        self.heading.setText(t("Office day {day}", day=day.day))
        figures = {
            "top_ups": (day.top_ups.count, day.top_ups.amount),
            "bills": (day.bill_payments.count, day.bill_payments.amount),
            "charges": (None, day.bill_payments.service_charge),
            "takings": (None, day.takings),
            "drops": (day.cash_drops.count, day.cash_drops.amount),
            "voids": (day.voids, None),
            "refunds": (None, day.refunds_due),
            "flagged": (day.flagged, None),
        }
        for key, (count, amount) in figures.items():
            self.counts[key].setText("" if count is None else str(count))
            self.amounts[key].setVisible(amount is not None)
            self.amounts[key].set_amount(amount or 0)
        fill(
            self.by_clerk,
            [
                [
                    day.clerk(clerk, lang),
                    c.top_ups.amount,
                    c.bill_payments.amount,
                    c.bill_payments.service_charge,
                    c.cash_drops,
                ]
                for clerk, c in sorted(day.by_clerk.items())
            ],
        )
        self.by_method.setText(
            t(
                "Bill payments by method: {methods}",
                methods=" · ".join(
                    f"{method_label(m, lang)} ({f.count}) {money(f.amount)}"
                    for m, f in sorted(day.by_method.items())
                )
                or "-",
            )
        )
        fill(
            self.variances,
            [
                [muscat_text(at)[11:16], day.clerk(clerk, lang), v]
                for at, clerk, v in day.variance_history()
            ],
        )
        self.hours.set_bars(hour_bars(day.by_hour))
        self.services.set_bars(
            [(service_label(k, lang), f.amount) for k, f in sorted(day.by_service.items())]
        )

    def export_csv(self) -> None:
        self.ctx.call(
            "supervisor-csv",
            lambda desk: desk.day_report_csv_file(),
            success=self._exported,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            disable=[self.csv_button, self.pdf_button],
        )

    def export_pdf(self) -> None:
        self.ctx.call(
            "supervisor-pdf",
            lambda desk: desk.day_report_pdf(),
            success=self._exported,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            disable=[self.csv_button, self.pdf_button],
        )

    def _exported(self, path: Path) -> None:
        self.ctx.notice.emit(t("Day report saved: {path}", path=str(path)))
