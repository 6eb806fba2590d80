"""Money at the counter: top-ups, bill lookups and payments, voids and reprints."""

from __future__ import annotations

from sqlalchemy import text

from erial_desk.domain.central import Bill, DebitRequest
from erial_desk.domain.clock import parse_stamp, utc_day
from erial_desk.domain.entries import VOIDABLE, BillPaid, ReceiptReprinted, TopUp, Void
from erial_desk.domain.errors import (
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

from .results import Approval, TransactionResult
from .subscribers import SubscribersMixin
from .sync_service import lookup_bills


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


class PaymentsMixin(SubscribersMixin):
    def top_up(self, account: str, amount: int | str) -> TransactionResult:
        """Cash into a subscriber's wallet. Always accepted offline: the cash is in hand."""
        self._allow(Action.TOP_UP)
        shift_id = self._require_own_shift()
        account = normalise_account_number(account)
        try:
            self.subscriber(account)
        except CentralUnavailable:
            # Offline and not in the local directory: the check digit has vouched for the
            # number; cash top-ups are always accepted and central settles them at sync.
            pass
        except NotFoundError:
            # Central shows an external office only the subscribers it has served, and answers
            # "not found" for the others: their first top-up there goes ahead on the check
            # digit, and central returns the cash as a refund if no such account exists.
            if self.office.office_type is not OfficeType.EXTERNAL:
                raise
        baisa = _as_baisa(amount, self.policy.top_up_min, self.policy.top_up_max)
        limit = self.office.top_up_float_limit
        if limit is not None and self._shift_top_ups(shift_id) + baisa > limit:
            raise StateError("float.exceeded", **limit_params(limit))
        entry = self._append(TopUp(shift_id, account, baisa))
        self._after_commit()
        return TransactionResult(
            entry.entry_id,
            entry.seq,
            self._receipt(entry.seq),
            "top_up",
            entry.envelope["at"],
            baisa,
            total=baisa,
            account=account,
            balance_after=self.known_balance(account),
            status=self._sync_status(entry.seq),
        )

    def _shift_top_ups(self, shift_id: str) -> int:
        with self._reading() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT COALESCE(SUM(amount), 0) FROM transactions WHERE shift_id = :s"
                        " AND entry_type = 'top_up' AND voided_by IS NULL"
                    ),
                    {"s": shift_id},
                ).scalar()
                or 0
            )

    def _sync_status(self, seq: int) -> str:
        with self._reading() as conn:
            state = conn.execute(
                text("SELECT state FROM outbox WHERE seq = :s"), {"s": seq}
            ).scalar()
        return "confirmed" if state in ("applied", "duplicate") else "pending"

    bills_cached_at: str | None = None  # when the bills last found came from the offline cache

    def find_bills(self, kind: BillKind, key: str) -> list[Bill]:
        """Bills of one kind by plate, contract/civil, licence/CR or application number; with
        central unreachable, those found by the last lookup of the same key, fetched at
        ``bills_cached_at``."""
        self._allow(Action.INQUIRE)
        bills, self.bills_cached_at = lookup_bills(self, kind, bill_lookup_key(kind, key))
        return bills

    def pay_bill(
        self,
        bill: Bill,
        method: PaymentMethod,
        *,
        account: str | None = None,
        customer_pin: str | None = None,
    ) -> TransactionResult:
        """Pay a bill from the customer's wallet (PIN, service charge added), in cash or from
        the office's wallet for a walk-in customer, as the office type allows."""
        self._allow(PAYMENT_ACTIONS[method])
        shift_id = self._require_own_shift()
        if bill.status != "open":
            raise StateError("bill.already_paid")
        check_amount(bill.amount, maximum=self.policy.payment_max)
        charge = self.catalogue.charge_for(bill.kind, method)
        total = bill.amount + charge
        entry_id = new_entry_id()
        sealed = authorisation = balance_after = None
        status = "pending"
        if method is PaymentMethod.WALLET:
            account = normalise_account_number(account or "")
            pin = normalise_pin(customer_pin or "", self.policy.pin_length)
            sealed = seal_pin(self._sealing(), pin, entry_id)
        else:
            account = None
        if method is not PaymentMethod.CASH:
            request = DebitRequest(
                entry_id,
                self.terminal_id,
                self.office.office_id,
                account,
                total,
                bill.bill_id,
                sealed,
            )
            # Central must hold this counter's registration and top-ups of the customer first:
            # a wallet topped up a moment ago is paid from at once.
            self.push_pending(wait=True)
            try:
                answer = self.central.authorise_debit(request)
                authorisation, balance_after, status = (
                    answer.reference,
                    answer.balance_after,
                    "confirmed",
                )
            except CentralUnavailable:
                try:
                    if method is not PaymentMethod.WALLET:
                        raise
                    assert account is not None
                    check_offline_debit(self.policy, total, self._offline_state(account))
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
        entry = self._append(payload, entry_id=entry_id)
        self._after_commit()
        if status != "confirmed":
            status = self._sync_status(entry.seq) if method is PaymentMethod.CASH else status
        return TransactionResult(
            entry.entry_id,
            entry.seq,
            self._receipt(entry.seq),
            "bill_paid",
            entry.envelope["at"],
            bill.amount,
            charge,
            total,
            account,
            balance_after,
            status,
        )

    def _offline_state(self, account: str) -> OfflineWalletState:
        now = self.clock.now()
        today = utc_day(now)
        with self._reading() as conn:
            wallet = conn.execute(
                text("SELECT balance, balance_at, pending_debits FROM wallets WHERE account = :a"),
                {"a": account},
            ).fetchone()
            offline_today = conn.execute(
                text(
                    "SELECT COALESCE(SUM(amount + service_charge), 0) FROM transactions"
                    " WHERE account = :a AND entry_type = 'bill_paid' AND status = 'pending'"
                    " AND method = 'wallet' AND voided_by IS NULL AND substr(at, 1, 10) = :d"
                ),
                {"a": account, "d": today},
            ).scalar()
        if wallet is None or wallet[0] is None:
            return OfflineWalletState(None, None, 0, int(offline_today or 0))
        age = now - parse_stamp(wallet[1])
        return OfflineWalletState(
            int(wallet[0]), age.total_seconds() / 3600, int(wallet[2]), int(offline_today or 0)
        )

    def void(self, entry_id: str, reason: str, approval: Approval | None) -> TransactionResult:
        """Reverse a top-up or bill payment of the open shift, with a supervisor's approval."""
        self._allow(Action.VOID)
        shift_id = self._require_own_shift()
        reason = reason.strip()
        if not reason:
            raise ValidationError("reason.required")
        with self._reading() as conn:
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
        approver = self._approve(approval)
        void_id = new_entry_id()
        authorisation = None
        if voided_type == "top_up":
            # Taking a top-up back debits the wallet: only central can say the money is still
            # there, and it must have the top-up first.
            self.push_pending(wait=True)
            answer = self.central.authorise_reversal(void_id, entry_id, account, amount)
            authorisation = answer.reference if answer else None
        entry = self._append(
            Void(shift_id, entry_id, reason, approver, authorisation), entry_id=void_id
        )
        self._after_commit()
        return TransactionResult(
            entry.entry_id,
            entry.seq,
            self._receipt(entry.seq),
            "void",
            entry.envelope["at"],
            amount,
            charge,
            amount + charge,
            account,
            status=self._sync_status(entry.seq),
        )

    def record_reprint(self, entry_id: str) -> TransactionResult:
        """Journal that a receipt was printed again (the copy says COPY / نسخة)."""
        self._require_operator()
        with self._reading() as conn:
            seq = conn.execute(
                text("SELECT seq FROM journal WHERE entry_id = :e"), {"e": entry_id}
            ).scalar()
        if seq is None:
            raise NotFoundError("entry.not_found")
        receipt = self._receipt(int(seq))
        entry = self._append(ReceiptReprinted(entry_id, receipt))
        self._after_commit()
        return TransactionResult(
            entry.entry_id, entry.seq, receipt, "receipt_reprinted", entry.envelope["at"], 0
        )

    def _abandon_debit(self, entry_id: str) -> None:
        conn = self.journal.raw_connection()
        pending = sync_state.abandoned_debits(conn)
        sync_state.set_abandoned_debits(conn, self.journal.lock, [*pending, entry_id])
