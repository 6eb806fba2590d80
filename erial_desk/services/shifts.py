"""Shifts: open with a float, cash drops, close with a count, and the shift summary."""

from __future__ import annotations

from sqlalchemy import text

from erial_desk.domain.entries import (
    CashDrop,
    EntryType,
    ShiftClosed,
    ShiftOpened,
    check_reason,
    counts_total,
    make_counts,
)
from erial_desk.domain.errors import NotFoundError, StateError
from erial_desk.domain.money import check_amount, format_amount, limit_params
from erial_desk.domain.policy import Action, needs_close_approval
from erial_desk.store.replay import EXPECTED_CASH

from .integrity import Integrity
from .parts import Guards, JournalWriter, Reader, Reference
from .results import Approval, MethodTotals, ShiftSummary, TransactionResult
from .session import SessionUseCases


class ShiftUseCases:
    """A shift: open with a float, cash drops, close with a count, and its totals."""

    def __init__(
        self,
        guards: Guards,
        reader: Reader,
        writer: JournalWriter,
        reference: Reference,
        approvals: SessionUseCases,
        integrity: Integrity,
    ) -> None:
        self._guards = guards
        self._reader = reader
        self._writer = writer
        self._reference = reference
        self._approvals = approvals
        self._integrity = integrity

    def open_shift(self, float_counts: dict[int, int]) -> TransactionResult:
        """Open this terminal's shift with the float counted by denomination."""
        self._guards.allow(Action.OPEN_SHIFT)
        if self._reader.open_shift() is not None:
            raise StateError("shift.already_open")
        counts = make_counts(float_counts)
        total = counts_total(counts)
        entry = self._writer.append(ShiftOpened(self._reference.office.office_id, counts, total))
        return TransactionResult(
            entry.entry_id,
            entry.seq,
            self._writer.receipt(entry.seq),
            EntryType.SHIFT_OPENED,
            entry.envelope["at"],
            total,
            total=total,
        )

    def expected_cash(self, shift_id: str) -> int:
        """Float plus every cash movement of the shift (voids cancel what they reverse)."""
        with self._reader.connect() as conn:
            row = conn.exec_driver_sql(EXPECTED_CASH, (shift_id,)).fetchone()
        if row is None:
            raise NotFoundError("entry.not_found")
        return int(row[0])

    def cash_drop(
        self, counts: dict[int, int], approval: Approval | None, reason: str
    ) -> TransactionResult:
        """Take cash out of the drawer to the safe, with a reason and a supervisor's approval."""
        self._guards.allow(Action.CASH_DROP)
        shift_id = self._guards.own_shift()
        reason = check_reason(reason)
        journal_counts = make_counts(counts)
        amount = check_amount(
            counts_total(journal_counts), maximum=self._reference.policy.cash_drop_max
        )
        expected = self.expected_cash(shift_id)
        if amount > expected:
            raise StateError(
                "cash.insufficient",
                expected=format_amount(expected),
                expected_ar=format_amount(expected, "ar"),
                amount=format_amount(amount),
                amount_ar=format_amount(amount, "ar"),
            )
        approver = self._approvals.approve(approval)
        entry = self._writer.append(CashDrop(shift_id, journal_counts, amount, approver, reason))
        return TransactionResult(
            entry.entry_id,
            entry.seq,
            self._writer.receipt(entry.seq),
            EntryType.CASH_DROP,
            entry.envelope["at"],
            amount,
            total=amount,
        )

    def close_shift(
        self, counted: dict[int, int], approval: Approval | None = None
    ) -> ShiftSummary:
        """Close the shift with the drawer counted by denomination.

        A variance beyond the policy's tolerance needs a supervisor's approval; within it an
        approval is still recorded when given.
        """
        self._guards.allow(Action.CLOSE_SHIFT)
        shift_id = self._guards.own_shift()
        # The expected cash comes from the derived tables: they must be what the journal says.
        self._integrity.check_shift_figures(shift_id)
        counts = make_counts(counted)
        counted_total = counts_total(counts)
        expected = self.expected_cash(shift_id)
        variance = counted_total - expected
        approver = None
        policy = self._reference.policy
        if needs_close_approval(policy, variance):
            if approval is None:
                raise StateError(
                    "shift.variance",
                    variance=format_amount(variance),
                    variance_ar=format_amount(variance, "ar"),
                    **limit_params(policy.shift_variance_tolerance),
                )
            approver = self._approvals.approve(approval)
        elif approval is not None:
            approver = self._approvals.approve(approval)
        closed = self._writer.append(
            ShiftClosed(shift_id, counts, counted_total, expected, variance, approver)
        )
        # The count is in the journal: its end is recorded outside the file too.
        self._integrity.anchor_journal_end(closed.seq, closed.signed.hash)
        return self.shift_summary(shift_id)

    def shift_summary(self, shift_id: str | None = None) -> ShiftSummary:
        """Totals of a shift (the open one by default) from the derived tables: one query each."""
        with self._reader.connect() as conn:
            if shift_id is None:
                row = conn.execute(
                    text(
                        "SELECT shift_id FROM shifts WHERE closed_seq IS NULL"
                        " UNION ALL SELECT shift_id FROM"
                        " (SELECT shift_id FROM shifts ORDER BY opened_seq DESC LIMIT 1)"
                    )
                ).fetchone()
                if row is None:
                    raise StateError("shift.none_open")
                shift_id = str(row[0])
            shift = conn.execute(
                text(
                    "SELECT operator, office_id, opened_at, closed_at, float_total, counted_total,"
                    " variance, close_approver FROM shifts WHERE shift_id = :id"
                ),
                {"id": shift_id},
            ).fetchone()
            if shift is None:
                raise NotFoundError("entry.not_found")
            groups = conn.execute(
                text(
                    "SELECT entry_type, COALESCE(method, ''), COUNT(*), SUM(amount),"
                    " SUM(service_charge), SUM(cash_effect) FROM transactions"
                    " WHERE shift_id = :id AND voided_by IS NULL GROUP BY entry_type, method"
                ),
                {"id": shift_id},
            ).fetchall()
            voided_cash = conn.execute(
                text(
                    "SELECT COALESCE(SUM(cash_effect), 0) FROM transactions"
                    " WHERE shift_id = :id AND voided_by IS NOT NULL"
                ),
                {"id": shift_id},
            ).scalar()
        top_ups = MethodTotals()
        bills: dict[str, MethodTotals] = {}
        drops = MethodTotals()
        voids = MethodTotals()
        cash = int(voided_cash or 0)
        for entry_type, method, count, amount, charge, cash_effect in groups:
            totals = MethodTotals(int(count), int(amount), int(charge))
            cash += int(cash_effect)
            if entry_type == EntryType.TOP_UP:
                top_ups = totals
            elif entry_type == EntryType.BILL_PAID:
                bills[method] = totals
            elif entry_type == EntryType.CASH_DROP:
                drops = totals
            elif entry_type == EntryType.VOID:
                voids = MethodTotals(
                    voids.count + totals.count,
                    voids.amount + totals.amount,
                    voids.service_charge + totals.service_charge,
                )
        operator, office_id, opened_at, closed_at, float_total, counted, variance, approver = shift
        return ShiftSummary(
            shift_id=shift_id,
            operator=operator,
            office_id=office_id,
            opened_at=opened_at,
            closed_at=closed_at,
            float_total=int(float_total),
            top_ups=top_ups,
            bill_payments=bills,
            cash_drops=drops,
            voids=voids,
            expected_cash=int(float_total) + cash,
            counted_total=counted,
            variance=variance,
            close_approver=approver,
        )
