"""PDF documents with ReportLab: A4 shift reports and statements, A5 receipts.

ReportLab neither shapes Arabic nor reorders right-to-left text (its own options need ``rlbidi``,
which is not on PyPI). So every line is wrapped first, measured as it will be drawn, and only then
shaped with ``arabic-reshaper`` (joined letter forms) and reordered with ``python-bidi`` into the
visual order ReportLab draws left to right. Reordering a whole paragraph at once would reverse the
order of its lines. Tables run right to left in Arabic: the first column is at the right edge.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import A4, A5
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from erial_desk.domain.rtl import is_rtl, visual_line

from .fontfile import font_path
from .model import (
    A4_KINDS,
    COPY_MARK,
    MUNICIPALITY,
    SYSTEM,
    Bi,
    Block,
    Cell,
    Document,
    Field,
    Heading,
    Note,
    Qr,
    Rule,
    Table,
)
from .qr import QUIET_ZONE, qr_matrix
from .texts import amount_parts

FONT = "NotoSansArabic"
BODY, SMALL, HEADING, TITLE, LETTERHEAD = 10.5, 8.5, 12.0, 16.0, 15.0
ASCENT = 0.95  # baseline below the top of a line, in em
LEADING = 1.45  # line height, in em
MM = 72 / 25.4  # points in a millimetre
_font_lock = threading.Lock()
_registered = False


def _register_font() -> None:
    global _registered
    with _font_lock:
        if not _registered:
            # The variable font's default instance (regular); bold is drawn with a stroke.
            pdfmetrics.registerFont(TTFont(FONT, str(font_path())))
            _registered = True


def shape(text: str) -> str:
    """One line of text in the order ReportLab draws it (``domain.rtl``)."""
    return visual_line(text)


def amount_visual(baisa: int, lang: str) -> str:
    """An amount in drawing order. The number stays as it is (a minus sign before the digits)
    and in Arabic the currency comes to its left, where right-to-left reading puts it."""
    number, unit = amount_parts(baisa, lang)
    return f"{shape(unit)} {number}" if lang == "ar" else f"{number} {unit}"


@lru_cache(maxsize=16384)
def _visual_width(visual: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(visual, FONT, size))


def _width(text: str, size: float) -> float:
    return _visual_width(shape(text), size)


class _NumberedCanvas(Canvas):
    """Writes "page n / total" on every page once the total is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, 1):
            self.__dict__.update(state)
            self.setFont(FONT, SMALL)
            self.setFillGray(0.35)
            self.drawCentredString(self._pagesize[0] / 2, 20, f"{number} / {total}")
            super().showPage()
        super().save()


@dataclass
class _Writer:
    """Lays a document out from the top of the page down; ``y`` is the top of the next line."""

    canvas: _NumberedCanvas
    doc: Document
    width: float
    height: float
    margin: float

    def __post_init__(self) -> None:
        self.x0 = self.margin
        self.x1 = self.width - self.margin
        self.inner = self.x1 - self.x0
        self.gap = 10.0
        self.value_x = self.x0 + self.inner * 0.65
        self.lang = self.doc.language
        self.top = self.height - self.margin
        self.y = self.top
        self.bottom = self.margin + 14

    # --- drawing ---------------------------------------------------------------------------

    def draw(self, visual: str, size: float, x: float, align: str, *, bold: bool = False) -> None:
        """Draw text already in visual order on the current line."""
        width = _visual_width(visual, size)
        left = x - width if align == "right" else x - width / 2 if align == "center" else x
        obj = self.canvas.beginText(left, self.y - size * ASCENT)
        obj.setFont(FONT, size)
        if bold:
            # No bold face in the variable font for ReportLab: fill and stroke the outline.
            self.canvas.setLineWidth(size * 0.035)
            obj.setTextRenderMode(2)
        obj.textOut(visual)
        if bold:
            obj.setTextRenderMode(0)  # the mode is graphics state: it would outlive this text
        self.canvas.drawText(obj)

    def text(self, text: str, size: float, x: float, align: str, *, bold: bool = False) -> None:
        self.draw(shape(text), size, x, align, bold=bold)

    def line(self, size: float) -> float:
        return size * LEADING

    def need(self, height: float) -> None:
        if self.y - height < self.bottom:
            self.new_page()

    def new_page(self) -> None:
        self.canvas.showPage()
        self.y = self.top
        self.watermark()

    def down(self, size: float) -> None:
        self.y -= self.line(size)

    def wrap(self, text: str, size: float, width: float) -> list[str]:
        lines: list[str] = []
        current = ""
        for word in text.split():
            candidate = f"{current} {word}" if current else word
            if not current or _width(candidate, size) <= width:
                current = candidate
            else:
                lines.append(current)
                current = word
        if current:
            lines.append(current)
        return lines or [""]

    def paragraph(self, text: str, size: float, *, bold: bool = False) -> None:
        rtl = is_rtl(text)
        anchor, align = (self.x1, "right") if rtl else (self.x0, "left")
        for line in self.wrap(text, size, self.inner):
            self.need(self.line(size))
            self.text(line, size, anchor, align, bold=bold)
            self.down(size)

    def pair(self, text: Bi, size: float, *, bold: bool = False) -> None:
        """Arabic at the right margin and English at the left, on one line when both fit."""
        if text.ar == text.en:
            self.paragraph(text.ar, size, bold=bold)
            return
        if _width(text.ar, size) + self.gap + _width(text.en, size) <= self.inner:
            self.need(self.line(size))
            self.text(text.ar, size, self.x1, "right", bold=bold)
            self.text(text.en, size, self.x0, "left", bold=bold)
            self.down(size)
            return
        self.paragraph(text.ar, size, bold=bold)
        self.paragraph(text.en, size, bold=bold)

    def rule(self, weight: float = 0.6) -> None:
        self.need(8)
        self.canvas.setLineWidth(weight)
        self.canvas.line(self.x0, self.y - 3, self.x1, self.y - 3)
        self.y -= 8

    # --- blocks ----------------------------------------------------------------------------

    def watermark(self) -> None:
        if not self.doc.copy:
            return
        c = self.canvas
        c.saveState()
        c.setFillGray(0.9)
        c.translate(self.width / 2, self.height / 2)
        c.rotate(35)
        c.setFont(FONT, self.width / 7)
        c.drawCentredString(0, 0, f"{COPY_MARK.en}  {shape(COPY_MARK.ar)}")
        c.restoreState()

    def letterhead(self) -> None:
        self.pair(MUNICIPALITY, LETTERHEAD, bold=True)
        self.pair(SYSTEM, BODY)
        self.rule(1.2)
        if self.doc.copy:
            height = self.line(TITLE)
            self.need(height)
            c = self.canvas
            c.rect(self.x0, self.y - height, self.inner, height, stroke=0, fill=1)
            c.setFillGray(1)
            c.setStrokeGray(1)
            self.y -= (height - TITLE * 1.2) / 2
            self.text(COPY_MARK.ar, TITLE, self.x1 - self.gap, "right", bold=True)
            self.text(COPY_MARK.en, TITLE, self.x0 + self.gap, "left", bold=True)
            c.setFillGray(0)
            c.setStrokeGray(0)
            self.y -= height - (height - TITLE * 1.2) / 2 + 4

    def field(self, item: Field) -> None:
        size = HEADING if item.strong else BODY
        bold = item.strong
        if item.amount is not None:
            value = amount_visual(item.amount, self.lang)
        elif item.value is not None:
            value = shape(item.value.pick(self.lang))
        else:
            self.pair(item.label, size, bold=bold)
            return
        ar, en = item.label.ar, item.label.en
        single = ar == en
        a, v = _width(ar, size), _visual_width(value, size)
        e = 0.0 if single else _width(en, size)
        if a + self.gap <= self.x1 - self.value_x and e + self.gap + v <= self.value_x - self.x0:
            self.need(self.line(size))
            if single and self.lang != "ar":
                self.text(en, size, self.x0, "left", bold=bold)
            else:
                self.text(ar, size, self.x1, "right", bold=bold)
                if not single:
                    self.text(en, size, self.x0, "left", bold=bold)
            self.draw(value, size, self.value_x, "right", bold=bold)
            self.down(size)
            return
        self.pair(item.label, size, bold=bold)
        if item.amount is not None:
            self.need(self.line(size))
            self.draw(value, size, self.value_x, "right", bold=bold)
            self.down(size)
        else:
            self.paragraph(item.value.pick(self.lang) if item.value else "", size, bold=bold)

    def draw_qr(self, data: str, left: float, top: float, side: float) -> None:
        matrix = qr_matrix(data)
        module = side / len(matrix)
        path = self.canvas.beginPath()
        for r, row in enumerate(matrix):
            for col, dark in enumerate(row):
                if dark:
                    path.rect(left + col * module, top - (r + 1) * module, module, module)
        self.canvas.drawPath(path, stroke=0, fill=1)

    def qr(self, item: Qr) -> None:
        """A code centred on the page under its caption."""
        side = (30 if item.big else 22) * MM
        quiet = QUIET_ZONE * side / len(qr_matrix(item.data))
        self.need(self.line(SMALL) + side + 2 * quiet)
        self.pair(item.caption, SMALL)
        self.draw_qr(item.data, (self.width - side) / 2, self.y - quiet, side)
        self.y -= side + 2 * quiet

    def closing(self, item: Qr, footer: tuple[Bi, ...]) -> None:
        """The verification code at the left margin, its caption and the footer beside it."""
        side = 22 * MM
        quiet = QUIET_ZONE * side / len(qr_matrix(item.data))
        self.need(side + 2 * quiet)
        top = self.y
        self.draw_qr(item.data, self.x0 + quiet, top - quiet, side)
        beside = self.x0 + side + 2 * quiet
        self.y -= quiet
        for text in (item.caption, *footer):
            self.text(text.ar, SMALL, self.x1, "right")
            self.down(SMALL)
            self.text(text.en, SMALL, beside, "left")
            self.down(SMALL)
            self.y -= 4
        self.y = min(self.y, top - side - 2 * quiet)

    def table(self, table: Table) -> None:
        columns = table.columns
        total = sum(c.weight for c in columns)
        widths = [self.inner * c.weight / total for c in columns]
        # Column edges, the first column at the edge the language starts from.
        edges: list[tuple[float, float]] = []
        edge = self.x1 if self.lang == "ar" else self.x0
        for w in widths:
            edges.append((edge - w, edge) if self.lang == "ar" else (edge, edge + w))
            edge = edge - w if self.lang == "ar" else edge + w
        pad = 3.0
        size = SMALL + 0.5

        def header() -> None:
            other = "en" if self.lang == "ar" else "ar"
            height = 2 * self.line(SMALL) + 2
            self.need(height + self.line(size))
            self.canvas.setFillGray(0.85)
            self.canvas.rect(self.x0, self.y - height, self.inner, height, stroke=0, fill=1)
            self.canvas.setFillGray(0)
            self.y -= 1
            for lang in (self.lang, other):
                for (lo, hi), column in zip(edges, columns, strict=True):
                    title = shape(column.title.pick(lang))
                    self._cell(title, SMALL, (lo + pad, hi - pad), column.amount, True)
                self.down(SMALL)
            self.y -= 1

        header()
        if not table.rows:
            self.pair(table.empty, BODY)
            return
        for index, row in enumerate(table.rows):
            lines: list[list[str]] = []
            for (lo, hi), column, value in zip(edges, columns, row, strict=True):
                if column.amount and isinstance(value, int):
                    lines.append([amount_visual(value, self.lang)])
                else:
                    text = self._cell_text(value)
                    lines.append([shape(t) for t in self.wrap(text, size, hi - lo - 2 * pad)])
            height = self.line(size) * max(len(c) for c in lines)
            if self.y - height < self.bottom:
                self.new_page()
                header()
            if index % 2:
                self.canvas.setFillGray(0.95)
                self.canvas.rect(self.x0, self.y - height, self.inner, height, stroke=0, fill=1)
                self.canvas.setFillGray(0)
            # One text object per row: thousands of rows are the common case of a shift report.
            text = self.canvas.beginText()
            text.setFont(FONT, size)
            for (lo, hi), column, texts in zip(edges, columns, lines, strict=True):
                for number, visual in enumerate(texts):
                    if column.amount or self.lang == "ar":
                        x = hi - pad - _visual_width(visual, size)
                    else:
                        x = lo + pad
                    text.setTextOrigin(x, self.y - number * self.line(size) - size * ASCENT)
                    text.textOut(visual)
            self.canvas.drawText(text)
            self.y -= height

    def _cell_text(self, value: Cell) -> str:
        if value is None:
            return ""
        if isinstance(value, Bi):
            return value.pick(self.lang)
        return str(value)

    def _cell(
        self, visual: str, size: float, bounds: tuple[float, float], amount: bool, bold: bool
    ) -> None:
        # Amounts right-aligned so their decimals line up; text from the table's start edge.
        lo, hi = bounds
        if amount or self.lang == "ar":
            self.draw(visual, size, hi, "right", bold=bold)
        else:
            self.draw(visual, size, lo, "left", bold=bold)

    def block(self, item: Block) -> None:
        if isinstance(item, Field):
            self.field(item)
        elif isinstance(item, Heading):
            self.y -= 4
            self.pair(item.text, HEADING, bold=True)
        elif isinstance(item, Note):
            self.paragraph(item.text.ar, BODY)
            self.paragraph(item.text.en, BODY)
        elif isinstance(item, Rule):
            self.rule()
        elif isinstance(item, Qr):
            self.qr(item)
        elif isinstance(item, Table):
            self.y -= 4
            self.table(item)

    def write(self) -> None:
        self.watermark()
        self.letterhead()
        self.pair(self.doc.title, TITLE, bold=True)
        self.rule(1.2)
        for item in self.doc.header:
            self.field(item)
        self.rule()
        for block in self.doc.body:
            self.block(block)
        self.rule()
        if self.doc.qr is not None:
            self.closing(self.doc.qr, self.doc.footer)
        else:
            for line in self.doc.footer:
                self.pair(line, BODY)


def write_pdf(doc: Document, out: Path | BinaryIO) -> None:
    """``doc`` as a PDF: A4 for reports and statements, A5 for receipts and slips."""
    _register_font()
    size = A4 if doc.kind in A4_KINDS else A5
    margin = 42.0 if size == A4 else 26.0
    target: Any = str(out) if isinstance(out, Path) else out
    canvas = _NumberedCanvas(target, pagesize=size, pageCompression=1)
    canvas.setTitle(doc.title.en if doc.receipt is None else f"{doc.title.en} {doc.receipt}")
    canvas.setAuthor(MUNICIPALITY.en)
    _Writer(canvas, doc, size[0], size[1], margin).write()
    canvas.showPage()
    canvas.save()


def pdf_bytes(doc: Document) -> bytes:
    buffer = io.BytesIO()
    write_pdf(doc, buffer)
    return buffer.getvalue()
