"""``python -m bench print``: printing costs at the counter.

- A bill-payment receipt from its journal entry to the exact ESC/POS bytes (receipt model, Qt
  raster, 1-bit conversion, python-escpos encoding), for 58 mm (QR in the raster, no cutter) and
  80 mm (printer-drawn QR, cutter) paper. Target: median <= 50 ms.
- The A4 Z-report PDF of a closed shift of 5,000 journal entries, through the Desk facade
  (totals read from the derived tables, then ReportLab). Target: <= 300 ms. The shift report
  that also lists every one of the 5,000 transactions is timed beside it.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import tests.keystore  # noqa: E402, F401 - registers the memory key store
from bench.common import Metric, fill_shift, hq_desk, median, percentile, report  # noqa: E402
from erial_desk.domain.chain import build_envelope  # noqa: E402
from erial_desk.domain.entries import BillPaid, receipt_number  # noqa: E402
from erial_desk.printing import documents, inputs  # noqa: E402
from erial_desk.printing.escpos_out import encode, load_profile  # noqa: E402
from erial_desk.printing.model import Bi  # noqa: E402

RECEIPT_TARGET_MS = 50.0
Z_PDF_TARGET_MS = 300.0


def _bill_entry(seq: int) -> dict:
    payload = BillPaid(
        shift="0190a1b2-0000-7000-8000-000000000001",
        bill_kind="parking",
        bill_id=f"PV-{seq}",
        bill_reference=f"PV2026{seq:05d}",
        amount=15_000 + seq,
        service_charge=200,
        method="cash" if seq % 2 else "wallet",
        account=None if seq % 2 else "123456789015",
        sealed_pin=None,
        authorisation=None if seq % 2 else "AU-1",
        balance_after=None if seq % 2 else 5_300,
        status="pending" if seq % 2 else "confirmed",
    )
    return build_envelope(
        entry_id=f"0190a1b2-0000-7000-8000-{seq:012d}",
        terminal_id="0190a1b2-c3d4-7e5f-8a9b-7f3a21bc0d1e",
        seq=seq,
        at="2026-11-03T06:05:12.123456Z",
        entry_type="bill_paid",
        operator="salim",
        policy_version=1,
        catalogue_version=1,
        payload=payload.to_payload(),
        prev="0" * 64,
    )


def _receipt_bytes(seq: int, profile_name: str, lang: str) -> bytes:
    env = _bill_entry(seq)
    ctx = inputs.Context(
        office=Bi("مكتب خدمات بلدية مسقط الرئيسي", "Muscat Municipality HQ counter"),
        terminal="BC0D1E00",
        operator=Bi("سالم البلوشي", "Salim Al Balushi"),
        language=lang,
        verify_url="https://erial.muscat.example",
        entry_hash=f"{seq:064x}",
        receipt=receipt_number("BC0D1E00", seq),
        shift=receipt_number("BC0D1E00", 1),
        sync_status=env["payload"]["status"],
        service=Bi("مخالفة مواقف", "Parking violation"),
    )
    doc = documents.receipt_for_entry(env, ctx)
    return encode(doc, load_profile(profile_name))


def _time_receipts(profile_name: str, runs: int) -> list[float]:
    _receipt_bytes(0, profile_name, "ar")  # fonts, profiles and caches warm, as in a running desk
    timings = []
    for i in range(runs):
        t0 = time.perf_counter()
        _receipt_bytes(i + 1, profile_name, "ar" if i % 2 else "en")
        timings.append((time.perf_counter() - t0) * 1000)
    return timings


def _time_z_pdf(entries: int, runs: int) -> tuple[list[float], list[float], int]:
    with tempfile.TemporaryDirectory() as tmp, hq_desk(Path(tmp)) as desk:
        desk.settings = dataclasses.replace(desk.settings, language="ar")
        desk.login("salim", "1111")
        shift = desk.open_shift({20000: 5})
        fill_shift(desk, shift.entry_id, entries - 2)  # with the opening and the closing: entries
        expected = desk.shift_summary().expected_cash
        desk.close_shift({5: expected // 5}, None)
        z_out, listing_out = Path(tmp) / "z.pdf", Path(tmp) / "shift.pdf"
        desk.shift_totals_pdf(path=z_out)  # warm: font registration, first import of ReportLab
        z_timings, listing_timings = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            desk.shift_totals_pdf(path=z_out)
            z_timings.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            desk.shift_report_pdf(path=listing_out)
            listing_timings.append((time.perf_counter() - t0) * 1000)
        pages = len(listing_out.read_bytes().split(b"/Type /Page\n")) - 1
    return z_timings, listing_timings, pages


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench print")
    parser.add_argument("--runs", type=int, default=200, help="receipts per paper width")
    parser.add_argument(
        "--entries", type=int, default=5_000, help="entries in the Z report's shift"
    )
    parser.add_argument("--pdf-runs", type=int, default=15)
    args = parser.parse_args(argv)
    metrics: list[Metric] = []
    for label, profile in (("58mm", "58mm"), ("80mm", "80mm")):
        timings = _time_receipts(profile, args.runs)
        metrics.append(
            Metric(f"receipt_{label}_median_ms", median(timings), "ms", RECEIPT_TARGET_MS)
        )
        metrics.append(Metric(f"receipt_{label}_p99_ms", percentile(timings, 99), "ms"))
    z_timings, listing_timings, pages = _time_z_pdf(args.entries, args.pdf_runs)
    metrics.append(Metric("z_report_pdf_median_ms", median(z_timings), "ms", Z_PDF_TARGET_MS))
    metrics.append(Metric("z_report_pdf_max_ms", max(z_timings), "ms", Z_PDF_TARGET_MS))
    # The A4 listing of every transaction (the shift report): no target was set for it.
    print(f"shift report listing {args.entries} entries on {pages} A4 pages")
    metrics.append(Metric("shift_report_pdf_median_ms", median(listing_timings), "ms"))
    report("print", metrics)
    return 0
