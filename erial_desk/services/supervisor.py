"""The supervisor's console: shift review per clerk, the office's day, approvals, sync problems
and their resolution, and the day report's exports.

A composed use case: it is given what it reads and writes (the read engine, the journal's append,
central, the logged-in session, the office and policy in force, the clock) and holds nothing
else. Every method first checks that the logged-in operator may open the console (the policy's
``CONSOLE_ACTION``): a clerk gets the same refusal whichever way they ask.

Shifts of this terminal are read from its own tables (exact, even before they reach central);
the office's other terminals and the day's totals come from central, after this terminal has
sent what it wrote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, text

from erial_desk.domain.central import Central
from erial_desk.domain.clock import Clock, utc_day
from erial_desk.domain.deadline import Deadline
from erial_desk.domain.entries import EntryType, ProblemResolved, Resolution
from erial_desk.domain.errors import AuthError, CentralUnavailable, NotFoundError, StateError
from erial_desk.domain.policy import CONSOLE_ACTION, Office, Policy, check_allowed, is_allowed
from erial_desk.domain.words import N_
from erial_desk.store.journal import AppendedEntry

from .results import OperatorSession


@dataclass(frozen=True)
class Figures:
    """How many, how much (baisa), and the service charges on top."""

    count: int = 0
    amount: int = 0
    service_charge: int = 0

    def plus(self, count: int, amount: int, charge: int = 0) -> Figures:
        return Figures(self.count + count, self.amount + amount, self.service_charge + charge)

    @classmethod
    def of(cls, data: dict[str, Any]) -> Figures:
        return cls(int(data["count"]), int(data["amount"]), int(data.get("service_charge", 0)))


@dataclass(frozen=True)
class ShiftReview:
    """One shift as a supervisor reviews it. Expected cash = float + cash in - cash out."""

    shift_id: str
    terminal_id: str
    operator: str
    opened_at: str
    closed_at: str | None
    float_total: int
    top_ups: Figures
    bill_payments: dict[str, Figures]  # by payment method
    by_service: dict[str, Figures]  # bill kind
    service_charges: int
    voids: int
    cash_drops: Figures
    cash_in: int  # top-ups and cash bill payments, net of voids
    cash_out: int  # cash drops
    counted_total: int | None
    variance: int | None
    approver: str | None
    this_terminal: bool

    @property
    def expected_cash(self) -> int:
        return self.float_total + self.cash_in - self.cash_out

    @property
    def needs_approval(self) -> bool:
        return self.variance is not None and self.approver is None and self.variance != 0


@dataclass(frozen=True)
class ClerkDay:
    top_ups: Figures
    bill_payments: Figures
    cash_drops: int


@dataclass(frozen=True)
class OfficeDay:
    """An office's UTC day as central has it, this terminal's last entries included."""

    office_id: str
    day: str
    top_ups: Figures
    bill_payments: Figures
    cash_drops: Figures
    by_service: dict[str, Figures]
    by_method: dict[str, Figures]
    by_clerk: dict[str, ClerkDay]
    by_terminal: dict[str, int]
    by_hour: dict[str, int]  # Muscat hour "08" -> takings (baisa)
    voids: int
    refunds_due: int
    flagged: int
    shifts: list[ShiftReview] = field(default_factory=list)
    clerk_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # id: (English, Arabic)

    def clerk(self, operator_id: str, language: str) -> str:
        """A clerk's name in ``language`` (the id when this desk does not know the operator)."""
        en, ar = self.clerk_names.get(operator_id, (operator_id, operator_id))
        return ar if language == "ar" else en

    @property
    def takings(self) -> int:
        return self.top_ups.amount + self.bill_payments.amount + self.bill_payments.service_charge

    def variance_history(self) -> list[tuple[str, str, int]]:
        """(closed at, clerk, variance) of each closed shift, in order."""
        return [
            (s.closed_at, s.operator, s.variance)
            for s in sorted(self.shifts, key=lambda s: s.closed_at or "")
            if s.closed_at is not None and s.variance is not None
        ]


@dataclass(frozen=True)
class ApprovalItem:
    """An action a supervisor approved (or must still approve): who asked, who approved, when."""

    entry_id: str
    kind: str  # EntryType value: cash_drop, void, shift_closed
    at: str
    asked_by: str
    approver: str | None
    amount: int


# What a sync problem needs from the supervisor, by what central did with the entry.
NEEDS_REFUND = N_("Pay the cash back to the customer, then record the refund.")
NEEDS_RECOVERY = N_("Contact the customer: the wallet went below zero and must be recovered.")
NEEDS_REVIEW = N_("Central did not apply this entry: check it, then record what was done.")
NEEDS_MERGE = N_(
    "The person already had an account: check their ID, then merge the two under Duplicate "
    "accounts."
)


def needed(reason: str) -> str:
    """The sentence (catalogue English) of what a problem needs, from central's reason: cash
    kept for a customer is paid back; a wallet below zero is recovered; anything else is
    checked."""
    if "due back" in reason or "refund due" in reason:
        return NEEDS_REFUND
    if "recovery needed" in reason:
        return NEEDS_RECOVERY
    if "suspected duplicate" in reason:  # central's words for a second account of one ID
        return NEEDS_MERGE
    return NEEDS_REVIEW


@dataclass(frozen=True)
class SyncProblem:
    """An entry of this terminal central flagged or rejected, and what was done about it."""

    entry_id: str
    seq: int
    entry_type: str
    at: str
    operator: str | None
    amount: int
    state: str  # flagged / rejected
    reason: str
    resolution: str | None = None
    resolved_by: str | None = None

    @property
    def need(self) -> str:
        """What it needs, as a sentence of the words catalogue (English; shown translated)."""
        return needed(self.reason)


# --- the day report as CSV ---------------------------------------------------------------------

CSV_FIELDS = ("section", "key", "count", "amount", "service_charge")


def day_report_csv(day: OfficeDay) -> str:
    """The day report as CSV rows (section, key, count, amount, service charge), amounts in
    baisa: a spreadsheet sums them exactly; ``read_day_csv`` reads them back."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for row in _csv_rows(day):
        writer.writerow(row)
    return out.getvalue()


def _csv_rows(day: OfficeDay) -> Iterator[tuple[str, str, int, int, int]]:
    yield ("office", day.office_id, 0, 0, 0)
    yield ("day", day.day, 0, 0, 0)
    for name, figures in (
        ("top_ups", day.top_ups),
        ("bill_payments", day.bill_payments),
        ("cash_drops", day.cash_drops),
    ):
        yield ("total", name, figures.count, figures.amount, figures.service_charge)
    for section, table in (("service", day.by_service), ("method", day.by_method)):
        for key, figures in sorted(table.items()):
            yield (section, key, figures.count, figures.amount, figures.service_charge)
    for clerk, totals in sorted(day.by_clerk.items()):
        t, b = totals.top_ups, totals.bill_payments
        yield ("clerk_top_ups", clerk, t.count, t.amount, 0)
        yield ("clerk_bill_payments", clerk, b.count, b.amount, b.service_charge)
        yield ("clerk_cash_drops", clerk, 0, totals.cash_drops, 0)
    for terminal, amount in sorted(day.by_terminal.items()):
        yield ("terminal", terminal, 0, amount, 0)
    for hour, amount in sorted(day.by_hour.items()):
        yield ("hour", hour, 0, amount, 0)
    yield ("voids", "", day.voids, 0, 0)
    yield ("refunds_due", "", 0, day.refunds_due, 0)
    yield ("flagged", "", day.flagged, 0, 0)


def read_day_csv(data: str) -> OfficeDay:
    """``day_report_csv``'s text read back (shifts are not part of the CSV)."""
    rows = list(csv.DictReader(io.StringIO(data)))
    found: dict[str, Any] = {
        "top_ups": Figures(),
        "bill_payments": Figures(),
        "cash_drops": Figures(),
        "by_service": {},
        "by_method": {},
        "by_terminal": {},
        "by_hour": {},
    }
    clerks: dict[str, dict[str, Any]] = {}
    for row in rows:
        section, key = row["section"], row["key"]
        figures = Figures(int(row["count"]), int(row["amount"]), int(row["service_charge"]))
        if section in ("office", "day"):
            found[f"{section}_id" if section == "office" else "day"] = key
        elif section == "total":
            found[key] = figures
        elif section in ("service", "method"):
            found[f"by_{section}"][key] = figures
        elif section.startswith("clerk_"):
            clerks.setdefault(key, {})[section.removeprefix("clerk_")] = figures
        elif section in ("terminal", "hour"):
            found[f"by_{section}"][key] = figures.amount
        elif section == "voids":
            found["voids"] = figures.count
        elif section == "refunds_due":
            found["refunds_due"] = figures.amount
        elif section == "flagged":
            found["flagged"] = figures.count
    found["by_clerk"] = {
        clerk: ClerkDay(parts["top_ups"], parts["bill_payments"], parts["cash_drops"].amount)
        for clerk, parts in clerks.items()
    }
    return OfficeDay(**found)


def without_shifts(day: OfficeDay) -> OfficeDay:
    """The day as its CSV holds it: no shifts, no names."""
    return replace(day, shifts=[], clerk_names={})


# --- the use case --------------------------------------------------------------------------


class SupervisorConsole:
    def __init__(
        self,
        *,
        reading: Callable[[], AbstractContextManager[Connection]],
        append: Callable[[ProblemResolved], AppendedEntry],
        central: Callable[[], Central],
        push: Callable[[Deadline | None], object],
        session: Callable[[], OperatorSession | None],
        office: Callable[[], Office],
        policy: Callable[[], Policy],
        clock: Clock,
        terminal_id: str,
    ) -> None:
        self._reading = reading
        self._append = append
        self._central = central
        self._push = push
        self._session = session
        self._office = office
        self._policy = policy
        self._clock = clock
        self._terminal_id = terminal_id

    # --- who may ---------------------------------------------------------------------------

    def may_open(self) -> bool:
        """Whether the logged-in operator sees the console at all (screens hide it otherwise)."""
        session = self._session()
        return session is not None and is_allowed(
            self._policy(), self._office(), session.role, CONSOLE_ACTION
        )

    def _require(self) -> OperatorSession:
        session = self._session()
        if session is None:
            raise AuthError("login.required")
        check_allowed(self._policy(), self._office(), session.role, CONSOLE_ACTION)
        return session

    def _today(self) -> str:
        return utc_day(self._clock.now())

    # --- shifts ----------------------------------------------------------------------------

    def terminal_shifts(self, day: str | None = None) -> list[ShiftReview]:
        """This terminal's shifts opened on ``day`` (today by default) or still open."""
        self._require()
        day = day or self._today()
        with self._reading() as conn:
            rows = conn.execute(
                text(
                    "SELECT shift_id, operator, opened_at, closed_at, float_total, counted_total,"
                    " variance, close_approver FROM shifts"
                    " WHERE substr(opened_at, 1, 10) = :day OR closed_seq IS NULL"
                    " ORDER BY opened_seq"
                ),
                {"day": day},
            ).fetchall()
            return [self._local_review(conn, row) for row in rows]

    def _local_review(self, conn: Connection, row: Any) -> ShiftReview:
        shift_id = str(row[0])
        groups = conn.execute(
            text(
                "SELECT entry_type, COALESCE(method, ''), COALESCE(bill_kind, ''), COUNT(*),"
                " SUM(amount), SUM(service_charge), SUM(cash_effect) FROM transactions"
                " WHERE shift_id = :id AND voided_by IS NULL AND entry_type != 'void'"
                " GROUP BY entry_type, method, bill_kind"
            ),
            {"id": shift_id},
        ).fetchall()
        voids = conn.execute(
            text("SELECT COUNT(*) FROM transactions WHERE shift_id = :id AND entry_type = 'void'"),
            {"id": shift_id},
        ).scalar()
        top_ups, drops = Figures(), Figures()
        bills: dict[str, Figures] = {}
        services: dict[str, Figures] = {}
        cash_in = cash_out = charges = 0
        for entry_type, method, kind, count, amount, charge, cash in groups:
            count, amount, charge, cash = int(count), int(amount), int(charge), int(cash)
            if entry_type == EntryType.TOP_UP:
                top_ups = top_ups.plus(count, amount)
            elif entry_type == EntryType.BILL_PAID:
                bills[method] = bills.get(method, Figures()).plus(count, amount, charge)
                services[kind] = services.get(kind, Figures()).plus(count, amount, charge)
                charges += charge
            elif entry_type == EntryType.CASH_DROP:
                drops = drops.plus(count, amount)
            if cash > 0:
                cash_in += cash
            else:
                cash_out -= cash
        return ShiftReview(
            shift_id=shift_id,
            terminal_id=self._terminal_id,
            operator=str(row[1]),
            opened_at=str(row[2]),
            closed_at=row[3],
            float_total=int(row[4]),
            top_ups=top_ups,
            bill_payments=bills,
            by_service=services,
            service_charges=charges,
            voids=int(voids or 0),
            cash_drops=drops,
            cash_in=cash_in,
            cash_out=cash_out,
            counted_total=row[5],
            variance=row[6],
            approver=row[7],
            this_terminal=True,
        )

    def closing_entry(self, shift_id: str) -> str:
        """The entry that closed a shift of this terminal (its Z report's)."""
        self._require()
        with self._reading() as conn:
            row = conn.execute(
                text(
                    "SELECT j.entry_id FROM shifts s JOIN journal j ON j.seq = s.closed_seq"
                    " WHERE s.shift_id = :s"
                ),
                {"s": shift_id},
            ).fetchone()
        if row is None:
            raise NotFoundError("entry.not_found")
        return str(row[0])

    def office_day(self, day: str | None = None, *, deadline: Deadline | None = None) -> OfficeDay:
        """The office's day from central, once this terminal's entries are sent; this
        terminal's shifts from its own tables. Raises ``CentralUnavailable`` offline."""
        self._require()
        day = day or self._today()
        self._push(deadline)
        data = self._central().office_day(self._office().office_id, day, deadline=deadline)
        local = self.terminal_shifts(day)
        others = [
            _central_review(s) for s in data["shifts"] if s["terminal_id"] != self._terminal_id
        ]
        return OfficeDay(
            office_id=data["office_id"],
            day=data["day"],
            top_ups=Figures.of(data["top_ups"]),
            bill_payments=Figures.of(data["bill_payments"]),
            cash_drops=Figures.of(data["cash_drops"]),
            by_service={k: Figures.of(v) for k, v in data["by_service"].items()},
            by_method={k: Figures.of(v) for k, v in data["by_method"].items()},
            by_clerk={
                k: ClerkDay(
                    Figures.of(v["top_ups"]), Figures.of(v["bill_payments"]), int(v["cash_drops"])
                )
                for k, v in data["by_clerk"].items()
            },
            by_terminal={k: int(v) for k, v in data["by_terminal"].items()},
            by_hour={k: int(v) for k, v in data["by_hour"].items()},
            voids=int(data["voids"]),
            refunds_due=int(data["refunds_due"]),
            flagged=len(data["flagged"]),
            shifts=sorted([*local, *others], key=lambda s: (s.opened_at, s.shift_id)),
            clerk_names=self._clerk_names(),
        )

    def _clerk_names(self) -> dict[str, tuple[str, str]]:
        with self._reading() as conn:
            rows = conn.execute(
                text("SELECT operator_id, name_en, name_ar FROM operators WHERE office_id = :o"),
                {"o": self._office().office_id},
            ).fetchall()
        return {str(r[0]): (str(r[1]), str(r[2])) for r in rows}

    # --- approvals -------------------------------------------------------------------------

    def approvals(
        self, day: str | None = None, *, deadline: Deadline | None = None
    ) -> list[ApprovalItem]:
        """Cash drops, voids and closes of the office on ``day`` (central's, once this terminal's
        entries are sent; offline, this terminal's own): each with who asked, who approved and
        when; a close beyond the tolerance without an approver is listed too."""
        self._require()
        day = day or self._today()
        try:
            self._push(deadline)
            data = self._central().office_day(self._office().office_id, day, deadline=deadline)
        except CentralUnavailable:
            return self.terminal_approvals(day)
        return [
            ApprovalItem(
                a["entry_id"], a["kind"], a["at"], a["asked_by"] or "", a["approver"], a["amount"]
            )
            for a in data["approvals"]
        ]

    def terminal_approvals(self, day: str | None = None) -> list[ApprovalItem]:
        """``approvals`` of this terminal alone, from its own tables."""
        self._require()
        day = day or self._today()
        tolerance = self._policy().shift_variance_tolerance
        with self._reading() as conn:
            rows = conn.execute(
                text(
                    "SELECT t.entry_id, t.entry_type, t.at, t.operator, t.amount,"
                    " json_extract(j.body, '$.payload.approver')"
                    " FROM transactions t JOIN journal j ON j.seq = t.seq"
                    " WHERE t.entry_type IN ('cash_drop', 'void') AND substr(t.at, 1, 10) = :day"
                    " UNION ALL"
                    " SELECT shift_id, 'shift_closed', closed_at, operator, variance,"
                    " close_approver FROM shifts WHERE substr(closed_at, 1, 10) = :day"
                    " AND (close_approver IS NOT NULL OR ABS(variance) > :tolerance)"
                    " ORDER BY 3"
                ),
                {"day": day, "tolerance": tolerance},
            ).fetchall()
        return [
            ApprovalItem(str(r[0]), str(r[1]), str(r[2]), str(r[3] or ""), r[5], int(r[4] or 0))
            for r in rows
        ]

    # --- sync problems ---------------------------------------------------------------------

    def sync_problems(self, *, include_resolved: bool = False) -> list[SyncProblem]:
        """Entries of this terminal central flagged or rejected, oldest first, with the
        supervisor's resolution when one was recorded."""
        self._require()
        with self._reading() as conn:
            rows = conn.execute(
                text(
                    "SELECT j.entry_id, j.seq, j.entry_type, j.at, j.operator,"
                    " COALESCE(json_extract(j.body, '$.payload.amount'), 0)"
                    " + COALESCE(json_extract(j.body, '$.payload.service_charge'), 0),"
                    " o.state, COALESCE(o.result, ''), r.resolution, r.operator"
                    " FROM outbox o JOIN journal j ON j.seq = o.seq"
                    " LEFT JOIN (SELECT json_extract(body, '$.payload.entry') AS entry,"
                    "   json_extract(body, '$.payload.resolution') AS resolution, operator"
                    "   FROM journal WHERE entry_type = :resolved) r ON r.entry = j.entry_id"
                    " WHERE o.state IN ('flagged', 'rejected') AND j.entry_type != :resolved"
                    " ORDER BY j.seq"
                ),
                {"resolved": EntryType.PROBLEM_RESOLVED.value},
            ).fetchall()
        problems = [SyncProblem(*row) for row in rows]
        return [p for p in problems if include_resolved or p.resolution is None]

    def resolve(self, entry_id: str, resolution: Resolution, note: str) -> str:
        """Record what the supervisor did about a sync problem (a refund paid, the customer
        contacted, written off with a reason) as a journal entry central applies. Returns the
        new entry's id."""
        session = self._require()
        note = note.strip()
        if resolution is Resolution.WRITTEN_OFF and not note:
            raise StateError("resolution.reason_required")
        problem = next((p for p in self.sync_problems() if p.entry_id == entry_id), None)
        if problem is None:
            raise NotFoundError("entry.not_found")
        entry = self._append(
            ProblemResolved(entry_id, resolution.value, note[:500], session.operator_id)
        )
        return entry.entry_id


def _central_review(data: dict[str, Any]) -> ShiftReview:
    return ShiftReview(
        shift_id=data["shift_id"],
        terminal_id=data["terminal_id"],
        operator=data["operator"] or "",
        opened_at=data["opened_at"],
        closed_at=data["closed_at"],
        float_total=int(data["float_total"]),
        top_ups=Figures.of(data["top_ups"]),
        bill_payments={k: Figures.of(v) for k, v in data["bill_payments"].items()},
        by_service={k: Figures.of(v) for k, v in data["by_service"].items()},
        service_charges=int(data["service_charges"]),
        voids=int(data["voids"]),
        cash_drops=Figures.of(data["cash_drops"]),
        cash_in=int(data["cash_in"]),
        cash_out=int(data["cash_out"]),
        counted_total=data["counted_total"],
        variance=data["variance"],
        approver=data["approver"],
        this_terminal=False,
    )
