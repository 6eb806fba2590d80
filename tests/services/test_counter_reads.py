"""The counter's reads: a subscriber's transactions and wallet, the shift's voidable
transactions, a receipt by its number, and the last receipt printed."""

from __future__ import annotations

import pytest

from erial_desk.domain.errors import NotFoundError, StateError
from erial_desk.domain.policy import BillKind, PaymentMethod
from erial_desk.services import Approval, RegistrationForm
from tests.conftest import DEMO_PINS


def register(desk) -> str:
    form = RegistrationForm(
        "individual",
        "أحمد بن سالم البلوشي",
        "Ahmed Al Balushi",
        "91234567",
        civil_number="12345678",
    )
    return desk.register_subscriber(form, "4321").account


def test_a_subscribers_transactions_newest_first_with_centrals_word(clerk_desk):
    account = register(clerk_desk)
    top_up = clerk_desk.top_up(account, 30_000)
    bill = clerk_desk.find_bills(BillKind.PARKING, "777 MM")[0]
    paid = clerk_desk.pay_bill(bill, PaymentMethod.WALLET, account=account, customer_pin="4321")
    lines = clerk_desk.account_transactions(account)
    assert [(x.entry_id, x.entry_type, x.receipt) for x in lines] == [
        (paid.entry_id, "bill_paid", paid.receipt),
        (top_up.entry_id, "top_up", top_up.receipt),
    ]
    assert lines[0].total == paid.total and lines[0].method == "wallet"
    assert {x.central for x in lines} == {"confirmed"}
    wallet = clerk_desk.wallet_view(account)
    assert wallet.balance == clerk_desk.known_balance(account) == 30_000 - paid.total
    assert wallet.reported_at is not None


def test_the_shift_lists_what_it_may_still_void(clerk_desk):
    account = register(clerk_desk)
    first = clerk_desk.top_up(account, 10_000)
    second = clerk_desk.top_up(account, 5_000)
    clerk_desk.void(second.entry_id, "typed twice", Approval("aisha", DEMO_PINS["aisha"]))
    assert [x.entry_id for x in clerk_desk.shift_transactions()] == [first.entry_id]
    clerk_desk.close_shift({10000: 5, 1000: 1}, Approval("aisha", DEMO_PINS["aisha"]))
    with pytest.raises(StateError):
        clerk_desk.shift_transactions()


def test_a_receipt_is_found_by_its_number_and_reprinted_last(clerk_desk):
    account = register(clerk_desk)
    result = clerk_desk.top_up(account, 10_000)
    clerk_desk.print_pending()
    assert clerk_desk.find_receipt(result.receipt.lower()).entry_id == result.entry_id
    for wrong in ("00000000-0000001", result.receipt + "9", "nonsense"):
        with pytest.raises(NotFoundError):
            clerk_desk.find_receipt(wrong)
    assert clerk_desk.last_receipt() == result.entry_id
    clerk_desk.print_receipt(result.entry_id, copy=True)
    assert clerk_desk.last_receipt() == result.entry_id  # a copy is not a new receipt
