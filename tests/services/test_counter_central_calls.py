"""The counter's calls to central kept beside the facade: a customer's PIN reset, a payment made
online found by its reference, and a registered ID refused before the customer chooses a PIN;
through the ``Desk`` facade, against the embedded central."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

import pytest
import requests

from erial_central.settings import load_secrets
from erial_desk.domain.errors import AuthError, NotFoundError, PolicyError, StateError
from erial_desk.domain.policy import BillKind, PaymentMethod
from erial_desk.services import RegistrationForm
from erial_desk.services.customer_pin import PIN_RESET_CHANGE
from tests.conftest import DEMO_PINS, central_of_test, make_desk

from .test_payments import register


def lock(desk, account: str, bill) -> None:
    for _ in range(desk.policy.wallet_pin_attempts):
        with pytest.raises(AuthError):
            desk.pay_bill(bill, PaymentMethod.WALLET, account=account, customer_pin="0000")


def test_a_reset_pin_unlocks_the_wallet_with_the_new_pin(clerk_desk):
    account = register(clerk_desk)
    clerk_desk.top_up(account, 50_000)
    bill = clerk_desk.find_bills(BillKind.PARKING, "4521R")[0]
    lock(clerk_desk, account, bill)
    result = clerk_desk.reset_customer_pin(account, "٨٦٤٢")  # Arabic-Indic digits from the pad
    entry = next(e for e in clerk_desk.entries() if e["id"] == result.entry_id)
    assert entry["type"] == "subscriber_updated"
    assert entry["payload"]["changes"] == {PIN_RESET_CHANGE: "central"}
    assert "8642" not in json.dumps(entry)
    with pytest.raises(AuthError) as err:
        clerk_desk.pay_bill(bill, PaymentMethod.WALLET, account=account, customer_pin="4321")
    assert err.value.code == "wallet.wrong_pin"
    paid = clerk_desk.pay_bill(bill, PaymentMethod.WALLET, account=account, customer_pin="8642")
    assert paid.status == "confirmed"
    assert clerk_desk.outbox_counts().get("applied", 0) == sum(clerk_desk.outbox_counts().values())


def test_a_cafe_cannot_reset_a_pin(cafe_desk):
    with pytest.raises(PolicyError):
        cafe_desk.reset_customer_pin("100000000008", "8642")


def bank_top_up(account: str, amount: int) -> str:
    """A payment made on the website: the bank's signed callback to the test's central; its
    reference."""
    central = central_of_test()
    reference = f"BNK-{secrets.token_hex(4)}"
    body = json.dumps({"bank_reference": reference, "account": account, "amount": amount})
    secret = load_secrets(central.secrets_file).bank_hmac_secret
    signature = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
    done = requests.post(
        f"{central.base_url}/v1/bank/top-ups",
        data=body,
        headers={"Content-Type": "application/json", "X-Signature": signature},
        timeout=30,
    )
    assert done.status_code == 200, done.text
    return reference


def test_an_online_payment_by_its_reference(clerk_desk):
    account = register(clerk_desk)
    reference = bank_top_up(account, 12_500)
    line = clerk_desk.online_payment(reference)
    assert (line.receipt, line.account, line.amount, line.central) == (
        reference,
        account,
        12_500,
        "confirmed",
    )
    with pytest.raises(NotFoundError):
        clerk_desk.online_payment("BNK-none")


def test_a_registered_id_is_refused_before_the_pin(clerk_desk, tmp_path):
    other = make_desk(tmp_path / "other")  # enrolled (and synced) before the registration
    try:
        register(clerk_desk, civil="23456789")
        form = RegistrationForm("individual", "اسم", "Name", "91234567", civil_number="23456789")
        with pytest.raises(StateError) as err:
            clerk_desk.check_new_subscriber(form)
        assert err.value.code == "subscriber.exists"
        # The other counter's directory has not heard of it yet: central knows.
        other.login("salim", DEMO_PINS["salim"])
        assert not other.find_subscribers("23456789")
        with pytest.raises(StateError) as err:
            other.check_new_subscriber(form)
        assert err.value.code == "subscriber.exists"
        fresh = RegistrationForm("individual", "اسم", "Name", "91234567", civil_number="34567890")
        other.check_new_subscriber(fresh)  # nothing said: free to register
    finally:
        other.close()
