"""The documents the counter prints, made from the journal and the derived tables: receipts of
entries, X and Z reports, the shift report, statements, permit slips and the test page."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from sqlalchemy import text

from erial_desk.domain.canonical import parse
from erial_desk.domain.central import Bill
from erial_desk.domain.clock import Clock, now_stamp
from erial_desk.domain.entries import EntryType, receipt_number, terminal_code
from erial_desk.domain.errors import NotFoundError, StateError
from erial_desk.domain.labels import void_label
from erial_desk.domain.policy import BillKind
from erial_desk.printing import documents as docs
from erial_desk.printing import inputs, texts
from erial_desk.printing.model import Bi, Document, DocumentKind
from erial_desk.store.print_jobs import PrintJob

from .parts import Place, Reader, Reference, SessionHolder
from .shifts import ShiftUseCases
from .subscribers import SubscriberUseCases

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


class PrintedDocuments:
    """Builds each document a print job or a PDF asks for."""

    def __init__(
        self,
        reader: Reader,
        reference: Reference,
        place: Place,
        session: SessionHolder,
        clock: Clock,
        shifts: ShiftUseCases,
        subscribers: SubscriberUseCases,
        terminal_id: str,
    ) -> None:
        self._reader = reader
        self._reference = reference
        self._place = place
        self._session = session
        self._clock = clock
        self._shifts = shifts
        self._subscribers = subscribers
        self._terminal_id = terminal_id

    def document(self, job: PrintJob) -> Document:
        kind = DocumentKind(job.kind)
        if kind in _ENTRY_KINDS:
            assert job.entry_id is not None
            return self.entry_document(job.entry_id, copy=job.copy, data=job.data)
        ctx = self.context(None)
        if kind is DocumentKind.X_REPORT:
            assert job.subject is not None
            return docs.x_report(ctx, self.figures(job.subject))
        if kind is DocumentKind.STATEMENT:
            assert job.subject is not None
            return self.statement(job.subject)
        if kind is DocumentKind.PERMIT_SLIP:
            values = json.loads(job.data or "{}")
            values["kind"] = BillKind(values["kind"])
            return docs.permit_slip(Bill(**values), ctx)
        return docs.test_page(self._settings_lines(), ctx)

    def entry(self, entry_id: str) -> tuple[dict[str, Any], int, str]:
        with self._reader.connect() as conn:
            row = conn.execute(
                text("SELECT body, seq, hash FROM journal WHERE entry_id = :e"), {"e": entry_id}
            ).fetchone()
        if row is None:
            raise NotFoundError("entry.not_found")
        return parse(bytes(row[0])), int(row[1]), str(row[2])

    def entry_document(self, entry_id: str, *, copy: bool, data: str | None = None) -> Document:
        env, seq, digest = self.entry(entry_id)
        p = env["payload"]
        extra: dict[str, Any] = json.loads(data) if data else {}
        ctx = self.context(env, seq=seq, entry_hash=digest, copy=copy)
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
            return docs.z_report(env, ctx, self.figures(p["shift"]))
        return docs.receipt_for_entry(env, _replace(ctx, **updates))

    def context(
        self,
        env: dict[str, Any] | None,
        *,
        seq: int = 0,
        entry_hash: str = "",
        copy: bool = False,
        shift_id: str | None = None,
    ) -> inputs.Context:
        code = terminal_code(self._terminal_id)
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
        return receipt_number(terminal_code(self._terminal_id), int(row[0])) if row else None

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
        receipt = receipt_number(terminal_code(self._terminal_id), int(row[0]))
        return inputs.VoidedEntry(receipt, row[1], int(row[2]), int(row[3]), row[4])

    def closing_entry(self, shift_id: str) -> str:
        row = self._one(
            "SELECT j.entry_id FROM shifts s JOIN journal j ON j.seq = s.closed_seq"
            " WHERE s.shift_id = :s",
            s=shift_id,
        )
        if row is None:
            raise StateError("shift.none_open")
        return str(row[0])

    def figures(self, shift_id: str, *, listing: bool = False) -> inputs.ShiftFigures:
        summary = self._shifts.shift_summary(shift_id)
        code = terminal_code(self._terminal_id)
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

    def statement(self, account: str) -> Document:
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
        code = terminal_code(self._terminal_id)
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
        return docs.statement(info, lines, self.context(None))

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


def _replace(ctx: inputs.Context, **changes: Any) -> inputs.Context:
    return dataclasses.replace(ctx, **changes)
