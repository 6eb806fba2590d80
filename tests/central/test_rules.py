"""Central trusts no desk: validly signed entries that break the municipality's rules are
flagged with a stable code and move no money, cash taken at the counter becomes a refund due
at the office, flagged entries grant no visibility, wrong PINs count toward the lockout,
bodies must be the canonical bytes, and no value yields a server error or jams the chain."""

from __future__ import annotations

import json

from sqlalchemy import text

from erial_desk.domain.canonical import canonical_bytes
from erial_desk.domain.entries import BillPaid, TopUp
from erial_desk.domain.policy import Policy

from .conftest import Central
from .pushing import (
    bill_state,
    envelope,
    in_feed,
    next_link,
    posted,
    results,
    served,
    signed_raw,
    stored,
    subscriber_row,
    wallet,
)
from .terminal_sim import TerminalSim, service_charge

POLICY = Policy()


def funded(sim: TerminalSim, amount: int) -> str:
    account = sim.register()
    sim.top_up(account, amount)
    assert {r["status"] for r in sim.sync().values()} == {"applied"}
    return account


def flagged(result: dict, code: str) -> None:
    assert (result["status"], result.get("code")) == ("flagged", code), result
    assert result["reason"]


# --- case 1: a terminal voids and reprints only its own entries ----------------------------------


def test_void_of_another_offices_entries_moves_nothing(central: Central):
    hq, cafe = central.terminal("MCT-HQ"), central.terminal("CAFE-RUWI")
    account = funded(hq, 20_000)
    top_up = hq.top_up(account, 5_000)
    bill = central.bills.take("parking")
    cash = hq.pay(bill, "cash")
    hq.sync()
    cafe.sync()  # its shift
    hq_cash, cafe_cash = posted(central, "cash:MCT-HQ"), posted(central, "cash:CAFE-RUWI")

    void_top_up = cafe.void(top_up.entry_id)
    void_bill = cafe.void(cash.entry_id)
    reprint = cafe.raw("receipt_reprinted", {"entry": top_up.entry_id, "receipt": "X-1"})
    later = cafe.top_up(account, 1_000)
    answer = cafe.sync()
    flagged(answer[void_top_up.entry_id], "rule.cross_office_void")
    flagged(answer[void_bill.entry_id], "rule.cross_office_void")
    flagged(answer[reprint.entry_id], "rule.cross_office_reprint")
    assert answer[later.entry_id]["status"] == "applied"  # the chain goes on
    assert wallet(central, account) == 25_000 + 1_000
    assert bill_state(central, bill["bill_id"]) == ("paid", cash.entry_id)
    assert posted(central, "cash:MCT-HQ") == hq_cash
    assert posted(central, "cash:CAFE-RUWI") == cafe_cash - 1_000

    # Another terminal of the same office is not the owner either.
    other = central.terminal("MCT-HQ")
    void = other.void(top_up.entry_id)
    flagged(other.sync()[void.entry_id], "rule.other_terminal_void")
    assert wallet(central, account) == 26_000
    # The owner may.
    void = hq.void(top_up.entry_id)
    assert hq.sync()[void.entry_id]["status"] == "applied"
    assert wallet(central, account) == 21_000


# --- case 3: internal-only actions at an external office -----------------------------------------


def test_external_office_cannot_update_subscribers_or_take_cash_for_bills(central: Central):
    hq, cafe = central.terminal("MCT-HQ"), central.terminal("CAFE-RUWI")
    account = hq.register()
    hq.sync()
    before = subscriber_row(central, account)
    update = cafe.raw(
        "subscriber_updated",
        {
            "account": account,
            "changes": {"mobile": "+96899999999", "email": "x@example.com", "name_en": "<b>X</b>"},
        },
    )
    bill = central.bills.take("parking")
    cash = cafe.pay(bill, "cash")
    refunds = posted(central, "refunds:CAFE-RUWI")
    answer = cafe.sync()
    flagged(answer[update.entry_id], "rule.not_allowed")
    flagged(answer[cash.entry_id], "rule.not_allowed")
    assert subscriber_row(central, account) == before
    assert not served(central, "CAFE-RUWI", account)
    assert bill_state(central, bill["bill_id"]) == ("open", None)
    # The cash the café says it took is due back to the customer, for its supervisor to see.
    assert posted(central, "refunds:CAFE-RUWI") == refunds + bill["amount"]
    assert "due back" in answer[cash.entry_id]["reason"]


# --- case 4: flagged entries grant no visibility -------------------------------------------------


def test_flagged_entries_put_nobody_in_an_external_offices_feed(central: Central):
    hq = central.terminal("MCT-HQ")
    ruwi, seeb = central.terminal("CAFE-RUWI"), central.terminal("CAFE-SEEB")
    account = funded(hq, 100_000)
    wrong_pin = ruwi.pay(central.bills.take("parking"), "wallet", account, pin="0000")
    wrong_charge = ruwi.pay(central.bills.take("parking"), "wallet", account, pin="1234", charge=1)
    answer = ruwi.sync()
    assert answer[wrong_pin.entry_id]["status"] == "flagged"
    flagged(answer[wrong_charge.entry_id], "rule.service_charge")
    not_authorised = seeb.top_up(account, 1_000)
    flagged(seeb.sync()[not_authorised.entry_id], "rule.not_allowed")
    for sim in (ruwi, seeb):
        assert not served(central, sim.office_id, account)
        assert not in_feed(sim, account)
    # Registration at an external office creates no subscriber and no wallet.
    registered = seeb.register()
    (answer,) = [r for r in seeb.sync().values() if r["status"] != "duplicate"]
    flagged(answer, "rule.not_allowed")
    assert subscriber_row(central, registered) is None
    assert not served(central, "CAFE-SEEB", registered)
    # An applied entry of the office does show the subscriber.
    top_up = ruwi.top_up(account, 1_000)
    assert ruwi.sync()[top_up.entry_id]["status"] == "applied"
    assert served(central, "CAFE-RUWI", account) and in_feed(ruwi, account)


# --- case 5: the PIN lockout and closed wallets --------------------------------------------------


def test_pushed_wrong_pins_count_toward_the_lockout_and_say_nothing(central: Central):
    hq = central.terminal("MCT-HQ")
    account = funded(hq, 200_000)
    guesses = [
        hq.pay(bill, "wallet", account, pin=pin)
        for bill, pin in zip(
            central.bills.take_many(3, "parking"), ("0000", "1111", "2222"), strict=True
        )
    ]
    answer = hq.sync()
    told = {(answer[g.entry_id]["code"], answer[g.entry_id]["reason"]) for g in guesses}
    assert len(told) == 1  # every wrong guess gets the same answer
    ((code, reason),) = told
    assert code == "rule.wallet_refused" and "PIN" not in reason and "lock" not in reason
    assert all(stored(central, g.entry_id).rule == "rule.wrong_pin" for g in guesses)
    assert subscriber_row(central, account).pin_failures == POLICY.wallet_pin_attempts
    # The same counter as the online debit: the wallet is locked online too.
    online = hq.debit_bill(central.bills.take("parking"), account, pin="1234")
    assert online.status_code == 423 and online.json()["error"]["code"] == "wallet.locked"
    # Even the right PIN is not taken now; the terminal hears the same generic answer.
    bill = central.bills.take("parking")
    right = hq.pay(bill, "wallet", account, pin="1234")
    result = hq.sync()[right.entry_id]
    assert (result["code"], result["reason"]) == (code, reason)
    assert stored(central, right.entry_id).rule == "rule.wallet_locked"
    assert wallet(central, account) == 200_000
    assert bill_state(central, bill["bill_id"]) == ("open", None)
    # A duplicate push repeats the generic answer, not central's own reason.
    (again,) = hq.push(hq.wire(right.seq, right.seq)).json()["results"]
    assert again["first"]["reason"] == reason


def test_wallet_locked_online_or_closed_is_not_debited_by_a_push(central: Central):
    hq = central.terminal("MCT-HQ")
    locked, closed = funded(hq, 100_000), funded(hq, 100_000)
    for _ in range(POLICY.wallet_pin_attempts):
        hq.debit_bill(central.bills.take("parking"), locked, pin="0000")
    with central.engine.begin() as conn:
        conn.execute(
            text("UPDATE subscribers SET closed = :c WHERE account = :a"), {"c": True, "a": closed}
        )
    bills = central.bills.take_many(2, "parking")
    payments = [
        hq.pay(bill, "wallet", account, pin="1234")
        for bill, account in zip(bills, (locked, closed), strict=True)
    ]
    answer = hq.sync()
    for payment, rule in zip(payments, ("rule.wallet_locked", "rule.wallet_closed"), strict=True):
        flagged(answer[payment.entry_id], "rule.wallet_refused")
        assert stored(central, payment.entry_id).rule == rule
    assert wallet(central, locked) == wallet(central, closed) == 100_000
    assert {bill_state(central, b["bill_id"]) for b in bills} == {("open", None)}


# --- case 6: limits, fees and bills are central's ------------------------------------------------


def test_limits_fees_and_bills_are_centrals(central: Central):
    hq = central.terminal("MCT-HQ")
    account = funded(hq, 100_000)
    refunds = posted(central, "refunds:MCT-HQ")
    too_much = hq.top_up(account, POLICY.top_up_max + 1_000)
    too_little = hq.top_up(account, POLICY.top_up_min - 1)
    fee_bill, kind_bill, amount_bill = central.bills.take_many(3, "parking")
    wrong_fee = hq.pay(fee_bill, "wallet", account, pin="1234", charge=1)
    wrong_kind = hq.append(
        BillPaid(
            hq.shift,
            "lease",
            kind_bill["bill_id"],
            kind_bill["reference"],
            kind_bill["amount"],
            0,
            "cash",
            None,
            None,
            None,
            None,
            "pending",
        )
    )
    wrong_amount = hq.append(
        BillPaid(
            hq.shift,
            "parking",
            amount_bill["bill_id"],
            amount_bill["reference"],
            amount_bill["amount"] - 1,
            0,
            "cash",
            None,
            None,
            None,
            None,
            "pending",
        )
    )
    answer = hq.sync()
    flagged(answer[too_much.entry_id], "rule.amount_limit")
    flagged(answer[too_little.entry_id], "rule.amount_limit")
    flagged(answer[wrong_fee.entry_id], "rule.service_charge")
    flagged(answer[wrong_kind.entry_id], "rule.bill_kind")
    flagged(answer[wrong_amount.entry_id], "rule.bill_amount")
    assert wallet(central, account) == 100_000
    for bill in (fee_bill, kind_bill, amount_bill):
        assert bill_state(central, bill["bill_id"]) == ("open", None)
    cash_due = POLICY.top_up_max + 1_000 + POLICY.top_up_min - 1
    cash_due += kind_bill["amount"] + amount_bill["amount"] - 1
    assert posted(central, "refunds:MCT-HQ") == refunds + cash_due


# --- case 7: canonical bytes only ----------------------------------------------------------------


def test_bodies_that_are_not_the_canonical_bytes_are_rejected(central: Central):
    hq = central.terminal("MCT-HQ")
    account = funded(hq, 10_000)
    seq, prev = next_link(hq)
    env = envelope(hq, seq, prev, "top_up", {"shift": hq.shift, "account": account, "amount": 1000})
    body = canonical_bytes(env).decode()
    assert '"amount":1000' in body
    variants = {
        "whitespace": json.dumps(env, sort_keys=True, ensure_ascii=False),
        "key order": json.dumps(env, ensure_ascii=False, separators=(",", ":")),
        "escapes": body.replace('"top_up"', '"top\\u005fup"'),
        "duplicate key": body.replace('"amount":1000', '"amount":1000,"amount":400000'),
        "past 2^53": body.replace('"amount":1000', f'"amount":{2**53 + 1}'),
        "past 2^64": body.replace('"amount":1000', f'"amount":{2**64 + 1000}'),
    }
    for name, variant in variants.items():
        assert variant != body, name
        (result,) = results(hq.push([signed_raw(hq, seq, env["id"], variant)])).values()
        assert result["status"] == "rejected", (name, result)
        assert "canonical" in result["reason"], (name, result)
    assert wallet(central, account) == 10_000
    # Nothing of them was kept: the terminal's real entry takes that place.
    real = hq.top_up(account, 2_000)
    assert real.seq == seq
    assert hq.sync()[real.entry_id]["status"] == "applied"
    assert wallet(central, account) == 12_000


# --- case 8: every value bounded, never a server error, never a jammed chain ---------------------


def test_unstorable_or_mistyped_values_are_flagged_and_the_chain_goes_on(central: Central):
    hq = central.terminal("MCT-HQ")
    account = funded(hq, 10_000)
    before = subscriber_row(central, account)
    bad = [
        hq.raw("subscriber_updated", {"account": account, "changes": {"name_en": None}}),
        hq.raw("subscriber_updated", {"account": account, "changes": {"mobile": "9\x001"}}),
        hq.raw("top_up", {"shift": hq.shift, "account": account + "\x00", "amount": 1000}),
        hq.raw("top_up", {"shift": hq.shift, "account": "9" * 5000, "amount": 1000}),
        hq.raw("top_up", {"shift": hq.shift, "account": account, "amount": "1000"}),
        hq.raw("top_up", {"shift": hq.shift, "account": account, "amount": -1000}),
        hq.raw("top_up", {"shift": hq.shift, "account": account, "amount": True}),
        hq.raw("top_up", {"shift": None, "account": account, "amount": 1000}),
        hq.raw(
            "void",
            {
                "shift": hq.shift,
                "voids": None,
                "reason": "x",
                "approver": hq.supervisor,
                "authorisation": None,
            },
        ),
        hq.raw(
            "shift_closed",
            {
                "shift": hq.shift,
                "counted": {"1000": "x"},
                "counted_total": 1,
                "expected": 1,
                "variance": 0,
                "approver": None,
            },
        ),
        hq.raw("subscriber_registered", {"account": None}),
    ]
    huge = hq.top_up(account, 2**53 - 1)  # the largest canonical integer: over the limit
    good = hq.top_up(account, 3_000)
    answer = hq.sync()
    for entry in bad:
        flagged(answer[entry.entry_id], "rule.malformed")
    flagged(answer[huge.entry_id], "rule.amount_limit")
    assert answer[good.entry_id]["status"] == "applied"
    assert wallet(central, account) == 13_000
    assert subscriber_row(central, account) == before

    # Bytes that are no text or no JSON at all are rejected, not server errors.
    seq, prev = next_link(hq)
    for body in ('{"a":"\ud800"}', '{"a":' * 10_000 + "1" + "}" * 10_000, "\x00"):
        response = hq.push([signed_raw(hq, seq, f"raw-{seq}", body)])
        assert response.status_code in (200, 422), response.text
        if response.status_code == 200:
            (result,) = results(response).values()
            assert result["status"] == "rejected", result
    for entry_id in ("a\x00b", "\ud800", "٣" * 70):
        response = hq.push([{**signed_raw(hq, seq, "x", "{}"), "id": entry_id}])
        assert response.status_code in (200, 422), response.text
    later = hq.top_up(account, 1_000)
    assert hq.sync()[later.entry_id]["status"] == "applied"


# --- approvals -----------------------------------------------------------------------------------


def test_an_approval_names_an_active_supervisor_of_the_office(central: Central):
    hq = central.terminal("MCT-HQ")
    account = funded(hq, 50_000)
    top_ups = [hq.top_up(account, 1_000) for _ in range(4)]
    hq.sync()
    approvers = {
        hq.operator: "a clerk",
        "noora": "another office's supervisor",
        "nobody": "unknown",
    }
    voids = [
        hq.raw(
            "void",
            {
                "shift": hq.shift,
                "voids": t.entry_id,
                "reason": "x",
                "approver": a,
                "authorisation": None,
            },
        )
        for t, a in zip(top_ups[:3], approvers, strict=True)
    ]
    drop = hq.raw(
        "cash_drop", {"shift": hq.shift, "counts": {"1000": 1}, "amount": 1000, "approver": "salim"}
    )
    beyond = POLICY.shift_variance_tolerance + 1
    close_kw = {"shift": hq.shift, "counted": {}, "counted_total": 0, "expected": beyond}
    unapproved = hq.raw("shift_closed", {**close_kw, "variance": -beyond, "approver": None})
    within = hq.raw("shift_closed", {**close_kw, "expected": 0, "variance": 0, "approver": None})
    approved = hq.raw("shift_closed", {**close_kw, "variance": -beyond, "approver": hq.supervisor})
    answer = hq.sync()
    for void in voids:
        flagged(answer[void.entry_id], "rule.approval_unconfirmed")
    flagged(answer[drop.entry_id], "rule.approval_unconfirmed")
    flagged(answer[unapproved.entry_id], "rule.approval_unconfirmed")
    assert answer[within.entry_id]["status"] == answer[approved.entry_id]["status"] == "applied"
    assert wallet(central, account) == 54_000
    # A supervisor no longer active approves nothing.
    with central.engine.begin() as conn:
        conn.execute(
            text("UPDATE operators SET active = :f WHERE operator_id = 'aisha'"), {"f": False}
        )
    try:
        void = hq.void(top_ups[3].entry_id)
        flagged(hq.sync()[void.entry_id], "rule.approval_unconfirmed")
    finally:
        with central.engine.begin() as conn:
            conn.execute(
                text("UPDATE operators SET active = :t WHERE operator_id = 'aisha'"), {"t": True}
            )
    assert wallet(central, account) == 54_000


# --- audit ---------------------------------------------------------------------------------------


def test_audit_catches_what_the_rules_forbid(central: Central):
    hq, cafe = central.terminal("MCT-HQ"), central.terminal("CAFE-RUWI")
    account = funded(hq, 10_000)
    top_up = hq.top_up(account, 1_000)
    hq.sync()
    void = cafe.void(top_up.entry_id)
    flagged(cafe.sync()[void.entry_id], "rule.cross_office_void")
    assert central.cli("audit").returncode == 0

    def audit_with(statement: str, entry_id: str) -> str:
        with central.engine.begin() as conn:
            conn.execute(text(statement), {"e": entry_id})
        return central.cli("audit").stdout

    try:  # as if the cross-office void had been applied
        out = audit_with("UPDATE entries SET status = 'applied' WHERE entry_id = :e", void.entry_id)
        assert "audit FAILED" in out and "rule.cross_office_void" in out, out
    finally:
        audit_with("UPDATE entries SET status = 'flagged' WHERE entry_id = :e", void.entry_id)
    try:  # as if a flagged top-up had still credited the wallet
        out = audit_with("UPDATE entries SET rule = 'rule.x' WHERE entry_id = :e", top_up.entry_id)
        assert "audit FAILED" in out and f"wallet:{account}" in out, out
    finally:
        audit_with("UPDATE entries SET rule = NULL WHERE entry_id = :e", top_up.entry_id)
    assert central.cli("audit").returncode == 0


def test_desk_style_entries_still_apply(central: Central):
    """What a real desk writes passes every rule: the payloads of the desk's own classes."""
    hq = central.terminal("MCT-HQ")
    account = funded(hq, 300_000)
    bill = central.bills.take("licence")
    paid = hq.pay(bill, "wallet", account, pin="1234")
    cash_bill = central.bills.take("lease")
    cash = hq.pay(cash_bill, "cash")
    top_up = hq.append(TopUp(hq.shift, account, 2_000))
    void = hq.void(top_up.entry_id)
    reprint = hq.raw("receipt_reprinted", {"entry": cash.entry_id, "receipt": "R-1"})
    answer = hq.sync()
    for entry in (paid, cash, top_up, void, reprint):
        assert answer[entry.entry_id]["status"] == "applied", answer[entry.entry_id]
    total = bill["amount"] + service_charge("licence")
    assert wallet(central, account) == 300_000 - total


def test_an_id_given_twice_in_one_batch_is_refused_not_an_error(central: Central):
    hq = central.terminal("MCT-HQ")
    account = funded(hq, 1_000)
    seq, prev = next_link(hq)
    top_up = {"shift": hq.shift, "account": account, "amount": 1_000}
    first = hq.forge(seq, prev, payload=top_up)
    second = hq.forge(seq + 1, first["hash"], payload=top_up, entry_id=first["id"])
    response = hq.push([first, second])
    assert response.status_code == 200, response.text
    answers = [(r["seq"], r["status"]) for r in response.json()["results"]]
    assert answers == [(seq, "applied"), (seq + 1, "rejected")]
    assert wallet(central, account) == 2_000


def test_a_second_void_in_the_same_push_is_flagged(central: Central):
    hq = central.terminal("MCT-HQ")
    account = funded(hq, 5_000)
    top_up = hq.top_up(account, 2_000)
    hq.sync()
    first, second = hq.void(top_up.entry_id), hq.void(top_up.entry_id)
    answer = hq.sync()
    assert answer[first.entry_id]["status"] == "applied"
    flagged(answer[second.entry_id], "rule.already_voided")
    assert wallet(central, account) == 5_000


def test_a_confirmed_online_payment_by_an_unknown_operator_is_undone(central: Central):
    hq = central.terminal("MCT-HQ")
    account = funded(hq, 100_000)
    bill = central.bills.take("parking")
    hq.operator = "nobody"  # the debit went through online; the entry names no operator here
    paid = hq.pay(bill, "wallet", account, pin="1234", authorised=True)
    assert wallet(central, account) == 100_000 - bill["amount"] - service_charge("parking")
    result = hq.sync()[paid.entry_id]
    flagged(result, "rule.unknown_operator")
    assert "undone" in result["reason"]
    assert wallet(central, account) == 100_000
    assert bill_state(central, bill["bill_id"]) == ("open", None)


def test_a_cash_drop_reason_is_optional_for_older_desks_and_typed_when_given(central: Central):
    hq = central.terminal("MCT-HQ")
    drop = {"shift": hq.shift, "counts": {"10000": 1}, "amount": 10_000, "approver": hq.supervisor}
    older = hq.raw("cash_drop", drop)  # journaled before drops had a reason
    given = hq.raw("cash_drop", {**drop, "reason": "Drawer over its limit"})
    mistyped = hq.raw("cash_drop", {**drop, "reason": 7})
    answer = hq.sync()
    assert answer[older.entry_id]["status"] == "applied", answer[older.entry_id]
    assert answer[given.entry_id]["status"] == "applied", answer[given.entry_id]
    flagged(answer[mistyped.entry_id], "rule.malformed")
