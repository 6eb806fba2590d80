"""Raw edits of the SQLite file, past the append-only triggers, are found by ``verify-journal``.

Each case copies a sealed data directory, opens its database with plain ``sqlite3``, drops the
triggers as an attacker with file access would, tampers with the journal, and runs the command
line as a separate process: it must exit 3 and name the first broken entry.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from erial_desk.cli import EXIT_JOURNAL_BROKEN, EXIT_OK
from erial_desk.config import DATABASE_FILE
from erial_desk.domain.canonical import parse
from erial_desk.domain.chain import build_envelope, encode_envelope
from erial_desk.services import Desk, RegistrationForm
from erial_desk.store.engine import connect_raw
from erial_desk.store.journal import Journal, new_entry_id
from erial_desk.sync.credentials import PASSPHRASE_VARIABLE
from tests.conftest import make_desk

REPO = Path(__file__).resolve().parents[2]
TRIGGERS = ("journal_no_update", "journal_no_delete", "journal_gapless")
COLUMNS = "seq, entry_id, entry_type, at, operator, body, hash, prev_hash, signature"


def run_verify(data_dir: Path, command: str = "verify-journal") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "erial_desk.cli", "--data-dir", str(data_dir), command],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )


PASSPHRASE = "passphrase of the tamper tests"


@pytest.fixture(scope="module", autouse=True)
def key_file_passphrase() -> Iterator[None]:
    """The sealed directory keeps its key in an encrypted key file, which ``verify-journal``
    (a separate process here) opens to check the public key against the private key."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(PASSPHRASE_VARIABLE, PASSPHRASE)
        yield


def short_day(desk: Desk) -> None:
    """A shift opened, a subscriber registered, four top-ups: six entries."""
    desk.login("salim", "1111")
    desk.open_shift({20000: 2, 1000: 5, 500: 2})
    form = RegistrationForm(
        kind="individual",
        name_ar="سالم بن خميس الحارثي",
        name_en="Salim Khamis Al Harthy",
        mobile="91234567",
        civil_number="23456789",
    )
    account = desk.register_subscriber(form, "4321").account
    assert account is not None
    for amount in ("5.000", "12.250", "1.500", "30.000"):
        desk.top_up(account, amount)


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A closed data directory with a short counter day in its journal."""
    data_dir = tmp_path_factory.mktemp("sealed") / "desk"
    desk = make_desk(data_dir, keyring="encrypted-file")
    try:
        short_day(desk)
        entries = len(list(desk.entries()))
        assert desk.verify_journal() == (entries, None)
    finally:
        desk.close()
    return data_dir, entries


@dataclass
class Tampering:
    conn: sqlite3.Connection
    terminal_id: str
    last: int
    forger: Ed25519PrivateKey

    def row(self, seq: int) -> dict[str, object]:
        cursor = self.conn.execute(f"SELECT {COLUMNS} FROM journal WHERE seq = ?", (seq,))
        names = [d[0] for d in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))

    def set(self, where: int, /, **columns: object) -> None:
        """Overwrite columns of the entry now numbered ``where``."""
        assignments = ", ".join(f"{name} = ?" for name in columns)
        self.conn.execute(
            f"UPDATE journal SET {assignments} WHERE seq = ?", (*columns.values(), where)
        )

    def insert(self, row: dict[str, object]) -> None:
        self.conn.execute(
            f"INSERT INTO journal ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [row[name] for name in COLUMNS.split(", ")],
        )

    def forge(self, seq: int, prev: str, payload: dict[str, object]) -> dict[str, object]:
        """A well-formed, correctly chained entry signed by the wrong key."""
        entry_id = new_entry_id()
        at = "2024-06-01T08:00:00.000000Z"
        env = build_envelope(
            entry_id=entry_id,
            terminal_id=self.terminal_id,
            seq=seq,
            at=at,
            entry_type="top_up",
            operator="salim",
            policy_version=1,
            catalogue_version=1,
            payload=payload,
            prev=prev,
        )
        return self.signed_row(env)

    def signed_row(self, env: dict[str, object]) -> dict[str, object]:
        body, digest = encode_envelope(env)
        return {
            "seq": env["seq"],
            "entry_id": env["id"],
            "entry_type": env["type"],
            "at": env["at"],
            "operator": env["operator"],
            "body": body,
            "hash": digest,
            "prev_hash": env["prev"],
            "signature": self.forger.sign(bytes.fromhex(digest)),
        }

    def shift_up(self, start: int) -> None:
        """Renumber entries ``start``.. one up, leaving a hole at ``start``."""
        for seq in range(self.last, start - 1, -1):
            self.set(seq, seq=seq + 1)


def edit_amount(body: bytes, new: bytes = b"99999") -> bytes:
    marker = b'"amount":'
    at = body.index(marker) + len(marker)
    end = at
    while body[end : end + 1].isdigit():
        end += 1
    return body[:at] + new + body[end:]


def edit_payload_byte(t: Tampering) -> None:
    body = bytearray(t.row(4)["body"])  # type: ignore[arg-type]
    at = body.index(b'"amount":') + len(b'"amount":')
    body[at] = ord("9") if body[at] != ord("9") else ord("8")
    t.set(4, body=bytes(body))


def edit_and_rehash(t: Tampering) -> None:
    body = edit_amount(t.row(4)["body"])  # type: ignore[arg-type]
    t.set(4, body=body, hash=encode_envelope(parse(body))[1])


def rewrite_chain_with_other_key(t: Tampering) -> None:
    prev = str(t.row(3)["hash"])
    for seq in range(4, t.last + 1):
        env = parse(t.row(seq)["body"])  # type: ignore[arg-type]
        env["prev"] = prev
        if seq == 4:
            env["payload"]["amount"] = 99_999
        row = t.signed_row(env)
        t.set(seq, body=row["body"], hash=row["hash"], prev_hash=prev, signature=row["signature"])
        prev = str(row["hash"])


def delete_middle(t: Tampering) -> None:
    t.conn.execute("DELETE FROM journal WHERE seq = 4")


def delete_first(t: Tampering) -> None:
    t.conn.execute("DELETE FROM journal WHERE seq = 1")


def delete_middle_and_renumber(t: Tampering) -> None:
    t.conn.execute("DELETE FROM journal WHERE seq = 4")
    for seq in range(5, t.last + 1):
        t.set(seq, seq=seq - 1)


def insert_copy_at_end(t: Tampering) -> None:
    row = t.row(3)
    row["seq"], row["entry_id"] = t.last + 1, new_entry_id()
    t.insert(row)


def insert_forged_at_end(t: Tampering) -> None:
    prev = str(t.row(t.last)["hash"])
    payload = {"shift": "forged", "account": "100000000008", "amount": 50_000}
    t.insert(t.forge(t.last + 1, prev, payload))


def insert_forged_in_middle(t: Tampering) -> None:
    prev = str(t.row(3)["hash"])
    t.shift_up(4)
    payload = {"shift": "forged", "account": "100000000008", "amount": 50_000}
    t.insert(t.forge(4, prev, payload))


def swap_contents(t: Tampering) -> None:
    a, b = t.row(3), t.row(4)
    a.pop("seq"), b.pop("seq")
    t.set(4, entry_id="swapping")  # entry ids are unique
    t.set(3, **b)
    t.set(4, **a)


def swap_sequence_numbers(t: Tampering) -> None:
    t.set(5, seq=-5)
    t.set(6, seq=5)
    t.set(-5, seq=6)


def change_entry_type(t: Tampering) -> None:
    t.set(5, entry_type="void")


def change_time(t: Tampering) -> None:
    t.set(5, at="2020-01-01T00:00:00.000000Z")


def change_entry_id(t: Tampering) -> None:
    t.set(5, entry_id=new_entry_id())


def change_prev_hash(t: Tampering) -> None:
    t.set(5, prev_hash=t.row(2)["hash"])


def change_hash(t: Tampering) -> None:
    t.set(5, hash="0" * 64)


def flip_signature_bit(t: Tampering) -> None:
    signature = bytearray(t.row(2)["signature"])  # type: ignore[arg-type]
    signature[10] ^= 0x01
    t.set(2, signature=bytes(signature))


def borrow_signature(t: Tampering) -> None:
    t.set(2, signature=t.row(3)["signature"])


def change_operator(t: Tampering) -> None:
    t.set(5, operator="aisha")


@dataclass(frozen=True)
class Case:
    tamper: Callable[[Tampering], None]
    seq: int | str  # the first broken entry; "last+1" for one past the original end
    reason: str


CASES = {
    "payload byte edited": Case(edit_payload_byte, 4, "content edited"),
    "payload edited and rehashed": Case(edit_and_rehash, 4, "signature does not verify"),
    "chain rewritten with another key": Case(
        rewrite_chain_with_other_key, 4, "signature does not verify"
    ),
    "middle entry deleted": Case(delete_middle, 4, "missing (deleted)"),
    "first entry deleted": Case(delete_first, 1, "missing (deleted)"),
    "deleted and renumbered": Case(delete_middle_and_renumber, 4, "previous hash"),
    "copy inserted at the end": Case(insert_copy_at_end, "last+1", "previous hash"),
    "forged entry at the end": Case(insert_forged_at_end, "last+1", "signature does not verify"),
    "forged entry in the middle": Case(insert_forged_in_middle, 4, "signature does not verify"),
    "two entries' contents swapped": Case(swap_contents, 3, "previous hash"),
    "two sequence numbers swapped": Case(swap_sequence_numbers, 5, "previous hash"),
    "entry type column changed": Case(change_entry_type, 5, "columns differ"),
    "time column changed": Case(change_time, 5, "columns differ"),
    "entry id column changed": Case(change_entry_id, 5, "columns differ"),
    "previous hash column changed": Case(change_prev_hash, 5, "previous hash"),
    "hash column changed": Case(change_hash, 5, "content edited"),
    "signature bit flipped": Case(flip_signature_bit, 2, "signature does not verify"),
    "signature of another entry": Case(borrow_signature, 2, "signature does not verify"),
}


def tampered_copy(sealed: tuple[Path, int], tmp_path: Path, case: Case) -> tuple[Path, int]:
    source, entries = sealed
    data_dir = tmp_path / "desk"
    shutil.copytree(source, data_dir)
    conn = sqlite3.connect(data_dir / DATABASE_FILE, isolation_level=None)
    try:
        terminal_id = conn.execute("SELECT terminal_id FROM terminal").fetchone()[0]
        for trigger in TRIGGERS:
            conn.execute(f"DROP TRIGGER {trigger}")
        conn.execute("BEGIN")
        case.tamper(Tampering(conn, terminal_id, entries, Ed25519PrivateKey.generate()))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return data_dir, entries + 1 if case.seq == "last+1" else int(case.seq)


def verify_in_process(data_dir: Path) -> tuple[int, object]:
    with Desk.open(data_dir, read_only=True) as desk:
        return desk.verify_journal()


def test_an_intact_journal_verifies(sealed, tmp_path):
    source, entries = sealed
    data_dir = tmp_path / "desk"
    shutil.copytree(source, data_dir)
    result = run_verify(data_dir)
    assert result.returncode == EXIT_OK, result.stderr
    assert f"journal intact: {entries} entries" in result.stdout
    assert verify_in_process(data_dir) == (entries, None)


@pytest.mark.parametrize("name", list(CASES))
def test_tampering_is_found_and_named(sealed, tmp_path, name):
    case = CASES[name]
    data_dir, broken_seq = tampered_copy(sealed, tmp_path, case)

    checked, broken = verify_in_process(data_dir)
    assert broken is not None, name
    assert (broken.seq, checked) == (broken_seq, broken_seq - 1)
    assert case.reason in broken.reason

    result = run_verify(data_dir)
    assert result.returncode == EXIT_JOURNAL_BROKEN, result.stdout + result.stderr
    assert f"journal broken at entry {broken_seq} " in result.stderr
    assert case.reason in result.stderr


def test_a_rehashed_edit_breaks_the_hash_chain_at_the_next_entry(sealed, tmp_path):
    # Without the key (the hash chain alone) the edit still shows: the next entry's link breaks.
    data_dir, _ = tampered_copy(sealed, tmp_path, CASES["payload edited and rehashed"])
    conn = connect_raw(data_dir / DATABASE_FILE)
    try:
        terminal_id = conn.execute("SELECT terminal_id FROM terminal").fetchone()[0]
    finally:
        conn.close()
    journal = Journal(data_dir / DATABASE_FILE, terminal_id, None)
    try:
        checked, broken = journal.verify(None)
    finally:
        journal.close()
    assert broken is not None and (checked, broken.seq) == (4, 5)
    assert "previous hash" in broken.reason


def test_a_changed_operator_column_is_found(sealed, tmp_path):
    data_dir, broken_seq = tampered_copy(sealed, tmp_path, Case(change_operator, 5, "columns"))
    result = run_verify(data_dir)
    assert result.returncode == EXIT_JOURNAL_BROKEN
    assert f"journal broken at entry {broken_seq} " in result.stderr
