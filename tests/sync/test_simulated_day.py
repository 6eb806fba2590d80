"""A simulated counter day against a real central: three terminals at two offices (two at the
internal MCT-HQ, one at the external CAFE-RUWI), a few thousand random operations of every kind,
the network cut and restored several times, one desk killed (SIGKILL, mid-push) and restarted.
At the end every journal is fully acknowledged, the money at central is what the journals say,
each office's totals at central equal the totals of its terminals' shifts, and the audit passes.
"""

from __future__ import annotations

import random
import signal
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from erial_desk.domain.policy import BillKind
from erial_desk.services import Desk

from .conftest import (
    FLOAT,
    PASSPHRASE,
    STAFF,
    CentralServer,
    Teller,
    assert_exactly_once,
    assert_money_matches,
    assert_no_orphans,
    assert_nothing_flagged,
    desk_command,
    desk_env,
    enrolled_desk,
    reopen,
    sync_until_done,
)
from .fault_proxy import Fault, FaultProxy

SEED = 1128
OPERATIONS = 2400
CUTS = ((250, 420), (700, 760), (1000, 1250), (1500, 1540), (1900, 2100))  # [start, end)
KILL_AT_END_OF_CUT = 2  # the third cut ends with one desk killed while it pushes
SHIFT_CHANGE_AT = 1200  # the first HQ terminal changes clerks' shift half-way


def _office_totals_of_desks(desks: list[Desk]) -> dict[str, Any]:
    """What the desks' shifts add up to, as central's office totals count it."""
    totals: dict[str, Any] = {
        "top_ups": 0,
        "top_up_count": 0,
        "cash_drops": 0,
        "voids": 0,
        "service_charges": 0,
        "bill_payments": Counter(),
    }
    for desk in desks:
        with desk._reader.connect() as conn:
            shifts = [r[0] for r in conn.execute(text("SELECT shift_id FROM shifts"))]
        for shift_id in shifts:
            summary = desk.shift_summary(shift_id)
            totals["top_ups"] += summary.top_ups.amount
            totals["top_up_count"] += summary.top_ups.count
            totals["cash_drops"] += summary.cash_drops.amount
            totals["voids"] += summary.voids.count
            for method, paid in summary.bill_payments.items():
                totals["service_charges"] += paid.service_charge
                totals["bill_payments"][(method, "count")] += paid.count
                totals["bill_payments"][(method, "amount")] += paid.amount
    totals["bill_payments"] = dict(totals["bill_payments"])
    return totals


def _office_totals_at_central(central: CentralServer, office: str, days: set[str]) -> Any:
    totals: dict[str, Any] = dict.fromkeys(
        ("top_ups", "top_up_count", "cash_drops", "voids", "service_charges"), 0
    )
    payments: Counter[tuple[str, str]] = Counter()
    for day in sorted(days):
        found = central.office_totals(office, day)
        for key in totals:
            totals[key] += found[key]
        for method, paid in found["bill_payments"].items():
            payments[(method, "count")] += paid["count"]
            payments[(method, "amount")] += paid["amount"]
    totals["bill_payments"] = dict(payments)
    return totals


def _one(desk: Desk, sql: str) -> Any:
    with desk._reader.connect() as conn:
        return conn.execute(text(sql)).scalar()


def _kill_while_pushing(proxy: FaultProxy, data: Path) -> None:
    """``erial-desk sync`` on this data directory, killed once central has applied its first
    batch and before the desk hears of it."""
    proxy.held.clear()
    proxy.release.clear()
    proxy.plan("/v1/journal", [Fault("hold", then="drop_response")])
    process = subprocess.Popen(
        desk_command(data, "sync", "--once"),
        env=desk_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proxy.held.wait(timeout=120), process.communicate()[0]
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    proxy.release.set()


def test_a_simulated_day(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("ERIAL_DESK_KEY_PASSPHRASE", PASSPHRASE)
    rng = random.Random(SEED)
    accounts = central.funded_accounts(30, minimum=50_000)
    served = accounts[:10]  # the café's regular customers
    wallets_before = {a: central.wallet(a) for a in accounts}
    cash_before = {o: central.balance(f"cash:{o}") for o in ("MCT-HQ", "CAFE-RUWI")}
    office_wallet_before = central.balance("owallet:CAFE-RUWI")

    hq1 = enrolled_desk(central, tmp_path / "hq1", "MCT-HQ", url=proxy.url)
    hq2_data = tmp_path / "hq2"  # this one's keys are in a file: a child process syncs it
    hq2 = enrolled_desk(central, hq2_data, "MCT-HQ", url=proxy.url, keyring="encrypted-file")
    cafe = enrolled_desk(central, tmp_path / "cafe", "CAFE-RUWI", url=proxy.url)
    (clerk, clerk_pin), (supervisor, supervisor_pin) = STAFF["MCT-HQ"]
    staff = {
        "hq1": ((clerk, clerk_pin), (supervisor, supervisor_pin)),
        "hq2": ((supervisor, supervisor_pin), (supervisor, supervisor_pin)),
        "cafe": STAFF["CAFE-RUWI"],
    }
    desks = {"hq1": hq1, "hq2": hq2, "cafe": cafe}
    for name, desk in desks.items():
        desk.login(*staff[name][0])
        desk.open_shift(FLOAT)
    # Morning: every regular wallet gets a top-up at HQ; the café serves its regulars.
    for account in accounts:
        hq1.top_up(account, 100_000)
    for account in served:
        cafe.top_up(account, 5_000)
    for desk in (hq1, cafe, hq2, hq1):
        sync_until_done(desk)

    tellers = {
        "hq1": Teller(
            hq1,
            rng,
            list(accounts),
            central.open_bills(250, "lease") + central.open_bills(100, "building_permit"),
            central.open_bills(120, "parking", 10_000) + central.open_bills(120, "parking", 5_000),
            *staff["hq1"],
        ),
        "hq2": Teller(
            hq2,
            rng,
            list(accounts),
            central.open_bills(250, "licence") + central.open_bills(100, "building_permit"),
            central.open_bills(200, "parking", 15_000) + central.open_bills(120, "parking", 5_000),
            *staff["hq2"],
        ),
        "cafe": Teller(
            cafe,
            rng,
            list(served),
            [],
            central.open_bills(150, "parking", 10_000),
            *staff["cafe"],
        ),
    }
    for teller in tellers.values():
        # Some customers came by in the morning: their bills were looked up then, and the desk
        # keeps them; the others are looked up when they pay (or cannot be, while offline).
        pool = teller.cash_bills + teller.wallet_bills
        for bill in rng.sample(pool, len(pool) // 4):
            teller.desk.find_bills(BillKind(bill["kind"]), bill["key"])

    events: Counter[str] = Counter()
    starts = {start for start, _ in CUTS}
    ends = {end: n for n, (_, end) in enumerate(CUTS)}
    for i in range(OPERATIONS):
        if i in starts:
            proxy.down = True
            for teller in tellers.values():
                teller.calm = False
            events["network cut"] += 1
        if i in ends:
            proxy.down = False
            for teller in tellers.values():
                teller.calm = True
            events["network restored"] += 1
            if ends[i] == KILL_AT_END_OF_CUT:
                # HQ 2's process dies in the middle of pushing what the cut held back.
                hq2.close()
                _kill_while_pushing(proxy, hq2_data)
                hq2 = reopen(hq2_data)
                tellers["hq2"].resume(hq2)
                desks["hq2"] = hq2
                events["desk killed and restarted"] += 1
            for desk in desks.values():
                desk.sync_once()
        if i == SHIFT_CHANGE_AT:
            tellers["hq1"].change_shift()
            events["shift change"] += 1
        name = rng.choice(list(tellers))
        tellers[name].step()
        events["operations"] += 1
        if rng.random() < 0.04:  # the background worker's rounds
            desks[rng.choice(list(desks))].sync_once()
            events["sync rounds"] += 1

    # Evening: the network is back, every clerk closes the shift, every desk syncs.
    proxy.clear()
    for teller in tellers.values():
        teller.calm = True
        teller.change_shift(reopen=False)
    for desk in (*desks.values(), *desks.values()):
        sync_until_done(desk)

    outboxes = {}
    for name, desk in desks.items():
        outboxes[name] = assert_exactly_once(central, desk)
        assert_nothing_flagged(desk)
        assert_no_orphans(central, desk)
        assert desk.verify_journal()[1] is None
    assert_money_matches(central, list(desks.values()), wallets_before, cash_before)
    paid = _one(cafe, "SELECT COALESCE(SUM(amount + service_charge), 0) FROM transactions"
                " WHERE entry_type = 'bill_paid' AND method = 'office_wallet'"
                " AND voided_by IS NULL")  # fmt: skip
    assert central.balance("owallet:CAFE-RUWI") == office_wallet_before - int(paid)
    days = set()
    for desk in desks.values():
        with desk._reader.connect() as conn:
            found = conn.execute(text("SELECT DISTINCT substr(at, 1, 10) FROM journal"))
            days |= {str(r[0]) for r in found}
    for office, members in (("MCT-HQ", [desks["hq1"], desks["hq2"]]), ("CAFE-RUWI", [cafe])):
        assert _office_totals_at_central(central, office, days) == _office_totals_of_desks(
            members
        ), office
    checked = central.audit()
    assert checked.returncode == 0, checked.stdout
    print("simulated day:", dict(events))
    for name, teller in tellers.items():
        print(f"  {name}: outbox {outboxes[name]}; operations {dict(sorted(teller.done.items()))}")
    print("  network:", dict(sorted(proxy.counts.items())), "central:", checked.stdout.strip())
    for desk in desks.values():
        desk.close()
