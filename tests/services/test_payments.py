"""Top-ups, bill payments and voids through the Desk facade, against the embedded central."""

from __future__ import annotations

from pathlib import Path

import pytest

from erial_desk.domain.errors import (
    AuthError,
    PolicyError,
    StateError,
    ValidationError,
)
from erial_desk.domain.policy import BillKind, PaymentMethod
from erial_desk.services import Approval, RegistrationForm
from tests.conftest import DEMO_PINS, central_of_test, make_desk

SUPERVISOR = Approval("aisha", DEMO_PINS["aisha"])


def register(desk, civil: str = "12345678", pin: str = "4321") -> str:
    form = RegistrationForm(
        "individual", "أحمد بن سالم البلوشي", "Ahmed Al Balushi", "91234567", civil_number=civil
    )
    return desk.register_subscriber(form, pin).account


def test_top_up_credits_the_wallet(clerk_desk):
    account = register(clerk_desk)
    result = clerk_desk.top_up(account, "١٠٫٢٥٠")
    assert result.amount == 10250
    assert result.balance_after == 10250
    assert result.status == "confirmed"
    assert clerk_desk._central.wallet_balance(account) == 10250
    assert clerk_desk.shift_summary().expected_cash == 46000 + 10250


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("0", "amount.zero"),
        ("-5", "amount.negative"),
        ("1.2345", "amount.too_many_decimals"),
        ("0.500", "amount.below_minimum"),
        ("501", "amount.over_limit"),
        ("abc", "amount.invalid"),
    ],
)
def test_top_up_refuses_bad_amounts(clerk_desk, amount, code):
    account = register(clerk_desk)
    with pytest.raises(ValidationError) as err:
        clerk_desk.top_up(account, amount)
    assert err.value.code == code


def test_top_up_refuses_a_mistyped_account(clerk_desk):
    account = register(clerk_desk)
    mistyped = account[:-1] + str((int(account[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as err:
        clerk_desk.top_up(mistyped, 1000)
    assert err.value.code == "account.check_digit"


def test_wallet_payment_adds_the_service_charge(clerk_desk):
    account = register(clerk_desk)
    clerk_desk.top_up(account, 50_000)
    bill = clerk_desk.find_bills(BillKind.PARKING, "٧٧٧ م م")[0]
    charge = clerk_desk.catalogue.service_charge(BillKind.PARKING)
    result = clerk_desk.pay_bill(bill, PaymentMethod.WALLET, account=account, customer_pin="4321")
    assert (result.amount, result.service_charge, result.total) == (
        bill.amount,
        charge,
        bill.amount + charge,
    )
    assert result.status == "confirmed"
    assert result.balance_after == 50_000 - bill.amount - charge
    assert clerk_desk.known_balance(account) == result.balance_after
    # The bill is now paid at central: a second attempt is refused, in cash too.
    again = clerk_desk.find_bills(BillKind.PARKING, "777MM")[0]
    assert again.status == "paid"
    with pytest.raises(StateError):
        clerk_desk.pay_bill(again, PaymentMethod.CASH)


def test_wallet_payment_refused_without_funds_leaves_no_entry(clerk_desk):
    account = register(clerk_desk)
    clerk_desk.top_up(account, 1000)
    before = clerk_desk._journal.last()[0]
    bill = clerk_desk.find_bills(BillKind.LEASE, "12345678")[0]
    with pytest.raises(StateError) as err:
        clerk_desk.pay_bill(bill, PaymentMethod.WALLET, account=account, customer_pin="4321")
    assert err.value.code == "wallet.insufficient"
    assert clerk_desk._journal.last()[0] == before
    assert clerk_desk.find_bills(BillKind.LEASE, "12345678")[0].status == "open"


def test_wrong_wallet_pins_lock_the_wallet(clerk_desk):
    account = register(clerk_desk)
    clerk_desk.top_up(account, 50_000)
    bill = clerk_desk.find_bills(BillKind.PARKING, "4521R")[0]
    codes = []
    for _ in range(clerk_desk.policy.wallet_pin_attempts):
        with pytest.raises(AuthError) as err:
            clerk_desk.pay_bill(bill, PaymentMethod.WALLET, account=account, customer_pin="0000")
        codes.append(err.value.code)
    assert codes[-1] == "wallet.locked"
    with pytest.raises(AuthError) as err:
        clerk_desk.pay_bill(bill, PaymentMethod.WALLET, account=account, customer_pin="4321")
    assert err.value.code == "wallet.locked"


def test_cash_payment_goes_into_the_drawer_without_service_charge(clerk_desk):
    bill = clerk_desk.find_bills(BillKind.BUILDING_PERMIT, "bp20260401")[0]
    result = clerk_desk.pay_bill(bill, PaymentMethod.CASH)
    assert result.service_charge == 0 and result.total == bill.amount
    assert result.status == "confirmed"  # pushed to central at once
    summary = clerk_desk.shift_summary()
    assert summary.bill_payments["cash"].amount == bill.amount
    assert summary.expected_cash == 46000 + bill.amount


def test_internal_office_cannot_pay_from_an_office_wallet(clerk_desk):
    bill = clerk_desk.find_bills(BillKind.PARKING, "8A")[0]
    with pytest.raises(PolicyError):
        clerk_desk.pay_bill(bill, PaymentMethod.OFFICE_WALLET)


def test_external_office_pays_walk_ins_from_its_own_wallet(cafe_desk):
    bill = cafe_desk.find_bills(BillKind.PARKING, "8A")[0]
    with pytest.raises(PolicyError):
        cafe_desk.pay_bill(bill, PaymentMethod.CASH)
    result = cafe_desk.pay_bill(bill, PaymentMethod.OFFICE_WALLET)
    assert result.account is None and result.status == "confirmed"
    assert result.balance_after == 200_000 - result.total
    assert cafe_desk.shift_summary().expected_cash == 10_000  # no cash moved


def test_external_office_top_up_within_its_float(tmp_path: Path):
    hq = make_desk(tmp_path / "hq")
    hq.login("salim", "1111")
    account = register(hq)
    hq.sync_once()  # central learns of the subscriber
    cafe = make_desk(tmp_path / "cafe", "CAFE-RUWI")
    cafe.login("khalid", "2222")
    cafe.open_shift({})
    cafe.top_up(account, 400_000)
    cafe.top_up(account, 400_000)
    with pytest.raises(StateError) as err:
        cafe.top_up(account, 400_000)  # the office's top-up float is 1,000 OMR per shift
    assert err.value.code == "float.exceeded"
    seeb = make_desk(tmp_path / "seeb", "CAFE-SEEB")
    seeb.login("hamad", "3333")
    seeb.open_shift({})
    with pytest.raises(PolicyError):
        seeb.top_up(account, 1000)  # not authorised by the municipality to take top-ups
    for d in (hq, cafe, seeb):
        d.close()


def test_void_of_a_top_up_takes_the_money_back(clerk_desk):
    account = register(clerk_desk)
    entry = clerk_desk.top_up(account, 20_000)
    void = clerk_desk.void(entry.entry_id, "typed the wrong amount", SUPERVISOR)
    assert void.amount == 20_000
    assert clerk_desk._central.wallet_balance(account) == 0
    assert clerk_desk.known_balance(account) == 0
    summary = clerk_desk.shift_summary()
    assert summary.top_ups.count == 0 and summary.voids.count == 1
    assert summary.expected_cash == 46000
    with pytest.raises(StateError) as err:
        clerk_desk.void(entry.entry_id, "again", SUPERVISOR)
    assert err.value.code == "void.already_voided"


def test_void_of_a_spent_top_up_is_refused(clerk_desk):
    account = register(clerk_desk)
    entry = clerk_desk.top_up(account, 20_000)
    bill = clerk_desk.find_bills(BillKind.PARKING, "777MM")[0]
    clerk_desk.pay_bill(bill, PaymentMethod.WALLET, account=account, customer_pin="4321")
    with pytest.raises(StateError) as err:
        clerk_desk.void(entry.entry_id, "wrong", SUPERVISOR)
    assert err.value.code == "wallet.insufficient"


def test_void_of_a_wallet_payment_refunds_and_reopens_the_bill(clerk_desk):
    account = register(clerk_desk)
    clerk_desk.top_up(account, 30_000)
    bill = clerk_desk.find_bills(BillKind.PARKING, "777MM")[0]
    paid = clerk_desk.pay_bill(bill, PaymentMethod.WALLET, account=account, customer_pin="4321")
    clerk_desk.void(paid.entry_id, "customer paid the wrong bill", SUPERVISOR)
    assert clerk_desk._central.wallet_balance(account) == 30_000
    assert clerk_desk.known_balance(account) == 30_000
    assert clerk_desk.find_bills(BillKind.PARKING, "777MM")[0].status == "open"


def test_void_needs_a_reason_and_the_same_shift(clerk_desk):
    account = register(clerk_desk)
    entry = clerk_desk.top_up(account, 5000)
    with pytest.raises(ValidationError):
        clerk_desk.void(entry.entry_id, "  ", SUPERVISOR)
    clerk_desk.close_shift({20000: 2, 10000: 1, 1000: 1}, SUPERVISOR)
    clerk_desk.open_shift({})
    with pytest.raises(StateError) as err:
        clerk_desk.void(entry.entry_id, "late", SUPERVISOR)
    assert err.value.code == "void.other_shift"


def test_offline_wallet_payment_within_the_caps_is_pending(tmp_path: Path):
    central = central_of_test()
    desk = make_desk(tmp_path / "d")
    desk._central._sleep = lambda _seconds: None  # no pause between retries of a closed port
    desk.login("salim", "1111")
    desk.open_shift({})
    account = register(desk)
    desk.top_up(account, 100_000)
    bill = desk.find_bills(BillKind.PARKING, "777MM")[2]  # 5.000 OMR
    big = desk.find_bills(BillKind.LEASE, "12345678")[0]
    cash_bill = desk.find_bills(BillKind.PARKING, "4521R")[0]
    desk.sync_once()  # central holds the subscriber and the top-up
    central.stop()  # the cable is cut
    result = desk.pay_bill(bill, PaymentMethod.WALLET, account=account, customer_pin="4321")
    assert result.status == "pending" and result.balance_after is None
    assert desk.known_balance(account) == 100_000 - result.total
    assert desk.outbox_counts() == {"applied": 3, "pending": 1}
    # over the per-payment offline cap
    with pytest.raises(PolicyError) as err:
        desk.pay_bill(big, PaymentMethod.WALLET, account=account, customer_pin="4321")
    assert err.value.code == "offline.not_allowed"
    # Cash is always accepted offline; it waits in the outbox.
    cash = desk.pay_bill(cash_bill, PaymentMethod.CASH)
    assert cash.status == "pending"
    central.start()
    assert desk.push_pending() == 2
    assert desk.outbox_counts().get("pending", 0) == 0
    desk.close()
