"""The counter's own routes at central, as a hostile or a mistaken desk would call them: a
customer's PIN reset (internal offices, a counter operator of that office, a PIN sealed for that
account and request), a payment made online by its reference, and whether an ID is registered."""

from __future__ import annotations

import os
import secrets
import time

import pytest

from erial_desk.domain.chain import uuid7
from erial_desk.domain.pins import pin_reset_context, seal_pin
from erial_desk.store.journal import new_entry_id

from .conftest import Central
from .pushing import subscriber_row
from .terminal_sim import TerminalSim
from .test_authorisation import refused
from .test_bank_and_online import bank_call


def reset(sim: TerminalSim, account: str, pin: str, *, operator=None, context=None, request=None):
    request = request or new_entry_id()
    sealed = seal_pin(sim.sealing_key, pin, context or pin_reset_context(account, request))
    return sim.session.post(
        f"{sim.base}/v1/subscribers/{account}/pin",
        json={
            "request_id": request,
            "operator_id": operator or sim.operator,
            "sealed_pin": sealed,
        },
        timeout=60,
    )


def lock_wallet(central: Central, sim: TerminalSim, account: str) -> None:
    """Wrong PINs until the wallet's debits are locked."""
    bill = central.bills.take("parking")
    for _ in range(3):
        sim.debit_bill(bill, account, pin="0000")
    assert subscriber_row(central, account).pin_failures >= 3
    refused(sim.debit_bill(bill, account, pin="1234"), 423, "wallet.locked")


def test_an_internal_office_resets_a_locked_pin(central: Central, terminal, subscriber):
    terminal.top_up(subscriber, 200_000)
    terminal.sync()
    lock_wallet(central, terminal, subscriber)
    answer = reset(terminal, subscriber, "5678")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"account": subscriber, "status": "reset"}
    assert subscriber_row(central, subscriber).pin_failures == 0
    refused(
        terminal.debit_bill(central.bills.take("parking"), subscriber, pin="1234"),
        403,
        "wallet.wrong_pin",
    )
    paid = terminal.debit_bill(central.bills.take("parking"), subscriber, pin="5678")
    assert paid.status_code == 200, paid.text


def test_an_external_office_cannot_reset(central: Central, subscriber):
    cafe = central.terminal("CAFE-RUWI")
    refused(reset(cafe, subscriber, "5678"), 403, "policy.not_allowed")


@pytest.mark.parametrize("who", ["another office's", "unknown"])
def test_the_operator_must_be_of_the_office(central: Central, terminal, subscriber, who):
    operator = central.terminal("CAFE-RUWI").operator if who != "unknown" else "nobody"
    refused(reset(terminal, subscriber, "5678", operator=operator), 403, "login.wrong_office")


def test_a_pin_sealed_for_something_else_changes_nothing(central: Central, terminal, subscriber):
    before = subscriber_row(central, subscriber)
    # A payment's sealed PIN, or another reset's, replayed as this one.
    for context in (new_entry_id(), pin_reset_context(subscriber, new_entry_id()), subscriber):
        refused(reset(terminal, subscriber, "5678", context=context), 422, "pin.invalid")
    refused(reset(terminal, subscriber, "12"), 422, "pin.invalid")
    assert subscriber_row(central, subscriber) == before
    bill = central.bills.take("parking")
    terminal.top_up(subscriber, 200_000)
    terminal.sync()
    assert terminal.debit_bill(bill, subscriber, pin="1234").status_code == 200


def test_an_unknown_account_is_not_found(central: Central, terminal):
    refused(reset(terminal, "100000000008", "5678"), 404, "subscriber.not_found")


def test_an_online_payment_by_its_reference(central: Central, terminal, subscriber):
    reference = f"BNK-{secrets.token_hex(4)}"
    done = bank_call(central, {"bank_reference": reference, "account": subscriber, "amount": 7500})
    assert done.status_code == 200, done.text
    found = terminal.get(f"/v1/online-payments/{reference}")
    assert found.status_code == 200, found.text
    payment = found.json()
    assert (payment["account"], payment["amount"], payment["status"]) == (
        subscriber,
        7500,
        "confirmed",
    )
    assert payment["at"] and payment["description_ar"] != payment["description_en"]
    refused(terminal.get("/v1/online-payments/BNK-none"), 404, "entry.not_found")
    # A café that never served this subscriber learns nothing of the payment.
    cafe = central.terminal("CAFE-RUWI")
    refused(cafe.get(f"/v1/online-payments/{reference}"), 404, "entry.not_found")


def test_whether_an_id_is_registered(central: Central, terminal, subscriber):
    civil = subscriber[:8]  # as the simulated terminal registers it
    asked = terminal.get("/v1/registered-ids", civil_number=civil, operator_id=terminal.operator)
    assert asked.json() == {"registered": True}
    other = terminal.get("/v1/registered-ids", cr_number="7654321", operator_id=terminal.operator)
    assert other.json() == {"registered": False}
    cafe = central.terminal("CAFE-RUWI")
    asked = cafe.get("/v1/registered-ids", civil_number=civil, operator_id=cafe.operator)
    refused(asked, 403, "policy.not_allowed")


def test_a_reset_sent_again_later_is_refused(central: Central, terminal, subscriber):
    """A sealed reset captured on the way and replayed an hour later changes nothing."""
    an_hour_ago = uuid7(time.time_ns() // 1_000_000 - 3_600_000, os.urandom(10))
    refused(reset(terminal, subscriber, "5678", request=an_hour_ago), 422, "request.invalid")
    refused(
        reset(terminal, subscriber, "5678", request="not-a-uuid-at-all"), 422, "request.invalid"
    )
