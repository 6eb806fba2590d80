"""The bilingual page a receipt's QR code opens: is this receipt genuine?"""

from __future__ import annotations

from html import escape
from typing import Any

from erial_desk.domain.labels import entry_label
from erial_desk.domain.money import format_amount


def render_receipt_page(receipt: str, found: dict[str, Any] | None) -> str:
    if found is None:
        verdict_en, verdict_ar, colour = "No such receipt", "لا يوجد إيصال بهذا الرقم", "#b00020"
    elif not found["matches"]:
        verdict_en, verdict_ar, colour = (
            "This receipt does not match our records",
            "هذا الإيصال لا يطابق السجلات",
            "#b00020",
        )
    elif found["voided"]:
        verdict_en, verdict_ar, colour = (
            "Genuine receipt, since voided",
            "إيصال صحيح، وتم إلغاؤه لاحقًا",
            "#a15c00",
        )
    else:
        verdict_en, verdict_ar, colour = "Genuine receipt", "إيصال صحيح", "#1b5e20"
    rows = ""
    if found is not None and found["matches"]:
        kind_en, kind_ar = (
            entry_label(found["entry_type"], "en"),
            entry_label(found["entry_type"], "ar"),
        )
        amount = found["amount"]
        total = (amount or 0) + (found["service_charge"] or 0)
        rows = (
            f"<tr><th>النوع / Type</th><td>{escape(kind_ar)} / {escape(kind_en)}</td></tr>"
            f"<tr><th>التاريخ / Date (UTC)</th><td dir='ltr'>{escape(found['at'][:19])}</td></tr>"
            f"<tr><th>المكتب / Office</th><td>{escape(found['office_id'])}</td></tr>"
        )
        if amount is not None:
            shown = escape(format_amount(total))
            rows += f"<tr><th>المبلغ / Amount</th><td dir='ltr'>{shown}</td></tr>"
    return f"""<!doctype html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(verdict_en)} - e-Rial</title>
<style>body{{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}}
h1{{color:{colour}}} th{{text-align:start;padding:.3rem 1rem .3rem 0}} td{{padding:.3rem}}</style>
</head><body>
<p>بلدية مسقط — الريال الإلكتروني<br><span dir="ltr">Muscat Municipality — e-Rial</span></p>
<h1>{escape(verdict_ar)}<br><span dir="ltr">{escape(verdict_en)}</span></h1>
<p>رقم الإيصال / Receipt: <span dir="ltr">{escape(receipt)}</span></p>
<table>{rows}</table>
</body></html>
"""
