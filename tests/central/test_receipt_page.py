"""The page a receipt's QR code opens: genuine, does not match, voided, or unknown."""

from __future__ import annotations

import requests

from erial_desk.domain.entries import receipt_number, receipt_qr, terminal_code

from .conftest import Central
from .terminal_sim import TerminalSim


def qr_of(central: Central, sim: TerminalSim, entry) -> str:
    receipt = receipt_number(terminal_code(sim.terminal_id), entry.seq)
    return receipt_qr(central.base_url, receipt, entry.signed.hash)


def test_genuine_receipt(central: Central, terminal: TerminalSim, subscriber: str):
    entry = terminal.top_up(subscriber, 12_500)
    terminal.sync()
    page = requests.get(qr_of(central, terminal, entry), timeout=30)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Genuine receipt" in html and "إيصال صحيح" in html
    assert 'dir="rtl"' in html
    assert "12.500" in html
    assert "MCT-HQ" in html


def test_wrong_hash_does_not_match(central: Central, terminal: TerminalSim, subscriber: str):
    entry = terminal.top_up(subscriber, 3_000)
    terminal.sync()
    url = qr_of(central, terminal, entry)
    forged = url[: -len("0" * 16)] + "0" * 16
    page = requests.get(forged, timeout=30)
    assert page.status_code == 200
    assert "does not match" in page.text and "لا يطابق" in page.text
    assert "3.000" not in page.text  # nothing of the real entry is shown
    no_hash = requests.get(url.split("?")[0], timeout=30)
    assert "does not match" in no_hash.text


def test_unknown_and_unsynced_receipts(central: Central, terminal: TerminalSim, subscriber: str):
    unsynced = terminal.top_up(subscriber, 1_000)
    page = requests.get(qr_of(central, terminal, unsynced), timeout=30)
    assert page.status_code == 404
    assert "No such receipt" in page.text and "لا يوجد إيصال" in page.text
    for receipt in ("ABCDEF12-0000001", "nonsense", "<script>alert(1)</script>-1"):
        page = requests.get(central.url(f"/r/{receipt}"), params={"h": "ab" * 8}, timeout=30)
        assert page.status_code == 404
        assert "<script>" not in page.text


def test_voided_receipt_says_so(central: Central, terminal: TerminalSim, subscriber: str):
    entry = terminal.top_up(subscriber, 2_000)
    terminal.void(entry.entry_id)
    terminal.sync()
    page = requests.get(qr_of(central, terminal, entry), timeout=30)
    assert page.status_code == 200
    assert "since voided" in page.text and "تم إلغاؤه" in page.text
