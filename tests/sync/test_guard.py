"""The desk against a real central: enrolment that cannot strand a terminal, and a journal whose
end is checked against central's.

A lost ``-wal`` file (the database copied without it, as a crash and a careless clean-up leave
it) takes entries central already holds: the desk must not reuse their sequence numbers. It
stops taking money, says why and whom to call, and keeps refusing after a restart.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import requests

from erial_desk import cli
from erial_desk.config import DATABASE_FILE
from erial_desk.domain.errors import CentralError, ConfigError, JournalStopped
from erial_desk.services import Desk
from erial_desk.sync.credentials import SERVICE
from tests.keystore import MemoryKeyring

from .conftest import CentralServer, enrolled_desk, reopen, start_shift, sync_until_done


def _forget(terminal_id: str, what: str) -> str | None:
    """Take a secret out of the tests' key store (as a key store that lost it would)."""
    return MemoryKeyring._secrets.pop((SERVICE, f"terminal/{terminal_id}/{what}"), None)


def _code_used_by(central: CentralServer, code: str) -> object:
    from erial_central.admin import token_hash

    rows = central.query(
        "SELECT terminal_id FROM terminals WHERE enrolment_code_hash = :h", h=token_hash(code)
    )
    return rows[0][0]


def _new_terminal(central: CentralServer, data: Path) -> tuple[str, str]:
    """A terminal made by init for central, and an enrolment code for it."""
    code = central.enrolment_code("MCT-HQ")
    terminal_id = Desk.init_for_central(
        data, office_id="MCT-HQ", central_url=central.base_url, keyring="memory"
    )
    return terminal_id, code


def test_enroll_checks_the_key_store_before_spending_the_code(
    central: CentralServer, tmp_path: Path
):
    data = tmp_path / "desk"
    terminal_id, code = _new_terminal(central, data)
    key = _forget(terminal_id, "signing-key")
    assert key is not None
    with pytest.raises(ConfigError) as refused:
        Desk.enroll(data, central.base_url, code)
    assert refused.value.code == "config.key_missing"
    assert _code_used_by(central, code) is None, "the code is still unused"
    MemoryKeyring._secrets[(SERVICE, f"terminal/{terminal_id}/signing-key")] = key
    with Desk.enroll(data, central.base_url, code) as desk:
        assert desk.sync_status().enrolled
    assert _code_used_by(central, code) == terminal_id


def test_enrolling_again_with_the_same_key_gives_a_fresh_token(
    central: CentralServer, tmp_path: Path
):
    data = tmp_path / "desk"
    terminal_id, code = _new_terminal(central, data)
    Desk.enroll(data, central.base_url, code).close()
    first = _forget(terminal_id, "api-token")  # the token never reached the key store
    with Desk.enroll(data, central.base_url, code) as desk:
        assert desk.sync_status().online
    second = MemoryKeyring._secrets[(SERVICE, f"terminal/{terminal_id}/api-token")]
    assert second != first
    old = requests.get(
        f"{central.base_url}/v1/terminal", headers={"Authorization": f"Bearer {first}"}, timeout=30
    )
    assert old.status_code == 401  # only the newest token works
    # Another terminal, or another key, with the same code: refused.
    other = tmp_path / "other"
    Desk.init_for_central(other, office_id="MCT-HQ", central_url=central.base_url, keyring="memory")
    with pytest.raises(CentralError):
        Desk.enroll(other, central.base_url, code)


def test_verify_journal_compares_key_and_end_with_central(central: CentralServer, tmp_path: Path):
    data = tmp_path / "desk"
    with start_shift(enrolled_desk(central, data)) as desk:
        account = central.funded_accounts(1)[0]
        for amount in (5000, 7000, 9000):
            desk.top_up(account, amount)
        sync_until_done(desk)
        report = desk.check_journal()
        assert report.intact, report.problems
        assert "central" in " ".join(report.passed)
        terminal_id = desk.terminal_id
        last = desk._journal.last()[0]
    # Cut the journal's last two entries and everything derived from them.
    conn = sqlite3.connect(data / DATABASE_FILE, isolation_level=None)
    try:
        conn.execute("DROP TRIGGER journal_no_delete")
        for table in ("journal", "outbox", "transactions"):
            conn.execute(f"DELETE FROM {table} WHERE seq > ?", (last - 2,))  # noqa: S608
    finally:
        conn.close()
    _forget(terminal_id, "journal-anchor")  # and the key store's record of the end
    with Desk.open(data, read_only=True) as desk:
        report = desk.check_journal()
    assert not report.intact
    missing = f"entries {last - 1} to {last} are missing: central records entry {last}"
    assert any(missing in problem for problem in report.problems), report.problems


def test_a_lost_wal_after_a_push_stops_the_desk_taking_money(
    central: CentralServer, tmp_path: Path, capsys
):
    data = tmp_path / "desk"
    desk = start_shift(enrolled_desk(central, data))
    account = central.funded_accounts(1)[0]
    desk.top_up(account, 4000)
    sync_until_done(desk)
    raw = desk._journal.raw_connection()
    with desk._journal.lock:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # The file as a crash leaves it with its -wal deleted: everything after this checkpoint lost.
    lost = tmp_path / "lost"
    lost.mkdir()
    shutil.copyfile(data / DATABASE_FILE, lost / DATABASE_FILE)
    for amount in (6000, 8000):
        desk.top_up(account, amount)
    sync_until_done(desk)  # central now holds entries the copy has not
    central_last = desk._journal.last()[0]
    terminal_id = desk.terminal_id
    desk.close()
    shutil.copyfile(lost / DATABASE_FILE, data / DATABASE_FILE)
    for suffix in ("-wal", "-shm"):
        (data / f"{DATABASE_FILE}{suffix}").unlink(missing_ok=True)

    with reopen(data) as desk:  # the key store's record of the end already tells
        desk.login("salim", "1111")
        with pytest.raises(JournalStopped) as stopped:
            desk.top_up(account, 1000)
        assert stopped.value.code == "journal.behind_anchor"

    # Without that record, the next sync finds central ahead.
    _forget(terminal_id, "journal-anchor")
    with reopen(data) as desk:
        desk.login("salim", "1111")
        status = desk.sync_once()
        assert status.last_error == "journal.central_ahead"
        with pytest.raises(JournalStopped) as stopped:
            desk.top_up(account, 1000)
        message = stopped.value.message("en")
        assert f"central already holds entry {central_last}" in message
        assert "e-Rial support" in message and "IT" in message
        assert "الريال الإلكتروني" in stopped.value.message("ar")
        journal_last = desk._journal.last()[0]
    assert journal_last < central_last

    # A restart keeps refusing, before any sync; the status command says why.
    with reopen(data) as desk:
        desk.login("salim", "1111")
        with pytest.raises(JournalStopped):
            desk.top_up(account, 1000)
    capsys.readouterr()
    assert cli.main(["--data-dir", str(data), "--lang", "en", "status"]) == cli.EXIT_JOURNAL_BROKEN
    assert "stopped taking money" in capsys.readouterr().err
    entries = central.entries_of(terminal_id)
    assert len(entries) == central_last and not [e for e in entries if e[4] == "rejected"]
