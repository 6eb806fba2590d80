from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erial_desk.domain.entries import EntryType
from erial_desk.domain.money_effects import NO_EFFECT, MoneyEffect, money_effect, void_effect

amounts = st.integers(min_value=1, max_value=10**9)


def bill(method: str, amount: int = 5_000, charge: int = 100) -> dict:
    return {"amount": amount, "service_charge": charge, "method": method}


def test_a_top_up_puts_cash_in_the_drawer_and_in_the_wallet():
    assert money_effect("top_up", {"amount": 20_500}) == MoneyEffect(wallet=20_500, cash=20_500)


def test_a_cash_drop_takes_cash_out_of_the_drawer():
    assert money_effect("cash_drop", {"amount": 50_000}) == MoneyEffect(cash=-50_000)


@pytest.mark.parametrize(
    ("method", "effect"),
    [
        ("wallet", MoneyEffect(wallet=-5_100)),
        ("cash", MoneyEffect(cash=5_000)),
        ("office_wallet", MoneyEffect(office_wallet=-5_000)),
    ],
)
def test_a_bill_payment_moves_the_payers_purse(method, effect):
    charge = 100 if method == "wallet" else 0
    assert money_effect("bill_paid", bill(method, charge=charge)) == effect


@pytest.mark.parametrize(
    "kind",
    [
        EntryType.SHIFT_OPENED,
        EntryType.SHIFT_CLOSED,
        EntryType.SUBSCRIBER_REGISTERED,
        EntryType.SUBSCRIBER_UPDATED,
        EntryType.RECEIPT_REPRINTED,
    ],
)
def test_entries_that_move_no_money(kind):
    assert money_effect(kind, {}) == NO_EFFECT
    assert not money_effect(kind, {}).moves_money


def test_a_void_needs_the_voided_entry():
    with pytest.raises(ValueError):
        money_effect("void", {"voids": "x"})


@given(amounts, amounts, st.sampled_from(["wallet", "cash", "office_wallet"]))
def test_a_void_gives_back_exactly_what_was_moved(amount, charge, method):
    payload = bill(method, amount, charge)
    moved = money_effect("bill_paid", payload)
    undone = void_effect("bill_paid", payload)
    assert moved.wallet + undone.wallet == 0
    assert moved.cash + undone.cash == 0
    assert moved.office_wallet + undone.office_wallet == 0
    assert void_effect("top_up", {"amount": amount}) == MoneyEffect(wallet=-amount, cash=-amount)
