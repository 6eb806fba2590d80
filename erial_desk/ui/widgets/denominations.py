"""Counting a drawer by denomination: notes and coins of the rial, count × value, total.

Used to open a shift (the float), for a cash drop and to close (the counted drawer). Counts are
whole numbers typed in a column; Tab or Enter moves down the column.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QSpinBox, QWidget

from erial_desk.domain.policy import DENOMINATIONS

from ..language import keep_left_to_right
from ..words import t
from .amounts import AmountLabel, money

MAX_PIECES = 9999


class DenominationCount(QWidget):
    changed = Signal(int)  # the total in baisa

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.addWidget(QLabel(t("Note or coin")), 0, 0)
        grid.addWidget(QLabel(t("Count")), 0, 1)
        grid.addWidget(QLabel(t("Value")), 0, 2)
        self.spins: dict[int, QSpinBox] = {}
        self._lines: dict[int, AmountLabel] = {}
        for row, value in enumerate(DENOMINATIONS, start=1):
            name = QLabel(money(value))
            keep_left_to_right(name)
            spin = QSpinBox(self)
            spin.setRange(0, MAX_PIECES)
            spin.setAccessibleName(t("Count of {value}", value=money(value)))
            keep_left_to_right(spin)
            spin.valueChanged.connect(self._recount)
            line = AmountLabel(0, self)
            grid.addWidget(name, row, 0)
            grid.addWidget(spin, row, 1)
            grid.addWidget(line, row, 2)
            self.spins[value] = spin
            self._lines[value] = line
        self.total_label = AmountLabel(0, self)
        grid.addWidget(QLabel(t("Total")), len(DENOMINATIONS) + 1, 0)
        grid.addWidget(self.total_label, len(DENOMINATIONS) + 1, 2)

    def counts(self) -> dict[int, int]:
        return {value: spin.value() for value, spin in self.spins.items() if spin.value()}

    def total(self) -> int:
        return sum(value * count for value, count in self.counts().items())

    def set_counts(self, counts: dict[int, int]) -> None:
        for value, spin in self.spins.items():
            spin.setValue(counts.get(value, 0))

    def first_field(self) -> QSpinBox:
        return self.spins[DENOMINATIONS[0]]

    def last_field(self) -> QSpinBox:
        return self.spins[DENOMINATIONS[-1]]

    def _recount(self) -> None:
        for value, spin in self.spins.items():
            self._lines[value].set_amount(value * spin.value())
        total = self.total()
        self.total_label.set_amount(total)
        self.changed.emit(total)
