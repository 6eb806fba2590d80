"""A small bar chart drawn with QPainter: the day's takings by hour or by service.

No plotting library: a handful of bars, their labels under them and the largest value written
above its bar (in rials, as the chart's title says). Time runs left to right in both languages,
as on a printed schedule; the labels are drawn by Qt, which shapes Arabic.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from erial_desk.domain.money import format_plain

BAR = QColor("#2e7d32")
AXIS = QColor("#666666")


class BarChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.setFixedHeight(130)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.bars: list[tuple[str, int]] = []

    def set_bars(self, bars: list[tuple[str, int]]) -> None:
        """(label, baisa) in the order drawn."""
        self.bars = bars
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width, height = self.width(), self.height()
        metrics = painter.fontMetrics()
        label_height = metrics.height() + 4
        top = metrics.height() + 6
        base = height - label_height
        painter.setPen(AXIS)
        painter.drawLine(0, base, width, base)
        if not self.bars:
            return
        largest = max(value for _, value in self.bars) or 1
        slot = width / len(self.bars)
        for index, (label, value) in enumerate(self.bars):
            bar_height = (base - top) * value / largest
            left = index * slot + slot * 0.15
            bar = QRectF(left, base - bar_height, slot * 0.7, bar_height)
            painter.fillRect(bar, BAR)
            painter.setPen(AXIS)
            painter.drawText(
                QRectF(index * slot, base + 2, slot, label_height),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(slot)),
            )
            if value == largest:
                text = format_plain(value)  # the chart's title names the currency
                text_width = metrics.horizontalAdvance(text) + 4
                centre = index * slot + slot / 2
                left = min(max(0.0, centre - text_width / 2), width - text_width)  # stays inside
                painter.drawText(
                    QRectF(left, bar.top() - metrics.height() - 2, text_width, metrics.height()),
                    Qt.AlignmentFlag.AlignHCenter,
                    text,
                )
        painter.end()
