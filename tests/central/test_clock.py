"""Central's times come from the clock it is given: pushes, online debits and their reversal
are stamped from a ``ManualClock`` that only moves when the test moves it.

The server runs in this process (uvicorn in a thread) because the clock is an object handed to
``create_app``; the database is seeded by ``erial-central seed-demo`` like every other module's.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from erial_central.api import create_app
from erial_central.reconcile import reconcile
from erial_desk.domain.clock import ManualClock

from .conftest import BILL_PREFIX, Backend, seed
from .terminal_sim import TerminalSim

START = "2026-05-03T06:00:00.000000Z"


class InProcessCentral:
    def __init__(self, database: str, secrets_file: Path, clock: ManualClock) -> None:
        self.database = database
        self.admin_token = seed(database, secrets_file)
        app = create_app(database, secrets_file, migrate=False, clock=clock)
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, access_log=False)
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started and self.thread.is_alive():
            threading.Event().wait(0.01)
        assert self.server.started, "the server did not start"
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self.engine = create_engine(database, poolclass=NullPool)

    def scalar(self, sql: str, **params: object) -> object:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar_one()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join()
        self.engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def central(backend: Backend, clock: ManualClock, tmp_path: Path) -> Iterator[InProcessCentral]:
    made = InProcessCentral(backend.new_database("clock"), tmp_path / "secrets.json", clock)
    yield made
    made.stop()


def test_a_push_is_received_at_the_clocks_time(
    central: InProcessCentral, clock: ManualClock, tmp_path: Path
):
    hq = TerminalSim(central.base_url, central.admin_token, "MCT-HQ", tmp_path / "desks")
    account = hq.register()
    clock.advance(timedelta(hours=2, minutes=5))
    top_up = hq.top_up(account, 5_000)
    assert {r["status"] for r in hq.sync().values()} == {"applied"}
    received = central.scalar(
        "SELECT received_at FROM entries WHERE entry_id = :e", e=top_up.entry_id
    )
    assert received == "2026-05-03T08:05:00.000000Z"
    balance_at = central.scalar(
        "SELECT data FROM changes WHERE kind = 'balance' AND key = :a ORDER BY seq DESC LIMIT 1",
        a=account,
    )
    assert json.loads(str(balance_at))["at"] == "2026-05-03T08:05:00.000000Z"
    hq.close()


def test_an_online_debit_and_its_reversal_are_stamped_by_the_clock(
    central: InProcessCentral, clock: ManualClock, tmp_path: Path
):
    hq = TerminalSim(central.base_url, central.admin_token, "MCT-HQ", tmp_path / "desks")
    account = hq.register()
    hq.top_up(account, 50_000)
    hq.sync()
    reference = f"{BILL_PREFIX['parking']}300000"
    bill = next(b for b in hq.get("/v1/bills", key=reference).json()["bills"])
    clock.advance(timedelta(minutes=30))
    answer = hq.debit_bill(bill, account)
    assert answer.status_code == 200, answer.text
    entry_id = json.loads(answer.request.body or b"{}")["entry_id"]
    assert central.scalar("SELECT at FROM authorisations WHERE entry_id = :e", e=entry_id) == (
        "2026-05-03T06:30:00.000000Z"
    )
    assert central.scalar("SELECT paid_at FROM bills WHERE bill_id = :b", b=bill["bill_id"]) == (
        "2026-05-03T06:30:00.000000Z"
    )
    # No entry ever confirms it: past the policy's delay, by the same clock, it is reversed.
    clock.advance(timedelta(days=3))
    assert entry_id in reconcile(central.engine, clock.now())
    assert central.scalar(
        "SELECT cancelled_at FROM authorisations WHERE entry_id = :e", e=entry_id
    ) == ("2026-05-06T06:30:00.000000Z")
    hq.close()
