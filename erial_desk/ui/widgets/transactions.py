"""A list of money transactions (a subscriber's, the shift's, a receipt found): receipt number,
time, what, amount and what central made of it, in the window's language."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from erial_desk.domain.clock import muscat_text
from erial_desk.domain.entries import EntryType
from erial_desk.domain.identifiers import plate_in_arabic
from erial_desk.domain.labels import entry_label, method_label, service_label, transfer_label
from erial_desk.services.counter_reads import TransactionLine

from ..words import language, t
from .amounts import RIGHT, money


def entry_name(line: TransactionLine) -> str:
    """What a transaction was, by the names receipts print (one catalogue of labels)."""
    if line.entry_type == EntryType.BILL_PAID:
        return bill_kind_name(line.bill_kind or "") + " " + (line.bill_reference or "")
    if line.entry_type == "bank_top_up":  # made online, as central names its transfers
        return transfer_label(line.entry_type, language())
    return entry_label(line.entry_type, language())


def bill_kind_name(kind: str) -> str:
    return service_label(kind, language())


def method_name(method: str | None) -> str:
    return method_label(method, language()) if method else ""


def central_state(line: TransactionLine) -> str:
    """Whether central confirmed it; a voided transaction says so first."""
    if line.voided_by:
        return t("Voided")
    return {
        "confirmed": t("Confirmed by central"),
        "pending": t("Pending sync"),
        "flagged": t("Flagged by central"),
        "rejected": t("Rejected by central"),
    }.get(line.central, line.central)


def plate_text(plate: str) -> str:
    """A plate as the window's reader knows it: Arabic letters in Arabic."""
    if language() != "ar":
        return plate
    try:
        return plate_in_arabic(plate)
    except (KeyError, ValueError):
        return plate


class TransactionTable(QTableWidget):
    """Read-only rows; the selected row's transaction is ``selected()``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 5, parent)
        self.setHorizontalHeaderLabels(
            [t("Receipt"), t("Time"), t("What"), t("Amount"), t("Central")]
        )
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it
        self.lines: list[TransactionLine] = []

    def show_lines(self, lines: list[TransactionLine]) -> None:
        self.lines = list(lines)
        self.setRowCount(len(self.lines))
        for row, line in enumerate(self.lines):
            cells = [
                (line.receipt, True),
                (muscat_text(line.at)[:16], True),
                (entry_name(line) + _method_suffix(line), False),
                (money(line.total), True),
                (central_state(line), False),
            ]
            for column, (value, numeric) in enumerate(cells):
                item = QTableWidgetItem(value)
                if numeric:
                    item.setTextAlignment(RIGHT if column == 3 else Qt.AlignmentFlag.AlignCenter)
                self.setItem(row, column, item)
        if self.lines:
            self.setCurrentCell(0, 0)

    def selected(self) -> TransactionLine | None:
        row = self.currentRow()
        return self.lines[row] if 0 <= row < len(self.lines) else None


def _method_suffix(line: TransactionLine) -> str:
    name = method_name(line.method)
    return f" · {name}" if name else ""
