"""Network faults between desk and central: whatever the fault proxy does to the requests (drop
them, drop the answer after central applied them, send them twice, delay them, reset the
connection, restart central in the middle of a batch), every journal entry ends up applied at
central exactly once, and the balances there match the desks' journals."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from erial_desk.services import Desk, sync_service

from .conftest import (
    STAFF,
    CentralServer,
    Teller,
    assert_exactly_once,
    assert_money_matches,
    assert_no_orphans,
    assert_nothing_flagged,
    enrolled_desk,
    start_shift,
    sync_until_done,
)
from .fault_proxy import Fault, FaultProxy

SEED = 20261128


def _teller(
    central: CentralServer, desk: Desk, rng: random.Random, accounts: list[str], bills: int
) -> Teller:
    office = desk.office.office_id
    return Teller(
        desk,
        rng,
        accounts,
        central.open_bills(bills, "licence") if office.startswith("MCT") else [],
        central.open_bills(bills // 2, "parking", rng.choice((5_000, 10_000, 15_000))),
        *STAFF[office],
    )


def _prepare(desk: Desk, teller: Teller) -> None:
    """While central answers: look every bill up once (the desk keeps them for offline use)."""
    from erial_desk.domain.policy import BillKind

    for bill in teller.cash_bills + teller.wallet_bills:
        desk.find_bills(BillKind(bill["kind"]), bill["key"])


FAULTS = [
    "drop_request",
    "drop_response",
    "duplicate",
    "delay",
    "reset",
    "reset_after",
    "error",
    "restart",
]


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_on_the_push_leaves_every_entry_applied_once(
    central: CentralServer,
    proxy: FaultProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
):
    monkeypatch.setattr(sync_service, "PUSH_BATCH", 25)
    rng = random.Random(f"{SEED}-{fault}")
    accounts = central.funded_accounts(3, minimum=50_000)
    wallets_before = {a: central.wallet(a) for a in accounts}
    cash_before = {"MCT-HQ": central.balance("cash:MCT-HQ")}
    with start_shift(enrolled_desk(central, tmp_path / "desk", url=proxy.url)) as desk:
        teller = _teller(central, desk, rng, accounts, 12)
        _prepare(desk, teller)
        proxy.down = True  # a backlog made offline: several batches to push
        teller.calm = False
        while len(list(desk._journal.signed_entries())) < 90:
            teller.step()
        proxy.down = False
        # The fault hits the second and the fourth batch; the first and third go through.
        hit = Fault(fault, delay=rng.uniform(0.0, 0.05) if fault == "restart" else 0.5)
        proxy.plan("/v1/journal", ["pass", hit, "pass", hit])
        sync_until_done(desk)
        assert proxy.pending("/v1/journal") == 0
        assert proxy.counts[fault] == 2
        assert_exactly_once(central, desk)
        assert_nothing_flagged(desk)
        assert_no_orphans(central, desk)
        assert_money_matches(central, [desk], wallets_before, cash_before)


def test_a_storm_of_faults_loses_and_doubles_nothing(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Two desks at two offices work through random faults on every request, and central is
    killed and restarted twice while a batch is in flight."""
    monkeypatch.setattr(sync_service, "PUSH_BATCH", 40)
    rng = random.Random(SEED)
    accounts = central.funded_accounts(10, minimum=60_000)
    wallets_before = {a: central.wallet(a) for a in accounts}
    cash_before = {o: central.balance(f"cash:{o}") for o in ("MCT-BWR", "CAFE-RUWI")}
    restarts_before = central.restarts
    with (
        start_shift(enrolled_desk(central, tmp_path / "bwr", "MCT-BWR", url=proxy.url)) as bwr,
        start_shift(enrolled_desk(central, tmp_path / "cafe", "CAFE-RUWI", url=proxy.url)) as cafe,
    ):
        # The café holds only subscribers it has served: it serves its customers first.
        for account in accounts[:5]:
            cafe.top_up(account, 1_000)
        tellers = [
            _teller(central, bwr, rng, accounts, 60),
            _teller(central, cafe, rng, accounts[:5], 60),
        ]
        for desk, teller in zip((bwr, cafe), tellers, strict=True):
            sync_until_done(desk)
            _prepare(desk, teller)
            teller.calm = False
        weights = {
            "pass": 46,
            "drop_request": 8,
            "drop_response": 9,
            "duplicate": 9,
            "delay": 6,
            "reset": 8,
            "reset_after": 9,
            "error": 5,
        }
        proxy.randomise("/v1/", random.Random(SEED + 1), weights, delay=0.2)
        restart_at = {8, 17}
        rounds = 24
        for round_no in range(rounds):
            if round_no in restart_at:
                # Central is killed while it holds the next batch, then comes back.
                proxy.plan("/v1/journal", [Fault("restart", delay=rng.uniform(0.0, 0.08))])
            for _ in range(12):
                teller = rng.choice(tellers)
                teller.step()
            for desk in (bwr, cafe):
                desk.sync_once()  # records what went wrong; never raises
        proxy.clear()
        for desk in (bwr, cafe, bwr):
            sync_until_done(desk)
        report: dict[str, Any] = {
            "faults": dict(sorted(proxy.counts.items())),
            "requests": len(proxy.seen),
            "forwarded": proxy.forwarded,
            "central_restarts": central.restarts - restarts_before,
        }
        for name, desk, teller in (("MCT-BWR", bwr, tellers[0]), ("CAFE-RUWI", cafe, tellers[1])):
            counts = assert_exactly_once(central, desk)
            assert_nothing_flagged(desk)
            assert_no_orphans(central, desk)
            report[name] = {
                "entries": sum(counts.values()),
                "outbox": counts,
                "operations": dict(sorted(teller.done.items())),
            }
        assert_money_matches(central, [bwr, cafe], wallets_before, cash_before)
        print("fault storm:", report)
        assert central.restarts - restarts_before == proxy.counts["restart"] == 2
        for kind in weights:
            assert proxy.counts[kind] > 0, kind
    checked = central.audit()
    assert checked.returncode == 0, checked.stdout
