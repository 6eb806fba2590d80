"""The two outside callers: the bank's signed top-up callback, and self-registration from the
municipality's website; and who gets to see the new subscriber."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

import requests
from sqlalchemy import text

from .conftest import Central
from .terminal_sim import TerminalSim, service_charge


def bank_secret(central: Central) -> bytes:
    return base64.b64decode(json.loads(central.secrets.read_text())["bank_hmac_secret"])


def bank_call(central: Central, body: dict | bytes, signature: str | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if signature is None:
        signature = hmac.new(bank_secret(central), raw, hashlib.sha256).hexdigest()
    if signature:
        headers["X-Signature"] = signature
    return requests.post(central.url("/v1/bank/top-ups"), data=raw, headers=headers, timeout=30)


def register_online(central: Central, **overrides):
    body = {
        "kind": "individual",
        "name_ar": "سلمى بنت ناصر الكندي",
        "name_en": "Salma Nasser Al Kindi",
        "mobile": "+968 9" + str(secrets.randbelow(10**7)).zfill(7),
        "civil_number": str(20_000_000 + secrets.randbelow(10**7)),
        "pin": "4321",
    } | overrides
    return requests.post(
        central.url("/v1/online/registrations"),
        json=body,
        headers={"Authorization": f"Bearer {central.website_token}"},
        timeout=30,
    )


def feed_keys(sim: TerminalSim, kind: str) -> set[str]:
    keys: set[str] = set()
    cursor = 0
    while True:
        page = sim.get("/v1/feed", cursor=cursor, limit=500).json()
        keys |= {c["key"] for c in page["changes"] if c["kind"] == kind}
        cursor = page["cursor"]
        if not page["more"]:
            return keys


def test_bank_top_up_is_applied_once(terminal: TerminalSim, subscriber: str, central: Central):
    body = {
        "bank_reference": "BNK-" + secrets.token_hex(6),
        "account": subscriber,
        "amount": 25_000,
    }
    first = bank_call(central, body)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "applied"
    assert first.json()["balance"] == 25_000
    replay = bank_call(central, body)
    assert replay.status_code == 200
    assert replay.json()["status"] == "duplicate"
    assert terminal.balance(subscriber) == 25_000
    lines = terminal.get(f"/v1/subscribers/{subscriber}/statement").json()["lines"]
    assert [(line["kind"], line["amount"]) for line in lines] == [("bank_top_up", 25_000)]
    assert lines[0]["counterpart"] == "bank"


def test_same_bank_reference_with_another_body_is_a_conflict(
    terminal: TerminalSim, subscriber: str, central: Central
):
    body = {"bank_reference": "BNK-" + secrets.token_hex(6), "account": subscriber, "amount": 5_000}
    assert bank_call(central, body).status_code == 200
    other = bank_call(central, body | {"amount": 50_000})
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "bank.conflict"
    assert terminal.balance(subscriber) == 5_000


def test_bank_signature_must_verify(terminal: TerminalSim, subscriber: str, central: Central):
    body = {"bank_reference": "BNK-" + secrets.token_hex(6), "account": subscriber, "amount": 9_000}
    raw = json.dumps(body).encode()
    forged = hmac.new(b"not the secret", raw, hashlib.sha256).hexdigest()
    for signature in (forged, "", "zz"):
        response = bank_call(central, raw, signature)
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "bank.bad_signature"
    # Signed for another body: refused.
    good_for_other = hmac.new(bank_secret(central), raw + b" ", hashlib.sha256).hexdigest()
    assert bank_call(central, raw, good_for_other).status_code == 401
    assert terminal.balance(subscriber) == 0


def test_bank_callback_refusals(central: Central):
    unknown = {"bank_reference": "BNK-" + secrets.token_hex(6), "account": "100000000008"}
    response = bank_call(central, unknown | {"amount": 1_000})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "subscriber.not_found"
    for amount in (0, -5, 1.5, "100", True):
        response = bank_call(central, unknown | {"amount": amount})
        assert response.status_code == 422, (amount, response.text)
        assert response.json()["error"]["code"] == "request.invalid"
    response = bank_call(central, b"not json")
    assert response.status_code == 422


def test_online_registration_reaches_internal_offices(central: Central):
    response = register_online(central)
    assert response.status_code == 200, response.text
    account = response.json()["account"]
    hq = central.terminal("MCT-HQ")
    assert account in feed_keys(hq, "subscriber")
    cafe = central.terminal("CAFE-SEEB")
    assert account not in feed_keys(cafe, "subscriber")
    # An external office that never served the subscriber cannot look them up; HQ can.
    assert cafe.get(f"/v1/subscribers/{account}").status_code == 404
    found = hq.get(f"/v1/subscribers/{account}")
    assert found.status_code == 200
    assert found.json()["name_en"] == "Salma Nasser Al Kindi"
    assert found.json()["mobile"].startswith("+9689")
    assert "pin_verifier" not in found.json()


def test_registered_online_then_topped_up_by_bank_then_pays(central: Central):
    account = register_online(central).json()["account"]
    ref = "BNK-" + secrets.token_hex(6)
    assert bank_call(central, {"bank_reference": ref, "account": account, "amount": 50_000}).ok
    hq = central.terminal("MCT-HQ")
    bill = central.bills.take("parking")
    wrong = hq.debit_bill(bill, account, pin="1234")
    assert wrong.status_code == 403
    paid = hq.debit_bill(bill, account, pin="4321")
    assert paid.status_code == 200, paid.text
    assert paid.json()["balance_after"] == 50_000 - bill["amount"] - service_charge("parking")


def test_registration_refusals_and_duplicates(central: Central):
    civil = str(30_000_000 + secrets.randbelow(10**7))
    assert register_online(central, civil_number=civil).status_code == 200
    # The same civil number again: the account is made, as a suspected duplicate to merge.
    again = register_online(central, civil_number=civil)
    assert again.status_code == 200, again.text
    assert again.json()["suspected_duplicate"] is True
    bad_mobile = register_online(central, mobile="12345")
    assert bad_mobile.status_code == 422
    assert bad_mobile.json()["error"]["code"].startswith("mobile.")
    bad_pin = register_online(central, pin="12a4")
    assert bad_pin.status_code == 422
    company = register_online(
        central,
        kind="company",
        civil_number=None,
        cr_number=str(5_000_000 + secrets.randbelow(10**6)),
        authorised_person="Nasser Al Kindi",
    )
    assert company.status_code == 200, company.text


def test_external_office_feed_holds_only_subscribers_it_served(central: Central):
    hq = central.terminal("MCT-HQ")
    served, other = hq.register(), hq.register()
    hq.sync()
    cafe = central.terminal("CAFE-RUWI")
    assert feed_keys(cafe, "subscriber") & {served, other} == set()
    cafe.top_up(served, 3_000)
    cafe.sync()
    subscribers = feed_keys(cafe, "subscriber")
    balances = feed_keys(cafe, "balance")
    assert served in subscribers and served in balances
    assert other not in subscribers and other not in balances
    # Everything the café sees, it served.
    with central.engine.connect() as conn:
        served_rows = {
            r[0]
            for r in conn.execute(
                text("SELECT account FROM office_subscribers WHERE office_id = 'CAFE-RUWI'")
            )
        }
    assert subscribers <= served_rows and balances <= served_rows
    # The internal office sees both.
    assert {served, other} <= feed_keys(hq, "subscriber")
