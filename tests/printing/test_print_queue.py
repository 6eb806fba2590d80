"""The print queue through the Desk facade: commit first, print after; a dead printer leaves the
receipt queued with its error and the desk working; a retry prints it once; reprints are journaled
and marked COPY."""

from __future__ import annotations

import io
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from escpos.printer import Dummy
from pypdf import PdfReader

from erial_desk.config import Settings
from erial_desk.domain.policy import BillKind, PaymentMethod
from erial_desk.printing.connections import EscposOutput, PdfOutput, make_output
from erial_desk.printing.escpos_out import load_profile
from erial_desk.services import Approval, Desk, RegistrationForm
from erial_desk.store import migrate

from .escpos_parse import names, parse


class SwitchedOffPrinter(Dummy):
    """python-escpos's own test printer, failing every write while ``off``."""

    def __init__(self) -> None:
        super().__init__(profile="TM-T20II")
        self.off = True

    def _raw(self, msg: bytes) -> None:
        if self.off:
            raise OSError("printer switched off")
        super()._raw(msg)


def escpos_output(printer: Dummy, profile: str = "80mm") -> EscposOutput:
    return EscposOutput(lambda: printer, load_profile(profile), f"test printer ({profile})")


def documents_printed(printer: Dummy) -> int:
    return names(parse(printer.output)).count("init")


def register(desk: Desk) -> str:
    form = RegistrationForm(
        kind="individual",
        name_ar="أحمد بن سالم البلوشي",
        name_en="Ahmed Salim Al Balushi",
        mobile="91234567",
        civil_number="12345678",
    )
    return desk.register_subscriber(form, "4321").account or ""


def pdf_text(path: str) -> str:
    pages = PdfReader(path).pages
    return unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in pages))


def test_a_dead_printer_leaves_the_transaction_committed_and_the_receipt_queued(clerk_desk):
    desk = clerk_desk
    printer = SwitchedOffPrinter()
    desk.use_printer(escpos_output(printer))
    account = register(desk)
    desk.print_pending()  # the welcome slip fails too; it waits with the rest
    result = desk.top_up(account, "20.500")

    # Committed before anything was printed, whatever the printer does.
    assert [j.state for j in desk.print_queue() if j.entry_id == result.entry_id] == ["queued"]
    failed = desk.print_pending()
    assert [j.state for j in failed] == ["failed"]
    job = failed[0]
    assert job.entry_id == result.entry_id and job.kind == "top_up"
    assert job.error_code == "print.unavailable" and "switched off" in job.error
    assert job.attempts == 1
    assert desk.verify_journal() == (3, None)  # shift, subscriber, top-up
    assert desk.shift_summary().top_ups.amount == 20_500

    # The desk keeps working while the printer is off.
    second = desk.top_up(account, 1000)
    assert desk.print_pending()[0].state == "failed"
    assert {j.entry_id for j in desk.print_queue()} >= {result.entry_id, second.entry_id}
    assert documents_printed(printer) == 0

    # The printer is back: a retry prints the receipt, once.
    printer.off = False
    done = desk.retry_print(job.job_id)
    assert done.state == "printed" and done.attempts == 2 and done.error is None
    assert documents_printed(printer) == 1
    assert desk.retry_print(job.job_id).state == "printed"
    assert documents_printed(printer) == 1
    # The cash top-up opened the drawer, once, with its receipt.
    assert names(parse(printer.output)).count("drawer") == 1

    # The others still wait; retrying all of them empties the queue.
    assert len(desk.retry_failed()) == 2
    assert desk.print_queue() == []
    assert documents_printed(printer) == 3


def test_a_file_printer_on_an_unwritable_path_fails_into_the_queue(clerk_desk, tmp_path: Path):
    desk = clerk_desk
    target = tmp_path / "no-such-dir" / "lp0"
    desk.use_printer(
        make_output("file", str(target), "58mm", default_pdf_dir=tmp_path / "pdf", drawer_pin=2)
    )
    account = register(desk)
    job = desk.print_receipt(desk.top_up(account, 5000).entry_id)
    assert job.state == "failed" and job.error_code == "print.unavailable"
    assert "DeviceNotFoundError" in job.error
    # A device path that exists takes the raw bytes.
    target.parent.mkdir()
    job = desk.retry_print(job.job_id)
    assert job.state == "printed"
    commands = parse(target.read_bytes())
    assert names(commands)[:2] == ["init", "drawer"] and names(commands)[-1] == "feed"


def test_wrong_settings_are_a_failed_job_not_a_crash(clerk_desk, tmp_path: Path):
    desk = clerk_desk
    desk.settings = Settings(printer_connection="carrier-pigeon")
    desk.use_printer(None)
    account = register(desk)
    job = desk.print_receipt(desk.top_up(account, 5000).entry_id)
    assert job.state == "failed" and job.error_code == "print.config"
    assert "carrier-pigeon" not in job.error and "pdf" in job.error  # says what is allowed


def test_reprint_is_journaled_and_marked_copy(clerk_desk, tmp_path: Path):
    desk = clerk_desk
    printer = SwitchedOffPrinter()
    printer.off = False
    desk.use_printer(escpos_output(printer))
    account = register(desk)
    top_up = desk.top_up(account, "20.500")
    desk.print_pending()
    assert documents_printed(printer) == 2
    assert names(parse(printer.output)).count("drawer") == 1

    # The original prints once: asking again gives the printed job, not more paper.
    assert desk.print_receipt(top_up.entry_id).state == "printed"
    assert documents_printed(printer) == 2

    copy = desk.print_receipt(top_up.entry_id, copy=True)
    assert copy.state == "printed" and copy.copy
    assert documents_printed(printer) == 3
    assert names(parse(printer.output)).count("drawer") == 1  # a copy moves no cash
    reprints = [e for e in desk.entries() if e["type"] == "receipt_reprinted"]
    assert len(reprints) == 1 and reprints[0]["payload"]["entry"] == top_up.entry_id
    assert copy.subject == reprints[0]["id"]

    # The same copy as a PDF says so, in both scripts, with the balance printed the first time.
    desk.use_printer(PdfOutput(tmp_path / "pdf"))
    pdf_copy = desk.print_receipt(top_up.entry_id, copy=True)
    text = pdf_text(pdf_copy.output)
    assert "COPY" in text and "نسخة" in text and top_up.receipt in text
    assert "20.500" in text and "أعيدت طباعته" in text


def test_every_document_of_a_day_prints_to_pdf_by_default(clerk_desk):
    desk = clerk_desk
    assert desk.settings.printer_connection == "pdf"
    account = register(desk)
    desk.top_up(account, "20.500")
    bills = desk.find_bills(BillKind.PARKING, "777 MM")
    paid = desk.pay_bill(bills[0], PaymentMethod.WALLET, account=account, customer_pin="4321")
    desk.pay_bill(bills[1], PaymentMethod.CASH)
    wrong = desk.top_up(account, 50_000)
    desk.void(wrong.entry_id, "typed 50 instead of 5", Approval("aisha", "9999"))
    printed = desk.print_pending()
    assert [j.kind for j in printed] == [
        "welcome",
        "top_up",
        "bill_payment",
        "bill_payment",
        "top_up",
        "void",
    ]
    assert all(j.state == "printed" for j in printed)
    folder = desk.data_dir / "printouts"
    assert all(Path(j.output).parent == folder for j in printed)
    bill_text = pdf_text(printed[2].output)
    assert paid.receipt in bill_text and "مخالفة مواقف" in bill_text
    assert "مؤكدة من النظام المركزي" in bill_text  # authorised online by central

    assert desk.print_shift_report().kind == "x_report"
    statement = desk.print_statement(account)
    assert statement.state == "printed" and "الرصيد المعروف" in pdf_text(statement.output)
    permit = desk.find_bills(BillKind.BUILDING_PERMIT, "BP20260401")[0]
    slip = desk.print_permit_slip(permit)
    assert "BP20260401" in pdf_text(slip.output) and slip.kind == "permit_slip"

    expected = desk.shift_summary().expected_cash
    desk.close_shift({1000: expected // 1000, 5: (expected % 1000) // 5})
    z = desk.print_pending()
    assert [j.kind for j in z] == ["z_report"] and z[0].state == "printed"
    z_text = pdf_text(z[0].output)
    assert "تقرير إغلاق المناوبة" in z_text and "النقد المعدود" in z_text
    # A closed shift's report again is a journaled copy of its Z report.
    again = desk.print_shift_report()
    assert again.kind == "z_report" and again.copy

    assert "Shift close report (Z)" in pdf_text(str(desk.shift_totals_pdf()))
    listing = pdf_text(str(desk.shift_report_pdf()))
    assert "تقرير معاملات المناوبة" in listing and "PV" in listing and paid.receipt in listing
    assert desk.statement_pdf(account).exists()
    assert desk.print_test_page().state == "printed"


def test_the_queue_survives_a_restart_and_an_interrupted_print(tmp_path: Path, memory_keyring):
    from tests.conftest import DEMO_PINS, make_desk

    desk = make_desk(tmp_path / "desk")
    desk.login("salim", DEMO_PINS["salim"])
    desk.open_shift({20000: 2})
    account = register(desk)
    desk.top_up(account, 5000)
    desk.use_printer(escpos_output(SwitchedOffPrinter()))
    desk.print_pending()
    waiting = desk.print_queue()
    desk.close()
    # A crash in the middle of a print leaves the job "printing"...
    conn = sqlite3.connect(tmp_path / "desk" / "desk.sqlite")
    conn.execute("UPDATE print_jobs SET state = 'printing' WHERE job_id = ?", (waiting[0].job_id,))
    conn.commit()
    conn.close()

    again = Desk.open(tmp_path / "desk")
    try:
        jobs = again.print_queue()
        assert [j.job_id for j in jobs] == [j.job_id for j in waiting]
        # ...and opening the desk makes it a failed job, to be retried like any other.
        assert jobs[0].state == "failed" and jobs[0].error_code == "print.interrupted"
        printer = SwitchedOffPrinter()
        printer.off = False
        again.use_printer(escpos_output(printer))
        assert all(j.state == "printed" for j in again.retry_failed())
        assert documents_printed(printer) == len(waiting)
    finally:
        again.close()


def test_the_migration_adds_the_queue_table(tmp_path: Path):
    db = tmp_path / "desk.sqlite"
    migrate.upgrade(db, "0003")
    migrate.upgrade(db, "0004")
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.head_revision()
    conn = sqlite3.connect(db)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(print_jobs)")}
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO print_jobs (kind, state, created_at, updated_at) VALUES"
            " ('top_up', 'lost', 'now', 'now')"
        )
    conn.close()
    assert {"entry_id", "kind", "copy", "state", "error", "attempts", "created_at"} <= columns


def test_no_qt_until_a_receipt_is_drawn():
    import subprocess
    import sys

    script = (
        "import sys, erial_desk.services, erial_desk.printing.documents;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'reportlab')))"
    )
    pdf_only = (
        "import sys, erial_desk.printing.pdf, erial_desk.printing.connections,"
        " erial_desk.printing.queue;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'PySide6'))"
    )
    for code in (script, pdf_only):  # PDFs and the queue need no Qt either
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr


def test_cli_prints_a_test_page(tmp_path: Path, monkeypatch):
    import os
    import subprocess
    import sys

    from tests.conftest import make_desk

    monkeypatch.setenv("ERIAL_DESK_KEY_PASSPHRASE", "a test passphrase, nothing more")
    env = dict(os.environ)
    data = tmp_path / "desk"
    make_desk(data, keyring="encrypted-file").close()

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "erial_desk.cli", "--data-dir", str(data), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    result = run("print-test")
    assert result.returncode == 0, result.stderr
    path = result.stdout.strip().rsplit(" ", 1)[-1]
    text = pdf_text(path)
    assert "صفحة اختبار الطابعة" in text and "Printer test page" in text
    assert "576 px" in text and "pdf" in text


def test_statement_reads_a_pdf_without_poppler(clerk_desk):
    # A sanity check of the helper the other tests use: pure Python text extraction.
    account = register(clerk_desk)
    path = clerk_desk.statement_pdf(account)
    assert account in pdf_text(str(path))
    assert PdfReader(io.BytesIO(path.read_bytes())).pages


def test_a_network_printer_on_loopback_receives_the_receipt(clerk_desk, tmp_path: Path):
    import socket
    import threading

    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(10)
    port = server.getsockname()[1]
    received: list[bytes] = []

    def accept_one() -> None:
        with server:
            conn, _ = server.accept()
            conn.settimeout(10)
            with conn:
                while chunk := conn.recv(65536):
                    received.append(chunk)

    listener = threading.Thread(target=accept_one, daemon=True)
    listener.start()
    desk = clerk_desk
    desk.use_printer(make_output("network", f"127.0.0.1:{port}", "80mm", default_pdf_dir=tmp_path))
    account = register(desk)
    job = desk.print_receipt(desk.top_up(account, 5000).entry_id)
    listener.join(timeout=15)
    assert job.state == "printed" and job.output.startswith("network:127.0.0.1")
    commands = parse(b"".join(received))
    assert names(commands)[:2] == ["init", "drawer"] and names(commands)[-1] == "cut"

    # Nobody listens on that port any more: the job fails into the queue at once.
    job = desk.print_receipt(desk.top_up(account, 1000).entry_id)
    assert job.state == "failed" and job.error_code == "print.unavailable"
