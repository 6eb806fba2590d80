"""``python -m bench sync``: an offline backlog of 10,000 journal entries pushed to central and
acknowledged, against a local central on SQLite.

A central is seeded and started as a child process (``erial-central serve``, one worker). A desk
enrolled with it (the real ``Desk`` facade, over HTTP on loopback) works offline until its journal
holds ``--entries`` entries of a counter's mix: cash top-ups, cash bill payments (bills the clerk
looked up earlier) and receipt reprints. Then one ``desk.sync_once()`` pushes them in batches and
pulls central's changes; we time it until every entry is acknowledged. For comparison a second
desk pushes ``--single`` entries of the same mix one per request, as a desk that syncs after every
transaction does; its rate, extrapolated to the backlog, gives the ratio. Finally ``erial-central
audit`` checks the ledger and every chain.

Targets: the backlog acknowledged in <= 5 s, and >= 20x faster than one entry per request.
"""

from __future__ import annotations

import argparse
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

import tests.keystore  # noqa: F401 - registers the memory key store
from bench.common import Metric, report
from erial_desk.domain.central import Bill
from erial_desk.domain.policy import BillKind, PaymentMethod
from erial_desk.services import Desk

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 5.0
TARGET_RATIO = 20.0


def _cli(database: str, secrets_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "erial_central.cli", "--database", database]
        + ["--secrets", str(secrets_file), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def _start(database: str, secrets_file: Path, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "erial_central.cli", "--database", database]
        + ["--secrets", str(secrets_file), "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/v1/health", timeout=2).status_code == 200:
                return process, url
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("central did not start")


def _desk(url: str, admin: str, data_dir: Path) -> Desk:
    made = requests.post(
        f"{url}/v1/admin/offices/MCT-HQ/terminals",
        headers={"Authorization": f"Bearer {admin}"},
        timeout=30,
    )
    made.raise_for_status()
    Desk.init_for_central(data_dir, office_id="MCT-HQ", central_url=url, keyring="memory")
    desk = Desk.enroll(data_dir, url, made.json()["enrolment_code"])
    desk.login("salim", "1111")
    desk.open_shift({20000: 2, 1000: 5})
    return desk


def _backlog(
    desk: Desk, count: int, rng: random.Random, accounts: list[str], bills: list[Bill]
) -> None:
    """Work offline (nothing is pushed) until the journal holds ``count`` entries."""
    first = next(desk._journal.signed_entries()).entry_id
    while desk._journal.last()[0] < count:
        roll = rng.random()
        if roll < 0.15 and bills:
            desk.pay_bill(bills.pop(), PaymentMethod.CASH)
        elif roll < 0.9:
            desk.top_up(rng.choice(accounts), rng.randrange(1, 50) * 1000)
        else:
            desk.record_reprint(first)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench sync")
    parser.add_argument("--entries", type=int, default=10_000, help="the offline backlog")
    parser.add_argument("--single", type=int, default=1_000, help="entries pushed one by one")
    args = parser.parse_args(argv)
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        workdir = Path(tmp)
        database, secrets_file = f"sqlite:///{workdir / 'central.sqlite'}", workdir / "s.json"
        bills_needed = (args.entries + args.single) // 5
        print(f"seeding central ({bills_needed} bills) and starting it")
        seeded = _cli(
            database, secrets_file, "seed-demo", "--subscribers", "300", "--bills",
            str(bills_needed * 5 // 3 + 10),
        )  # fmt: skip
        if seeded.returncode != 0:
            raise SystemExit(seeded.stderr)
        found = re.search(r"admin credential: (\S+)", seeded.stdout)
        assert found is not None
        admin = found.group(1)
        engine = create_engine(database, poolclass=NullPool)
        with engine.connect() as conn:
            accounts = [r[0] for r in conn.execute(text("SELECT account FROM subscribers"))]
            bills = [
                Bill(r[0], BillKind(r[1]), r[2], r[3], r[4], r[5], int(r[6]), "open")
                for r in conn.execute(
                    text(
                        "SELECT bill_id, kind, reference, subject, description_en,"
                        " description_ar, amount FROM bills WHERE kind != 'parking'"
                        " ORDER BY bill_id"
                    )
                )
            ]
        engine.dispose()
        rng.shuffle(bills)
        process, url = _start(database, secrets_file, workdir)
        try:
            desk = _desk(url, admin, workdir / "desk")
            single = _desk(url, admin, workdir / "single")
            print(f"working offline: {args.entries} entries, and {args.single} for the comparison")
            _backlog(desk, args.entries, rng, accounts, bills)
            _backlog(single, args.single, rng, accounts, bills)

            started = time.perf_counter()
            status = desk.sync_once()
            seconds = time.perf_counter() - started
            counts = desk.outbox_counts()
            if status.waiting or status.last_error or counts.get("rejected"):
                raise SystemExit(f"the backlog was not acknowledged: {status} {counts}")
            print(f"backlog: {args.entries} entries acknowledged in {seconds:.2f} s: {counts}")

            started = time.perf_counter()
            while single.push_pending(limit=1):
                pass
            one_by_one = time.perf_counter() - started
            counts_single = single.outbox_counts()
            if counts_single.get("pending") or counts_single.get("rejected"):
                raise SystemExit(f"one by one, not all acknowledged: {counts_single}")
            single_rate = args.single / one_by_one
            extrapolated = args.entries / single_rate
            print(
                f"one per request: {args.single} entries in {one_by_one:.2f} s"
                f" ({single_rate:.0f}/s); {args.entries} would take {extrapolated:.1f} s"
            )
            desk.close()
            single.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
        audited = _cli(database, secrets_file, "audit")
        print(audited.stdout.strip())
        if audited.returncode != 0:
            raise SystemExit("audit failed")
    report(
        "sync",
        [
            Metric("backlog_entries", args.entries, "entries"),
            Metric("total_s", seconds, "s", TARGET_SECONDS, "lower"),
            Metric("entries_per_s", args.entries / seconds, "entries/s"),
            Metric("one_per_request_entries_per_s", single_rate, "entries/s"),
            Metric("ratio_to_one_per_request", extrapolated / seconds, "x", TARGET_RATIO, "higher"),
        ],
    )
    return 0
