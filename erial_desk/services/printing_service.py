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
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from erial_desk.domain.canonical import parse
from erial_desk.domain.central import Bill
from erial_desk.domain.clock import Clock, now_stamp
from erial_desk.domain.deadline import Deadline
from erial_desk.domain.entries import EntryType, Payload, TopUp, receipt_number, terminal_code
from erial_desk.domain.errors import Cancelled, NotFoundError, StateError
from erial_desk.domain.labels import void_label
from erial_desk.domain.policy import Action, BillKind
from erial_desk.printing import documents as docs
from erial_desk.printing import inputs, texts
from erial_desk.printing.model import Bi, Document, DocumentKind
from erial_desk.store import print_jobs
from erial_desk.store.journal import AppendedEntry
from erial_desk.store.print_jobs import PrintJob

from .events import EventHub, PrintJobChanged
from .parts import Guards, JournalWriter, Place, Reader, Reference, SessionHolder
from .payments import PaymentUseCases
from .shifts import ShiftUseCases
from .subscribers import SubscriberUseCases

if TYPE_CHECKING:
    from erial_desk.printing.connections import Output

log = logging.getLogger(__name__)

PRINTOUTS_DIR = "printouts"  # PDF printer output and saved reports, in the data directory

# Entries whose receipt prints on its own after the commit.
AUTO_RECEIPTS: dict[EntryType, DocumentKind] = {
    EntryType.TOP_UP: DocumentKind.TOP_UP,
    EntryType.BILL_PAID: DocumentKind.BILL_PAYMENT,
    EntryType.SUBSCRIBER_REGISTERED: DocumentKind.WELCOME,
    EntryType.VOID: DocumentKind.VOID,
    EntryType.SHIFT_CLOSED: DocumentKind.Z_REPORT,
}
_ENTRY_KINDS = frozenset(AUTO_RECEIPTS.values())


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
        self._reader = reader
        self._writer = writer
        self._journal = writer.journal
        self._reference = reference
        self._place = place
        self._session = session
        self._clock = clock
        self._events = events
        self._shifts = shifts
        self._subscribers = subscribers
        self._payments = payments
        self._printer: Output | None = None  # built from the settings when first used
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
            lambda: self._document(job), self.printer if output is None else lambda: output
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
        env, _, _ = self._entry(entry_id)
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
        closing = self._closing_entry(summary.shift_id)
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
            doc = docs.x_report(self._context(None), self._figures(summary.shift_id))
        else:
            doc = self._entry_document(self._closing_entry(summary.shift_id), copy=False)
        return self._save_pdf(doc, path, f"{doc.kind.value}-{summary.shift_id}")

    def shift_report_pdf(self, shift_id: str | None = None, path: Path | None = None) -> Path:
        """The A4 shift report: totals and every transaction of the shift, as a PDF file."""
        self._guards.operator()
        summary = self._shifts.shift_summary(shift_id)
        figures = self._figures(summary.shift_id, listing=True)
        doc = docs.shift_report(self._context(None, shift_id=summary.shift_id), figures)
        return self._save_pdf(doc, path, f"shift-{summary.shift_id}")

    def statement_pdf(
        self, account: str, path: Path | None = None, *, deadline: Deadline | None = None
    ) -> Path:
        self._guards.allow(Action.INQUIRE)
        doc = self._statement(self._subscribers.subscriber(account, deadline=deadline).account)
        return self._save_pdf(doc, path, f"statement-{account}")

    def _save_pdf(self, doc: Document, path: Path | None, name: str) -> Path:
        from erial_desk.printing.pdf import write_pdf

        if path is None:
            made = now_stamp(self._clock).replace(":", "").replace("-", "").replace(".", "")
            path = self._place.data_dir / PRINTOUTS_DIR / f"{name}-{made}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_pdf(doc, path)
        return path

    # --- documents -------------------------------------------------------------------------

    def _document(self, job: PrintJob) -> Document:
        kind = DocumentKind(job.kind)
        if kind in _ENTRY_KINDS:
            assert job.entry_id is not None
            return self._entry_document(job.entry_id, copy=job.copy, data=job.data)
        ctx = self._context(None)
        if kind is DocumentKind.X_REPORT:
            assert job.subject is not None
            return docs.x_report(ctx, self._figures(job.subject))
        if kind is DocumentKind.STATEMENT:
            assert job.subject is not None
            return self._statement(job.subject)
        if kind is DocumentKind.PERMIT_SLIP:
            values = json.loads(job.data or "{}")
            values["kind"] = BillKind(values["kind"])
            return docs.permit_slip(Bill(**values), ctx)
        return docs.test_page(self._settings_lines(), ctx)

    def _entry(self, entry_id: str) -> tuple[dict[str, Any], int, str]:
        with self._reader.connect() as conn:
            row = conn.execute(
                text("SELECT body, seq, hash FROM journal WHERE entry_id = :e"), {"e": entry_id}
            ).fetchone()
        if row is None:
            raise NotFoundError("entry.not_found")
        return parse(bytes(row[0])), int(row[1]), str(row[2])

    def _entry_document(self, entry_id: str, *, copy: bool, data: str | None = None) -> Document:
        env, seq, digest = self._entry(entry_id)
        p = env["payload"]
        extra: dict[str, Any] = json.loads(data) if data else {}
        ctx = self._context(env, seq=seq, entry_hash=digest, copy=copy)
        entry_type = EntryType(env["type"])
        updates: dict[str, Any] = {}
        if entry_type in (EntryType.TOP_UP, EntryType.BILL_PAID, EntryType.VOID):
            updates["sync_status"] = self._sync_label(seq, p.get("status"))
        if p.get("account"):
            updates["subscriber"] = self._subscriber_name(p["account"])
        if entry_type is EntryType.TOP_UP:
            updates["balance_after"] = extra.get("balance_after")
        elif entry_type is EntryType.BILL_PAID:
            service = self._reference.catalogue.services.get(BillKind(p["bill_kind"]))
            updates["service"] = Bi(service.name_ar, service.name_en) if service else None
        elif entry_type is EntryType.VOID:
            updates["voided"] = self._voided(p["voids"])
            updates["approver"] = self._operator_name(p["approver"])
        elif entry_type is EntryType.SHIFT_CLOSED:
            if p.get("approver"):
                updates["approver"] = self._operator_name(p["approver"])
            ctx = _replace(ctx, **updates)
            return docs.z_report(env, ctx, self._figures(p["shift"]))
        return docs.receipt_for_entry(env, _replace(ctx, **updates))

    def _context(
        self,
        env: dict[str, Any] | None,
        *,
        seq: int = 0,
        entry_hash: str = "",
        copy: bool = False,
        shift_id: str | None = None,
    ) -> inputs.Context:
        code = terminal_code(self._journal.terminal_id)
        if env is not None:
            operator_id = env.get("operator")
            shift_id = env["payload"].get("shift")
        else:
            session = self._session.current
            operator_id = session.operator_id if session else None
            if shift_id is None:
                row = self._reader.open_shift()
                shift_id = row[0] if row else None
        return inputs.Context(
            office=Bi(self._reference.office.name_ar, self._reference.office.name_en),
            terminal=code,
            operator=self._operator_name(operator_id) if operator_id else None,
            language=self._place.settings.language,
            verify_url=self._place.settings.receipt_verify_url,
            entry_hash=entry_hash,
            receipt=receipt_number(code, seq) if seq else None,
            shift=self._shift_label(shift_id) if shift_id else None,
            copy=copy,
            printed_at=now_stamp(self._clock),
        )

    def _one(self, sql: str, **params: Any) -> Any:
        with self._reader.connect() as conn:
            return conn.execute(text(sql), params).fetchone()

    def _operator_name(self, operator_id: str) -> Bi:
        row = self._one(
            "SELECT name_ar, name_en FROM operators WHERE operator_id = :o", o=operator_id
        )
        return Bi(row[0], row[1]) if row else Bi.same(operator_id)

    def _subscriber_name(self, account: str) -> Bi | None:
        row = self._one("SELECT name_ar, name_en FROM subscribers WHERE account = :a", a=account)
        return Bi(row[0], row[1]) if row else None

    def _shift_label(self, shift_id: str) -> str | None:
        row = self._one("SELECT opened_seq FROM shifts WHERE shift_id = :s", s=shift_id)
        return (
            receipt_number(terminal_code(self._journal.terminal_id), int(row[0])) if row else None
        )

    def _sync_label(self, seq: int, payload_status: str | None) -> str:
        if payload_status == "confirmed":
            return "confirmed"
        row = self._one("SELECT state FROM outbox WHERE seq = :s", s=seq)
        return "confirmed" if row and row[0] in ("applied", "duplicate") else "pending"

    def _voided(self, entry_id: str) -> inputs.VoidedEntry | None:
        row = self._one(
            "SELECT seq, entry_type, amount, service_charge, method FROM transactions"
            " WHERE entry_id = :e",
            e=entry_id,
        )
        if row is None:
            return None
        receipt = receipt_number(terminal_code(self._journal.terminal_id), int(row[0]))
        return inputs.VoidedEntry(receipt, row[1], int(row[2]), int(row[3]), row[4])

    def _closing_entry(self, shift_id: str) -> str:
        row = self._one(
            "SELECT j.entry_id FROM shifts s JOIN journal j ON j.seq = s.closed_seq"
            " WHERE s.shift_id = :s",
            s=shift_id,
        )
        if row is None:
            raise StateError("shift.none_open")
        return str(row[0])

    def _figures(self, shift_id: str, *, listing: bool = False) -> inputs.ShiftFigures:
        summary = self._shifts.shift_summary(shift_id)
        code = terminal_code(self._journal.terminal_id)
        rows: list[Any] = []
        if listing:
            with self._reader.connect() as conn:
                rows = list(
                    conn.execute(
                        text(
                            "SELECT at, seq, entry_type, method, bill_reference, amount,"
                            " service_charge, voided_by FROM transactions WHERE shift_id = :s"
                            " ORDER BY seq"
                        ),
                        {"s": shift_id},
                    )
                )
        lines = tuple(
            inputs.ShiftLine(
                at=at,
                receipt=receipt_number(code, int(seq)),
                entry_type=kind,
                method=method,
                reference=ref,
                amount=int(amount),
                service_charge=int(charge),
                voided=voided is not None,
            )
            for at, seq, kind, method, ref, amount, charge, voided in rows
        )

        def totals(t: Any) -> inputs.Totals:
            return inputs.Totals(t.count, t.amount, t.service_charge)

        return inputs.ShiftFigures(
            opened_at=summary.opened_at,
            closed_at=summary.closed_at,
            float_total=summary.float_total,
            top_ups=totals(summary.top_ups),
            bills={method: totals(t) for method, t in summary.bill_payments.items()},
            cash_drops=totals(summary.cash_drops),
            voids=totals(summary.voids),
            expected_cash=summary.expected_cash,
            counted_total=summary.counted_total,
            variance=summary.variance,
            lines=lines,
        )

    def _statement(self, account: str) -> Document:
        row = self._subscribers.subscriber(account)
        info = inputs.SubscriberInfo(
            row.account,
            Bi(row.name_ar, row.name_en),
            row.kind,
            row.civil_number,
            row.cr_number,
            row.mobile,
            self._subscribers.known_balance(row.account),
        )
        code = terminal_code(self._journal.terminal_id)
        with self._reader.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT t.seq, t.at, t.entry_type, t.method, t.bill_kind, t.bill_reference,"
                    " t.amount, t.service_charge, t.status, t.voided_by, o.entry_type"
                    " FROM transactions t LEFT JOIN transactions o ON o.entry_id = t.voids"
                    " WHERE t.account = :a ORDER BY t.seq"
                ),
                {"a": row.account},
            ).fetchall()
        lines = []
        for seq, at, kind, method, bill_kind, ref, amount, charge, status, voided_by, of in rows:
            effect = _wallet_effect(kind, method, of, int(amount), int(charge))
            if effect is None:
                continue
            lines.append(
                inputs.StatementLine(
                    at=at,
                    receipt=receipt_number(code, int(seq)),
                    entry_type=kind,
                    description=self._describe(bill_kind, ref, of is not None),
                    amount=effect,
                    status=self._sync_label(int(seq), status),
                    voided=voided_by is not None,
                )
            )
        return docs.statement(info, lines, self._context(None))

    def _describe(self, bill_kind: str | None, ref: str | None, is_void: bool) -> Bi:
        if bill_kind:
            service = self._reference.catalogue.services.get(BillKind(bill_kind))
            name = Bi(service.name_ar, service.name_en) if service else Bi.same(bill_kind)
        else:
            name = texts.entry_name(EntryType.TOP_UP)
        if ref:
            name = Bi(f"{name.ar} {ref}", f"{name.en} {ref}")
        if is_void:
            name = Bi(void_label(name.ar, "ar"), void_label(name.en, "en"))
        return name

    def _settings_lines(self) -> list[tuple[Bi, str]]:
        from erial_desk.printing import texts
        from erial_desk.printing.escpos_out import ProfileError, load_profile

        s = self._place.settings
        lines = [
            (texts.CONNECTION, s.printer_connection),
            (texts.TARGET, s.printer_target or str(self._place.data_dir / PRINTOUTS_DIR)),
            (texts.PROFILE, s.printer_profile),
        ]
        try:
            profile = load_profile(s.printer_profile)
        except ProfileError as exc:
            lines.append((texts.WIDTH, str(exc)))
        else:
            lines.append(
                (texts.WIDTH, f"{profile.width_px} px, {profile.width_mm} mm, {profile.dpi} dpi")
            )
            lines.append((texts.CUTTER, texts.YES_NO[profile.cutter].pick(s.language)))
        lines.append((texts.LANGUAGE, s.language))
        return lines


def _wallet_effect(
    kind: str, method: str | None, voided_type: str | None, amount: int, charge: int
) -> int | None:
    """What a transaction did to the subscriber's wallet, in baisa; None when nothing. The
    derived row has the method, amount and charge of the entry (for a void, of what it voids)."""
    from erial_desk.domain.money_effects import money_effect, void_effect

    moved = {"amount": amount, "service_charge": charge, "method": method or "cash"}
    if kind == EntryType.VOID and voided_type is not None:
        effect = void_effect(voided_type, moved)
    elif kind in (EntryType.TOP_UP, EntryType.BILL_PAID):
        effect = money_effect(kind, moved)
    else:
        return None
    return effect.wallet or None


def _given_up(deadline: Deadline | None) -> bool:
    return deadline is not None and (deadline.cancelled or deadline.expired)


def _replace(ctx: inputs.Context, **changes: Any) -> inputs.Context:
    return dataclasses.replace(ctx, **changes)
