"""Money at the counter: top-ups, bill lookups and payments, voids and reprints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import text

from erial_desk.domain.central import Bill, DebitRequest
from erial_desk.domain.clock import Clock, now_stamp, parse_stamp, utc_day
from erial_desk.domain.deadline import Deadline, check
from erial_desk.domain.entries import (
    VOIDABLE,
    BillPaid,
    EntryType,
    ReceiptReprinted,
    TopUp,
    Void,
)
from erial_desk.domain.errors import (
    Cancelled,
    CentralUnavailable,
    DeskError,
    NotFoundError,
    StateError,
    ValidationError,
)
from erial_desk.domain.identifiers import (
    normalise_account_number,
    normalise_civil_number,
    normalise_cr_number,
    normalise_pin,
    normalise_plate,
)
from erial_desk.domain.money import check_amount, limit_params, parse_amount
from erial_desk.domain.offline import OfflineWalletState, check_offline_debit
from erial_desk.domain.pins import seal_pin
from erial_desk.domain.policy import PAYMENT_ACTIONS, Action, BillKind, OfficeType, PaymentMethod
from erial_desk.store import sync_state
from erial_desk.store.journal import new_entry_id
from erial_desk.sync.client import CentralClient

from .parts import Guards, JournalWriter, Reader, Reference
from .results import Approval, TransactionResult
from .session import SessionUseCases
from .subscribers import SubscriberUseCases


def _as_baisa(amount: int | str, minimum: int, maximum: int) -> int:
    if isinstance(amount, str):
        return parse_amount(amount, minimum=minimum, maximum=maximum)
    return check_amount(amount, minimum=minimum, maximum=maximum)


def bill_lookup_key(kind: BillKind, key: str) -> str:
    """Normalise what the clerk typed for this kind of bill."""
    key = key.strip()
    if not key:
        raise ValidationError("query.too_short", min=1)
    if kind is BillKind.PARKING:
        return normalise_plate(key)
    digits = key.replace(" ", "")
    if kind is BillKind.LEASE and digits.isdigit():
        return normalise_civil_number(digits)
    if kind is BillKind.LICENCE and digits.isdigit():
        return normalise_cr_number(digits)
    return digits.upper()


class PaymentUseCases:
    """Money at the counter: top-ups, bill lookups and payments, voids and reprints."""

    bills_cached_at: str | None = None  # when the bills last found came from the offline cache

    def __init__(
        self,
        guards: Guards,
        reader: Reader,
        writer: JournalWriter,
        reference: Reference,
        central: CentralClient,
        clock: Clock,
        subscribers: SubscriberUseCases,
        approvals: SessionUseCases,
        send_waiting: Callable[[Deadline | None], int],
    ) -> None:
        self._guards = guards
        self._reader = reader
        self._writer = writer
        self._reference = reference
        self._central = central
        self._clock = clock
        self._subscribers = subscribers
        self._approvals = approvals
        # Sends what this counter wrote to central first (waiting briefly for a push under
        # way): central must hold a customer's registration and top-ups before a debit.
        self._send_waiting = send_waiting

    def top_up(
        self, account: str, amount: int | str, *, deadline: Deadline | None = None
    ) -> TransactionResult:
        """Cash into a subscriber's wallet. Always accepted offline: the cash is in hand."""
        self._guards.allow(Action.TOP_UP)
        shift_id = self._guards.own_shift()
        account = normalise_account_number(account)
        try:
            self._subscribers.subscriber(account, deadline=deadline)
        except CentralUnavailable:
            # Offline and not in the local directory: the check digit has vouched for the
            # number; cash top-ups are always accepted and central settles them at sync.
            pass
        except NotFoundError:
            # Central shows an external office only the subscribers it has served, and answers
            # "not found" for the others: their first top-up there goes ahead on the check
            # digit, and central returns the cash as a refund if no such account exists.
            if self._reference.office.office_type is not OfficeType.EXTERNAL:
                raise
        policy, office = self._reference.policy, self._reference.office
        baisa = _as_baisa(amount, policy.top_up_min, policy.top_up_max)
        limit = office.top_up_float_limit
        if limit is not None and self._shift_top_ups(shift_id) + baisa > limit:
            raise StateError("float.exceeded", **limit_params(limit))
        entry = self._writer.append(TopUp(shift_id, account, baisa))
        return TransactionResult(
            entry.entry_id,
            entry.seq,
            self._writer.receipt(entry.seq),
            EntryType.TOP_UP,
            entry.envelope["at"],
            baisa,
            total=baisa,
            account=account,
            balance_after=self._subscribers.known_balance(account),
            status=self._reader.central_state(entry.seq),
        )

    def _shift_top_ups(self, shift_id: str) -> int:
        with self._reader.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT COALESCE(SUM(amount), 0) FROM transactions WHERE shift_id = :s"
                        " AND entry_type = :t AND voided_by IS NULL"
                    ),
                    {"s": shift_id, "t": EntryType.TOP_UP.value},
                ).scalar()
                or 0
            )

    def find_bills(
        self, kind: BillKind, key: str, *, deadline: Deadline | None = None
    ) -> list[Bill]:
        """Bills of one kind by plate, contract/civil, licence/CR or application number; with
        central unreachable, those found by the last lookup of the same key, fetched at
        ``bills_cached_at``."""
        self._guards.allow(Action.INQUIRE)
        bills, self.bills_cached_at = self._lookup_bills(kind, bill_lookup_key(kind, key), deadline)
        return bills

    def _lookup_bills(
        self, kind: BillKind, key: str, deadline: Deadline | None
    ) -> tuple[list[Bill], str | None]:
        """Bills from central, kept for offline use. When central cannot be reached: the bills
        kept from the last lookup of the same key, with the time they were fetched (None when
        fresh). Either way, a bill this desk has paid shows paid even before central has the
        payment (it may still be on its way); central's duplicate-payment rule decides the rest
        at sync."""
        fetched_at: str | None = None
        try:
            bills = self._central.find_bills(kind, key, deadline=deadline)
        except CentralUnavailable:
            with self._reader.raw() as reading_raw:
                cached, fetched_at = sync_state.cached_bills(reading_raw, kind.value, key)
            if fetched_at is None:
                raise
            bills = [Bill.from_dict(b) for b in cached]
        else:
            journal = self._writer.journal
            sync_state.cache_bills(
                journal.raw_connection(),
                journal.lock,
                kind.value,
                key,
                [b.to_dict() for b in bills],
                now_stamp(self._clock),
            )
        with self._reader.connect() as reading:
            paid_here = {
                r[0]
                for r in reading.execute(
                    text(
                        "SELECT bill_id FROM transactions WHERE entry_type = :t"
                        " AND voided_by IS NULL AND bill_id IS NOT NULL"
                    ),
                    {"t": EntryType.BILL_PAID.value},
                )
            }
        return [
            replace(b, status="paid") if b.bill_id in paid_here else b for b in bills
        ], fetched_at

    def pay_bill(
        self,
        bill: Bill,
        method: PaymentMethod,
        *,
        account: str | None = None,
        customer_pin: str | None = None,
        deadline: Deadline | None = None,
    ) -> TransactionResult:
        """Pay a bill from the customer's wallet (PIN, service charge added), in cash or from
        the office's wallet for a walk-in customer, as the office type allows."""
        self._guards.allow(PAYMENT_ACTIONS[method])
        shift_id = self._guards.own_shift()
        if bill.status != "open":
            raise StateError("bill.already_paid")
        policy = self._reference.policy
        check_amount(bill.amount, maximum=policy.payment_max)
        charge = self._reference.catalogue.charge_for(bill.kind, method)
        total = bill.amount + charge
        entry_id = new_entry_id()
        sealed = authorisation = balance_after = None
        status = "pending"
        if method is PaymentMethod.WALLET:
            account = normalise_account_number(account or "")
            pin = normalise_pin(customer_pin or "", policy.pin_length)
            sealed = seal_pin(self._subscribers.sealing_key(deadline), pin, entry_id)
        else:
            account = None
        if method is not PaymentMethod.CASH:
            request = DebitRequest(
                entry_id,
                self._writer.journal.terminal_id,
                self._reference.office.office_id,
                account,
                total,
                bill.bill_id,
                sealed,
            )
            # Central must hold this counter's registration and top-ups of the customer first:
            # a wallet topped up a moment ago is paid from at once.
            self._send_waiting(deadline)
            check(deadline)  # nothing asked of central yet: giving up leaves nothing behind
            try:
                answer = self._central.authorise_debit(request, deadline=deadline)
                authorisation, balance_after, status = (
                    answer.reference,
                    answer.balance_after,
                    "confirmed",
                )
            except Cancelled:
                # The request may have reached central: it undoes the debit at the next sync.
                self._abandon_debit(entry_id)
                raise
            except CentralUnavailable:
                try:
                    if method is not PaymentMethod.WALLET:
                        raise
                    assert account is not None
                    check_offline_debit(policy, total, self._offline_state(account))
                except DeskError:
                    # Central may have taken the debit and lost only its answer: ask it at
                    # the next sync to undo it, since no entry will ever confirm it.
                    self._abandon_debit(entry_id)
                    raise
        payload = BillPaid(
            shift=shift_id,
            bill_kind=bill.kind.value,
            bill_id=bill.bill_id,
            bill_reference=bill.reference,
            amount=bill.amount,
            service_charge=charge,
            method=method.value,
            account=account,
            sealed_pin=sealed,
            authorisation=authorisation,
            balance_after=balance_after,
            status=status,
        )
        entry = self._writer.append(payload, entry_id=entry_id)
        if status != "confirmed" and method is PaymentMethod.CASH:
            status = self._reader.central_state(entry.seq)
        return TransactionResult(
            entry.entry_id,
            entry.seq,
            self._writer.receipt(entry.seq),
            EntryType.BILL_PAID,
            entry.envelope["at"],
            bill.amount,
            charge,
            total,
            account,
            balance_after,
            status,
        )

    def _offline_state(self, account: str) -> OfflineWalletState:
        now = self._clock.now()
        today = utc_day(now)
        with self._reader.connect() as conn:
            wallet = conn.execute(
                text("SELECT balance, balance_at, pending_debits FROM wallets WHERE account = :a"),
                {"a": account},
            ).fetchone()
            offline_today = conn.execute(
                text(
                    "SELECT COALESCE(SUM(amount + service_charge), 0) FROM transactions"
                    " WHERE account = :a AND entry_type = :t AND status = 'pending'"
                    " AND method = 'wallet' AND voided_by IS NULL AND substr(at, 1, 10) = :d"
                ),
                {"a": account, "d": today, "t": EntryType.BILL_PAID.value},
            ).scalar()
        if wallet is None or wallet[0] is None:
            return OfflineWalletState(None, None, 0, int(offline_today or 0))
        age = now - parse_stamp(wallet[1])
        return OfflineWalletState(
            int(wallet[0]), age.total_seconds() / 3600, int(wallet[2]), int(offline_today or 0)
        )

    def void(
        self,
        entry_id: str,
        reason: str,
        approval: Approval | None,
        *,
        deadline: Deadline | None = None,
    ) -> TransactionResult:
        """Reverse a top-up or bill payment of the open shift, with a supervisor's approval."""
        self._guards.allow(Action.VOID)
        shift_id = self._guards.own_shift()
        reason = reason.strip()
        if not reason:
            raise ValidationError("reason.required")
        with self._reader.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT shift_id, entry_type, account, amount, service_charge, voided_by"
                    " FROM transactions WHERE entry_id = :e"
                ),
                {"e": entry_id},
            ).fetchone()
        if row is None:
            raise NotFoundError("entry.not_found")
        voided_shift, voided_type, account, amount, charge, voided_by = row
        if voided_type not in VOIDABLE:
            raise StateError("void.not_voidable")
        if voided_shift != shift_id:
            raise StateError("void.other_shift")
        if voided_by is not None:
            raise StateError("void.already_voided")
        approver = self._approvals.approve(approval)
        void_id = new_entry_id()
        authorisation = None
        if voided_type == EntryType.TOP_UP:
            # Taking a top-up back debits the wallet: only central can say the money is still
            # there, and it must have the top-up first.
            self._send_waiting(deadline)
            # The last moment a void can be given up: central has no way to undo a reversal
            # on a desk's word, so the reversal itself is asked without the deadline.
            check(deadline)
            answer = self._central.authorise_reversal(void_id, entry_id, account, amount)
            authorisation = answer.reference if answer else None
        entry = self._writer.append(
            Void(shift_id, entry_id, reason, approver, authorisation), entry_id=void_id
        )
        return TransactionResult(
            entry.entry_id,
            entry.seq,
            self._writer.receipt(entry.seq),
            EntryType.VOID,
            entry.envelope["at"],
            amount,
            charge,
            amount + charge,
            account,
            status=self._reader.central_state(entry.seq),
        )

    def record_reprint(self, entry_id: str) -> TransactionResult:
        """Journal that a receipt was printed again (the copy says COPY / نسخة)."""
        self._guards.operator()
        with self._reader.connect() as conn:
            seq = conn.execute(
                text("SELECT seq FROM journal WHERE entry_id = :e"), {"e": entry_id}
            ).scalar()
        if seq is None:
            raise NotFoundError("entry.not_found")
        receipt = self._writer.receipt(int(seq))
        entry = self._writer.append(ReceiptReprinted(entry_id, receipt))
        return TransactionResult(
            entry.entry_id,
            entry.seq,
            receipt,
            EntryType.RECEIPT_REPRINTED,
            entry.envelope["at"],
            0,
        )

    def _abandon_debit(self, entry_id: str) -> None:
        journal = self._writer.journal
        conn = journal.raw_connection()
        pending = sync_state.abandoned_debits(conn)
        sync_state.set_abandoned_debits(conn, journal.lock, [*pending, entry_id])
