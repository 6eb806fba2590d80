"""PDF documents: Arabic extracted in reading order, tables right to left in Arabic, page sizes,
copies marked, long listings over several pages with their header repeated."""

from __future__ import annotations

import dataclasses
import io
import unicodedata

import pytest
from pypdf import PdfReader

from erial_desk.printing.model import Table
from erial_desk.printing.pdf import pdf_bytes

from . import samples

A4 = (595, 842)
A5 = (420, 595)


def reader(doc) -> PdfReader:
    return PdfReader(io.BytesIO(pdf_bytes(doc)))


def plain(text: str) -> str:
    # Drawn Arabic uses presentation forms (joined letter shapes); NFKC folds them back.
    return unicodedata.normalize("NFKC", text)


def page_text(pdf: PdfReader) -> str:
    return plain("\n".join(page.extract_text() for page in pdf.pages))


def positions(page, sizes: list[float] | None = None) -> list[tuple[str, float, float]]:
    found: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((plain(text).strip(), tm[4], tm[5]))
            if sizes is not None:
                sizes.append(size)

    page.extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_arabic_words_come_out_in_reading_order(lang):
    docs = samples.all_documents(lang)
    expected = {
        "statement": ["كشف حساب مشترك", "الرصيد المعروف", "المعاملات"],
        "z_report": ["تقرير إغلاق المناوبة", "النقد المتوقع في الدرج", "رقم الإيصال"],
        "top_up": ["إيصال شحن رصيد", "الرصيد بعد العملية", "امسح الرمز للتحقق من الإيصال"],
        "welcome": ["احتفظ برقم حسابك", "رمز رقم حسابك"],
    }
    for name, phrases in expected.items():
        text = page_text(reader(docs[name]))
        for phrase in ["بلدية مسقط", "الريال الإلكتروني", *phrases]:
            assert phrase in text, (name, phrase)
            assert phrase[::-1] not in text
        assert "Muscat Municipality" in text
    if lang == "ar":
        # Values are written in the interface language: the subscriber's Arabic name.
        assert "أحمد بن سالم البلوشي" in page_text(reader(docs["statement"]))
    z = page_text(reader(docs["z_report"]))
    assert "النقد المتوقع في الدرج" in z and "Expected cash in drawer" in z


def test_page_sizes():
    docs = samples.all_documents("ar")
    for name, size in (
        ("z_report", A4),
        ("shift_report", A4),
        ("statement", A4),
        ("x_report", A4),
        ("top_up", A5),
    ):
        box = reader(docs[name]).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == size, name


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_tables_run_right_to_left_in_arabic(lang):
    pdf = reader(samples.all_documents(lang)["shift_report"])
    found = positions(pdf.pages[0])
    x = {text: left for text, left, _ in found}
    # The first column (time) and the last (service charge), by their English titles.
    time_x, charge_x = x["Time"], x["Service charge"]
    assert (time_x > charge_x) if lang == "ar" else (time_x < charge_x)
    # Field lines: the Arabic label right of the English one on the same line, in both.
    printed_en = next((left, y) for text, left, y in found if text == "Printed at")
    printed_ar = next((left, y) for text, left, y in found if text == "وقت الطباعة")
    assert printed_ar[1] == printed_en[1] and printed_ar[0] > printed_en[0]


def test_amounts_line_up_at_one_right_edge():
    pdf = reader(samples.all_documents("en")["bill_wallet"])
    page = pdf.pages[0]
    rights = []
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from erial_desk.printing.pdf import FONT, _register_font

    _register_font()
    sizes: list[float] = []
    for (text, left, _), size in zip(positions(page, sizes), sizes, strict=True):
        if text.endswith(" OMR"):
            rights.append(left + stringWidth(text, FONT, size))
    assert len(rights) >= 4  # bill amount, service charge, total, balance after
    assert max(rights) - min(rights) < 0.01


def test_copy_is_marked():
    copy = samples.all_documents("ar", copy=True)["top_up"]
    text = page_text(reader(copy))
    assert "COPY" in text and "نسخة" in text
    original = page_text(reader(samples.all_documents("ar")["top_up"]))
    assert "COPY" not in original


def test_a_long_shift_runs_over_pages_with_the_header_again():
    doc = samples.all_documents("ar")["shift_report"]
    body = tuple(
        dataclasses.replace(b, rows=b.rows * 40) if isinstance(b, Table) else b for b in doc.body
    )
    pdf = reader(dataclasses.replace(doc, body=body))
    assert len(pdf.pages) > 2
    for page in pdf.pages[1:-1]:
        text = plain(page.extract_text())
        assert "Receipt no." in text and "رقم الإيصال" in text
    last = plain(pdf.pages[-1].extract_text())
    assert f"/ {len(pdf.pages)}" in last
