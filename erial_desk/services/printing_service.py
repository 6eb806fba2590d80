"""Printing through the facade: receipts of committed entries, the print queue, reports.

Every transaction commits first. Right after the commit, a receipt job for it joins the print
queue (a table in the desk's file); printing happens when the caller asks, from its background
worker: ``print_pending()`` after each transaction, ``retry_print()`` once the printer is back.
A failed print never raises: the job records its error and waits. Reprints are journaled and say
COPY / نسخة.

The printing modules that draw (Qt) or write PDFs (ReportLab) are imported only when a document
is printed, so opening a desk loads neither.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from erial_desk.domain.central import Bill
from erial_desk.domain.clock import Clock, now_stamp
from erial_desk.domain.deadline import Deadline
from erial_desk.domain.entries import EntryType, Payload, TopUp
from erial_desk.domain.errors import Cancelled, NotFoundError, StateError
from erial_desk.domain.policy import Action
from erial_desk.printing import documents as docs
from erial_desk.printing.model import Document, DocumentKind
from erial_desk.store import print_jobs
from erial_desk.store.journal import AppendedEntry
from erial_desk.store.print_jobs import PrintJob

from .events import EventHub, PrintJobChanged
from .parts import Guards, JournalWriter, Place, Reader, Reference, SessionHolder
from .payments import PaymentUseCases
from .printed_documents import AUTO_RECEIPTS, PRINTOUTS_DIR, PrintedDocuments
from .shifts import ShiftUseCases
from .subscribers import SubscriberUseCases

if TYPE_CHECKING:
    from erial_desk.printing.connections import Output

log = logging.getLogger(__name__)


class PrintingUseCases:
    """Receipts of committed entries, the print queue, the printer, reports and statements."""

    def __init__(
        self,
        guards: Guards,
        reader: Reader,
        writer: JournalWriter,
        reference: Reference,
        place: Place,
        session: SessionHolder,
        clock: Clock,
        events: EventHub,
        shifts: ShiftUseCases,
        subscribers: SubscriberUseCases,
        payments: PaymentUseCases,
    ) -> None:
        self._guards = guards
        self._writer = writer
        self._place = place
        self._clock = clock
        self._events = events
        self._shifts = shifts
        self._subscribers = subscribers
        self._payments = payments
        self._printer: Output | None = None  # built from the settings when first used
        self._docs = PrintedDocuments(
            reader,
            reference,
            place,
            session,
            clock,
            shifts,
            subscribers,
            writer.journal.terminal_id,
        )
        writer.on_entry(self._queue_receipt)

    # --- the queue -------------------------------------------------------------------------

    def _queue_receipt(self, entry: AppendedEntry, payload: Payload) -> None:
        """Once an entry is committed, its receipt joins the queue."""
        kind = AUTO_RECEIPTS.get(payload.TYPE)
        if kind is not None:
            try:
                self._add_job(kind, entry_id=entry.entry_id, data=self._receipt_data(payload))
            except Exception:
                # The money is committed whatever happens here; print_receipt() can still
                # print this entry's receipt later.
                log.exception("receipt of entry %s was not queued", entry.entry_id)

    def _receipt_data(self, payload: Payload) -> str | None:
        """What the receipt needs that only this moment knows: a top-up's balance after it."""
        if isinstance(payload, TopUp):
            balance = self._subscribers.known_balance(payload.account)
            if balance is not None:
                return json.dumps({"balance_after": balance})
        return None

    def _add_job(
        self,
        kind: DocumentKind,
        *,
        entry_id: str | None = None,
        copy: bool = False,
        subject: str | None = None,
        data: str | None = None,
    ) -> int:
        with self._writer.locked() as conn:
            job_id = print_jobs.add_job(
                conn, kind.value, entry_id=entry_id, copy=copy, subject=subject, data=data
            )
        self._events.publish(PrintJobChanged(job_id, "queued"))
        return job_id

    def _job(self, job_id: int) -> PrintJob:
        with self._writer.locked() as conn:
            job = print_jobs.get_job(conn, job_id)
        if job is None:
            raise NotFoundError("entry.not_found")
        return job

    def print_queue(self, *, include_printed: bool = False, limit: int = 200) -> list[PrintJob]:
        """Jobs waiting or failed (with their errors), oldest first; printed ones on request."""
        states = None if include_printed else ("queued", "printing", "failed")
        with self._writer.locked() as conn:
            return print_jobs.list_jobs(conn, states, limit)

    def print_pending(self, *, deadline: Deadline | None = None) -> list[PrintJob]:
        """Print every queued job once, oldest first. Failed jobs wait for ``retry_print``.
        With a ``deadline``, no job starts once it is cancelled or out of time (the rest wait)."""
        return self._run_all("queued", deadline)

    def retry_print(self, job_id: int, *, deadline: Deadline | None = None) -> PrintJob:
        """Try a waiting or failed job again. A printed job is not printed twice."""
        return self._run(self._job(job_id), deadline=deadline)

    def retry_failed(self, *, deadline: Deadline | None = None) -> list[PrintJob]:
        return self._run_all("failed", deadline)

    def _run_all(self, state: str, deadline: Deadline | None) -> list[PrintJob]:
        done = []
        for job in self.print_queue():
            if _given_up(deadline):
                break
            if job.state == state:
                done.append(self._run(job))
        return done

    def recover_print_queue(self) -> int:
        """After a crash: jobs caught mid-print become failed, to be retried."""
        with self._writer.locked() as conn:
            return print_jobs.recover_interrupted(conn)

    def _run(
        self, job: PrintJob, output: Output | None = None, *, deadline: Deadline | None = None
    ) -> PrintJob:
        """Print ``job`` now. A job never stops halfway (half a receipt helps nobody): with a
        ``deadline`` cancelled the job is left as it was and ``Cancelled`` raised; out of time,
        it is left waiting and returned so."""
        from erial_desk.printing import queue

        if deadline is not None and deadline.cancelled:
            raise Cancelled()
        if _given_up(deadline):
            return job

        with self._writer.locked() as conn:
            claimed = print_jobs.claim(conn, job.job_id)
        if not claimed:
            return self._job(job.job_id)
        # The printer is spoken to outside the lock: the counter keeps working meanwhile.
        outcome = queue.attempt(
            lambda: self._docs.document(job), self.printer if output is None else lambda: output
        )
        with self._writer.locked() as conn:
            print_jobs.finish(
                conn,
                job.job_id,
                printed=outcome.printed,
                output=outcome.where,
                error_code=outcome.code,
                error=outcome.detail,
            )
        if not outcome.printed:
            log.warning("print job %s failed: %s %s", job.job_id, outcome.code, outcome.detail)
        self._events.publish(
            PrintJobChanged(
                job.job_id, "printed" if outcome.printed else "failed", outcome.detail or None
            )
        )
        return self._job(job.job_id)

    # --- the printer -----------------------------------------------------------------------

    def printer(self) -> Output:
        """The output the settings name (built once; ``use_printer`` replaces it)."""
        current = self._printer
        if current is None:
            from erial_desk.printing.connections import make_output

            s = self._place.settings
            drawer = int(s.printer_drawer) if s.printer_drawer in ("2", "5") else None
            current = make_output(
                s.printer_connection,
                s.printer_target,
                s.printer_profile,
                default_pdf_dir=self._place.data_dir / PRINTOUTS_DIR,
                drawer_pin=drawer,
            )
            self._printer = current
        return current

    def use_printer(self, output: Output | None) -> None:
        """Print to ``output`` from now on (None: back to what the settings say)."""
        self._printer = output

    def print_job_to_pdf(self, job_id: int, *, deadline: Deadline | None = None) -> str:
        """A waiting or failed job made as a PDF in the printouts folder instead of on the
        printer (which is out of paper, say); the job then counts as printed, there."""
        from erial_desk.printing.connections import PdfOutput

        job = self._run(
            self._job(job_id), PdfOutput(self._place.data_dir / PRINTOUTS_DIR), deadline=deadline
        )
        if job.state != "printed" or not job.output:
            raise StateError("print.not_saved", detail=job.error or "")
        return job.output

    # --- printing on request ---------------------------------------------------------------

    def print_receipt(
        self, entry_id: str, *, copy: bool = False, deadline: Deadline | None = None
    ) -> PrintJob:
        """Print an entry's receipt now. The original prints once; ``copy`` journals a reprint
        and prints a copy marked COPY / نسخة (once journaled, the copy is queued whatever
        happens to the ``deadline``)."""
        if deadline is not None and deadline.cancelled:
            raise Cancelled()
        env, _, _ = self._docs.entry(entry_id)
        kind = AUTO_RECEIPTS.get(EntryType(env["type"]))
        if kind is None:
            raise NotFoundError("entry.not_found")  # no receipt exists for this kind of entry
        with self._writer.locked() as conn:
            earlier = print_jobs.jobs_for_entry(conn, entry_id)
        originals = [job for job in earlier if not job.copy]
        data = originals[0].data if originals else None
        if not copy:
            if originals:
                return self._run(originals[0], deadline=deadline)
            job = self._job(self._add_job(kind, entry_id=entry_id))
            return self._run(job, deadline=deadline)
        reprint = self._payments.record_reprint(entry_id)
        job_id = self._add_job(
            kind, entry_id=entry_id, copy=True, subject=reprint.entry_id, data=data
        )
        return self._run(self._job(job_id))

    def print_shift_report(
        self, shift_id: str | None = None, *, deadline: Deadline | None = None
    ) -> PrintJob:
        """The X report of the open shift, or a copy of a closed shift's Z report."""
        self._guards.operator()
        summary = self._shifts.shift_summary(shift_id)
        if summary.closed_at is None:
            job_id = self._add_job(DocumentKind.X_REPORT, subject=summary.shift_id)
            return self._run(self._job(job_id), deadline=deadline)
        closing = self._docs.closing_entry(summary.shift_id)
        return self.print_receipt(closing, copy=True, deadline=deadline)

    def print_statement(self, account: str, *, deadline: Deadline | None = None) -> PrintJob:
        """A subscriber's transactions known to this desk, printed."""
        self._guards.allow(Action.INQUIRE)
        account = self._subscribers.subscriber(account, deadline=deadline).account
        job = self._job(self._add_job(DocumentKind.STATEMENT, subject=account))
        return self._run(job, deadline=deadline)

    def print_permit_slip(self, bill: Bill, *, deadline: Deadline | None = None) -> PrintJob:
        """Where a building-permit application stands, from a bill found at central."""
        self._guards.allow(Action.INQUIRE)
        data = json.dumps({**dataclasses.asdict(bill), "kind": bill.kind.value})
        job_id = self._add_job(DocumentKind.PERMIT_SLIP, subject=bill.reference, data=data)
        return self._run(self._job(job_id), deadline=deadline)

    def print_test_page(self, *, deadline: Deadline | None = None) -> PrintJob:
        """A page showing the printer settings, both scripts, an amount column and a QR."""
        return self._run(self._job(self._add_job(DocumentKind.TEST_PAGE)), deadline=deadline)

    def shift_totals_pdf(self, shift_id: str | None = None, path: Path | None = None) -> Path:
        """The A4 X report of the open shift or Z report of a closed one, as a PDF file whatever
        printer is set up; in the printouts folder unless ``path`` says where."""
        self._guards.operator()
        summary = self._shifts.shift_summary(shift_id)
        if summary.closed_at is None:
            doc = docs.x_report(self._docs.context(None), self._docs.figures(summary.shift_id))
        else:
            doc = self._docs.entry_document(self._docs.closing_entry(summary.shift_id), copy=False)
        return self._save_pdf(doc, path, f"{doc.kind.value}-{summary.shift_id}")

    def shift_report_pdf(self, shift_id: str | None = None, path: Path | None = None) -> Path:
        """The A4 shift report: totals and every transaction of the shift, as a PDF file."""
        self._guards.operator()
        summary = self._shifts.shift_summary(shift_id)
        figures = self._docs.figures(summary.shift_id, listing=True)
        doc = docs.shift_report(self._docs.context(None, shift_id=summary.shift_id), figures)
        return self._save_pdf(doc, path, f"shift-{summary.shift_id}")

    def statement_pdf(
        self, account: str, path: Path | None = None, *, deadline: Deadline | None = None
    ) -> Path:
        self._guards.allow(Action.INQUIRE)
        doc = self._docs.statement(self._subscribers.subscriber(account, deadline=deadline).account)
        return self._save_pdf(doc, path, f"statement-{account}")

    def _save_pdf(self, doc: Document, path: Path | None, name: str) -> Path:
        from erial_desk.printing.pdf import write_pdf

        if path is None:
            made = now_stamp(self._clock).replace(":", "").replace("-", "").replace(".", "")
            path = self._place.data_dir / PRINTOUTS_DIR / f"{name}-{made}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_pdf(doc, path)
        return path


def _given_up(deadline: Deadline | None) -> bool:
    return deadline is not None and (deadline.cancelled or deadline.expired)
