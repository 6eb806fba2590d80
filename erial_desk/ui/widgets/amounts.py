"""Amounts on screen: shown with the currency in the window's language, right-aligned."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from erial_desk.domain.money import format_amount

from ..language import keep_left_to_right
from ..words import arabic_digits, language

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter


def money(baisa: int) -> str:
    return format_amount(baisa, language(), arabic_digits=arabic_digits())


class AmountLabel(QLabel):
    """An amount that reads left to right and lines up on the right in both languages."""

    def __init__(self, baisa: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        keep_left_to_right(self)
        self.setAlignment(RIGHT)
        self.set_amount(baisa)

    def set_amount(self, baisa: int) -> None:
        self.baisa = baisa
        self.setText(money(baisa))
