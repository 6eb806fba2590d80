"""A desk killed with SIGKILL in the middle of a push (``erial-desk sync`` in a child process):
before central got the batch, after central applied it but before the desk heard, and at random
moments of a push of several batches. Restarted, it syncs, and every entry is applied exactly
once."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    PASSPHRASE,
    STAFF,
    CentralServer,
    assert_exactly_once,
    assert_money_matches,
    assert_no_orphans,
    assert_nothing_flagged,
    desk_command,
    desk_env,
    enrolled_desk,
    find_bill,
    reopen,
    start_shift,
)
from .fault_proxy import Fault, FaultProxy

SEED = 77


def _sync_process(data: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        desk_command(data, "sync", "--once"),
        env=desk_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _kill(process: subprocess.Popen[str]) -> bool:
    """SIGKILL the child; False when it had ended on its own just before (a race with the
    push's last answer), which only a kill at a random moment can meet."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode in (-signal.SIGKILL, 0), process.communicate()[0]
    return process.returncode == -signal.SIGKILL


def _work(data: Path, rng: random.Random, bills: list[Any], accounts: list[str], n: int) -> None:
    """Reopen the desk (its process was killed) and take ``n`` more payments, offline or not:
    cash top-ups and cash bill payments, with reprints between."""
    from erial_desk.domain.policy import PaymentMethod

    with reopen(data) as desk:
        desk.login(*STAFF["MCT-HQ"][0])
        first = next(desk._journal.signed_entries()).entry_id
        for _ in range(n):
            roll = rng.random()
            if roll < 0.1 and bills:
                desk.pay_bill(bills.pop(), PaymentMethod.CASH)
            elif roll < 0.8:
                desk.top_up(rng.choice(accounts), rng.randrange(1, 30) * 1000)
            else:
                desk.record_reprint(first)


@pytest.fixture
def encrypted_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """The desk's keys in an encrypted key file, which its child processes can open too."""
    monkeypatch.setenv("ERIAL_DESK_KEY_PASSPHRASE", PASSPHRASE)


def _hold_next_push(proxy: FaultProxy, then: str) -> None:
    proxy.held.clear()
    proxy.release.clear()
    proxy.plan("/v1/journal", [Fault("hold", then=then)])


def test_desk_killed_mid_push_then_restarted_applies_everything_once(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path, encrypted_keys: None
):
    rng = random.Random(SEED)
    data = tmp_path / "desk"
    accounts = central.funded_accounts(4, minimum=1_000)
    wallets_before = {a: central.wallet(a) for a in accounts}
    cash_before = {"MCT-HQ": central.balance("cash:MCT-HQ")}
    with start_shift(
        enrolled_desk(central, data, "MCT-HQ", url=proxy.url, keyring="encrypted-file")
    ) as desk:
        bills = [find_bill(desk, b) for b in central.open_bills(150, "lease")]
        terminal_id = desk.terminal_id
    kills: dict[str, int] = {}

    # 1. Killed while its first batch waits at the proxy: central never gets it.
    _work(data, rng, bills, accounts, 1100)  # three batches
    _hold_next_push(proxy, "drop_request")
    process = _sync_process(data)
    assert proxy.held.wait(timeout=120), process.communicate()[0]
    assert _kill(process)
    proxy.release.set()
    kills["before central had the batch"] = 1
    assert central.entries_of(terminal_id) == []

    # 2. Killed after central applied the batch but before the answer reached the desk.
    _hold_next_push(proxy, "drop_response")
    process = _sync_process(data)
    assert proxy.held.wait(timeout=120), process.communicate()[0]
    assert _kill(process)
    proxy.release.set()
    kills["after central applied the batch"] = 1
    assert eventually_applied(central, terminal_id, 500)

    # 3. Killed at a random moment once its push has begun (sending a batch, waiting for the
    # answer, recording it, or the next batch), working in between.
    moments = []
    for _ in range(8):
        if len(moments) == 4:
            break
        _work(data, rng, bills, accounts, 450)  # three batches: a push of some length
        _hold_next_push(proxy, "pass")
        process = _sync_process(data)
        assert proxy.held.wait(timeout=120), process.communicate()[0]
        moment = rng.uniform(0.0, 0.1)  # central applies a batch in well under a tenth
        proxy.release.set()
        time.sleep(moment)
        if process.poll() is None and _kill(process):
            moments.append(round(moment, 3))
        else:
            process.communicate()  # it finished first
    kills["at a random moment of the push"] = len(moments)

    # Restarted, with nothing in the way: one round syncs everything.
    done = subprocess.run(
        desk_command(data, "sync", "--once"),
        env=desk_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Online. Waiting to be sent: 0;" in done.stdout
    checked = subprocess.run(
        desk_command(data, "verify-journal"), env=desk_env(), capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    with reopen(data) as desk:
        desk.sync_once()  # learn the balances
        counts = assert_exactly_once(central, desk)
        assert_nothing_flagged(desk)
        assert_no_orphans(central, desk)
        assert_money_matches(central, [desk], wallets_before, cash_before)
        print("kill mid-push:", {"kills": kills, "moments (s)": moments, "outbox": counts})
    assert kills["at a random moment of the push"] >= 2


def eventually_applied(central: CentralServer, terminal_id: str, count: int) -> bool:
    """Central has applied the held batch (the proxy forwards it once released)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(central.entries_of(terminal_id)) >= count:
            return True
        time.sleep(0.05)
    return False


def test_reopened_after_a_kill_the_desk_itself_resumes(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path, encrypted_keys: None
):
    """The in-process desk whose sync child was killed reopens and syncs on its own."""
    data = tmp_path / "desk"
    desk = start_shift(
        enrolled_desk(central, data, "MCT-BWR", url=proxy.url, keyring="encrypted-file")
    )
    for _ in range(40):
        desk.record_reprint(next(desk._journal.signed_entries()).entry_id)
    desk.close()
    proxy.held.clear()
    proxy.release.clear()
    proxy.plan("/v1/journal", [Fault("hold", then="drop_response")])
    process = _sync_process(data)
    assert proxy.held.wait(timeout=120), process.communicate()[0]
    assert _kill(process)
    proxy.release.set()
    assert eventually_applied(central, desk.terminal_id, 41)
    with reopen(data) as desk:
        assert desk.sync_status().waiting == 41
        status = desk.sync_once()
        assert status.waiting == 0 and status.online
        assert desk.outbox_counts() == {"duplicate": 41}
        assert_exactly_once(central, desk)
