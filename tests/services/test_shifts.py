"""Shifts: float, cash drops, close with count and variance, summaries, rebuild."""

from __future__ import annotations

import pytest

from erial_desk.domain.errors import StateError, ValidationError
from erial_desk.domain.policy import BillKind, PaymentMethod
from erial_desk.services import Approval
from tests.services.test_payments import register

SUPERVISOR = Approval("aisha", "9999")


def test_open_shift_records_the_float(desk):
    desk.login("salim", "1111")
    result = desk.open_shift({20000: 1, 100: 3})
    assert result.amount == 20300
    summary = desk.shift_summary()
    assert summary.float_total == 20300 and summary.expected_cash == 20300
    assert summary.closed_at is None
    with pytest.raises(StateError) as err:
        desk.open_shift({})
    assert err.value.code == "shift.already_open"


def test_float_must_be_omani_notes_and_coins(desk):
    desk.login("salim", "1111")
    with pytest.raises(ValidationError) as err:
        desk.open_shift({3000: 1})
    assert err.value.code == "denomination.invalid"
    with pytest.raises(ValidationError):
        desk.open_shift({1000: -1})


def test_no_money_moves_without_an_open_shift(desk):
    desk.login("salim", "1111")
    account = register(desk)
    with pytest.raises(StateError) as err:
        desk.top_up(account, 1000)
    assert err.value.code == "shift.none_open"


def test_cash_drop_needs_approval_and_cash_in_the_drawer(clerk_desk):
    with pytest.raises(StateError) as err:
        clerk_desk.cash_drop({50000: 1}, SUPERVISOR, "Safe run")  # more than the 46.000 float
    assert err.value.code == "cash.insufficient"
    before = clerk_desk._journal.last()[0]
    with pytest.raises(Exception) as refused:
        clerk_desk.cash_drop({20000: 1}, None, "Safe run")
    assert refused.value.code == "approval.required"
    assert clerk_desk._journal.last()[0] == before
    clerk_desk.cash_drop({20000: 1}, SUPERVISOR, "Safe run")
    summary = clerk_desk.shift_summary()
    assert summary.cash_drops.amount == 20000
    assert summary.expected_cash == 26000


def test_close_within_tolerance_needs_no_supervisor(clerk_desk):
    # Expected 46.000; counted 45.700: 300 baisa short, inside the 500 baisa tolerance.
    summary = clerk_desk.close_shift({20000: 2, 5000: 1, 500: 1, 100: 2})
    assert summary.expected_cash == 46000
    assert summary.counted_total == 45700 and summary.variance == -300
    assert summary.close_approver is None and summary.closed_at is not None


def test_close_beyond_tolerance_needs_a_supervisor(clerk_desk):
    account = register(clerk_desk)
    clerk_desk.top_up(account, 10_000)
    with pytest.raises(StateError) as err:
        clerk_desk.close_shift({20000: 2, 1000: 6})  # 10.000 short
    assert err.value.code == "shift.variance"
    assert "-10.000" in err.value.message("en")
    summary = clerk_desk.close_shift({20000: 2, 1000: 6}, SUPERVISOR)
    assert summary.variance == -10_000 and summary.close_approver == "aisha"
    with pytest.raises(StateError):
        clerk_desk.top_up(account, 1000)


def test_summary_totals_by_kind_and_method(clerk_desk):
    account = register(clerk_desk)
    clerk_desk.top_up(account, 30_000)
    clerk_desk.top_up(account, 2_500)
    wallet_bill = clerk_desk.find_bills(BillKind.PARKING, "777MM")[0]
    clerk_desk.pay_bill(wallet_bill, PaymentMethod.WALLET, account=account, customer_pin="4321")
    cash_bill = clerk_desk.find_bills(BillKind.LICENCE, "1029384")[0]
    clerk_desk.pay_bill(cash_bill, PaymentMethod.CASH)
    voided = clerk_desk.top_up(account, 1_000)
    clerk_desk.void(voided.entry_id, "duplicate", SUPERVISOR)
    summary = clerk_desk.shift_summary()
    assert (summary.top_ups.count, summary.top_ups.amount) == (2, 32_500)
    assert summary.bill_payments["wallet"].amount == wallet_bill.amount
    assert summary.bill_payments["wallet"].service_charge == 200
    assert summary.bill_payments["cash"].amount == cash_bill.amount
    assert summary.voids.count == 1
    assert summary.expected_cash == 46_000 + 32_500 + cash_bill.amount


def test_rebuild_gives_the_same_derived_state(clerk_desk):
    account = register(clerk_desk)
    clerk_desk.top_up(account, 30_000)
    bill = clerk_desk.find_bills(BillKind.PARKING, "777MM")[0]
    clerk_desk.pay_bill(bill, PaymentMethod.WALLET, account=account, customer_pin="4321")
    voided = clerk_desk.top_up(account, 1_000)
    clerk_desk.void(voided.entry_id, "duplicate", SUPERVISOR)
    before = clerk_desk.shift_summary()
    balance = clerk_desk.known_balance(account)
    assert clerk_desk.rebuild() == clerk_desk._journal.last()[0]
    assert clerk_desk.shift_summary() == before
    assert clerk_desk.known_balance(account) == balance
    assert [r.account for r in clerk_desk.find_subscribers("البلوشي")] == [account]
