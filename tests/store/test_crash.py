"""Crash test: a child process appends entries and is killed with SIGKILL at random moments.

After every kill the parent reopens the file and checks that every entry the child reported as
committed is there and that the chain still verifies; at the end, ``PRAGMA integrity_check`` and
the derived tables (one outbox row per entry, wallets equal to the top-ups, the full-text index)
are checked too.

``ERIAL_CRASH_KILLS`` sets the number of kills (default 50); ``ERIAL_CRASH_SEED`` replays a run.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)

from erial_desk.domain.canonical import parse
from erial_desk.domain.chain import genesis_hash, verify_chain
from erial_desk.store.engine import connect_raw
from erial_desk.store.journal import Journal
from tests.store.terminals import new_terminal

from .crash_child import KEY_VARIABLE

CHILD = Path(__file__).with_name("crash_child.py")
REPO = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("ERIAL_CRASH_KILLS", "50"))
MAX_DELAY_S = 0.2
ID_LENGTH = 36


def key_hex(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()


class Child:
    """One appending child process; its stdout is read only by the parent."""

    def __init__(self, db: Path, terminal_id: str, key: Ed25519PrivateKey, errors: Path) -> None:
        self.errors = errors
        with errors.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(CHILD), str(db), terminal_id],
                stdout=subprocess.PIPE,
                stderr=err,
                cwd=REPO,
                env={**os.environ, KEY_VARIABLE: key_hex(key)},
            )
        assert self.proc.stdout is not None
        self.stdout = self.proc.stdout

    def wait_ready(self) -> None:
        line = self.stdout.readline()
        if line != b"ready\n":
            self.proc.wait(timeout=30)
            pytest.fail(f"child did not start: {line!r}\n{self.errors.read_text()}")

    def kill(self) -> list[str]:
        """SIGKILL the child and return the ids it reported as committed."""
        if self.proc.poll() is not None:
            pytest.fail(f"child ended by itself:\n{self.errors.read_text()}")
        os.kill(self.proc.pid, signal.SIGKILL)
        rest = self.stdout.read()  # up to EOF: everything written before the kill
        self.stdout.close()
        assert self.proc.wait(timeout=30) == -signal.SIGKILL
        lines = rest.split(b"\n")
        # The last piece is empty or a line cut short by the kill: not a report.
        ids = [line.decode("ascii") for line in lines[:-1]]
        assert all(len(i) == ID_LENGTH for i in ids), ids
        return ids


class Checker:
    """What the parent knows: reported ids, and how far the chain has been verified."""

    def __init__(self, db: Path, terminal_id: str, key: Ed25519PrivateKey) -> None:
        self.db = db
        self.terminal_id = terminal_id
        self.public_key = key.public_key()
        self.reported: set[str] = set()
        self.verified = 0
        self.prev = genesis_hash(terminal_id)

    def after_kill(self, ids: list[str], context: str) -> int:
        self.reported.update(ids)
        journal = Journal(self.db, self.terminal_id, None)
        try:
            present = {row.entry_id for row in journal.rows()}
            missing = self.reported - present
            assert not missing, f"{context}: {len(missing)} reported entries lost"
            rows = list(journal.rows(self.verified + 1))
            checked, broken = verify_chain(
                rows,
                self.terminal_id,
                self.public_key,
                start_seq=self.verified + 1,
                start_prev=self.prev,
            )
            assert broken is None, f"{context}: {broken}"
            if rows:
                self.verified, self.prev = rows[-1].seq, rows[-1].hash
            assert checked == len(rows)
            return len(rows)
        finally:
            journal.close()

    def final(self) -> int:
        journal = Journal(self.db, self.terminal_id, None)
        try:
            count, broken = journal.verify(self.public_key)
            assert broken is None, str(broken)
            bodies = [parse(row.body) for row in journal.rows()]
        finally:
            journal.close()
        assert count == len(bodies) == self.verified
        assert self.reported <= {b["id"] for b in bodies}
        check_storage(self.db, bodies)
        return count


def check_storage(db: Path, bodies: list[dict]) -> None:
    """The file is sound and every derived table holds exactly what the journal implies."""
    conn = connect_raw(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        seqs = [b["seq"] for b in bodies]
        assert seqs == list(range(1, len(bodies) + 1))
        outbox = [r[0] for r in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
        assert outbox == seqs

        top_ups = [b for b in bodies if b["type"] == "top_up"]
        registered = [b for b in bodies if b["type"] == "subscriber_registered"]
        transactions = conn.execute("SELECT entry_id FROM transactions ORDER BY seq").fetchall()
        assert [t[0] for t in transactions] == [b["id"] for b in top_ups]
        subscribers = {r[0] for r in conn.execute("SELECT account FROM subscribers")}
        assert subscribers == {b["payload"]["account"] for b in registered}

        expected: Counter[str] = Counter({account: 0 for account in subscribers})
        for b in top_ups:
            expected[b["payload"]["account"]] += b["payload"]["amount"]
        wallets = dict(conn.execute("SELECT account, balance FROM wallets"))
        assert wallets == dict(expected)

        fts = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'subscriber_search'"
        ).fetchone()
        if fts:
            conn.execute(
                "INSERT INTO subscriber_search (subscriber_search) VALUES ('integrity-check')"
            )
    finally:
        conn.close()


def seeded_rng() -> tuple[random.Random, int]:
    seed = int(os.environ.get("ERIAL_CRASH_SEED", str(random.randrange(2**32))))
    return random.Random(seed), seed


def test_killed_appender_loses_no_committed_entry(tmp_path):
    rng, seed = seeded_rng()
    db = tmp_path / "desk.sqlite"
    terminal_id, key = new_terminal(db)
    checker = Checker(db, terminal_id, key)
    appended_after_kill = 0
    for kill in range(KILLS):
        child = Child(db, terminal_id, key, tmp_path / "child.err")
        child.wait_ready()
        time.sleep(rng.uniform(0, MAX_DELAY_S))
        ids = child.kill()
        context = f"seed {seed}, kill {kill + 1}"
        appended_after_kill += checker.after_kill(ids, context)
    total = checker.final()
    assert total == appended_after_kill
    assert total >= len(checker.reported) > 0, f"seed {seed}: the children appended nothing"


def test_two_killed_appenders_lose_nothing_and_leave_no_gap(tmp_path):
    """Two children share the file; one or both are killed while the other waits on the lock."""
    rng, seed = seeded_rng()
    db = tmp_path / "desk.sqlite"
    terminal_id, key = new_terminal(db)
    checker = Checker(db, terminal_id, key)
    for round_ in range(max(5, KILLS // 5)):
        children = [Child(db, terminal_id, key, tmp_path / f"child{i}.err") for i in range(2)]
        for child in children:
            child.wait_ready()
        ids: list[str] = []
        for child in rng.sample(children, 2):
            time.sleep(rng.uniform(0, MAX_DELAY_S / 2))
            ids += child.kill()
        checker.after_kill(ids, f"seed {seed}, round {round_ + 1}")
    checker.final()


def test_a_stale_write_lock_is_released_by_the_kill(tmp_path):
    """A child killed inside its transaction leaves nothing half-written, and no lock behind."""
    db = tmp_path / "desk.sqlite"
    terminal_id, key = new_terminal(db)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('PRAGMA journal_mode=WAL')\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "c.execute(\"INSERT INTO outbox (seq, state) VALUES (1, 'half')\")\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=REPO,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == b"locked\n"
    probe = sqlite3.connect(db, isolation_level=None, timeout=0)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            probe.execute("BEGIN IMMEDIATE")
    finally:
        probe.close()
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    assert holder.stdin is not None
    holder.stdin.close()
    holder.stdout.close()

    journal = Journal(db, terminal_id, key)
    try:
        payload = {"shift": "s", "account": "100000000008", "amount": 500}
        entry = journal.append(
            "top_up", payload, operator="salim", policy_version=1, catalogue_version=1
        )
        assert entry.seq == 1
        assert journal.verify(key.public_key()) == (1, None)
    finally:
        journal.close()
    conn = connect_raw(db)
    try:
        assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone() == (0,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
