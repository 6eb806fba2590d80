"""A café's settlement statement as a bilingual A4 PDF (ReportLab).

Each line carries its English words at the left, the amount in the middle and its Arabic words
at the right, so one page serves the municipality's accountant and the café's owner alike.
Arabic is shaped line by line as the desk's documents are (``erial_desk.domain.rtl``) in the
same Noto Sans Arabic font.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from erial_desk.domain.clock import muscat_text, now_stamp
from erial_desk.domain.fontfile import font_path
from erial_desk.domain.labels import method_label, service_label
from erial_desk.domain.money import format_amount
from erial_desk.domain.policy import FeeCatalogue
from erial_desk.domain.rtl import visual_line
from erial_desk.domain.words import N_, Nn_, isolate, plural, text

FONT = "NotoSansArabic"
TITLE = N_("Settlement statement")
MUNICIPALITY = N_("Muscat Municipality")
OFFICE = N_("Office")
PERIOD = N_("Period")
PERIOD_VALUE = N_("{first} to {last}")
PRINTED_AT = N_("Printed at")
PAYMENTS = N_("Bill payments made")
BY_METHOD = N_("By payment method")
BY_SERVICE = N_("By service")
CHARGES = N_("Service charges collected")
TOP_UPS = N_("Cash top-ups")
CASH_TAKEN = N_("Cash taken at the counter")
REFUNDS = N_("Refunds due to customers")
FLAGGED = N_("Entries flagged by central")
COUNT = Nn_("{count} entry", "{count} entries")
NOTE = N_(
    "Movements that stand in central's ledger: voided entries, refused payments and reversed"
    " debits are left out. Refunds due are cash the office holds for customers whose payment"
    " central could not apply."
)


def _wrap(words: str, size: float, width: float) -> list[str]:
    """Lines of ``words`` no wider than ``width``, in reading order (shaped afterwards)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    for word in words.split():
        candidate = f"{current} {word}".strip()
        if current and stringWidth(visual_line(candidate), FONT, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


def write_settlement_pdf(statement: dict[str, Any], catalogue: FeeCatalogue, out: Path) -> None:
    """Draw ``statement`` (``reports.settlement``'s answer) into the PDF file ``out``; services
    are named as ``catalogue`` names them."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(font_path())))
    canvas = Canvas(str(out), pagesize=A4)
    canvas.setTitle(f"{text('en', TITLE)} {statement['office']['office_id']}")
    width, height = A4
    margin = 48.0
    y = height - margin

    def line(english: str, arabic: str, amount: str = "", *, size: float = 10.5) -> None:
        nonlocal y
        if y < margin + 40:
            canvas.showPage()
            y = height - margin
        canvas.setFont(FONT, size)
        canvas.drawString(margin, y, english)
        canvas.drawRightString(width - margin, y, visual_line(arabic))
        if amount:
            canvas.drawRightString(width / 2 + 60, y, amount)
        y -= size * 1.6

    def words(message: str, amount: int | None = None, **params: Any) -> None:
        shown = "" if amount is None else format_amount(amount)
        line(text("en", message, **params), text("ar", message, **params), shown)

    def count(number: int) -> None:
        line(*(plural(lang, *COUNT, number) for lang in ("en", "ar")))

    def rule() -> None:
        nonlocal y
        canvas.setLineWidth(0.6)
        canvas.line(margin, y + 6, width - margin, y + 6)
        y -= 8

    office = statement["office"]
    line(text("en", MUNICIPALITY), text("ar", MUNICIPALITY), size=15)
    line(text("en", TITLE), text("ar", TITLE), size=13)
    rule()
    line(f"{text('en', OFFICE)}: {office['name_en']}", f"{text('ar', OFFICE)}: {office['name_ar']}")
    line(office["office_id"], office["office_id"])
    period = {"first": statement["from"], "last": statement["to"]}
    line(
        f"{text('en', PERIOD)}: {text('en', PERIOD_VALUE, **period)}",
        f"{text('ar', PERIOD)}: {text('ar', PERIOD_VALUE, **period)}",
    )
    printed = muscat_text(now_stamp())
    line(f"{text('en', PRINTED_AT)}: {printed}", f"{text('ar', PRINTED_AT)}: {isolate(printed)}")
    rule()
    payments = statement["payments"]
    words(PAYMENTS, payments["amount"])
    count(payments["count"])
    y -= 4
    words(BY_METHOD)
    for method, figures in sorted(statement["payments_by_method"].items()):
        line(
            f"    {method_label(method, 'en')}",
            f"    {method_label(method, 'ar')}",
            format_amount(figures["amount"]),
        )
    words(BY_SERVICE)
    for kind, figures in sorted(statement["payments_by_service"].items()):
        line(
            f"    {service_label(kind, 'en', catalogue)}",
            f"    {service_label(kind, 'ar', catalogue)}",
            format_amount(figures["amount"]),
        )
    rule()
    words(CHARGES, statement["service_charges"])
    words(TOP_UPS, statement["top_ups"]["amount"])
    words(CASH_TAKEN, statement["cash_taken"])
    words(REFUNDS, statement["refunds_due"])
    words(FLAGGED)
    count(statement["flagged"])
    rule()
    canvas.setFont(FONT, 8.5)
    for english in _wrap(text("en", NOTE), 8.5, width - 2 * margin):
        canvas.drawString(margin, y, english)
        y -= 12
    y -= 4
    for arabic in _wrap(text("ar", NOTE), 8.5, width - 2 * margin):
        canvas.drawRightString(width - margin, y, visual_line(arabic))
        y -= 12
    canvas.showPage()
    canvas.save()
