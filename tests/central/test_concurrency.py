"""Many terminals at once on one wallet: no lost update, online debits never below zero, the
ledger sums to zero and the audit holds; a bill is collected once however many race for it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import text

from .conftest import Central
from .terminal_sim import TerminalSim, service_charge

TERMINALS = 8
DEBITS_EACH = 10


def run_together(jobs: list[Any]) -> list[Any]:
    """Run the callables in threads released at the same moment; their results in order."""
    barrier = threading.Barrier(len(jobs))

    def start(job: Any) -> Any:
        barrier.wait(timeout=60)
        return job()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(start, jobs))


def wallet_row(central: Central, account: str) -> int:
    with central.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT balance FROM ledger_accounts WHERE account_id = :a"),
                {"a": f"wallet:{account}"},
            ).scalar()
        )


def bill_states(central: Central, bill_ids: list[str]) -> dict[str, str]:
    with central.engine.connect() as conn:
        rows = conn.execute(text("SELECT bill_id, status FROM bills")).fetchall()
    wanted = set(bill_ids)
    return {bill_id: status for bill_id, status in rows if bill_id in wanted}


def test_online_debits_and_offline_pushes_on_one_wallet(central: Central):
    hq = central.terminal("MCT-HQ")
    account = hq.register()
    hq.top_up(account, 150_000)
    hq.sync()
    terminals = [
        central.terminal(("MCT-HQ", "MCT-BWR", "CAFE-RUWI", "MCT-MUTRAH")[i % 4])
        for i in range(TERMINALS)
    ]
    for sim in terminals:
        sim.sync()  # their shifts
    bills = [central.bills.take_many(DEBITS_EACH, "parking") for _ in terminals]
    # Meanwhile other counters take cash top-ups into the same wallet and push them.
    toppers = [central.terminal("MCT-HQ") for _ in range(3)]
    for sim in toppers:
        for _ in range(10):
            sim.top_up(account, 2_000)

    def debits(sim: TerminalSim, mine: list[dict[str, Any]]) -> Any:
        def job() -> list[tuple[dict[str, Any], int, dict[str, Any]]]:
            out = []
            for bill in mine:
                answer = sim.debit_bill(bill, account)
                out.append((bill, answer.status_code, answer.json()))
            return out

        return job

    def pushes(sim: TerminalSim) -> Any:
        def job() -> list[dict[str, Any]]:
            results = []
            for start in range(1, 12, 3):  # in small batches, as a desk on a slow line
                response = sim.push(sim.wire(start, start + 2))
                assert response.status_code == 200, response.text
                results.extend(response.json()["results"])
            return results

        return job

    outcomes = run_together(
        [debits(sim, mine) for sim, mine in zip(terminals, bills, strict=True)]
        + [pushes(sim) for sim in toppers]
    )
    answers = [a for per_terminal in outcomes[:TERMINALS] for a in per_terminal]
    pushed = [r for per_terminal in outcomes[TERMINALS:] for r in per_terminal]

    assert {r["status"] for r in pushed} == {"applied"}
    assert len(pushed) == 3 * 11  # a shift and ten top-ups each
    paid = []
    for bill, status, body in answers:
        if status == 200:
            assert body["balance_after"] >= 0
            paid.append(bill)
        else:
            assert (status, body["error"]["code"]) == (409, "wallet.insufficient"), body
    assert paid, "some debits must have succeeded"
    assert len(paid) < len(answers), "the wallet cannot pay every bill"
    spent = sum(b["amount"] + service_charge("parking") for b in paid)
    expected = 150_000 + 30 * 2_000 - spent
    assert expected >= 0
    assert hq.balance(account) == expected
    assert wallet_row(central, account) == expected
    states = bill_states(central, [b["bill_id"] for b, _, _ in answers])
    assert sorted(bill_id for bill_id, s in states.items() if s == "paid") == sorted(
        b["bill_id"] for b in paid
    )
    assert central.ledger_sum() == 0
    audit = central.cli("audit")
    assert audit.returncode == 0, audit.stdout


def test_offline_wallet_payments_pushed_at_once(central: Central):
    hq = central.terminal("MCT-HQ")
    account = hq.register()
    hq.top_up(account, 40_000)
    hq.sync()
    terminals = [central.terminal(("MCT-HQ", "MCT-BWR")[i % 2]) for i in range(TERMINALS)]
    expected = 40_000
    for sim in terminals:
        for bill in central.bills.take_many(3, "parking"):
            sim.pay(bill, "wallet", account, pin="1234")
            expected -= bill["amount"] + service_charge("parking")
        sim.top_up(account, 1_000)
        expected += 1_000

    results = run_together([lambda sim=sim: sim.push() for sim in terminals])
    statuses = []
    for response in results:
        assert response.status_code == 200, response.text
        statuses += [r["status"] for r in response.json()["results"]]
    assert set(statuses) <= {"applied", "flagged"}
    assert len(statuses) == TERMINALS * 5  # the shift, three payments, one top-up each
    # Every payment is applied, none lost: below zero only through flagged entries.
    assert expected < 0
    assert "flagged" in statuses
    assert hq.balance(account) == expected
    assert wallet_row(central, account) == expected
    assert central.ledger_sum() == 0


def test_one_bill_raced_by_many_terminals_is_collected_once(central: Central):
    bill = central.bills.take("building_permit")
    payers = []
    for i in range(TERMINALS):
        sim = central.terminal(("MCT-HQ", "MCT-BWR")[i % 2])
        account = sim.register()
        sim.top_up(account, 300_000)
        sim.top_up(account, 300_000)
        sim.sync()
        payers.append((sim, account))
    answers = run_together(
        [lambda sim=sim, account=account: sim.debit_bill(bill, account) for sim, account in payers]
    )
    codes = sorted((a.status_code, a.json().get("error", {}).get("code", "ok")) for a in answers)
    assert codes == [(200, "ok")] + [(409, "bill.already_paid")] * (TERMINALS - 1)
    balances = sorted(sim.balance(account) for sim, account in payers)
    total = bill["amount"] + service_charge("building_permit")
    assert balances == [600_000 - total] + [600_000] * (TERMINALS - 1)
    assert central.ledger_sum() == 0
