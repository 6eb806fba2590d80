"""Receipt layout for the thermal raster: every line placed and measured before any painting.

Lines mirror each other: the Arabic label at the right edge, the English label at the left edge,
and the value right-aligned at one fixed x, so that amounts form a column whose decimal points line
up. Where a line does not fit (58 mm paper, long names) the labels and the value stack on separate
lines instead of being clipped. Every text placed is recorded as a ``TextBox`` so tests can check
alignment and margins against the pixels. Text is measured with Qt's shaping (``fonts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from erial_desk.domain.rtl import is_rtl

from . import fonts
from .model import (
    COPY_MARK,
    MUNICIPALITY,
    SYSTEM,
    Bi,
    Block,
    Document,
    Field,
    Heading,
    Note,
    Qr,
    Rule,
    Table,
)
from .qr import QUIET_ZONE, qr_matrix
from .texts import amount_text

# Sizes in pixels at 203 dpi; other resolutions scale them to the same size on paper.
BASE_DPI = 203
TITLE, LETTERHEAD, HEADING, STRONG, BODY, NOTE, SMALL = 30, 26, 24, 24, 22, 20, 18
PITCH = 1.4  # line height, in em: Arabic marks reach 0.8 em above and 0.45 em below the baseline
BASELINE = 0.95


@dataclass(frozen=True)
class TextBox:
    """One line of text as laid out: the advance box, the side it is aligned to, its role."""

    role: str  # label_ar, label_en, value, amount, title, heading, note, caption, banner, meta
    text: str
    rtl: bool
    align: str  # left, right
    x: float
    y: int  # top of the line
    width: float
    height: int
    baseline: int

    @property
    def right(self) -> float:
        return self.x + self.width


@dataclass(frozen=True)
class QrBox:
    data: str
    x: int
    y: int  # top of the code (the quiet zone is above and below)
    module: int
    modules: int
    top: int  # top of the band the code takes, quiet zone included
    bottom: int

    @property
    def size(self) -> int:
        return self.module * self.modules


@dataclass
class Text:
    box: TextBox
    px: int
    bold: bool
    white: bool = False


@dataclass
class Page:
    """Lays a document out line by line; painting comes after, once the height is known."""

    width: int
    dpi: int
    lang: str
    ops: list[Text | tuple[int, int, int, int, bool] | QrBox] = field(default_factory=list)
    boxes: list[TextBox] = field(default_factory=list)
    qrs: list[QrBox] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.scale = self.dpi / BASE_DPI
        self.x0 = max(4, round(8 * self.scale))
        self.x1 = self.width - self.x0
        self.inner = self.x1 - self.x0
        self.gap = round(14 * self.scale)
        self.amount_x = self.x0 + round(self.inner * 0.65)
        self.y = round(8 * self.scale)

    # --- primitives ------------------------------------------------------------------------

    def px(self, size: int) -> int:
        return max(8, round(size * self.scale))

    def pitch(self, size: int) -> int:
        return round(self.px(size) * PITCH)

    def adv(self, text: str, size: int, bold: bool = False) -> float:
        return fonts.advance(text, self.px(size), bold)

    def put(
        self,
        text: str,
        size: int,
        anchor: float,
        align: str,
        role: str,
        *,
        bold: bool = False,
        white: bool = False,
    ) -> None:
        """Place ``text`` on the current line, its ``align`` side at ``anchor``."""
        px = self.px(size)
        width = fonts.advance(text, px, bold)
        x = anchor - width if align == "right" else anchor
        box = TextBox(
            role,
            text,
            is_rtl(text),
            align,
            x,
            self.y,
            width,
            self.pitch(size),
            self.y + round(px * BASELINE),
        )
        self.ops.append(Text(box, px, bold, white))
        self.boxes.append(box)

    def down(self, size: int, lines: float = 1) -> None:
        self.y += round(self.pitch(size) * lines)

    def wrap(self, text: str, size: int, width: float, bold: bool = False) -> list[str]:
        """Greedy word wrap; a word wider than the line is broken between characters."""
        lines: list[str] = []
        current = ""
        for word in text.split():
            candidate = f"{current} {word}" if current else word
            if self.adv(candidate, size, bold) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = word
            while self.adv(current, size, bold) > width and len(current) > 1:
                cut = len(current) - 1
                while cut > 1 and self.adv(current[:cut], size, bold) > width:
                    cut -= 1
                lines.append(current[:cut])
                current = current[cut:]
        if current:
            lines.append(current)
        return lines or [""]

    def paragraph(self, text: str, size: int, role: str, *, bold: bool = False) -> None:
        """Wrapped lines aligned by script: Arabic to the right edge, Latin to the left."""
        rtl = is_rtl(text)
        for line in self.wrap(text, size, self.inner, bold):
            anchor, align = (self.x1, "right") if rtl else (self.x0, "left")
            self.put(line, size, anchor, align, role, bold=bold)
            self.down(size)

    def pair(self, text: Bi, size: int, role: str, *, bold: bool = False) -> None:
        """Arabic at the right edge and English at the left, on one line when both fit."""
        if text.ar == text.en:
            self.paragraph(text.ar, size, role, bold=bold)
            return
        a, e = self.adv(text.ar, size, bold), self.adv(text.en, size, bold)
        if a + self.gap + e <= self.inner:
            self.put(text.ar, size, self.x1, "right", role + "_ar", bold=bold)
            self.put(text.en, size, self.x0, "left", role + "_en", bold=bold)
            self.down(size)
            return
        self.paragraph(text.ar, size, role + "_ar", bold=bold)
        self.paragraph(text.en, size, role + "_en", bold=bold)

    def rule(self, dashed: bool = True) -> None:
        band = self.pitch(SMALL) // 2
        thick = max(1, round(2 * self.scale))
        top = self.y + (band - thick) // 2
        if dashed:
            dash, space = round(8 * self.scale), round(5 * self.scale)
            x = self.x0
            while x < self.x1:
                self.ops.append((x, top, min(dash, self.x1 - x), thick, False))
                x += dash + space
        else:
            self.ops.append((self.x0, top, self.inner, thick, False))
        self.y += band

    # --- blocks ----------------------------------------------------------------------------

    def letterhead(self) -> None:
        self.pair(MUNICIPALITY, LETTERHEAD, "title", bold=True)
        self.pair(SYSTEM, BODY, "title")
        self.rule(dashed=False)

    def banner(self, text: Bi) -> None:
        """COPY / نسخة, white on a black band across the paper."""
        height = self.pitch(TITLE)
        self.ops.append((self.x0, self.y, self.inner, height, False))
        pad = self.gap
        self.put(text.ar, TITLE, self.x1 - pad, "right", "banner", bold=True, white=True)
        self.put(text.en, TITLE, self.x0 + pad, "left", "banner", bold=True, white=True)
        self.y += height + round(6 * self.scale)

    def field(self, item: Field) -> None:
        size = STRONG if item.strong else BODY
        bold = item.strong
        if item.amount is not None:
            value, role = amount_text(item.amount, self.lang), "amount"
        elif item.value is not None:
            value, role = item.value.pick(self.lang), "value"
        else:
            self.pair(item.label, size, "label", bold=bold)
            return
        ar, en = item.label.ar, item.label.en
        single = ar == en
        a = self.adv(ar, size, bold)
        e = 0.0 if single else self.adv(en, size, bold)
        v = self.adv(value, size, bold)
        if single and self.lang != "ar":
            right_ok = True
            left_ok = a + self.gap + v <= self.amount_x - self.x0
        else:
            right_ok = a + self.gap <= self.x1 - self.amount_x
            left_ok = (e + self.gap if e else 0) + v <= self.amount_x - self.x0
        if right_ok and left_ok:
            if single and self.lang != "ar":
                self.put(en, size, self.x0, "left", "label", bold=bold)
            else:
                self.put(ar, size, self.x1, "right", "label_ar", bold=bold)
                if not single:
                    self.put(en, size, self.x0, "left", "label_en", bold=bold)
            self.put(value, size, self.amount_x, "right", role, bold=bold)
            self.down(size)
            return
        self.pair(item.label, size, "label", bold=bold)
        if role == "amount" and v <= self.amount_x - self.x0:
            self.put(value, size, self.amount_x, "right", role, bold=bold)
            self.down(size)
        else:
            # A text on a line of its own reads from the edge its script starts at.
            self.paragraph(value, size, role, bold=bold)

    def qr(self, item: Qr) -> None:
        self.pair(item.caption, SMALL, "caption")
        matrix = qr_matrix(item.data)
        modules = len(matrix)
        module = max(2, round((8 if item.big else 5) * self.scale))
        while module > 2 and (modules + 2 * QUIET_ZONE) * module > self.inner:
            module -= 1
        size = modules * module
        top = self.y
        y = top + QUIET_ZONE * module
        bottom = y + size + QUIET_ZONE * module
        box = QrBox(item.data, (self.width - size) // 2, y, module, modules, top, bottom)
        self.ops.append(box)
        self.qrs.append(box)
        self.y = box.bottom

    def table(self, table: Table) -> None:
        """Each row as a small line of its details, then its main text and amount."""
        if not table.rows:
            self.pair(table.empty, NOTE, "note")
            return
        start = self.x1 if self.lang == "ar" else self.x0
        align = "right" if self.lang == "ar" else "left"
        step = -1 if self.lang == "ar" else 1
        for row in table.rows:
            x = float(start)
            main: list[str] = []
            amount: int | None = None
            for column, cell in zip(table.columns, row, strict=True):
                if cell is None or column.compact == "-":
                    continue
                if column.amount and isinstance(cell, int):
                    amount = cell if column.compact == "main" else amount
                    continue
                text = cell.pick(self.lang) if isinstance(cell, Bi) else str(cell)
                if column.compact == "main":
                    main.append(text)
                    continue
                width = self.adv(text, SMALL)
                if abs(x - start) > 0 and abs(x - start) + width > self.inner:
                    self.down(SMALL)
                    x = float(start)
                self.put(text, SMALL, x, align, "meta")
                x += step * (width + self.gap)
            self.down(SMALL)
            text = " ".join(main)
            if amount is not None:
                self.field(Field(Bi(text, text), amount=amount))
            elif text:
                self.paragraph(text, BODY, "value")
            self.rule()

    def block(self, item: Block) -> None:
        if isinstance(item, Field):
            self.field(item)
        elif isinstance(item, Heading):
            self.y += round(6 * self.scale)
            self.pair(item.text, HEADING, "heading", bold=True)
        elif isinstance(item, Note):
            self.paragraph(item.text.ar, NOTE, "note")
            self.paragraph(item.text.en, NOTE, "note")
        elif isinstance(item, Rule):
            self.rule()
        elif isinstance(item, Qr):
            self.qr(item)
        elif isinstance(item, Table):
            if item.on_thermal:
                self.table(item)

    def document(self, doc: Document) -> None:
        self.letterhead()
        if doc.copy:
            self.banner(COPY_MARK)
        self.pair(doc.title, TITLE, "title", bold=True)
        self.rule(dashed=False)
        for item in doc.header:
            self.field(item)
        self.rule()
        for block in doc.body:
            self.block(block)
        if doc.qr is not None:
            self.rule()
            self.qr(doc.qr)
        for line in doc.footer:
            self.pair(line, BODY, "footer")
        self.y += round(16 * self.scale)


def layout(doc: Document, width: int, dpi: int) -> Page:
    page = Page(width, dpi, doc.language)
    page.document(doc)
    return page
