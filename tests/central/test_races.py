"""Races and locks: cancelling an online debit while its confirming push is in flight (exactly one
wins), pushes and online debits on one account never deadlock into a server error, and reads
do not wait behind a long write (nor does the event loop behind the bank's callback)."""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from erial_central.db import make_engine, run_transaction
from erial_desk.domain.entries import SubscriberUpdated

from .conftest import Central
from .terminal_sim import TerminalSim, service_charge
from .test_bank_and_online import bank_call
from .test_concurrency import bill_states, run_together, wallet_row

ROUNDS = 12


def funded(central: Central, amount: int) -> tuple[TerminalSim, str]:
    sim = central.terminal("MCT-HQ")
    account = sim.register()
    sim.top_up(account, amount)
    assert {r["status"] for r in sim.sync().values()} == {"applied"}
    return sim, account


def test_cancel_racing_the_confirming_push_has_one_winner(central: Central):
    sim, account = funded(central, 500_000)
    balance = 500_000
    outcomes = set()
    for _ in range(ROUNDS):
        bill = central.bills.take("parking")
        entry = sim.pay(bill, "wallet", account, pin="1234", authorised=True)
        push, cancel = run_together(
            [
                sim.push,
                lambda e=entry.entry_id: sim.session.post(
                    f"{sim.base}/v1/wallet/debits/{e}/cancel", timeout=60
                ),
            ]
        )
        assert push.status_code == 200, push.text
        (result,) = push.json()["results"]
        if cancel.status_code == 200:
            # The cancel won: the entry then counts as an offline payment, charged once.
            assert cancel.json()["status"] == "cancelled"
            outcomes.add("cancel first")
        else:
            assert (cancel.status_code, cancel.json()["error"]["code"]) == (
                409,
                "authorisation.confirmed",
            )
            outcomes.add("push first")
        assert result["status"] == "applied", result
        balance -= bill["amount"] + service_charge("parking")
        assert wallet_row(central, account) == balance
        assert sim.balance(account) == balance
        assert bill_states(central, [bill["bill_id"]]) == {bill["bill_id"]: "paid"}
    assert outcomes, "every round has a winner"
    assert central.ledger_sum() == 0


def blocked_behind(conn: Any, holder: int) -> set[int]:
    """PostgreSQL backends waiting, directly or through one another, for ``holder``'s locks."""
    rows = conn.execute(
        text(
            "SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity"
            " WHERE cardinality(pg_blocking_pids(pid)) > 0"
        )
    ).fetchall()
    found: set[int] = set()
    grew = True
    while grew:
        more = {pid for pid, blockers in rows if {holder, *found} & set(blockers)} - found
        found |= more
        grew = bool(more)
    return found


def wait_for_waiters(engine: Any, holder: int, count: int) -> None:
    with engine.connect() as conn:
        for _ in range(6000):  # each look takes a few ms; this only guards against a hang
            if len(blocked_behind(conn, holder)) >= count:
                return
            conn.rollback()
        raise AssertionError("the requests never reached their locks")


def test_cancel_and_confirming_push_in_flight_together(central: Central):
    """On PostgreSQL, deterministically: the push is stopped in the middle of its transaction
    (its wallet's row is held by the test), the cancel arrives, then the wallet is let go."""
    if central.backend != "postgresql":
        return  # SQLite runs one writer at a time: the rounds above cover it
    sim, account = funded(central, 100_000)
    bill = central.bills.take("parking")
    entry = sim.pay(bill, "wallet", account, pin="1234", authorised=True)
    after_debit = wallet_row(central, account)
    engine = create_engine(central.database, poolclass=NullPool)
    try:
        with engine.connect() as holder:
            pid = int(holder.execute(text("SELECT pg_backend_pid()")).scalar_one())
            holder.execute(
                text("SELECT balance FROM ledger_accounts WHERE account_id = :a FOR UPDATE"),
                {"a": f"wallet:{account}"},
            )
            pushing, push = in_thread(sim.push)
            wait_for_waiters(engine, pid, 1)
            cancelling, cancel = in_thread(
                lambda: sim.session.post(
                    f"{sim.base}/v1/wallet/debits/{entry.entry_id}/cancel", timeout=120
                )
            )
            wait_for_waiters(engine, pid, 2)
            holder.rollback()
        pushing.join(timeout=120)
        cancelling.join(timeout=120)
    finally:
        engine.dispose()
    ((result,),) = [p.json()["results"] for p in push]
    (refused,) = cancel
    assert result["status"] == "applied"
    assert (refused.status_code, refused.json()["error"]["code"]) == (
        409,
        "authorisation.confirmed",
    )
    assert wallet_row(central, account) == after_debit
    assert bill_states(central, [bill["bill_id"]]) == {bill["bill_id"]: "paid"}
    assert central.ledger_sum() == 0


def test_pushes_updating_a_subscriber_and_debits_on_it_never_fail(central: Central):
    """A push locks the wallet and then updates the subscriber's row; an online debit on the
    same account locks them in the same order, so neither waits for the other in a circle."""
    owner, account = funded(central, 400_000)
    editors = [central.terminal("MCT-HQ") for _ in range(3)]
    for sim in editors:
        sim.sync()
    payers = [central.terminal(office) for office in ("MCT-HQ", "MCT-BWR", "MCT-HQ")]
    bills = [central.bills.take_many(ROUNDS // 2, "parking") for _ in payers]

    def edits(sim: TerminalSim) -> Callable[[], list[int]]:
        def job() -> list[int]:
            codes = []
            for n in range(ROUNDS // 2):
                sim.append(
                    SubscriberUpdated(account, {"mobile": f"+9689{secrets.randbelow(10**7):07d}"})
                )
                sim.top_up(account, 100 + n)
                codes.append(sim.push().status_code)
            return codes

        return job

    def debits(sim: TerminalSim, mine: list[dict[str, Any]]) -> Callable[[], list[int]]:
        return lambda: [sim.debit_bill(bill, account).status_code for bill in mine]

    answers = run_together(
        [edits(sim) for sim in editors]
        + [debits(sim, mine) for sim, mine in zip(payers, bills, strict=True)]
    )
    codes = [code for per_job in answers for code in per_job]
    assert codes and max(codes) < 500, codes
    assert set(codes) == {200}
    topped = sum(100 + n for n in range(ROUNDS // 2)) * len(editors)
    spent = sum(b["amount"] + service_charge("parking") for mine in bills for b in mine)
    assert wallet_row(central, account) == 400_000 + topped - spent
    assert central.ledger_sum() == 0
    assert owner.get(f"/v1/subscribers/{account}").status_code == 200


def test_a_debit_and_a_push_editing_the_subscriber_lock_in_one_order(central: Central):
    """On PostgreSQL, deterministically: the subscriber's row is held while an online debit and
    a push that edits the subscriber queue for it. In one lock order they simply wait in turn;
    in opposite orders they would deadlock, and the server would have to run one again."""
    if central.backend != "postgresql":
        return  # SQLite writers take the whole database's lock up front
    payer, account = funded(central, 100_000)
    editor = central.terminal("MCT-HQ")
    editor.sync()
    bill = central.bills.take("parking")
    editor.append(SubscriberUpdated(account, {"mobile": "+96891111111"}))
    editor.top_up(account, 500)
    logged_before = central.log.stat().st_size
    engine = create_engine(central.database, poolclass=NullPool)
    try:
        with engine.connect() as holder:
            pid = int(holder.execute(text("SELECT pg_backend_pid()")).scalar_one())
            holder.execute(
                text("SELECT account FROM subscribers WHERE account = :a FOR UPDATE"),
                {"a": account},
            )
            debiting, debit = in_thread(lambda: payer.debit_bill(bill, account))
            wait_for_waiters(engine, pid, 1)
            pushing, push = in_thread(editor.push)
            wait_for_waiters(engine, pid, 2)
            holder.rollback()
        debiting.join(timeout=120)
        pushing.join(timeout=120)
    finally:
        engine.dispose()
    assert debit[0].status_code == 200, debit[0].text
    assert push[0].status_code == 200, push[0].text
    assert {r["status"] for r in push[0].json()["results"]} == {"applied"}
    with central.log.open("rb") as log:
        log.seek(logged_before)
        assert b"running it again" not in log.read()
    paid = bill["amount"] + service_charge("parking")
    assert wallet_row(central, account) == 100_000 + 500 - paid


# --- reads while something writes ----------------------------------------------------------


@contextmanager
def write_held(central: Central, account: str) -> Iterator[None]:
    """Hold a writing transaction open, as a long push would: on SQLite the database's write
    lock, on PostgreSQL the row locks of the subscriber and of their wallet."""
    if central.backend == "sqlite":
        conn = sqlite3.connect(str(make_url(central.database).database), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE subscribers SET email = email WHERE account = ?", (account,))
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    engine = create_engine(central.database, poolclass=NullPool)
    with engine.connect() as conn:
        conn.execute(
            text("SELECT balance FROM ledger_accounts WHERE account_id = :a FOR UPDATE"),
            {"a": f"wallet:{account}"},
        )
        conn.execute(
            text("SELECT pin_failures FROM subscribers WHERE account = :a FOR UPDATE"),
            {"a": account},
        )
        try:
            yield
        finally:
            conn.rollback()
    engine.dispose()


def in_thread(job: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(job()), daemon=True)
    thread.start()
    return thread, out


def test_reads_do_not_wait_behind_a_write(central: Central):
    sim, account = funded(central, 9_000)
    reads = [
        f"/v1/subscribers/{account}",
        f"/v1/subscribers/{account}/statement",
        "/v1/feed",
        "/v1/policy",
        "/v1/offices/MCT-HQ/totals",
    ]
    with write_held(central, account):
        thread, answers = in_thread(lambda: [sim.get(path).status_code for path in reads])
        # The guard only stops a broken server from hanging the suite; it measures nothing.
        thread.join(timeout=120)
        finished_while_held = not thread.is_alive()
    thread.join(timeout=120)
    assert finished_while_held, "a read waited for the writer to finish"
    assert answers == [[200] * len(reads)]


def test_the_bank_callback_does_not_stall_other_requests(central: Central):
    sim, account = funded(central, 1_000)
    top_up = {"bank_reference": "BNK-" + secrets.token_hex(6), "account": account, "amount": 4_000}
    with write_held(central, account):
        waiting, bank_answer = in_thread(lambda: bank_call(central, top_up))
        # While the callback waits for the lock, the server answers other requests.
        health, health_answer = in_thread(
            lambda: requests.get(central.url("/v1/health"), timeout=120).status_code
        )
        health.join(timeout=120)
        answered_while_held = not health.is_alive()
    waiting.join(timeout=120)
    assert answered_while_held, "the bank's callback blocked the server"
    assert health_answer == [200]
    (answer,) = bank_answer
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "applied"
    assert sim.balance(account) == 5_000


def test_a_deadlock_victim_runs_again(central: Central):
    """Two transactions that lock two rows in opposite orders: PostgreSQL aborts one as a
    deadlock's victim, and ``run_transaction`` runs it again instead of failing."""
    if central.backend != "postgresql":
        return  # SQLite writers take the whole database's lock up front: no deadlock
    engine = make_engine(central.database)
    table = f"probe_{secrets.token_hex(4)}"
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE {table} (k TEXT PRIMARY KEY, n INTEGER NOT NULL)"))
        conn.execute(text(f"INSERT INTO {table} VALUES ('a', 0), ('b', 0)"))
    barrier = threading.Barrier(2)
    attempts = {"a": 0, "b": 0}

    def job(first: str, second: str) -> Callable[[], int]:
        def work(conn: Any) -> int:
            attempts[first] += 1
            # The first attempts lock in opposite orders and meet in a circle; a run again
            # takes the one order, as central's own paths always do.
            order = (first, second) if attempts[first] == 1 else sorted((first, second))
            conn.execute(text(f"UPDATE {table} SET n = n + 1 WHERE k = :k"), {"k": order[0]})
            if attempts[first] == 1:
                barrier.wait(timeout=60)  # both hold their first row
            conn.execute(text(f"UPDATE {table} SET n = n + 1 WHERE k = :k"), {"k": order[1]})
            return attempts[first]

        return lambda: run_transaction(engine, work)

    try:
        tries = run_together([job("a", "b"), job("b", "a")])
        with engine.connect() as conn:
            counts = dict(conn.execute(text(f"SELECT k, n FROM {table}")).fetchall())
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE {table}"))
        engine.dispose()
    assert sorted(tries) == [1, 2]  # one ran twice, as the deadlock's victim
    assert counts == {"a": 2, "b": 2}  # and each committed exactly once
