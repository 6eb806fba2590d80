"""Shift figures come from the journal: an edited derived table cannot lower the expected cash."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from erial_desk.config import DATABASE_FILE
from erial_desk.domain.errors import IntegrityError, JournalStopped
from erial_desk.domain.policy import DENOMINATIONS
from erial_desk.services import Desk, RegistrationForm
from tests.conftest import DEMO_PINS, make_desk

FLOAT = {20000: 2, 1000: 5, 500: 2}  # 46.000


def drawer(amount: int) -> dict[int, int]:
    counts: dict[int, int] = {}
    for denomination in DENOMINATIONS:
        counts[denomination], amount = divmod(amount, denomination)
    return counts


def lower_first_top_up(data_dir: Path, amount: int = 1000) -> None:
    """What an attacker with the file does: the top-up's amount and cash in the derived table."""
    conn = sqlite3.connect(data_dir / DATABASE_FILE, isolation_level=None)
    try:
        conn.execute(
            "UPDATE transactions SET amount = ?, cash_effect = ? WHERE seq ="
            " (SELECT MIN(seq) FROM transactions WHERE entry_type = 'top_up')",
            (amount, amount),
        )
    finally:
        conn.close()


@pytest.fixture
def day(tmp_path: Path) -> tuple[Path, str]:
    """A shift with two top-ups (30.000 and 12.500), left open; the desk closed."""
    data_dir = tmp_path / "desk"
    with make_desk(data_dir) as desk:
        desk.login("salim", DEMO_PINS["salim"])
        desk.open_shift(FLOAT)
        form = RegistrationForm(
            "individual", "أحمد بن سالم البلوشي", "Ahmed Al Balushi", "91234567", "12345678"
        )
        account = desk.register_subscriber(form, "4321").account
        assert account is not None
        desk.top_up(account, "30.000")
        desk.top_up(account, "12.500")
        assert desk.shift_summary().expected_cash == 88_500
    return data_dir, account


def test_close_refuses_when_a_top_up_was_edited_in_the_table(day):
    data_dir, _ = day
    with Desk.open(data_dir) as desk:
        desk.login("salim", DEMO_PINS["salim"])
        lower_first_top_up(data_dir)  # while the desk is open: the open-time check passed
        assert desk.shift_summary().expected_cash == 59_500  # what the table now says
        with pytest.raises(JournalStopped) as refused:
            desk.close_shift(drawer(59_500))
        assert refused.value.code == "shift.figures_differ"
        english = refused.value.message("en")
        assert "expected cash: journal 88.500 OMR, database 59.500 OMR" in english
        assert "erial-desk rebuild" in english
        assert "النقد المتوقع" in refused.value.message("ar")
        assert desk.shift_summary().closed_at is None  # nothing was recorded
        report = desk.check_journal()
        assert not report.intact
        assert any("transactions: amount of" in p and "30000" in p for p in report.problems)


def test_a_desk_opened_on_edited_tables_takes_no_money_until_rebuilt(day):
    data_dir, account = day
    lower_first_top_up(data_dir)
    with Desk.open(data_dir) as desk:
        desk.login("salim", DEMO_PINS["salim"])
        with pytest.raises(JournalStopped) as refused:
            desk.top_up(account, "1.000")
        assert refused.value.code == "shift.figures_differ"
        assert desk.rebuild() == 4
    with Desk.open(data_dir) as desk:
        desk.login("salim", DEMO_PINS["salim"])
        assert desk._journal.stopped is None
        summary = desk.close_shift(drawer(88_500))
        assert summary.expected_cash == 88_500 and summary.variance == 0
        assert desk.check_journal().intact


def test_rebuild_refuses_an_edited_journal(day):
    data_dir, _ = day
    conn = sqlite3.connect(data_dir / DATABASE_FILE, isolation_level=None)
    try:
        conn.execute("DROP TRIGGER journal_no_update")
        body = conn.execute("SELECT body FROM journal WHERE seq = 3").fetchone()[0]
        conn.execute(
            "UPDATE journal SET body = ? WHERE seq = 3", (bytes(body).replace(b"30000", b"3000"),)
        )
    finally:
        conn.close()
    with Desk.open(data_dir, read_only=True) as desk:
        with pytest.raises(IntegrityError) as refused:
            desk.rebuild()
        assert refused.value.code == "journal.unverified"
        assert "entry 3" in refused.value.message("en")
