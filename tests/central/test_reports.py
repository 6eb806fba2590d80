"""Office reports at central: a café's settlement over a generated month and an office's day,
each compared with sums taken independently from the entries the terminals journaled and the
results central answered for them."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from erial_desk.domain.entries import CashDrop, ShiftOpened
from erial_desk.store.journal import AppendedEntry

from .conftest import Central
from .pushing import bill_state
from .terminal_sim import TerminalSim, random_account

CAFE = "CAFE-RUWI"
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "central"


@dataclass
class Book:
    """What the test itself wrote and what central answered, entry by entry."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    voided: set[str] = field(default_factory=set)

    def add(self, sim: TerminalSim, appended: AppendedEntry) -> str:
        env = appended.envelope
        self.entries[env["id"]] = {**env, "office": sim.office_id, "terminal": sim.terminal_id}
        return str(env["id"])

    def push(self, sim: TerminalSim) -> None:
        for entry_id, result in sim.sync().items():
            self.status[entry_id] = result["status"]

    def standing(self, office: str, first: str, last: str, applied_only: bool) -> Iterator[Any]:
        for entry_id, env in self.entries.items():
            if env["office"] != office or not first <= env["at"][:10] <= last:
                continue
            if entry_id in self.voided:
                continue
            if applied_only and self.status.get(entry_id) != "applied":
                continue
            yield env


def at_day(sim: TerminalSim, day: str, hour: int, minute: int) -> None:
    """The terminal's journal writes its next entries at this UTC moment (an offline counter
    pushing later)."""
    sim.journal._clock = lambda: f"{day}T{hour:02d}:{minute:02d}:00.000000Z"  # type: ignore[method-assign]


def funded_subscribers(central: Central, count: int) -> list[str]:
    hq = central.terminal("MCT-HQ")
    accounts = [hq.register() for _ in range(count)]
    for account in accounts:
        hq.top_up(account, 200_000)
    assert all(r["status"] == "applied" for r in hq.sync().values())
    return accounts


def expected_settlement(central: Central, book: Book, office: str, first: str, last: str):
    """The statement from the entries themselves: a top-up stands when central applied it and
    nothing voided it; a payment stands when its bill at central names it as what paid it
    (a void reopens the bill, a double payment leaves the first, a refused one reopens it)."""
    payments = {"count": 0, "amount": 0, "service_charge": 0}
    by_method: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(payments, 0))
    by_service: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(payments, 0))
    top_ups = {"count": 0, "amount": 0, "service_charge": 0}
    for env in book.standing(office, first, last, applied_only=False):
        p = env["payload"]
        if env["type"] == "top_up" and book.status[env["id"]] == "applied":
            top_ups["count"] += 1
            top_ups["amount"] += p["amount"]
        elif env["type"] == "bill_paid" and bill_state(central, p["bill_id"])[1] == env["id"]:
            for bucket in (payments, by_method[p["method"]], by_service[p["bill_kind"]]):
                bucket["count"] += 1
                bucket["amount"] += p["amount"]
                bucket["service_charge"] += p["service_charge"]
    return {
        "payments": payments,
        "payments_by_method": dict(by_method),
        "payments_by_service": dict(by_service),
        "service_charges": payments["service_charge"],
        "top_ups": top_ups,
    }


def test_settlement_of_a_cafe_over_a_generated_month(central: Central):
    rng = random.Random(13)
    accounts = funded_subscribers(central, 4)
    counters = [central.terminal(CAFE), central.terminal(CAFE)]
    book = Book()
    refunds = 0
    month = [f"2026-03-{d:02d}" for d in range(1, 32)]
    for n in range(60):
        sim = counters[n % 2]
        at_day(sim, rng.choice(month), rng.randrange(4, 16), rng.randrange(60))
        roll = rng.random()
        if roll < 0.3:
            book.add(sim, sim.top_up(rng.choice(accounts), rng.randrange(1, 40) * 1000))
        elif roll < 0.35:  # no such wallet: central keeps the cash as due back to the customer
            amount = rng.randrange(1, 10) * 1000
            book.add(sim, sim.top_up(random_account(), amount))
            refunds += amount
            continue  # not voided below: its void would give the refund back to the drawer
        elif roll < 0.7:
            book.add(sim, sim.pay(central.bills.take(), "office_wallet"))
        else:
            bill = central.bills.take()
            book.add(sim, sim.pay(bill, "wallet", account=rng.choice(accounts), pin="1234"))
        if rng.random() < 0.1:
            voided = list(book.entries)[-1]
            book.add(sim, sim.void(voided))
            book.voided.add(voided)
    # The same bill paid at both counters offline: central keeps the first, flags the second.
    twice = central.bills.take()
    for sim in counters:
        at_day(sim, "2026-03-20", 9, 0)
        book.add(sim, sim.pay(twice, "office_wallet"))
    for sim in counters:
        book.push(sim)
    assert "flagged" in book.status.values()
    kept = [  # flagged (a wallet taken below zero offline) but the payment stands
        e
        for e in book.entries.values()
        if e["type"] == "bill_paid"
        and book.status[e["id"]] == "flagged"
        and bill_state(central, e["payload"]["bill_id"])[1] == e["id"]
    ]
    assert kept, "the generated month should hold a payment that was flagged and kept"

    answer = counters[0].get(
        f"/v1/offices/{CAFE}/settlement", **{"from": month[0], "to": month[-1]}
    )
    assert answer.status_code == 200, answer.text
    statement = answer.json()
    wanted = expected_settlement(central, book, CAFE, month[0], month[-1])
    for key, value in wanted.items():
        assert statement[key] == value, key
    assert statement["cash_taken"] == wanted["top_ups"]["amount"]  # a café takes cash for top-ups
    assert statement["refunds_due"] == refunds
    assert statement["flagged"] == sum(1 for s in book.status.values() if s == "flagged")
    assert statement["office"]["office_id"] == CAFE

    # The administrator reads the same statement; the command prints it as JSON and a PDF.
    admin = central.url(f"/v1/admin/offices/{CAFE}/settlement")
    same = requests.get(
        admin, params={"from": month[0], "to": month[-1]}, headers=central.admin_headers, timeout=30
    )
    assert same.json() == statement
    # The PDF and the text summary are kept to be looked at (test-artefacts/central/).
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTEFACTS / f"settlement-{central.backend}.pdf"
    period = ("--from", month[0], "--to", month[-1])
    done = central.cli("settlement", CAFE, *period, "--pdf", str(pdf), "--json")
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    assert json.loads(done.stdout) == statement
    summary = central.cli("settlement", CAFE, *period)
    assert summary.returncode == 0, summary.stderr
    assert f"{statement['payments']['count']})" in summary.stdout
    (ARTEFACTS / f"settlement-{central.backend}.txt").write_text(summary.stdout)


def test_settlement_periods_are_bounded(central: Central):
    cafe = central.terminal(CAFE)
    path = f"/v1/offices/{CAFE}/settlement"
    assert cafe.get(path, **{"from": "2026-03-01", "to": "2026-03-31"}).status_code == 200
    for first, last in (("2026-03-31", "2026-03-01"), ("2026-01-01", "2026-12-31")):
        answer = cafe.get(path, **{"from": first, "to": last})
        assert answer.status_code == 422
        assert answer.json()["error"]["code"] == "request.invalid"
    assert cafe.get(path, **{"from": "2026-02-30", "to": "2026-03-01"}).status_code == 422


# --- the office's day: a property over random days -----------------------------------------

MOVES = st.lists(
    st.tuples(
        st.integers(0, 2),  # which terminal (two of them share one clerk's name below)
        st.sampled_from(["top_up", "cash", "wallet", "drop", "void"]),
        st.integers(1, 50),  # amount in rials (top-ups, drops)
        st.integers(3, 17),  # UTC hour
    ),
    min_size=1,
    max_size=12,
)
DAYS = iter(f"2026-05-{d:02d}" for d in range(1, 32))


@pytest.fixture(scope="module")
def office_day_setup(central: Central) -> tuple[list[TerminalSim], list[str]]:
    accounts = funded_subscribers(central, 3)
    return [central.terminal("MCT-BWR") for _ in range(3)], accounts


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=MOVES)
def test_office_day_equals_the_entries_of_the_day(central: Central, office_day_setup, moves):
    counters, accounts = office_day_setup
    day = next(DAYS)
    book = Book()
    for sim in counters:
        at_day(sim, day, 2, 0)
        book.add(sim, _new_shift(sim))
    for n, (which, move, rials, hour) in enumerate(moves):
        sim = counters[which]
        at_day(sim, day, hour, n % 60)
        if move == "top_up":
            book.add(sim, sim.top_up(accounts[n % len(accounts)], rials * 1000))
        elif move == "cash":
            book.add(sim, sim.pay(central.bills.take(), "cash"))
        elif move == "wallet":
            bill = central.bills.take()
            book.add(sim, sim.pay(bill, "wallet", account=accounts[n % 3], pin="1234"))
        elif move == "drop":
            book.add(sim, _drop(sim, 1000))
        else:
            mine = [
                e
                for e, env in book.entries.items()
                if env["terminal"] == sim.terminal_id
                and env["type"] in ("top_up", "bill_paid")
                and e not in book.voided
            ]
            if mine:
                book.add(sim, sim.void(mine[-1]))
                book.voided.add(mine[-1])
    for sim in counters:
        book.push(sim)
    report = counters[0].get("/v1/offices/MCT-BWR/day", day=day).json()

    counted = list(book.standing("MCT-BWR", day, day, applied_only=False))
    top_ups = [e["payload"]["amount"] for e in counted if e["type"] == "top_up"]
    bills = [e for e in counted if e["type"] == "bill_paid"]
    drops = [e["payload"]["amount"] for e in counted if e["type"] == "cash_drop"]
    assert report["top_ups"]["amount"] == sum(top_ups)
    assert report["top_ups"]["count"] == len(top_ups)
    assert report["bill_payments"]["amount"] == sum(e["payload"]["amount"] for e in bills)
    assert report["bill_payments"]["service_charge"] == sum(
        e["payload"]["service_charge"] for e in bills
    )
    assert report["cash_drops"]["amount"] == sum(drops)
    by_service: dict[str, int] = defaultdict(int)
    by_method: dict[str, int] = defaultdict(int)
    by_hour: dict[str, int] = defaultdict(int)
    by_terminal: dict[str, int] = defaultdict(int)
    for e in counted:
        if e["type"] not in ("top_up", "bill_paid"):
            continue
        takings = e["payload"]["amount"] + e["payload"].get("service_charge", 0)
        by_hour[f"{(int(e['at'][11:13]) + 4) % 24:02d}"] += takings
        by_terminal[e["terminal"]] += takings
        if e["type"] == "bill_paid":
            by_service[e["payload"]["bill_kind"]] += e["payload"]["amount"]
            by_method[e["payload"]["method"]] += e["payload"]["amount"]
    assert {k: v["amount"] for k, v in report["by_service"].items()} == by_service
    assert {k: v["amount"] for k, v in report["by_method"].items()} == by_method
    assert report["by_hour"] == by_hour
    assert report["by_terminal"] == by_terminal
    assert report["voids"] == sum(1 for e in book.entries.values() if e["type"] == "void")

    # Each shift: its float plus the cash it took, less what it dropped, is the drawer.
    shifts = {s["terminal_id"]: s for s in report["shifts"]}
    assert set(shifts) == {sim.terminal_id for sim in counters}
    for sim in counters:
        mine = [e for e in counted if e["terminal"] == sim.terminal_id]
        cash = sum(e["payload"]["amount"] for e in mine if e["type"] == "top_up")
        cash += sum(
            e["payload"]["amount"] + e["payload"]["service_charge"]
            for e in mine
            if e["type"] == "bill_paid" and e["payload"]["method"] == "cash"
        )
        cash -= sum(e["payload"]["amount"] for e in mine if e["type"] == "cash_drop")
        assert shifts[sim.terminal_id]["expected_cash"] == 1000 + cash


def _new_shift(sim: TerminalSim) -> AppendedEntry:
    """The terminal's next shift, with a float of 1.000 OMR; its entries go into it."""
    opened = sim.append(ShiftOpened(sim.office_id, {"1000": 1}, 1000))
    sim.shift = opened.entry_id
    return opened


def _drop(sim: TerminalSim, amount: int) -> AppendedEntry:
    return sim.append(CashDrop(sim.shift, {"1000": amount // 1000}, amount, sim.supervisor))
