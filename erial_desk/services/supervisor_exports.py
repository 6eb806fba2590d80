"""The office's day report as a printable document (A4 PDF, Arabic and English) and as CSV,
built from the supervisor console's ``OfficeDay``; and the reprint of a Z report."""

from __future__ import annotations

from pathlib import Path

from erial_desk.domain.clock import Clock, muscat_text, now_stamp
from erial_desk.domain.deadline import Deadline
from erial_desk.domain.entries import terminal_code
from erial_desk.domain.labels import service_label
from erial_desk.domain.policy import FeeCatalogue
from erial_desk.domain.words import N_
from erial_desk.printing import texts as t
from erial_desk.printing.model import (
    Bi,
    Block,
    Column,
    Document,
    DocumentKind,
    Field,
    Heading,
    Rule,
    Table,
    bi,
)
from erial_desk.store.print_jobs import PrintJob

from .parts import Place, Reference
from .printing_service import PRINTOUTS_DIR, PrintingUseCases
from .supervisor import OfficeDay, SupervisorConsole, day_report_csv

TITLE_DAY = bi(N_("Office day report"))
DAY = bi(N_("Day"))
BY_SERVICE = bi(N_("By service"))
BY_METHOD = bi(N_("By payment method"))
BY_CLERK = bi(N_("By clerk"))
SHIFTS = bi(N_("Shifts"))
CLERK = bi(N_("Clerk"))
TAKINGS = bi(N_("Takings"))
REFUNDS_DUE = bi(N_("Refunds due to customers"))
FLAGGED = bi(N_("Entries flagged by central"))


def day_report(
    day: OfficeDay,
    *,
    office: Bi,
    terminal: str,
    language: str,
    printed_at: str,
    catalogue: FeeCatalogue,
) -> Document:
    """The day's totals by service, method and clerk, and its shifts with their variances;
    services named as ``catalogue`` names them."""
    body: list[Block] = [
        Field(DAY, Bi.same(day.day)),
        Heading(t.TOTALS),
        Field(t.count_label(t.TOP_UPS, day.top_ups.count), amount=day.top_ups.amount),
        Field(t.count_label(t.BILLS_BY, day.bill_payments.count), amount=day.bill_payments.amount),
        Field(t.CHARGES, amount=day.bill_payments.service_charge),
        Field(t.count_label(t.CASH_DROPS, day.cash_drops.count), amount=day.cash_drops.amount),
        Field(t.count_label(t.VOIDS, day.voids), Bi.same("")),
        Field(REFUNDS_DUE, amount=day.refunds_due),
        Field(t.count_label(FLAGGED, day.flagged), Bi.same("")),
        Rule(),
        Field(TAKINGS, amount=day.takings, strong=True),
        Heading(BY_SERVICE),
    ]
    for kind, figures in sorted(day.by_service.items()):
        name = Bi(service_label(kind, "ar", catalogue), service_label(kind, "en", catalogue))
        body.append(Field(t.count_label(name, figures.count), amount=figures.amount))
    body.append(Heading(BY_METHOD))
    for method, figures in sorted(day.by_method.items()):
        body.append(
            Field(t.count_label(t.method_name(method), figures.count), amount=figures.amount)
        )
    body.append(Heading(BY_CLERK))
    body.append(
        Table(
            columns=(
                Column(CLERK, weight=3),
                Column(t.TOP_UPS, amount=True, weight=3),
                Column(t.BILLS_BY, amount=True, weight=3),
                Column(t.CHARGES, amount=True, weight=3),
                Column(t.CASH_DROPS, amount=True, weight=3),
            ),
            rows=tuple(
                (
                    clerk,
                    c.top_ups.amount,
                    c.bill_payments.amount,
                    c.bill_payments.service_charge,
                    c.cash_drops,
                )
                for clerk, c in sorted(day.by_clerk.items())
            ),
            on_thermal=False,
        )
    )
    body.append(Heading(SHIFTS))
    body.append(
        Table(
            columns=(
                Column(CLERK, weight=2),
                Column(t.OPENED, weight=3),
                Column(t.EXPECTED_CASH, amount=True, weight=4),
                Column(t.COUNTED, amount=True, weight=3),
                Column(t.VARIANCE, amount=True, weight=3),
                Column(t.APPROVED_BY, weight=2),
            ),
            rows=tuple(
                (
                    s.operator,
                    muscat_text(s.opened_at)[:16],
                    s.expected_cash,
                    s.counted_total,
                    s.variance,
                    s.approver,
                )
                for s in day.shifts
            ),
            on_thermal=False,
        )
    )
    return Document(
        kind=DocumentKind.DAY_REPORT,
        title=TITLE_DAY,
        language=language,
        header=(
            Field(t.PRINTED_AT, Bi.same(muscat_text(printed_at))),
            Field(t.OFFICE, office),
            Field(t.TERMINAL, Bi.same(terminal)),
        ),
        body=tuple(body),
    )


class SupervisorExports:
    """The console's exports: the day report as CSV text or file and as PDF, and a Z report's
    copy. Each reads the day through the console, so its checks apply."""

    def __init__(
        self,
        console: SupervisorConsole,
        printing: PrintingUseCases,
        place: Place,
        reference: Reference,
        clock: Clock,
        terminal_id: str,
    ) -> None:
        self._console = console
        self._printing = printing
        self._place = place
        self._reference = reference
        self._clock = clock
        self._terminal_id = terminal_id

    def day_report_csv(self, day: str | None = None, *, deadline: Deadline | None = None) -> str:
        return day_report_csv(self._console.office_day(day, deadline=deadline))

    def day_report_csv_file(
        self, day: str | None = None, path: Path | None = None, *, deadline: Deadline | None = None
    ) -> Path:
        """The day report as a CSV file, in the printouts folder unless ``path`` says where."""
        report = self._console.office_day(day, deadline=deadline)
        path = path or self._saved(f"day-{report.office_id}-{report.day}.csv")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(day_report_csv(report), encoding="utf-8")
        return path

    def day_report_pdf(
        self, day: str | None = None, path: Path | None = None, *, deadline: Deadline | None = None
    ) -> Path:
        """The day report as an A4 PDF in both languages."""
        from erial_desk.printing.pdf import write_pdf

        report = self._console.office_day(day, deadline=deadline)
        office = self._reference.office
        doc = day_report(
            report,
            office=Bi(office.name_ar, office.name_en),
            terminal=terminal_code(self._terminal_id),
            language=self._place.settings.language,
            printed_at=now_stamp(self._clock),
            catalogue=self._reference.catalogue,
        )
        path = path or self._saved(f"day-{report.office_id}-{report.day}.pdf")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_pdf(doc, path)
        return path

    def reprint_z_report(self, shift_id: str, *, deadline: Deadline | None = None) -> PrintJob:
        """A copy of a closed shift's Z report of this terminal (journaled as a reprint)."""
        closing = self._console.closing_entry(shift_id)
        return self._printing.print_receipt(closing, copy=True, deadline=deadline)

    def _saved(self, name: str) -> Path:
        return self._place.data_dir / PRINTOUTS_DIR / name
