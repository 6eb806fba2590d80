"""The receipt model: what a printed document says, as plain data (no Qt, no ReportLab).

Builders in ``documents`` turn journal entries into a ``Document``; the thermal raster
(``raster``), the ESC/POS encoder (``escpos_out``) and the PDF writer (``pdf``) each render any
``Document``. Every text exists in Arabic and English (``Bi``); money is int baisa, formatted by
the renderer so that amounts line up in one column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from erial_desk.domain import labels
from erial_desk.domain.words import N_, text


class DocumentKind(StrEnum):
    TOP_UP = "top_up"
    BILL_PAYMENT = "bill_payment"
    WELCOME = "welcome"  # subscriber welcome slip: account number as text and QR
    VOID = "void"
    STATEMENT = "statement"
    PERMIT_SLIP = "permit_slip"  # building-permit tracking slip
    X_REPORT = "x_report"  # mid-shift totals
    Z_REPORT = "z_report"  # totals at the close, with the drawer count
    SHIFT_REPORT = "shift_report"  # totals and every transaction of a shift (A4)
    DAY_REPORT = "day_report"  # an office's day for its supervisor (A4)
    TEST_PAGE = "test_page"


# Documents printed on A4 when the output is PDF; every other kind is an A5 receipt.
A4_KINDS = frozenset(
    {
        DocumentKind.STATEMENT,
        DocumentKind.X_REPORT,
        DocumentKind.Z_REPORT,
        DocumentKind.SHIFT_REPORT,
        DocumentKind.DAY_REPORT,
    }
)

LANGUAGES = ("ar", "en")


@dataclass(frozen=True)
class Bi:
    """A text in Arabic and English."""

    ar: str
    en: str

    def pick(self, lang: str) -> str:
        return self.ar if lang == "ar" else self.en

    @classmethod
    def same(cls, text: str) -> Bi:
        """A text written the same in both (numbers, codes)."""
        return cls(text, text)


def bi(sentence: str) -> Bi:
    """A sentence of the words catalogue in both languages (``sentence`` is its English)."""
    return Bi(text("ar", sentence), text("en", sentence))


MUNICIPALITY = bi(labels.MUNICIPALITY)
SYSTEM = bi(labels.SYSTEM)
COPY_MARK = bi(N_("COPY"))


@dataclass(frozen=True)
class Field:
    """A labelled line: a text value, or an amount in baisa shown in the amount column."""

    label: Bi
    value: Bi | None = None
    amount: int | None = None
    strong: bool = False  # totals


@dataclass(frozen=True)
class Heading:
    text: Bi


@dataclass(frozen=True)
class Note:
    """A paragraph, wrapped to the width: Arabic first, then English."""

    text: Bi


@dataclass(frozen=True)
class Rule:
    """A separating line."""


@dataclass(frozen=True)
class Qr:
    data: str
    caption: Bi
    big: bool = False  # the account QR of a welcome slip is meant for a scanner at the counter


@dataclass(frozen=True)
class Column:
    title: Bi
    amount: bool = False  # cells are int baisa
    weight: int = 1  # share of the page width in PDF tables
    compact: str = "meta"  # on thermal paper: "meta" (small line), "main" (with the amount), "-"


Cell = str | Bi | int | None


@dataclass(frozen=True)
class Table:
    """A listing (statement lines, a shift's transactions). PDF prints it as a table, right to
    left in Arabic; thermal paper prints each row as two short lines, or skips the table."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    on_thermal: bool = True
    empty: Bi = bi(N_("No transactions"))


Block = Field | Heading | Note | Rule | Qr | Table


@dataclass(frozen=True)
class Document:
    kind: DocumentKind
    title: Bi
    language: str  # the interface language: values and amounts are written in it
    header: tuple[Field, ...]  # receipt number, date and time, office, terminal, operator, shift
    body: tuple[Block, ...]
    receipt: str | None = None
    qr: Qr | None = None  # central's verification page of this receipt
    copy: bool = False  # a reprint: marked COPY / نسخة
    cash_drawer: bool = False  # open the drawer: cash changed hands (original prints only)
    footer: tuple[Bi, ...] = field(default_factory=tuple)

    def tables(self) -> list[Table]:
        return [block for block in self.body if isinstance(block, Table)]
