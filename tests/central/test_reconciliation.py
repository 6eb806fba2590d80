"""Online debits no journal entry confirmed are reversed after the policy's delay (bill reopened,
the office told through its feed), from ``erial-central reconcile`` and from the running server;
a bank top-up to a closed account is refused and parked with the bank; a top-up is reversed
once, a second request answering with the first reference."""

from __future__ import annotations

import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from erial_central.reconcile import overdue_debits, reconcile
from erial_desk.domain.policy import Policy
from erial_desk.store.journal import new_entry_id

from .conftest import Central, start_server, stop_server
from .terminal_sim import TerminalSim, service_charge
from .test_bank_and_online import bank_call
from .test_concurrency import bill_states, wallet_row

DELAY = timedelta(hours=Policy().unconfirmed_debit_hours)


def funded(central: Central, amount: int, office: str = "MCT-HQ") -> tuple[TerminalSim, str]:
    hq = central.terminal("MCT-HQ")
    account = hq.register()
    if amount:
        hq.top_up(account, amount)
    assert {r["status"] for r in hq.sync().values()} == {"applied"}
    sim = hq if office == "MCT-HQ" else central.terminal(office)
    return sim, account


def debit_without_entry(sim: TerminalSim, bill: dict[str, Any], account: str) -> str:
    """An online debit whose desk never wrote the entry (it crashed after the answer)."""
    answer = sim.debit_bill(bill, account)
    assert answer.status_code == 200, answer.text
    assert answer.request.body is not None
    return str(json.loads(answer.request.body)["entry_id"])


def authorised_at(central: Central, entry_id: str) -> datetime:
    with central.engine.connect() as conn:
        at = conn.execute(
            text("SELECT at FROM authorisations WHERE entry_id = :e"), {"e": entry_id}
        ).scalar_one()
    return datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def cancelled(central: Central, entry_id: str) -> bool:
    with central.engine.connect() as conn:
        return (
            conn.execute(
                text("SELECT cancelled_at FROM authorisations WHERE entry_id = :e"),
                {"e": entry_id},
            ).scalar()
            is not None
        )


def reversed_in_feed(sim: TerminalSim) -> dict[str, dict[str, Any]]:
    changes = sim.get("/v1/feed", limit=10000).json()["changes"]
    return {c["key"]: c["data"] for c in changes if c["kind"] == "debit_reversed"}


def test_an_unconfirmed_debit_is_reversed_after_the_delay(central: Central):
    sim, account = funded(central, 30_000, office="CAFE-RUWI")
    bill = central.bills.take("parking")
    entry_id = debit_without_entry(sim, bill, account)
    total = bill["amount"] + service_charge("parking")
    assert wallet_row(central, account) == 30_000 - total
    at = authorised_at(central, entry_id)
    # Not yet: the delay has not passed.
    assert entry_id not in overdue_debits(central.engine, at + DELAY - timedelta(minutes=1))
    assert entry_id not in reconcile(central.engine, at + DELAY - timedelta(minutes=1))
    assert not cancelled(central, entry_id)
    # Past the delay: reversed, the bill open again, the office told.
    assert entry_id in reconcile(central.engine, at + DELAY + timedelta(minutes=1))
    assert cancelled(central, entry_id)
    assert wallet_row(central, account) == 30_000
    assert bill_states(central, [bill["bill_id"]]) == {bill["bill_id"]: "open"}
    told = reversed_in_feed(sim)
    assert told[entry_id]["bill_id"] == bill["bill_id"]
    assert told[entry_id]["amount"] == total
    assert entry_id not in reversed_in_feed(central.terminal("MCT-HQ"))
    # Once only.
    assert entry_id not in reconcile(central.engine, at + DELAY + timedelta(hours=5))
    assert wallet_row(central, account) == 30_000
    assert central.ledger_sum() == 0


def test_a_confirmed_debit_stays_and_a_late_entry_pays_once(central: Central):
    sim, account = funded(central, 500_000)
    confirmed_bill, late_bill = central.bills.take("parking"), central.bills.take("parking")
    total = confirmed_bill["amount"] + service_charge("parking")
    confirmed = sim.pay(confirmed_bill, "wallet", account, pin="1234", authorised=True)
    sim.sync()
    late = sim.pay(late_bill, "wallet", account, pin="1234", authorised=True)
    at = authorised_at(central, late.entry_id)
    done = reconcile(central.engine, at + DELAY + timedelta(minutes=1))
    assert confirmed.entry_id not in done and late.entry_id in done
    assert wallet_row(central, account) == 500_000 - total
    # The desk's entry arrives after all: an offline payment, charged once, the bill paid.
    results = sim.sync()
    assert results[late.entry_id]["status"] == "applied", results
    assert wallet_row(central, account) == 500_000 - 2 * total
    assert set(
        bill_states(central, [confirmed_bill["bill_id"], late_bill["bill_id"]]).values()
    ) == {"paid"}
    assert central.ledger_sum() == 0


def test_reconcile_command(central: Central):
    sim, account = funded(central, 20_000)
    bill = central.bills.take("parking")
    entry_id = debit_without_entry(sim, bill, account)
    at = authorised_at(central, entry_id)
    early = central.cli("reconcile", "--now", (at + DELAY / 2).isoformat())
    assert early.returncode == 0, early.stderr
    assert entry_id not in early.stdout
    later = central.cli("reconcile", "--now", (at + DELAY + timedelta(hours=1)).isoformat())
    assert later.returncode == 0, later.stderr
    assert f"reversed: {entry_id}" in later.stdout
    assert wallet_row(central, account) == 20_000
    bad = central.cli("reconcile", "--now", "yesterday")
    assert bad.returncode == 2 and "ISO 8601" in bad.stderr


def test_the_server_reconciles_by_itself(central: Central, monkeypatch: Any):
    sim, account = funded(central, 20_000)
    bill = central.bills.take("parking")
    entry_id = debit_without_entry(sim, bill, account)
    # The debit was made long ago (its desk went silent): move its time back past the delay.
    old = (datetime.now(UTC) - DELAY - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with central.engine.begin() as conn:
        conn.execute(
            text("UPDATE authorisations SET at = :at WHERE entry_id = :e"),
            {"at": old, "e": entry_id},
        )
    monkeypatch.setenv("ERIAL_CENTRAL_RECONCILE_SECONDS", "0.2")  # the server child inherits it
    process, _ = start_server(central.database, central.secrets, central.workdir / "second.log")
    try:
        for _ in range(600):  # a guard against a hang; the server's thread needs one round
            if cancelled(central, entry_id) or process.poll() is not None:
                break
            time.sleep(0.1)
    finally:
        stop_server(process)
    assert cancelled(central, entry_id)
    assert wallet_row(central, account) == 20_000
    assert bill_states(central, [bill["bill_id"]]) == {bill["bill_id"]: "open"}


# --- bank top-ups and reversals ---------------------------------------------------------------


def test_bank_top_up_to_a_closed_account_is_refused(central: Central):
    _, account = funded(central, 1_000)
    with central.engine.begin() as conn:
        conn.execute(
            text("UPDATE subscribers SET closed = TRUE WHERE account = :a"), {"a": account}
        )
    top_up = {"bank_reference": "BNK-" + secrets.token_hex(6), "account": account, "amount": 9_000}
    for _ in range(2):  # the same answer however often the bank asks
        answer = bank_call(central, top_up)
        assert answer.status_code == 409, answer.text
        assert answer.json()["error"]["code"] == "bank.account_closed"
    assert wallet_row(central, account) == 1_000
    with central.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT COUNT(*) FROM bank_top_ups WHERE bank_reference = :r"),
            {"r": top_up["bank_reference"]},
        ).scalar_one()
    assert stored == 0
    assert central.ledger_sum() == 0


def test_a_top_up_is_reversed_once(central: Central):
    sim, account = funded(central, 0)
    top_up = sim.top_up(account, 6_000)
    sim.sync()

    def reverse() -> Any:
        body = {"entry_id": new_entry_id(), "voids": top_up.entry_id, "account": account}
        return sim.session.post(
            f"{sim.base}/v1/wallet/reversals", json=body | {"amount": 6_000}, timeout=30
        )

    first, second = reverse(), reverse()
    assert first.status_code == 200, first.text
    assert second.status_code == 200, second.text
    assert second.json()["reference"] == first.json()["reference"]
    assert wallet_row(central, account) == 0
    assert central.ledger_sum() == 0
