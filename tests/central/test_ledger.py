"""The ledger through the API: top-ups, online debits and their refusals, offline conflicts
(double payments, overdrafts, wrong PINs found at sync), voids, statements and day totals."""

from __future__ import annotations

from sqlalchemy import text

from erial_desk.domain.pins import seal_pin
from erial_desk.store.journal import new_entry_id

from .conftest import Central
from .pushing import posted
from .terminal_sim import TerminalSim, random_account, service_charge


def bill_status(terminal: TerminalSim, bill: dict) -> str:
    (found,) = [
        b
        for b in terminal.get("/v1/bills", key=bill["reference"]).json()["bills"]
        if b["bill_id"] == bill["bill_id"]
    ]
    return found["status"]


def funded(terminal: TerminalSim, amount: int) -> str:
    """A new subscriber (PIN 1234) with ``amount`` topped up in cash, synced."""
    account = terminal.register()
    terminal.top_up(account, amount)
    assert {r["status"] for r in terminal.sync().values()} == {"applied"}
    return account


def test_cash_top_up_credits_the_wallet_and_the_feed(terminal: TerminalSim):
    account = funded(terminal, 12_500)
    assert terminal.balance(account) == 12_500
    lines = terminal.get(f"/v1/subscribers/{account}/statement").json()["lines"]
    assert [(line["kind"], line["amount"], line["balance"]) for line in lines] == [
        ("top_up", 12_500, 12_500)
    ]
    assert lines[0]["counterpart"] == "cash:MCT-HQ"


def test_online_debit_answers_the_new_balance(central: Central, terminal: TerminalSim):
    account = funded(terminal, 100_000)
    bill = central.bills.take("parking")
    total = bill["amount"] + service_charge("parking")
    entry = terminal.pay(bill, "wallet", account, pin="1234", authorised=True)
    assert entry.envelope["payload"]["balance_after"] == 100_000 - total
    assert terminal.balance(account) == 100_000 - total
    assert bill_status(terminal, bill) == "paid"
    # The entry confirming the online debit changes nothing more.
    assert terminal.sync()[entry.entry_id]["status"] == "applied"
    assert terminal.balance(account) == 100_000 - total
    assert posted(central, "revenue:parking") > 0
    # The bill cannot be collected again.
    again = terminal.debit_bill(bill, account)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "bill.already_paid"


def test_online_debit_is_idempotent_by_entry_id(central: Central, terminal: TerminalSim):
    account = funded(terminal, 100_000)
    bill = central.bills.take("parking")
    total = bill["amount"] + service_charge("parking")
    entry_id = new_entry_id()
    sealed = seal_pin(terminal.sealing_key, "1234", entry_id)
    first = terminal.debit(entry_id, account, total, bill["bill_id"], sealed)
    again = terminal.debit(entry_id, account, total, bill["bill_id"], sealed)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert terminal.balance(account) == 100_000 - total
    other = terminal.debit(entry_id, account, total + 1, bill["bill_id"], sealed)
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "authorisation.conflict"


def test_abandoned_online_debit_is_cancelled_and_its_bill_reopened(
    central: Central, terminal: TerminalSim
):
    # The desk lost central's answer, then refused the payment offline: it asks central to
    # undo the debit, which no journal entry will ever confirm.
    account = funded(terminal, 100_000)
    bill = central.bills.take("parking")
    total = bill["amount"] + service_charge("parking")
    entry_id = new_entry_id()
    sealed = seal_pin(terminal.sealing_key, "1234", entry_id)
    assert terminal.debit(entry_id, account, total, bill["bill_id"], sealed).status_code == 200
    assert terminal.balance(account) == 100_000 - total

    def cancel(which: str) -> dict:
        response = terminal.session.post(
            f"{terminal.base}/v1/wallet/debits/{which}/cancel", timeout=60
        )
        assert response.status_code == 200, response.text
        return response.json()

    assert cancel(entry_id)["status"] == "cancelled"
    assert terminal.balance(account) == 100_000
    assert bill_status(terminal, bill) == "open"
    assert cancel(entry_id)["status"] == "already_cancelled"  # harmless to repeat
    assert cancel(new_entry_id())["status"] == "unknown"  # never reached central
    again = terminal.debit(entry_id, account, total, bill["bill_id"], sealed)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "authorisation.cancelled"


def test_a_confirmed_online_debit_cannot_be_cancelled(central: Central, terminal: TerminalSim):
    account = funded(terminal, 100_000)
    bill = central.bills.take("parking")
    entry = terminal.pay(bill, "wallet", account, pin="1234", authorised=True)
    assert terminal.sync()[entry.entry_id]["status"] == "applied"
    refused = terminal.session.post(
        f"{terminal.base}/v1/wallet/debits/{entry.entry_id}/cancel", timeout=60
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "authorisation.confirmed"
    assert bill_status(terminal, bill) == "paid"


def test_online_debit_refusals(central: Central, terminal: TerminalSim):
    account = funded(terminal, 3_000)
    bill = central.bills.take("parking")  # at least 5.000 OMR: more than the wallet holds
    refused = terminal.debit_bill(bill, account)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "wallet.insufficient"

    wrong_amount = terminal.debit(new_entry_id(), account, 1, bill["bill_id"], None)
    assert wrong_amount.status_code == 422
    assert wrong_amount.json()["error"]["code"] == "authorisation.amount"

    unknown = terminal.debit(new_entry_id(), account, 1_000, "PV-NOPE", None)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "bill.not_found"
    assert terminal.balance(account) == 3_000
    assert bill_status(terminal, bill) == "open"


def test_wrong_pins_lock_the_wallet(central: Central, terminal: TerminalSim):
    account = funded(terminal, 100_000)
    bill = central.bills.take("parking")
    first = terminal.debit_bill(bill, account, pin="0000")
    assert first.status_code == 403
    assert first.json()["error"]["code"] == "wallet.wrong_pin"
    assert first.json()["error"]["params"]["left"] == "2"
    assert terminal.debit_bill(bill, account, pin="0001").status_code == 403
    third = terminal.debit_bill(bill, account, pin="0002")
    assert third.status_code == 423
    assert third.json()["error"]["code"] == "wallet.locked"
    # Locked: even the right PIN is refused now.
    locked = terminal.debit_bill(bill, account, pin="1234")
    assert locked.status_code == 423
    assert terminal.balance(account) == 100_000
    assert bill_status(terminal, bill) == "open"


def test_good_pin_resets_the_failure_count(central: Central, terminal: TerminalSim):
    account = funded(terminal, 100_000)
    bills = central.bills.take_many(2, "parking")
    assert terminal.debit_bill(bills[0], account, pin="0000").status_code == 403
    assert terminal.debit_bill(bills[0], account, pin="1234").status_code == 200
    assert terminal.debit_bill(bills[1], account, pin="0000").json()["error"]["params"] == {
        "left": "2"
    }


def test_closed_account_is_refused(central: Central, terminal: TerminalSim):
    account = funded(terminal, 100_000)
    with central.engine.begin() as conn:
        conn.execute(
            text("UPDATE subscribers SET closed = :c WHERE account = :a"), {"c": True, "a": account}
        )
    refused = terminal.debit_bill(central.bills.take("parking"), account)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "wallet.closed"


def test_bill_paid_twice_offline_in_cash_keeps_the_first(central: Central):
    hq, bawshar = central.terminal("MCT-HQ"), central.terminal("MCT-BWR")
    bill = central.bills.take()
    first = hq.pay(bill, "cash")
    second = bawshar.pay(bill, "cash")
    assert hq.sync()[first.entry_id]["status"] == "applied"
    result = bawshar.sync()[second.entry_id]
    assert result["status"] == "flagged"
    assert "already paid" in result["reason"] and "refund due" in result["reason"]
    assert posted(central, "refunds:MCT-BWR") == bill["amount"]
    assert bill_status(hq, bill) == "paid"
    with central.engine.connect() as conn:
        paid_by = conn.execute(
            text("SELECT paid_by FROM bills WHERE bill_id = :b"), {"b": bill["bill_id"]}
        ).scalar()
    assert paid_by == first.entry_id


def test_bill_paid_twice_second_from_a_wallet_is_not_charged(central: Central):
    hq, bawshar = central.terminal("MCT-HQ"), central.terminal("MCT-BWR")
    account = funded(bawshar, 100_000)
    bill = central.bills.take("parking")
    first = hq.pay(bill, "cash")
    second = bawshar.pay(bill, "wallet", account, pin="1234")
    hq.sync()
    result = bawshar.sync()[second.entry_id]
    assert result["status"] == "flagged"
    assert "not charged" in result["reason"]
    assert bawshar.balance(account) == 100_000
    assert hq.get(f"/v1/subscribers/{account}/statement").json()["lines"][-1]["kind"] == "top_up"
    assert first.entry_id != second.entry_id


def test_online_payment_after_an_unsynced_cash_payment(central: Central):
    """The bill is paid online at one office while another office's cash payment is still
    waiting to sync: the online payment stands, the cash is due back."""
    hq, cafe = central.terminal("MCT-HQ"), central.terminal("CAFE-RUWI")
    account = funded(hq, 100_000)
    bill = central.bills.take("parking")
    offline = cafe.pay(bill, "cash")
    hq.pay(bill, "wallet", account, pin="1234", authorised=True)
    result = cafe.sync()[offline.entry_id]
    assert result["status"] == "flagged"
    assert posted(central, "refunds:CAFE-RUWI") == bill["amount"]


def test_offline_overdraft_is_applied_and_flagged(central: Central, terminal: TerminalSim):
    first_bill, second_bill = central.bills.take_many(2, "parking")
    opening = first_bill["amount"] + service_charge("parking") + 1_000
    account = funded(terminal, opening)
    first = terminal.pay(first_bill, "wallet", account, pin="1234")
    second = terminal.pay(second_bill, "wallet", account, pin="1234")
    results = terminal.sync()
    assert results[first.entry_id]["status"] == "applied"
    assert results[second.entry_id]["status"] == "flagged"
    assert "below zero" in results[second.entry_id]["reason"]
    charges = 2 * service_charge("parking")
    expected = opening - first_bill["amount"] - second_bill["amount"] - charges
    assert expected < 0
    assert terminal.balance(account) == expected
    assert bill_status(terminal, second_bill) == "paid"  # the municipality got its money


def test_wrong_pin_found_at_sync_moves_no_money(central: Central, terminal: TerminalSim):
    account = funded(terminal, 500_000)
    bill = central.bills.take("lease")
    entry = terminal.pay(bill, "wallet", account, pin="9999")
    result = terminal.sync()[entry.entry_id]
    assert result["status"] == "flagged"
    # The terminal is not told the guess was wrong; central's own record says so.
    assert "PIN" not in result["reason"] and result["code"] == "rule.wallet_refused"
    with central.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT reason, rule FROM entries WHERE entry_id = :e"), {"e": entry.entry_id}
        ).one()
    assert "wrong PIN" in stored.reason and stored.rule == "rule.wrong_pin"
    assert terminal.balance(account) == 500_000
    assert bill_status(terminal, bill) == "open"
    # Voiding it afterwards changes nothing more: it was already undone.
    lines = len(terminal.get(f"/v1/subscribers/{account}/statement").json()["lines"])
    void = terminal.void(entry.entry_id)
    assert terminal.sync()[void.entry_id]["status"] == "applied"
    assert terminal.balance(account) == 500_000
    assert len(terminal.get(f"/v1/subscribers/{account}/statement").json()["lines"]) == lines
    # The bill can still be paid, by anyone.
    other = central.terminal("MCT-BWR")
    assert other.sync()  # its shift
    paid = other.pay(bill, "cash")
    assert other.sync()[paid.entry_id]["status"] == "applied"


def test_voids_reverse_top_ups_and_payments(central: Central, terminal: TerminalSim):
    account = funded(terminal, 50_000)
    top_up = terminal.top_up(account, 20_000)
    bill = central.bills.take("parking")
    cash = terminal.pay(bill, "cash")
    terminal.sync()
    assert terminal.balance(account) == 70_000
    assert bill_status(terminal, bill) == "paid"
    cash_before = posted(central, "cash:MCT-HQ")

    void_top_up = terminal.void(top_up.entry_id)
    void_cash = terminal.void(cash.entry_id)
    results = terminal.sync()
    assert results[void_top_up.entry_id]["status"] == "applied"
    assert results[void_cash.entry_id]["status"] == "applied"
    assert terminal.balance(account) == 50_000
    assert bill_status(terminal, bill) == "open"
    # Cash entries move money out of the office cash account; their voids move it back.
    assert posted(central, "cash:MCT-HQ") == cash_before + 20_000 + bill["amount"]
    kinds = [
        line["kind"]
        for line in terminal.get(f"/v1/subscribers/{account}/statement").json()["lines"]
    ]
    assert kinds == ["top_up", "top_up", "reversal"]


def test_void_of_an_online_payment_refunds_the_wallet(central: Central, terminal: TerminalSim):
    account = funded(terminal, 500_000)
    bill = central.bills.take("licence")
    paid = terminal.pay(bill, "wallet", account, pin="1234", authorised=True)
    terminal.void(paid.entry_id)
    terminal.sync()
    assert terminal.balance(account) == 500_000
    assert bill_status(terminal, bill) == "open"


def test_online_reversal_of_a_top_up(central: Central, terminal: TerminalSim):
    account = funded(terminal, 10_000)
    top_up = terminal.top_up(account, 5_000)
    terminal.sync()
    void_id = new_entry_id()
    body = {"entry_id": void_id, "voids": top_up.entry_id, "account": account, "amount": 5_000}
    answer = terminal.session.post(terminal.base + "/v1/wallet/reversals", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["balance_after"] == 10_000
    again = terminal.session.post(terminal.base + "/v1/wallet/reversals", json=body, timeout=30)
    assert again.json() == answer.json()
    # The void entry carries the id the reversal was asked with: nothing is reversed twice.
    void = terminal.void(top_up.entry_id, answer.json()["reference"], entry_id=void_id)
    assert terminal.sync()[void.entry_id]["status"] == "applied"
    assert terminal.balance(account) == 10_000


def test_unknown_account_top_up_is_due_back(central: Central, terminal: TerminalSim):
    entry = terminal.top_up(random_account(), 4_000)
    result = terminal.sync()[entry.entry_id]
    assert result["status"] == "flagged"
    assert posted(central, "refunds:MCT-HQ") >= 4_000


def test_external_offices(central: Central):
    ruwi, seeb = central.terminal("CAFE-RUWI"), central.terminal("CAFE-SEEB")
    hq = central.terminal("MCT-HQ")
    account = funded(hq, 10_000)
    # A walk-in customer pays cash to the café, which pays from its own wallet.
    bill = central.bills.take("parking")
    opening = posted(central, "owallet:CAFE-RUWI")
    walk_in = ruwi.pay(bill, "office_wallet")
    assert ruwi.sync()[walk_in.entry_id]["status"] == "applied"
    total = bill["amount"] + service_charge("parking")  # paid with e-Rial: the charge applies
    assert posted(central, "owallet:CAFE-RUWI") == opening - total
    # Online, the office wallet is debited at once.
    online = ruwi.debit_bill(central.bills.take("parking"), None, pin=None)
    assert online.status_code == 200, online.text
    # Top-ups: only where authorised; registering is for internal offices.
    allowed = ruwi.top_up(account, 1_000)
    seeb.top_up(account, 1_000)
    seeb.register()
    assert ruwi.sync()[allowed.entry_id]["status"] == "applied"
    results = list(seeb.sync().values())
    assert results[1]["status"] == "flagged"
    assert results[1]["code"] == "rule.not_allowed"
    assert "cash is due back" in results[1]["reason"]
    assert results[2] == {**results[2], "status": "flagged", "code": "rule.not_allowed"}
    assert "external office" in results[2]["reason"]
    # Internal offices have no wallet of their own.
    denied = hq.debit_bill(central.bills.take("parking"), None, pin=None)
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "policy.not_allowed"


def test_statement_lists_desk_and_online_payments(central: Central, terminal: TerminalSim):
    account = funded(terminal, 80_000)
    bill = central.bills.take("parking")
    offline_bill = central.bills.take("parking")
    terminal.pay(bill, "wallet", account, pin="1234", authorised=True)
    terminal.pay(offline_bill, "wallet", account, pin="1234")
    terminal.sync()
    statement = terminal.get(f"/v1/subscribers/{account}/statement").json()
    lines = statement["lines"]
    assert [line["kind"] for line in lines] == ["top_up", "bill", "charge", "bill", "charge"]
    assert lines[1]["amount"] == -bill["amount"]
    assert lines[2]["amount"] == -service_charge("parking")
    assert lines[1]["description_ar"] and lines[1]["description_en"] == "Bill payment"
    running = 0
    for line in lines:
        running += line["amount"]
        assert line["balance"] == running
    assert statement["balance"] == running == terminal.balance(account)
    missing = terminal.get("/v1/subscribers/000000000000/statement")
    assert missing.status_code in (404, 422)


def test_office_day_totals(central: Central):
    seeb = central.terminal("MCT-SEEB")  # nobody else in this module works at MCT-SEEB
    account = funded(seeb, 30_000)
    top_up = seeb.top_up(account, 5_000)
    cash_bill, voided_bill, wallet_bill = central.bills.take_many(3, "parking")
    seeb.pay(cash_bill, "cash")
    voided = seeb.pay(voided_bill, "cash")
    seeb.pay(wallet_bill, "wallet", account, pin="1234")
    seeb.void(voided.entry_id)
    seeb.sync()
    day = top_up.envelope["at"][:10]
    totals = seeb.get("/v1/offices/MCT-SEEB/totals", day=day).json()
    assert totals["top_ups"] == 35_000
    assert totals["top_up_count"] == 2
    assert totals["bill_payments"]["cash"] == {"count": 1, "amount": cash_bill["amount"]}
    assert totals["bill_payments"]["wallet"] == {"count": 1, "amount": wallet_bill["amount"]}
    assert totals["service_charges"] == service_charge("parking")
    assert totals["voids"] == 1
    admin = seeb.session.get(
        central.url("/v1/admin/offices/MCT-SEEB/totals"),
        params={"day": day},
        headers=central.admin_headers,
        timeout=30,
    )
    assert admin.json() == totals


def test_ledger_sums_to_zero(central: Central):
    assert central.ledger_sum() == 0


def test_voids_in_the_same_push_as_what_they_void(central: Central, terminal: TerminalSim):
    account = funded(terminal, 50_000)
    top_up = terminal.top_up(account, 9_000)
    void_top_up = terminal.void(top_up.entry_id)
    cash_bill, pin_bill = central.bills.take_many(2, "parking")
    cash = terminal.pay(cash_bill, "cash")
    terminal.void(cash.entry_id)
    wrong_pin = terminal.pay(pin_bill, "wallet", account, pin="0000")
    terminal.void(wrong_pin.entry_id)
    results = terminal.sync()
    assert results[wrong_pin.entry_id]["status"] == "flagged"
    assert {r["status"] for r in results.values()} <= {"applied", "flagged"}
    assert terminal.balance(account) == 50_000
    assert bill_status(terminal, cash_bill) == bill_status(terminal, pin_bill) == "open"
    lines = terminal.get(f"/v1/subscribers/{account}/statement").json()["lines"]
    # The payment with a wrong PIN moved nothing: no lines for it.
    assert [(line["kind"], line["amount"]) for line in lines[1:]] == [
        ("top_up", 9_000),
        ("reversal", -9_000),
    ]
    with central.engine.connect() as conn:
        voided_by = conn.execute(
            text("SELECT voided_by FROM entries WHERE entry_id = :e"), {"e": top_up.entry_id}
        ).scalar()
    assert voided_by == void_top_up.entry_id
    # Voiding it again later is flagged and changes nothing.
    again = terminal.void(top_up.entry_id)
    result = terminal.sync()[again.entry_id]
    assert (result["status"], result["code"]) == ("flagged", "rule.already_voided")
    assert terminal.balance(account) == 50_000
    assert central.ledger_sum() == 0
