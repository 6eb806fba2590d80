"""Concurrent appends never produce a gap or a repeated sequence number.

Threads share one ``Journal``, or each has its own (its own connection to the same file), or
separate processes append to the same file; readers verify the chain while writers append.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)

from erial_desk.store import projections
from erial_desk.store.engine import connect_raw
from erial_desk.store.journal import AppendedEntry, Journal
from tests.store.terminals import new_terminal

from .crash_child import KEY_VARIABLE

CHILD = Path(__file__).with_name("crash_child.py")
REPO = Path(__file__).resolve().parents[2]
PER_WRITER = 150
SHIFT = "01900000-0000-7000-8000-0000000000d1"


def top_up(journal: Journal, writer: int, n: int) -> AppendedEntry:
    payload = {"shift": SHIFT, "account": f"10000000000{writer}", "amount": 500 * (n + 1)}
    return journal.append(
        "top_up", payload, operator=f"clerk{writer}", policy_version=1, catalogue_version=1
    )


def run_threads(targets: list[Callable[[], None]]) -> None:
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as exc:  # reported in the main thread
                errors.append(exc)

        return run

    threads = [threading.Thread(target=guarded(t)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
        assert not thread.is_alive()
    if errors:
        raise errors[0]


def writers(
    journals: list[Journal], results: list[list[AppendedEntry]], *, pause: float = 0.0
) -> list[Callable]:
    """One thread body per journal; ``pause`` (seconds, at most) between a writer's appends.

    Without a pause, writers on separate connections rarely interleave: SQLite's busy handler
    sleeps while the other writer, whose lock is free only between two appends, takes it again.
    """
    start = threading.Barrier(len(journals))

    def writer(index: int) -> Callable[[], None]:
        rng = random.Random(index)

        def run() -> None:
            start.wait()
            for n in range(PER_WRITER):
                results[index].append(top_up(journals[index], index, n))
                if pause:
                    time.sleep(rng.uniform(0, pause))

        return run

    return [writer(i) for i in range(len(journals))]


def assert_gapless(db: Path, terminal_id: str, key: Ed25519PrivateKey, expected: int) -> None:
    conn = connect_raw(db)
    try:
        seqs = [r[0] for r in conn.execute("SELECT seq FROM journal ORDER BY seq")]
        outbox = [r[0] for r in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
        transactions = [r[0] for r in conn.execute("SELECT seq FROM transactions ORDER BY seq")]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
    assert seqs == list(range(1, expected + 1))
    assert outbox == transactions == seqs
    reader = Journal(db, terminal_id, None)
    try:
        assert reader.verify(key.public_key()) == (expected, None)
    finally:
        reader.close()


def assert_each_writer_in_order(results: list[list[AppendedEntry]]) -> None:
    all_seqs = [e.seq for entries in results for e in entries]
    assert len(all_seqs) == len(set(all_seqs))
    for entries in results:
        seqs = [e.seq for e in entries]
        assert seqs == sorted(seqs)
        assert [e.envelope["payload"]["amount"] for e in entries] == [
            500 * (n + 1) for n in range(PER_WRITER)
        ]


def test_two_threads_sharing_one_journal(tmp_path):
    db = tmp_path / "desk.sqlite"
    terminal_id, key = new_terminal(db)
    journal = Journal(db, terminal_id, key, projector=projections.project)
    results: list[list[AppendedEntry]] = [[], []]
    try:
        run_threads(writers([journal, journal], results))
    finally:
        journal.close()
    assert_each_writer_in_order(results)
    assert_gapless(db, terminal_id, key, 2 * PER_WRITER)


def test_two_threads_with_their_own_connections(tmp_path):
    db = tmp_path / "desk.sqlite"
    terminal_id, key = new_terminal(db)
    journals = [Journal(db, terminal_id, key, projector=projections.project) for _ in range(2)]
    results: list[list[AppendedEntry]] = [[], []]
    try:
        run_threads(writers(journals, results, pause=0.002))
    finally:
        for journal in journals:
            journal.close()
    assert_each_writer_in_order(results)
    assert_gapless(db, terminal_id, key, 2 * PER_WRITER)


def test_readers_see_a_verifiable_prefix_while_writers_append(tmp_path):
    db = tmp_path / "desk.sqlite"
    terminal_id, key = new_terminal(db)
    shared = Journal(db, terminal_id, key, projector=projections.project)
    own = Journal(db, terminal_id, key, projector=projections.project)
    reader = Journal(db, terminal_id, None)
    results: list[list[AppendedEntry]] = [[], []]
    seen: list[int] = []
    done = threading.Event()

    def verifier() -> None:
        while not done.is_set():
            checked, broken = reader.verify(key.public_key())
            assert broken is None, str(broken)
            seen.append(checked)

    write = writers([shared, own], results, pause=0.002)

    def writers_then_done() -> None:
        try:
            run_threads(write)
        finally:
            done.set()

    try:
        run_threads([writers_then_done, verifier])
    finally:
        for journal in (shared, own, reader):
            journal.close()
    assert seen and seen == sorted(seen)
    assert_gapless(db, terminal_id, key, 2 * PER_WRITER)


def test_two_processes_and_a_thread_append_to_one_file(tmp_path):
    db = tmp_path / "desk.sqlite"
    terminal_id, key = new_terminal(db)
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()
    children = []
    for i in range(2):
        with (tmp_path / f"child{i}.err").open("wb") as err:
            children.append(
                subprocess.Popen(
                    [sys.executable, str(CHILD), str(db), terminal_id, str(PER_WRITER), "2"],
                    stdout=subprocess.PIPE,
                    stderr=err,
                    cwd=REPO,
                    env={**os.environ, KEY_VARIABLE: raw},
                )
            )
    for child in children:
        assert child.stdout is not None
        assert child.stdout.readline() == b"ready\n"  # appending from now on
    journal = Journal(db, terminal_id, key, projector=projections.project)
    try:
        mine = []
        for n in range(PER_WRITER):
            mine.append(top_up(journal, 9, n))
            time.sleep(random.uniform(0, 0.002))
    finally:
        journal.close()
    reported: list[str] = []
    for i, child in enumerate(children):
        assert child.stdout is not None
        lines = child.stdout.read().decode().splitlines()  # the same buffered reader: no loss
        child.stdout.close()
        assert child.wait(timeout=300) == 0, (tmp_path / f"child{i}.err").read_text()
        assert len(lines) == PER_WRITER
        reported += lines

    total = 3 * PER_WRITER
    conn = connect_raw(db)
    try:
        rows = conn.execute("SELECT seq, entry_id FROM journal ORDER BY seq").fetchall()
        outbox = [r[0] for r in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
        registered = conn.execute("SELECT COUNT(*) FROM subscribers").fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
    assert [r[0] for r in rows] == outbox == list(range(1, total + 1))
    assert sorted(r[1] for r in rows) == sorted(reported + [e.entry_id for e in mine])
    assert registered > 0  # the children register subscribers between their top-ups
    reader = Journal(db, terminal_id, None)
    try:
        assert reader.verify(key.public_key()) == (total, None)
    finally:
        reader.close()
