"""What the journal cannot vouch for itself: its end, its key, the tables derived from it.

A journal cut at its end, or signed again with a new key pair whose public key replaced the one
in the file, is a valid chain. ``verify-journal`` (a separate process, with the key file's
passphrase) must still fail, naming what is missing or which key does not match; an edited
derived table must be reported too.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from erial_desk.cli import EXIT_JOURNAL_BROKEN, EXIT_OK
from erial_desk.config import DATABASE_FILE
from erial_desk.domain.canonical import parse
from erial_desk.domain.chain import genesis_hash
from erial_desk.domain.errors import JournalStopped
from erial_desk.domain.policy import DENOMINATIONS
from erial_desk.services import Desk
from erial_desk.sync.credentials import PASSPHRASE_VARIABLE
from tests.conftest import make_desk
from tests.store.test_tamper import TRIGGERS, Tampering, run_verify, short_day

PASSPHRASE = "passphrase of the anchor tests"


@pytest.fixture(scope="module", autouse=True)
def key_file_passphrase() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(PASSPHRASE_VARIABLE, PASSPHRASE)
        yield


@pytest.fixture(scope="module")
def closed_day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A day's shift, closed (the close records the journal's end in the key file), then a
    top-up of the next shift that nothing outside the file knows of yet."""
    data_dir = tmp_path_factory.mktemp("closed") / "desk"
    with make_desk(data_dir, keyring="encrypted-file") as desk:
        short_day(desk)
        desk.close_shift(drawer(desk.shift_summary().expected_cash))
        entries = len(list(desk.entries()))
    return data_dir, entries


def drawer(amount: int) -> dict[int, int]:
    counts: dict[int, int] = {}
    for denomination in DENOMINATIONS:
        counts[denomination], amount = divmod(amount, denomination)
    return counts


def tampered(source: tuple[Path, int], tmp_path: Path, tamper: Callable[[Tampering], None]) -> Path:
    data_dir = tmp_path / "desk"
    shutil.copytree(source[0], data_dir)
    conn = sqlite3.connect(data_dir / DATABASE_FILE, isolation_level=None)
    try:
        terminal_id = conn.execute("SELECT terminal_id FROM terminal").fetchone()[0]
        for trigger in (*TRIGGERS, "terminal_no_update"):
            conn.execute(f"DROP TRIGGER {trigger}")
        conn.execute("BEGIN")
        tamper(Tampering(conn, terminal_id, source[1], Ed25519PrivateKey.generate()))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return data_dir


def cut_tail_everywhere(t: Tampering) -> None:
    """Entries from 5 on removed, and every derived row of them: the file is consistent."""
    for table in ("journal", "outbox", "transactions"):
        t.conn.execute(f"DELETE FROM {table} WHERE seq >= 5")  # noqa: S608 - fixed names
    t.conn.execute(
        "UPDATE shifts SET closed_seq = NULL, closed_at = NULL, counted_total = NULL,"
        " expected = NULL, variance = NULL"
    )


def cut_tail_of_journal_only(t: Tampering) -> None:
    t.conn.execute("DELETE FROM journal WHERE seq >= 5")


def sign_again_with_a_new_key(t: Tampering) -> None:
    """Every entry signed again by a new key pair, one amount changed, and the terminal's public
    key replaced by the new one: a chain that verifies on its own."""
    prev = genesis_hash(t.terminal_id)
    for seq in range(1, t.last + 1):
        env = parse(t.row(seq)["body"])  # type: ignore[arg-type]
        env["prev"] = prev
        if env["type"] == "top_up":
            env["payload"]["amount"] = 500
        row = t.signed_row(env)
        t.set(seq, body=row["body"], hash=row["hash"], prev_hash=prev, signature=row["signature"])
        prev = str(row["hash"])
    public = t.forger.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    t.conn.execute("UPDATE terminal SET public_key = ?", (public,))


def lower_a_top_up(t: Tampering) -> None:
    t.conn.execute(
        "UPDATE transactions SET amount = 1000, cash_effect = 1000 WHERE seq ="
        " (SELECT MIN(seq) FROM transactions WHERE entry_type = 'top_up')"
    )


def test_the_closed_day_verifies_with_every_check(closed_day, tmp_path):
    data_dir = tmp_path / "desk"
    shutil.copytree(closed_day[0], data_dir)
    result = run_verify(data_dir)
    assert result.returncode == EXIT_OK, result.stderr
    assert f"journal intact: {closed_day[1]} entries" in result.stdout
    assert "the public key is the key store's" in result.stdout
    assert "the key store" in result.stdout and "the derived tables agree" in result.stdout


def test_a_tail_cut_everywhere_in_the_file_is_named_by_the_key_store(closed_day, tmp_path):
    data_dir = tampered(closed_day, tmp_path, cut_tail_everywhere)
    with Desk.open(data_dir, read_only=True) as desk:
        assert desk.verify_journal() == (4, None)  # the chain alone cannot tell
    result = run_verify(data_dir)
    assert result.returncode == EXIT_JOURNAL_BROKEN, result.stdout + result.stderr
    last = closed_day[1]
    assert f"entries 5 to {last} are missing: the key store records entry {last}" in result.stderr


def test_a_tail_cut_of_the_journal_alone_is_named_by_the_tables(closed_day, tmp_path):
    data_dir = tampered(closed_day, tmp_path, cut_tail_of_journal_only)
    result = run_verify(data_dir)
    assert result.returncode == EXIT_JOURNAL_BROKEN
    assert "missing: the outbox records entry" in result.stderr
    assert "missing: the shifts table records entry" in result.stderr


def test_a_chain_signed_again_with_a_swapped_key_fails(closed_day, tmp_path):
    data_dir = tampered(closed_day, tmp_path, sign_again_with_a_new_key)
    with Desk.open(data_dir, read_only=True) as desk:
        assert desk.verify_journal()[1] is None  # it verifies with the key in the file
    result = run_verify(data_dir)
    assert result.returncode == EXIT_JOURNAL_BROKEN, result.stdout + result.stderr
    assert "not the key of the private key in the key store" in result.stderr
    with Desk.open(data_dir) as desk:  # the counter appends nothing to it
        desk.login("salim", "1111")
        with pytest.raises(JournalStopped) as stopped:
            desk.top_up("100000000008", "1.000")
        assert stopped.value.code == "config.key_mismatch"


def test_an_edited_derived_table_is_reported(closed_day, tmp_path):
    data_dir = tampered(closed_day, tmp_path, lower_a_top_up)
    result = run_verify(data_dir)
    assert result.returncode == EXIT_JOURNAL_BROKEN, result.stdout + result.stderr
    assert "derived table differs: transactions: amount of 3 is 1000" in result.stderr
    assert "5000 by the journal" in result.stderr


def test_rebuild_refuses_a_journal_that_fails_verification(closed_day, tmp_path):
    data_dir = tampered(closed_day, tmp_path, cut_tail_everywhere)
    with Desk.open(data_dir, read_only=True) as desk:
        before = desk.outbox_counts()
    rebuilt = run_verify(data_dir, "rebuild")
    assert rebuilt.returncode == 1
    assert "fails verification" in rebuilt.stderr and "Nothing was rebuilt" in rebuilt.stderr
    with Desk.open(data_dir, read_only=True) as desk:
        assert desk.outbox_counts() == before  # nothing rebuilt


def test_rebuild_repairs_an_edited_table_of_a_sound_journal(closed_day, tmp_path):
    data_dir = tampered(closed_day, tmp_path, lower_a_top_up)
    assert run_verify(data_dir, "rebuild").returncode == EXIT_OK
    assert run_verify(data_dir).returncode == EXIT_OK
