"""An external office sees a subscriber (record, statement, balance, feed rows) only after an
applied entry of its own for them; refused online debits grant nothing; an unknown account and
one the office may not see answer alike. Internal offices see everyone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from erial_central.models import subscribers
from erial_central.visibility import Viewer, can_see, scope

from .conftest import Central
from .terminal_sim import TerminalSim, random_account


def registered(central: Central, top_up: int = 0) -> str:
    """A subscriber registered (and topped up) at the HQ counter, PIN 1234."""
    hq = central.terminal("MCT-HQ")
    account = hq.register()
    if top_up:
        hq.top_up(account, top_up)
    assert {r["status"] for r in hq.sync().values()} == {"applied"}
    return account


def reads(sim: TerminalSim, account: str) -> tuple[Any, Any]:
    """(record answer, statement answer) as (status, JSON)."""
    record = sim.get(f"/v1/subscribers/{account}")
    statement = sim.get(f"/v1/subscribers/{account}/statement")
    return (record.status_code, record.json()), (statement.status_code, statement.json())


def feed_keys(sim: TerminalSim) -> set[tuple[str, str]]:
    changes = sim.get("/v1/feed", limit=10000).json()["changes"]
    return {(c["kind"], c["key"]) for c in changes if c["kind"] in ("subscriber", "balance")}


def test_unserved_subscriber_reads_as_unknown(central: Central):
    account = registered(central, top_up=5_000)
    cafe = central.terminal("CAFE-RUWI")
    unknown = random_account()
    assert reads(cafe, account) == reads(cafe, unknown)
    (status, body), _ = reads(cafe, account)
    assert (status, body["error"]["code"]) == (404, "subscriber.not_found")
    assert not {key for _, key in feed_keys(cafe)} & {account}
    # The internal office sees the record and the balance.
    hq = central.terminal("MCT-HQ")
    (status, record), (_, statement) = reads(hq, account)
    assert status == 200 and record["account"] == account
    assert statement["balance"] == 5_000
    assert {("subscriber", account), ("balance", account)} <= feed_keys(hq)


def test_refused_online_debits_grant_nothing_and_say_nothing(central: Central):
    rich = registered(central, top_up=50_000)
    poor = registered(central)
    cafe = central.terminal("CAFE-RUWI")
    bill = central.bills.take("parking")
    wrong_pin = cafe.debit_bill(bill, rich, pin="9999")
    unknown = cafe.debit_bill(bill, random_account(), pin="1234")
    for answer in (wrong_pin, unknown):
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"]["code"] == "wallet.refused"
    assert wrong_pin.json() == unknown.json()
    short = cafe.debit_bill(bill, poor, pin="1234")
    assert (short.status_code, short.json()["error"]["code"]) == (409, "wallet.short")
    assert "balance" not in short.json()["error"]["params"]
    for account in (rich, poor):
        assert reads(cafe, account)[0][0] == 404
        assert not {key for _, key in feed_keys(cafe)} & {account}
    # The wrong PIN still counted: the internal office is told how many tries are left.
    hq = central.terminal("MCT-HQ")
    again = hq.debit_bill(central.bills.take("parking"), rich, pin="9999")
    assert again.json()["error"]["code"] == "wallet.wrong_pin"
    assert again.json()["error"]["params"]["left"] == "1"


def test_an_applied_online_debit_lets_the_office_see(central: Central):
    account = registered(central, top_up=50_000)
    cafe = central.terminal("CAFE-RUWI")
    other_cafe = central.terminal("CAFE-SEEB")
    bill = central.bills.take("parking")
    paid = cafe.debit_bill(bill, account)
    assert paid.status_code == 200, paid.text
    (status, record), (_, statement) = reads(cafe, account)
    assert status == 200 and record["account"] == account
    assert statement["balance"] == paid.json()["balance_after"]
    assert {("subscriber", account), ("balance", account)} <= feed_keys(cafe)
    # Another external office still does not.
    assert reads(other_cafe, account)[0][0] == 404
    assert not {key for _, key in feed_keys(other_cafe)} & {account}


def test_an_applied_top_up_or_registration_lets_the_office_see(central: Central):
    account = registered(central)
    cafe = central.terminal("CAFE-RUWI")
    cafe.top_up(account, 2_000)
    assert {r["status"] for r in cafe.sync().values()} == {"applied"}
    (status, _), (_, statement) = reads(cafe, account)
    assert status == 200 and statement["balance"] == 2_000
    assert ("balance", account) in feed_keys(cafe)


def test_unknown_account_top_up_grants_nothing(central: Central):
    cafe = central.terminal("CAFE-RUWI")
    account = random_account()
    cafe.top_up(account, 1_000)
    results = cafe.sync()
    assert "flagged" in {r["status"] for r in results.values()}
    # Registered later elsewhere: the café that was refused sees nothing of it.
    hq = central.terminal("MCT-HQ")
    hq.register(account=account)
    assert {r["status"] for r in hq.sync().values()} == {"applied"}
    assert reads(cafe, account)[0][0] == 404


def test_the_scoping_function(central: Central):
    """The one rule every read uses, checked on the database directly."""
    served = registered(central)
    unserved = registered(central)
    cafe = central.terminal("CAFE-RUWI")
    cafe.top_up(served, 1_000)
    cafe.sync()
    external = Viewer("CAFE-RUWI", "external")
    internal = Viewer("MCT-HQ", "internal")
    with central.engine.connect() as conn:
        assert can_see(conn, external, served)
        assert not can_see(conn, external, unserved)
        assert not can_see(conn, external, random_account())
        assert can_see(conn, internal, unserved)
        assert not can_see(conn, internal, random_account())
        seen = {
            r[0]
            for r in conn.execute(
                select(subscribers.c.account).where(scope(external, subscribers.c.account))
            )
        }
        everyone = {r[0] for r in conn.execute(select(subscribers.c.account))}
        inside = {
            r[0]
            for r in conn.execute(
                select(subscribers.c.account).where(scope(internal, subscribers.c.account))
            )
        }
    assert served in seen and unserved not in seen
    assert inside == everyone
