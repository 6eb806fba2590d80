"""Enrolment, the first pull, the status the UI shows, the background worker and revocation,
against a real central on loopback."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from erial_desk import cli
from erial_desk.domain.central import Bill
from erial_desk.domain.errors import CentralError, ConfigError
from erial_desk.domain.policy import BillKind, PaymentMethod
from erial_desk.services import Desk, sync_service
from erial_desk.sync.credentials import KeyStore

from .conftest import (
    PASSPHRASE,
    SEED_SUBSCRIBERS,
    CentralServer,
    enrolled_desk,
    reopen,
    start_shift,
)
from .fault_proxy import FaultProxy


def _files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()]


def _find_bill(desk: Desk, central: CentralServer) -> Bill:
    (bill,) = central.open_bills(1)
    found = desk.find_bills(BillKind(bill["kind"]), bill["key"])
    (target,) = [b for b in found if b.bill_id == bill["bill_id"]]
    return target


def _pay_cash(desk: Desk, central: CentralServer) -> str:
    return desk.pay_bill(_find_bill(desk, central), PaymentMethod.CASH).entry_id


def test_enrol_registers_the_key_made_by_init_and_keeps_the_token_out_of_files(
    central: CentralServer, tmp_path: Path
):
    data = tmp_path / "desk"
    code = central.enrolment_code("MCT-HQ")
    terminal_id = Desk.init_for_central(
        data, office_id="MCT-HQ", central_url=central.base_url, keyring="memory"
    )
    with Desk.enroll(data, central.base_url, code) as desk:
        assert desk.terminal_id == terminal_id
        (public_key,) = central.query(
            "SELECT public_key FROM terminals WHERE terminal_id = :t", t=terminal_id
        )[0]
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        assert bytes(public_key) == desk.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        token = KeyStore.open("memory", data).token(terminal_id)
        assert token and token.startswith("et_")
        status = desk.sync_status()
        assert (status.enrolled, status.online, status.waiting, status.revoked) == (
            True,
            True,
            0,
            False,
        )
        assert status.last_sync is not None and status.last_error is None
        # The first pull at an internal office brought the whole directory and the operators.
        desk.login("salim", "1111")
        assert desk.find_subscribers("البلوشي", limit=5), "found offline, in the local directory"
        with desk._reader.connect() as conn:
            from sqlalchemy import text

            count = conn.execute(text("SELECT COUNT(*) FROM subscribers")).scalar()
            operators = {r[0] for r in conn.execute(text("SELECT operator_id FROM operators"))}
        assert count == SEED_SUBSCRIBERS
        assert operators == {"salim", "aisha"}
    for path in _files_under(data):
        assert token.encode() not in path.read_bytes(), f"the API token is in {path}"
    # The code was for one terminal only.
    other = tmp_path / "other"
    Desk.init_for_central(other, office_id="MCT-HQ", central_url=central.base_url, keyring="memory")
    with pytest.raises(CentralError):
        Desk.enroll(other, central.base_url, code)


def test_enrol_at_another_office_than_init_said_is_refused(central: CentralServer, tmp_path: Path):
    code = central.enrolment_code("MCT-BWR")
    Desk.init_for_central(
        tmp_path / "d", office_id="MCT-HQ", central_url=central.base_url, keyring="memory"
    )
    with pytest.raises(ConfigError) as err:
        Desk.enroll(tmp_path / "d", central.base_url, code)
    assert err.value.code == "sync.wrong_office"


def test_cli_init_enroll_sync_and_status(
    central: CentralServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    monkeypatch.setenv("ERIAL_DESK_KEY_PASSPHRASE", PASSPHRASE)
    data = str(tmp_path / "desk")
    base = ["--data-dir", data, "--lang", "en"]
    assert cli.main([*base, "init", "--office", "MCT-BWR", "--keyring", "encrypted-file",
                     "--central", central.base_url]) == 0  # fmt: skip
    code = central.enrolment_code("MCT-BWR")
    assert cli.main([*base, "enroll", "--server", central.base_url, "--code", code]) == 0
    out = capsys.readouterr().out
    assert "enrolled at MCT-BWR" in out and "Online. Waiting to be sent: 0;" in out
    with reopen(Path(data)) as desk:
        start_shift(desk)
        _pay_cash(desk, central)
        token = KeyStore.open("encrypted-file", Path(data)).token(desk.terminal_id)
    assert cli.main([*base, "status"]) == 0
    assert "Waiting to be sent: 2;" in capsys.readouterr().out
    assert cli.main([*base, "sync"]) == 0
    assert re.search(r"^Online. Waiting to be sent: 0; flagged by central: 0; rejected: 0."
                     r" Last sync: 20", capsys.readouterr().out, re.M)  # fmt: skip
    assert cli.main([*base, "sync", "--once"]) == 0  # older scripts' flag: the same one round
    assert token is not None
    for path in _files_under(Path(data)):
        assert token.encode() not in path.read_bytes(), f"the API token is in {path}"


def test_first_pull_is_paged_compressed_resumable_and_reports_progress(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(sync_service, "FEED_PAGE", 60)
    # The connection is cut while the third page comes back, and stays cut for every retry.
    proxy.plan("/v1/feed", ["pass", "pass"] + ["drop_response"] * 4)
    desk = enrolled_desk(central, tmp_path / "desk", "MCT-HQ", url=proxy.url)
    with desk:
        status = desk.sync_status()
        assert status.last_error == "central.unreachable" and not status.online
        conn = desk._journal.raw_connection()
        cursor = int(conn.execute("SELECT value FROM sync_state WHERE key = 'feed_cursor'")
                     .fetchone()[0])  # fmt: skip
        held = conn.execute("SELECT COUNT(*) FROM subscribers").fetchone()[0]
        assert cursor > 0 and 0 < held < SEED_SUBSCRIBERS
        seen: list[sync_service.SyncProgress] = []
        status = desk.sync_once(seen.append)
        assert status.online and status.last_error is None
        assert conn.execute("SELECT COUNT(*) FROM subscribers").fetchone()[0] == SEED_SUBSCRIBERS
    feed = proxy.requests_to("/v1/feed")
    resumed = [s for s in feed if s.status == 200 and f"cursor={cursor}&" in s.path]
    assert resumed, "the pull after the cut did not resume from the committed cursor"
    answered = [s for s in feed if s.status == 200]
    # Full pages travel compressed (the last, short one may be too small to bother).
    assert all(s.content_encoding == "gzip" for s in answered[:-1]) and len(answered) > 3
    assert len(seen) >= 3, "each page reports progress"
    assert [p.changes for p in seen] == sorted(p.changes for p in seen)
    assert seen[-1].cursor == seen[-1].newest


def test_status_offline_then_back_online(central: CentralServer, proxy: FaultProxy, tmp_path: Path):
    with enrolled_desk(central, tmp_path / "desk", url=proxy.url) as desk:
        start_shift(desk)
        before = desk.sync_once()
        bill = _find_bill(desk, central)
        proxy.down = True
        entry = desk.pay_bill(bill, PaymentMethod.CASH).entry_id
        status = desk.sync_once()
        assert not status.online and status.waiting == 1
        assert status.last_error == "central.unreachable"
        assert status.last_sync == before.last_sync
        proxy.down = False
        status = desk.sync_once()
        assert status.online and status.waiting == 0 and status.last_error is None
        assert status.last_sync is not None and status.last_sync > (before.last_sync or "")
        assert desk.outbox_counts() == {"applied": 2}
        assert [r[1] for r in central.entries_of(desk.terminal_id)][-1] == entry


def test_background_worker_pushes_after_each_transaction(central: CentralServer, tmp_path: Path):
    with enrolled_desk(central, tmp_path / "desk") as desk:
        start_shift(desk)
        desk.start_sync(interval=30)  # only the wake-up after a commit can push in time
        try:
            entry = _pay_cash(desk, central)
            deadline = time.monotonic() + 30
            while desk.sync_status().waiting and time.monotonic() < deadline:
                time.sleep(0.05)
            assert desk.sync_status().waiting == 0
            assert entry in {r[1] for r in central.entries_of(desk.terminal_id)}
        finally:
            desk.stop_sync()


def test_revoked_terminal_stops_syncing_keeps_its_journal_and_says_so(
    central: CentralServer, tmp_path: Path, capsys
):
    data = tmp_path / "desk"
    with enrolled_desk(central, data, "MCT-BWR") as desk:
        start_shift(desk)
        desk.sync_once()
        central.revoke(desk.terminal_id)
        for bill in central.open_bills(2):
            # Cash payments never need central: the bill as the clerk found it earlier.
            found = Bill(bill["bill_id"], BillKind(bill["kind"]), bill["bill_id"], bill["key"],
                         "", "", bill["amount"], "open")  # fmt: skip
            desk.pay_bill(found, PaymentMethod.CASH)
        status = desk.sync_once()
        assert status.revoked and status.last_error == "sync.revoked"
        assert status.waiting == 2
        desk.start_sync(interval=0.05)
        assert desk._sync._sync_thread is not None
        desk._sync._sync_thread.join(timeout=30)
        assert not desk._sync._sync_thread.is_alive(), "a revoked terminal's worker stops"
        desk.stop_sync()
        assert desk.verify_journal() == (3, None)
        assert len(central.entries_of(desk.terminal_id)) == 1  # the shift, pushed before
    # Reopened, it still works from what it kept, and still says so.
    with reopen(data) as desk:
        assert desk.sync_status().revoked
        assert desk.outbox_counts() == {"applied": 1, "pending": 2}
    assert cli.main(["--data-dir", str(data), "--lang", "en", "status"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Access revoked by central. Waiting to be sent: 2;")
    assert "Last problem: Central revoked this terminal's access." in out
    assert "sync.revoked" not in out
