"""The page a receipt's QR code opens (``GET /r/{receipt}?h=...&t=...``): what central knows of
the receipt, told in both languages, the reader's first; the same answer as JSON for the desk.

Server-rendered (Jinja2, one stylesheet, no script), so it opens on any phone. The facts come
from ``receipt_check``; the sentences from the words catalogue and ``domain.labels``.
"""

from __future__ import annotations

import importlib.util
import os
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine

from erial_desk.domain import labels
from erial_desk.domain.clock import SYSTEM_CLOCK, Clock, muscat_text
from erial_desk.domain.entries import EntryType
from erial_desk.domain.identifiers import plate_in_arabic
from erial_desk.domain.labels import entry_label, method_label
from erial_desk.domain.money import format_amount
from erial_desk.domain.words import DEFAULT_LANGUAGE, LANGUAGES, text

from . import receipt_words as w
from .db import reading
from .receipt_check import Linked, ReceiptCheck, State, check_receipt

HERE = Path(__file__).resolve().parent
HELP_PHONE_VARIABLE = "ERIAL_CENTRAL_HELP_PHONE"
DEFAULT_HELP_PHONE = "1111"  # the municipality's call centre; a deployment may name another
_FONT_PACKAGE = "fontpkg_noto_sans_arabic"  # the receipts' font, served so every phone shows it


@cache
def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def language_order(accept_language: str | None) -> tuple[str, ...]:
    """Arabic and English, the one the reader's browser prefers first (Arabic when it names
    neither): ``Accept-Language`` lists tags with optional ``q`` weights."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        language = tag.strip().lower().split("-")[0]
        if language in LANGUAGES and weight > 0:
            ranked.append((-weight, index, language))
    first = min(ranked)[2] if ranked else DEFAULT_LANGUAGE
    return (first, *[lang for lang in LANGUAGES if lang != first])


def _link(linked: Linked | None) -> str | None:
    return None if linked is None else f"/r/{linked.receipt}?h={linked.entry_hash}"


def _rows(check: ReceiptCheck, lang: str) -> list[dict[str, Any]]:
    """The facts of the receipt as label and value; ``ltr`` values read left to right."""
    rows: list[dict[str, Any]] = []

    def add(label: str, value: str | None, ltr: bool = False) -> None:
        if value:
            rows.append({"label": text(lang, label), "value": value, "ltr": ltr})

    add(labels.RECEIPT_NO, check.receipt, ltr=True)
    if check.state in (State.NO_MATCH, State.NOT_RECEIVED):
        if check.at is not None:
            add(w.ISSUED_AT, muscat_text(check.at), ltr=True)
        return rows
    add(labels.TRANSACTION, entry_label(check.entry_type or "", lang))
    add(labels.DATE_TIME, muscat_text(check.at or ""), ltr=True)
    add(labels.OFFICE, check.office_ar if lang == "ar" else check.office_en)
    add(w.SERVICE, check.service_ar if lang == "ar" else check.service_en)
    add(labels.REFERENCE, check.bill_reference, ltr=True)
    if check.plate:
        add(w.PLATE, _plate(check.plate, lang))
    if check.voids is not None:
        add(labels.VOIDED_RECEIPT, check.voids.receipt, ltr=True)
    if check.amount is not None:
        if check.entry_type == EntryType.BILL_PAID:
            add(labels.BILL_AMOUNT, format_amount(check.amount, lang))
            add(labels.SERVICE_CHARGE, format_amount(check.service_charge or 0, lang))
            add(labels.TOTAL, format_amount(check.total or 0, lang))
        else:
            add(labels.AMOUNT, format_amount(check.amount, lang))
    if check.method:
        add(labels.METHOD, method_label(check.method, lang))
    return rows


def _plate(canonical: str, lang: str) -> str:
    """A plate as the reader's language writes it; one central cannot read is shown as it is."""
    if lang != "ar":
        return canonical
    try:
        return plate_in_arabic(canonical)
    except (KeyError, ValueError):
        return canonical


def _notes(check: ReceiptCheck) -> list[str]:
    """What the customer should know beyond the verdict: why, and what to do."""
    notes: list[str] = []
    if check.state is State.NOT_VALID:
        if check.reason is not None:
            notes.append(w.REASONS[check.reason])
        if check.cash_due_back:
            notes.append(w.CASH_DUE_BACK)
        elif check.entry_type == EntryType.BILL_PAID:
            notes.append(w.WALLET_NOT_CHARGED)
        if check.bill_still_due:
            notes.append(w.BILL_STILL_DUE)
        if not check.cash_due_back and not check.bill_still_due:
            notes.append(w.ASK_OFFICE)
    elif check.state is State.NOT_RECEIVED:
        notes.append(w.CHECK_AGAIN if check.check_again else w.LATE)
    return notes


def _section(check: ReceiptCheck, lang: str, phone: str) -> dict[str, Any]:
    verdict = w.VERDICTS[check.state]
    links = []
    if check.voided_by is not None:
        links.append({"href": _link(check.voided_by), "text": text(lang, w.SEE_VOID_SLIP)})
    if check.voids is not None:
        links.append({"href": _link(check.voids), "text": text(lang, w.SEE_CANCELLED)})
    return {
        "lang": lang,
        "dir": "rtl" if lang == "ar" else "ltr",
        "title": text(lang, verdict.title),
        "explanation": text(lang, verdict.explanation),
        "notes": [text(lang, note) for note in _notes(check)],
        "rows": _rows(check, lang),
        "links": links,
        "report": text(lang, w.REPORT, phone=phone),
        "municipality": text(lang, labels.MUNICIPALITY),
        "system": text(lang, labels.SYSTEM),
        "page_title": text(lang, w.PAGE_TITLE),
    }


def help_phone() -> str:
    return os.environ.get(HELP_PHONE_VARIABLE) or DEFAULT_HELP_PHONE


def render_html(check: ReceiptCheck, order: tuple[str, ...]) -> str:
    sections = [_section(check, lang, help_phone()) for lang in order]
    first = sections[0]
    return (
        _templates()
        .get_template("receipt.html")
        .render(
            first=first,
            sections=sections,
            tone=w.VERDICTS[check.state].tone,
            title=" | ".join(f"{s['title']} - {s['system']}" for s in sections),
        )
    )


def as_json(check: ReceiptCheck) -> dict[str, Any]:
    """The answer for programs (the desk's follow-up screen): the same facts, raw, and the
    sentences in both languages."""
    words = {lang: _section(check, lang, help_phone()) for lang in LANGUAGES}
    shown = check.state not in (State.NO_MATCH, State.NOT_RECEIVED)
    return {
        "receipt": check.receipt,
        "state": check.state.value,
        "title": {lang: words[lang]["title"] for lang in LANGUAGES},
        "explanation": {lang: words[lang]["explanation"] for lang in LANGUAGES},
        "notes": {lang: words[lang]["notes"] for lang in LANGUAGES},
        "entry_type": check.entry_type if shown else None,
        "at": check.at,
        "office": None
        if not shown
        else {"id": check.office_id, "name_en": check.office_en, "name_ar": check.office_ar},
        "service": None
        if check.bill_kind is None
        else {"kind": check.bill_kind, "name_en": check.service_en, "name_ar": check.service_ar},
        "bill_reference": check.bill_reference,
        "plate": check.plate,
        "amount": check.amount,
        "service_charge": check.service_charge,
        "total": check.total,
        "method": check.method,
        "reason": None if check.reason is None else check.reason.value,
        "cash_due_back": check.cash_due_back,
        "bill_still_due": check.bill_still_due,
        "check_again": check.check_again,
        "voided_by": None if check.voided_by is None else check.voided_by.receipt,
        "voided_by_url": _link(check.voided_by),
        "voids": None if check.voids is None else check.voids.receipt,
        "voids_url": _link(check.voids),
    }


def _wants_json(accept: str | None) -> bool:
    types = [part.split(";")[0].strip().lower() for part in (accept or "").split(",")]
    if "application/json" not in types:
        return False
    return "text/html" not in types[: types.index("application/json")]


@cache
def font_file() -> Path | None:
    spec = importlib.util.find_spec(_FONT_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    shipped = sorted((Path(spec.origin).parent / "files").glob("NotoSansArabic*.ttf"))
    return shipped[0] if shipped else None


def add_receipt_page(app: FastAPI, engine: Engine, clock: Clock = SYSTEM_CLOCK) -> None:
    """Register the page, its stylesheet and its font on ``app``."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/fonts/receipt.ttf", include_in_schema=False)
    def receipt_font() -> Response:
        found = font_file()
        if found is None:
            return Response(status_code=404)
        return FileResponse(found, media_type="font/ttf", headers=_CACHED)

    @app.get("/r/{receipt}", response_class=HTMLResponse)
    def receipt_page(request: Request, receipt: str, h: str = "", t: str = "") -> Response:
        """Whether a receipt is genuine, and its state, for whoever holds it."""
        now: datetime = clock.now()
        with reading(engine) as conn:
            check = check_receipt(conn, receipt[:40], h[:80], t[:20], now)
        status = 404 if check.state is State.NO_MATCH else 200
        if _wants_json(request.headers.get("accept")):
            return JSONResponse(as_json(check), status_code=status, headers=_PRIVATE)
        order = language_order(request.headers.get("accept-language"))
        return HTMLResponse(render_html(check, order), status_code=status, headers=_PRIVATE)


# The state of a receipt changes (sync, void, review): a page must not be kept by caches.
_PRIVATE = {"Cache-Control": "no-store", "Vary": "Accept, Accept-Language"}
_CACHED = {"Cache-Control": "public, max-age=86400"}
