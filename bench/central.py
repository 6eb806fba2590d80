"""``python -m bench central``: journal ingest at central, many terminals pushing at once.

For each backend (SQLite file; PostgreSQL schema when a server is reachable) a central server is
seeded and started as a child process (``erial-central serve``; ``--workers``, by default two on
PostgreSQL and one on SQLite). N terminals (``--terminals``, default 50) are enrolled, each with a
journal built beforehand: signed, chained entries of a counter's mix (cash top-ups and cash bill
payments mostly, some reprints, cash drops and voids), pushed in batches of 100. Each push opens
its own connection, as behind a load balancer, so pushes spread over the server's workers.

1. Throughput: every terminal pushes its batches back to back, all at once; entries per second
   over the run (the maximum). Beside it, the server's CPU time per entry (its processes only,
   from /proc; PostgreSQL's own work is not in it) against a bare Ed25519 verify of the same
   entries, timed in this process with the same library (libsodium).
2. Latency: batches offered at 80 % of that maximum for ``--paced-seconds``; a batch's latency
   counts from when it was due, so a server that falls behind cannot hide it. Meanwhile
   ``--debit-clients`` clerks make online wallet debits (a subscriber's PIN, sealed) one after
   the other: their round trips are the "debit while 50 terminals push" figure.
3. One entry per request (``--single`` entries in all), as desks that sync after every entry:
   as fast as answered, then offered at half that rate.
4. A mixed soak (``--soak-terminals``, default 200, for ``--soak-seconds``, default 60; 0 skips
   it): each desk at its own pace pushes 1 to 20 entries (now and then one again, as after a
   lost answer) and pulls its feed, while clerks make online debits. No request may fail, and
   central must hold exactly the entries each desk sent: none lost, none doubled.
5. ``erial-central audit`` over everything: ledger, balances and every chain.

Each figure is printed beside its target from the issue, measured in the same run.
PostgreSQL: ERIAL_BENCH_POSTGRES_URL or postgresql+psycopg://postgres@127.0.0.1:5432/test.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nacl.signing import VerifyKey
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from bench.common import Metric, percentile, report
from erial_desk.domain.chain import build_envelope, encode_envelope, genesis_hash
from erial_desk.domain.clock import now_stamp
from erial_desk.domain.entries import BillPaid, CashDrop, ReceiptReprinted, ShiftOpened, TopUp, Void
from erial_desk.domain.entries import Payload as EntryPayload
from erial_desk.domain.pins import hash_pin, seal_pin, verify_pin
from erial_desk.domain.policy import BillKind, catalogue_from_dict
from erial_desk.store.journal import new_entry_id

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_RATE = 5000.0  # entries/s, 100-entry batches, PostgreSQL
TARGET_P99_MS = 250.0  # per batch, at 80 % of the measured maximum
TARGET_CPU_RATIO = 2.5  # server CPU per entry / bare Ed25519 verify of the entry
TARGET_SINGLE_RATE = 600.0  # one-entry requests/s
TARGET_SINGLE_P99_MS = 50.0  # at half the measured single-entry rate
TARGET_DEBIT_P99_MS = 100.0  # online wallet debit round trip while the terminals push
# Between two debits of one clerk: a counter's pace (a customer types a PIN). Each debit costs
# central a deliberately slow PIN check (scrypt), so a faster loop would measure the PIN hash.
DEBIT_PAUSE_S = 0.5
BATCH = 100
OFFICES = ("MCT-HQ", "MCT-BWR", "MCT-SEEB", "MCT-MUTRAH")
# (counter clerk, supervisor) of each office, as seeded: central checks who made an entry.
STAFF = {
    "MCT-HQ": ("salim", "aisha"),
    "MCT-BWR": ("yousuf", "maryam"),
    "MCT-SEEB": ("seeb.clerk", "seeb.super"),
    "MCT-MUTRAH": ("mutrah.clerk", "mutrah.super"),
}


# --- servers ----------------------------------------------------------------------------------


def _cli(database: str, secrets_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "erial_central.cli", "--database", database]
        + ["--secrets", str(secrets_file), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    database: str
    secrets: Path
    process: subprocess.Popen[bytes]
    base_url: str
    admin_token: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(
    name: str, database: str, workdir: Path, workers: int, subscribers: int, bills: int
) -> Server:
    secrets_file = workdir / f"{name}-secrets.json"
    seeded = _cli(
        database,
        secrets_file,
        "seed-demo",
        "--subscribers",
        str(subscribers),
        "--bills",
        str(bills),
    )
    if seeded.returncode != 0:
        raise SystemExit(f"seed-demo failed on {name}:\n{seeded.stderr}")
    token = re.search(r"admin credential: (\S+)", seeded.stdout)
    assert token is not None
    port = _free_port()
    log = (workdir / f"{name}-server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "erial_central.cli", "--database", database]
        + ["--secrets", str(secrets_file), "serve", "--port", str(port)]
        + ["--workers", str(workers)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the {name} server stopped: see {log.name}")
        try:
            if requests.get(f"{base_url}/v1/health", timeout=2).ok:
                return Server(name, database, secrets_file, process, base_url, token.group(1))
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the {name} server did not start: see {log.name}")


def postgres_database() -> tuple[str, str] | None:
    """(URL with a new schema, schema) or None when PostgreSQL cannot be reached."""
    base = os.environ.get("ERIAL_BENCH_POSTGRES_URL") or POSTGRES_DEFAULT
    schema = "bench_" + secrets.token_hex(4)
    try:
        engine = create_engine(base, poolclass=NullPool, connect_args={"connect_timeout": 5})
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # unreachable or refused: the PostgreSQL half is skipped
        print(f"PostgreSQL not reachable ({type(exc).__name__}): PostgreSQL figures skipped")
        return None
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def drop_schema(schema: str) -> None:
    base = os.environ.get("ERIAL_BENCH_POSTGRES_URL") or POSTGRES_DEFAULT
    with create_engine(base, poolclass=NullPool).begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


# --- terminals and their journals -------------------------------------------------------------


@dataclass
class Terminal:
    terminal_id: str
    office_id: str
    key: Ed25519PrivateKey
    token: str
    seq: int = 0
    prev: str = ""
    bodies: list[bytes] = field(default_factory=list)  # pre-encoded push requests
    entries: list[dict[str, Any]] = field(default_factory=list)

    def append(self, payload: EntryPayload) -> str:
        self.seq += 1
        entry_id = new_entry_id()
        envelope = build_envelope(
            entry_id=entry_id,
            terminal_id=self.terminal_id,
            seq=self.seq,
            at=now_stamp(),
            entry_type=payload.TYPE.value,
            operator=STAFF[self.office_id][0],
            policy_version=1,
            catalogue_version=1,
            payload=payload.to_payload(),
            prev=self.prev or genesis_hash(self.terminal_id),
        )
        body, digest = encode_envelope(envelope)
        self.entries.append(
            {
                "seq": self.seq,
                "id": entry_id,
                "body": body.decode(),
                "hash": digest,
                "signature": self.key.sign(bytes.fromhex(digest)).hex(),
            }
        )
        self.prev = digest
        return entry_id


def enrol(server: Server, office_id: str) -> Terminal:
    key = Ed25519PrivateKey.generate()
    terminal_id = new_entry_id()
    slot = requests.post(
        f"{server.base_url}/v1/admin/offices/{office_id}/terminals",
        headers={"Authorization": f"Bearer {server.admin_token}"},
        timeout=30,
    )
    slot.raise_for_status()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    enrolled = requests.post(
        f"{server.base_url}/v1/enrol",
        json={
            "code": slot.json()["enrolment_code"],
            "terminal_id": terminal_id,
            "public_key": public,
        },
        timeout=30,
    )
    enrolled.raise_for_status()
    return Terminal(terminal_id, office_id, key, enrolled.json()["token"])


class Counter:
    """A counter's day: cash top-ups and cash bill payments mostly; reprints, drops, voids."""

    def __init__(self, rng: random.Random, accounts: list[str], bills: list[dict]) -> None:
        self.rng = rng
        self.accounts = accounts
        self.bills = bills

    def fill(self, term: Terminal, count: int) -> None:
        shift = term.append(ShiftOpened(term.office_id, {"20000": 5}, 100_000))
        top_ups: list[tuple[str, str, int]] = []
        while term.seq < count:
            roll = self.rng.random()
            if roll < 0.50 or not self.bills:
                account = self.rng.choice(self.accounts)
                amount = self.rng.randrange(1, 50) * 1000
                top_ups.append((term.append(TopUp(shift, account, amount)), account, amount))
            elif roll < 0.90:
                bill = self.bills.pop()
                term.append(
                    BillPaid(
                        shift,
                        bill["kind"],
                        bill["bill_id"],
                        bill["reference"],
                        bill["amount"],
                        0,
                        "cash",
                        None,
                        None,
                        None,
                        None,
                        "pending",
                    )
                )
            elif roll < 0.95:
                term.append(ReceiptReprinted(term.entries[-1]["id"], f"R-{term.seq}"))
            elif roll < 0.97 and top_ups:
                voided, _account, _amount = top_ups.pop()
                approver = STAFF[term.office_id][1]
                term.append(Void(shift, voided, "typing error", approver, None))
            else:
                term.append(CashDrop(shift, {"20000": 1}, 20_000, STAFF[term.office_id][1]))

    def batches(self, term: Terminal, size: int) -> None:
        for start in range(0, len(term.entries), size):
            chunk = term.entries[start : start + size]
            term.bodies.append(
                json.dumps({"terminal_id": term.terminal_id, "entries": chunk}).encode()
            )


def seeded_records(database: str) -> tuple[list[str], list[dict]]:
    engine = create_engine(database, poolclass=NullPool)
    with engine.connect() as conn:
        accounts = [r[0] for r in conn.execute(text("SELECT account FROM subscribers"))]
        bills = [
            dict(r._mapping)
            for r in conn.execute(
                text(
                    "SELECT bill_id, kind, reference, amount FROM bills WHERE status = 'open'"
                    " ORDER BY bill_id"
                )
            )
        ]
    engine.dispose()
    return accounts, bills


# --- pushing ----------------------------------------------------------------------------------


def cpu_seconds(root: int) -> float:
    """CPU time used so far by a process and its children (Linux /proc; 0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if pid == root or int(fields[1]) == root:  # fields[1] is the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


@dataclass
class Run:
    seconds: float
    entries: int
    latencies_ms: list[float]
    statuses: dict[str, int]
    server_cpu_s: float = 0.0


def push_all(
    server: Server,
    terminals: list[Terminal],
    keep_alive: bool = False,
    period: float | None = None,
) -> Run:
    """Every terminal pushes its batches in order, all terminals at once. Without ``period``
    each pushes its next batch as soon as the last is answered (closed loop: the server's
    throughput). With ``period`` each pushes one batch every ``period`` seconds, starting at
    spread-out moments (an offered load), and a batch's latency counts from when it was due,
    so a server falling behind shows in the figures rather than slowing the senders."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(len(terminals) + 1)
    errors: list[str] = []
    start_at: list[float] = []

    def worker(index: int, term: Terminal) -> None:
        session = requests.Session()
        session.headers.update(
            {"Authorization": f"Bearer {term.token}", "Content-Type": "application/json"}
        )
        if not keep_alive:
            # A new connection per push, as behind a load balancer: each push goes to whichever
            # worker is free, rather than every push of a desk to the worker that accepted it.
            session.headers["Connection"] = "close"
        mine: list[float] = []
        counted: dict[str, int] = {}
        barrier.wait()
        for k, body in enumerate(term.bodies):
            due = time.perf_counter()
            if period is not None:
                due = start_at[0] + (index / len(terminals) + k) * period
                time.sleep(max(0.0, due - time.perf_counter()))
            response = session.post(f"{server.base_url}/v1/journal", data=body, timeout=300)
            mine.append((time.perf_counter() - due) * 1000)
            if response.status_code != 200:
                errors.append(f"{response.status_code} {response.text[:300]}")
                return
            for result in response.json()["results"]:
                counted[result["status"]] = counted.get(result["status"], 0) + 1
        with lock:
            latencies.extend(mine)
            for status, n in counted.items():
                statuses[status] = statuses.get(status, 0) + n

    threads = [threading.Thread(target=worker, args=(i, t)) for i, t in enumerate(terminals)]
    for t in threads:
        t.start()
    cpu_before = cpu_seconds(server.process.pid)
    start_at.append(time.perf_counter() + 0.05)
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    cpu = cpu_seconds(server.process.pid) - cpu_before
    if errors:
        raise SystemExit(f"pushes failed on {server.name}: {errors[:3]}")
    return Run(seconds, sum(len(t.entries) for t in terminals), latencies, statuses, cpu)


def prepared(
    server: Server, counter: Counter, terminals: int, entries_each: int, batch: int
) -> list[Terminal]:
    """Newly enrolled terminals, each with a signed journal of ``entries_each`` entries."""
    made = [enrol(server, OFFICES[i % len(OFFICES)]) for i in range(terminals)]
    for term in made:
        counter.fill(term, entries_each)
        counter.batches(term, batch)
    return made


def paced(
    name: str, server: Server, counter: Counter, args: argparse.Namespace, rate: float
) -> Run:
    """Batches of 100 offered at ``rate`` entries per second for about --paced-seconds."""
    period = args.terminals * BATCH / rate  # seconds between two batches of one terminal
    batches_each = max(1, round(args.paced_seconds / period))
    terminals = prepared(server, counter, args.terminals, batches_each * BATCH, BATCH)
    run = push_all(server, terminals, args.keep_alive, period)
    p50, p99 = percentile(run.latencies_ms, 50), percentile(run.latencies_ms, 99)
    print(
        f"[{name}] offered {rate:.0f} entries/s: {run.entries} entries in {run.seconds:.1f} s,"
        f" p50 {p50:.0f} ms, p99 {p99:.0f} ms, results {run.statuses}"
    )
    return run


def paced_single(
    name: str, server: Server, counter: Counter, args: argparse.Namespace, rate: float
) -> Run:
    """One-entry pushes offered at ``rate`` requests per second for about --paced-seconds."""
    period = args.terminals / rate  # seconds between two pushes of one terminal
    pushes_each = max(1, round(args.paced_seconds / period))
    terminals = prepared(server, counter, args.terminals, pushes_each, 1)
    run = push_all(server, terminals, args.keep_alive, period)
    print(
        f"[{name}] offered {rate:.0f} one-entry pushes/s: {run.entries} in {run.seconds:.1f} s,"
        f" p50 {percentile(run.latencies_ms, 50):.0f} ms,"
        f" p99 {percentile(run.latencies_ms, 99):.0f} ms, results {run.statuses}"
    )
    return run


@dataclass
class Soak:
    seconds: float
    requests: int
    entries_sent: int
    errors: list[str]
    lost_or_doubled: int
    resent: int


def soak(server: Server, counter: Counter, args: argparse.Namespace, database: str) -> Soak:
    """``--soak-terminals`` desks for ``--soak-seconds``, each at its own pace: pushes of 1 to
    20 entries (now and then sending the last entry again, as a desk that missed an answer
    does), and pulls of its change feed; clerks make online debits meanwhile (``Debits``). Then
    every terminal's entries at central are counted: none lost, none doubled."""
    terminals = prepared(server, counter, args.soak_terminals, args.soak_entries, 1)
    errors: list[str] = []
    sent: dict[str, int] = {}
    counts = {"requests": 0, "resent": 0}
    lock = threading.Lock()
    deadline = time.perf_counter() + args.soak_seconds

    def desk(term: Terminal) -> None:
        rng = random.Random(term.terminal_id)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {term.token}"
        done, cursor, made = 0, 0, 0
        while time.perf_counter() < deadline and done < len(term.entries):
            time.sleep(rng.uniform(0.05, 0.4))
            made += 1
            if rng.random() < 0.2:
                answer = session.get(
                    f"{server.base_url}/v1/feed", params={"cursor": cursor}, timeout=120
                )
                if answer.status_code == 200:
                    cursor = int(answer.json()["cursor"])
                else:
                    with lock:
                        errors.append(f"feed {answer.status_code} {answer.text[:200]}")
                continue
            again = done > 0 and rng.random() < 0.05
            start = done - 1 if again else done
            chunk = term.entries[start : done + rng.choice((1, 1, 1, 2, 5, 20))]
            answer = session.post(
                f"{server.base_url}/v1/journal",
                json={"terminal_id": term.terminal_id, "entries": chunk},
                timeout=120,
            )
            if answer.status_code != 200:
                with lock:
                    errors.append(f"push {answer.status_code} {answer.text[:200]}")
                continue
            results = answer.json()["results"]
            wrong = [
                r
                for i, r in enumerate(results)
                if r["status"] not in ("applied", "flagged")
                and not (again and i == 0 and r["status"] == "duplicate")
            ]
            if wrong:
                with lock:
                    errors.append(f"push answered {wrong[:2]}")
            done = start + len(chunk)
            with lock:
                counts["resent"] += int(again)
        with lock:
            sent[term.terminal_id] = done
            counts["requests"] += made

    debits = Debits(server, args.debit_clients, counter.accounts, counter.bills[-500:])
    del counter.bills[-500:]
    threads = [threading.Thread(target=desk, args=(t,)) for t in terminals]
    started = time.perf_counter()
    debits.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    debits.stop()
    seconds = time.perf_counter() - started
    errors += [f"debit {f}" for f in debits.failures]
    engine = create_engine(database, poolclass=NullPool)
    with engine.connect() as conn:
        stored = dict(
            conn.execute(
                text(
                    "SELECT t.terminal_id, COUNT(e.entry_id) FROM terminals t"
                    " LEFT JOIN entries e ON e.terminal_id = t.terminal_id"
                    " GROUP BY t.terminal_id"
                )
            ).all()
        )
        last = dict(conn.execute(text("SELECT terminal_id, last_seq FROM terminals")).all())
    engine.dispose()
    wrong = sum(
        abs(int(stored.get(tid, 0)) - n) + abs(int(last.get(tid, 0)) - n) for tid, n in sent.items()
    )
    return Soak(seconds, counts["requests"], sum(sent.values()), errors, wrong, counts["resent"])


def pin_check_ms(times: int = 5) -> float:
    """Median ms of one wallet PIN check (scrypt, slow on purpose) on this machine now: the
    floor under an online debit's round trip, whatever the server does."""
    verifier = hash_pin("1234")
    took = []
    for _ in range(times):
        started = time.perf_counter()
        verify_pin("1234", verifier)
        took.append((time.perf_counter() - started) * 1000)
    return percentile(took, 50)


def bare_verify_us(terminals: list[Terminal]) -> float:
    """CPU µs of one bare Ed25519 verify of an entry (its hash and signature, as central checks
    them), over the terminals' entries, with central's library."""
    pairs = [
        (VerifyKey(t.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)), e)
        for t in terminals
        for e in t.entries
    ]
    started = time.process_time()
    for key, entry in pairs:
        key.verify(bytes.fromhex(entry["hash"]), bytes.fromhex(entry["signature"]))
    return (time.process_time() - started) / len(pairs) * 1e6


class Debits:
    """Clerks making online wallet debits one after the other (a subscriber's PIN, sealed to
    central's key) while the terminals push: each round trip's time, in ms."""

    def __init__(self, server: Server, clients: int, accounts: list[str], bills: list[dict]):
        self.server = server
        self.accounts = accounts
        self.bills = bills  # taken from the end; no other user of these bills
        self.latencies_ms: list[float] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._terminals = [enrol(server, "MCT-HQ") for _ in range(clients)]
        first = requests.get(
            f"{server.base_url}/v1/central-key",
            timeout=30,
        ).json()
        self._sealing_key = base64.b64decode(first["sealing_public_key"])
        policy = requests.get(
            f"{server.base_url}/v1/policy",
            headers={"Authorization": f"Bearer {self._terminals[0].token}"},
            timeout=30,
        ).json()
        self._catalogue = catalogue_from_dict(policy["catalogue"])
        self._threads = [threading.Thread(target=self._clerk, args=(t,)) for t in self._terminals]

    def _next_bill(self) -> dict | None:
        with self._lock:
            return self.bills.pop() if self.bills else None

    def _clerk(self, term: Terminal) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {term.token}"
        rng = random.Random(term.terminal_id)
        while not self._stop.is_set():
            bill = self._next_bill()
            if bill is None:
                return
            entry_id = new_entry_id()
            body = {
                "entry_id": entry_id,
                "account": rng.choice(self.accounts),
                "amount": bill["amount"] + self._catalogue.service_charge(BillKind(bill["kind"])),
                "bill_id": bill["bill_id"],
                "sealed_pin": seal_pin(self._sealing_key, "1234", entry_id),
            }
            started = time.perf_counter()
            answer = session.post(f"{self.server.base_url}/v1/wallet/debits", json=body, timeout=60)
            took = (time.perf_counter() - started) * 1000
            with self._lock:
                if answer.status_code == 200 or answer.status_code == 409:
                    # 409: the wallet was short; a refusal is a full round trip all the same.
                    self.latencies_ms.append(took)
                else:
                    self.failures.append(f"{answer.status_code} {answer.text[:200]}")
            self._stop.wait(DEBIT_PAUSE_S)

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join()


def bench_backend(
    name: str, database: str, workdir: Path, args: argparse.Namespace
) -> list[Metric]:
    on_pg = name == "postgresql"
    workers = args.workers or (2 if on_pg else 1)
    print(f"[{name}] seeding and starting the server ({workers} worker(s))")
    server = start_server(name, database, workdir, workers, args.subscribers, args.bills)
    try:
        accounts, bills = seeded_records(database)
        rng = random.Random(2026)
        rng.shuffle(bills)
        debit_bills = [bills.pop() for _ in range(min(len(bills) // 10, 2000))]
        counter = Counter(rng, accounts, bills)
        print(
            f"[{name}] {args.terminals} terminals x {args.batches} batches of {BATCH} entries:"
            " enrolling and signing"
        )
        terminals = prepared(server, counter, args.terminals, args.batches * BATCH, BATCH)
        verify_us = bare_verify_us(terminals)
        batched = push_all(server, terminals, args.keep_alive)
        rate = batched.entries / batched.seconds
        cpu_us = batched.server_cpu_s / batched.entries * 1e6
        print(
            f"[{name}] as fast as they are answered: {batched.entries} entries in"
            f" {batched.seconds:.1f} s, results {batched.statuses}; server CPU {cpu_us:.0f} µs"
            f" per entry, a bare verify {verify_us:.0f} µs"
        )
        pin_ms = pin_check_ms()
        debits = Debits(server, args.debit_clients, accounts, debit_bills)
        debits.start()
        try:
            loaded = paced(name, server, counter, args, 0.8 * rate)
        finally:
            debits.stop()
        print(
            f"[{name}] online debits meanwhile: {len(debits.latencies_ms)},"
            f" p50 {percentile(debits.latencies_ms, 50):.0f} ms,"
            f" p99 {percentile(debits.latencies_ms, 99):.0f} ms, failures {debits.failures[:3]}"
        )
        lone = prepared(server, counter, args.terminals, max(1, args.single // args.terminals), 1)
        single = push_all(server, lone, args.keep_alive)
        single_rate = single.entries / single.seconds
        print(
            f"[{name}] one per request: {single.entries} entries in {single.seconds:.1f} s,"
            f" results {single.statuses}"
        )
        single_paced = paced_single(name, server, counter, args, 0.5 * single_rate)
        soaked = soak(server, counter, args, database) if args.soak_seconds > 0 else None
        if soaked is not None:
            print(
                f"[{name}] soak: {args.soak_terminals} terminals for {soaked.seconds:.0f} s,"
                f" {soaked.requests} requests, {soaked.entries_sent} entries"
                f" ({soaked.resent} sent again), errors {soaked.errors[:3]},"
                f" lost or doubled {soaked.lost_or_doubled}"
            )
    finally:
        server.stop()
    started = time.perf_counter()
    audited = _cli(database, server.secrets, "audit")
    audit_s = time.perf_counter() - started
    print(f"[{name}] audit: {audited.stdout.strip().splitlines()[-1]} ({audit_s:.1f} s)")
    if audited.returncode != 0:
        print(audited.stdout[-3000:])
        raise SystemExit(f"audit failed on {name}")
    if debits.failures:
        raise SystemExit(f"online debits failed on {name}: {debits.failures[:3]}")

    def pg(target: float) -> float | None:
        return target if on_pg else None

    return [
        Metric(f"{name}_workers", workers, "processes"),
        Metric(f"{name}_entries_per_s", rate, "entries/s", pg(TARGET_RATE), "higher"),
        Metric(f"{name}_server_cpu_us_per_entry", cpu_us, "us"),
        Metric(f"{name}_bare_verify_us_per_entry", verify_us, "us"),
        Metric(f"{name}_cpu_per_entry_over_verify", cpu_us / verify_us, "x", pg(TARGET_CPU_RATIO)),
        Metric(f"{name}_paced_rate_80pct", 0.8 * rate, "entries/s"),
        Metric(
            f"{name}_p99_batch_ms_at_80pct",
            percentile(loaded.latencies_ms, 99),
            "ms",
            pg(TARGET_P99_MS),
        ),
        Metric(f"{name}_p50_batch_ms_at_80pct", percentile(loaded.latencies_ms, 50), "ms"),
        Metric(f"{name}_p99_batch_ms_closed_loop", percentile(batched.latencies_ms, 99), "ms"),
        Metric(f"{name}_debits_while_pushing", len(debits.latencies_ms), "debits"),
        Metric(
            f"{name}_debit_p99_ms",
            percentile(debits.latencies_ms, 99),
            "ms",
            pg(TARGET_DEBIT_P99_MS),
        ),
        Metric(f"{name}_debit_p50_ms", percentile(debits.latencies_ms, 50), "ms"),
        Metric(f"{name}_pin_check_alone_ms", pin_ms, "ms"),
        Metric(
            f"{name}_single_requests_per_s", single_rate, "1/s", pg(TARGET_SINGLE_RATE), "higher"
        ),
        Metric(
            f"{name}_single_server_cpu_ms_per_request",
            single.server_cpu_s / single.entries * 1e3,
            "ms",
        ),
        Metric(
            f"{name}_single_p99_ms_at_half_rate",
            percentile(single_paced.latencies_ms, 99),
            "ms",
            pg(TARGET_SINGLE_P99_MS),
        ),
        Metric(f"{name}_single_p99_ms_closed_loop", percentile(single.latencies_ms, 99), "ms"),
        Metric(f"{name}_audit_s", audit_s, "s"),
    ] + (
        []
        if soaked is None
        else [
            Metric(f"{name}_soak_terminals", args.soak_terminals, "terminals"),
            Metric(f"{name}_soak_requests", soaked.requests, "requests"),
            Metric(f"{name}_soak_errors", len(soaked.errors), "errors", 0),
            Metric(f"{name}_soak_lost_or_doubled", soaked.lost_or_doubled, "entries", 0),
            Metric(f"{name}_soak_audit_passed", 1.0, "yes", 1, "higher"),
        ]
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench central")
    parser.add_argument("--terminals", type=int, default=50)
    parser.add_argument("--batches", type=int, default=10, help="batches of 100 per terminal")
    parser.add_argument("--single", type=int, default=2000, help="entries pushed one by one")
    parser.add_argument(
        "--paced-seconds", type=float, default=8.0, help="length of each offered-load run"
    )
    parser.add_argument("--subscribers", type=int, default=20000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--workers", type=int, default=0, help="server processes (0: 2 on PostgreSQL, 1 SQLite)"
    )
    parser.add_argument("--soak-terminals", type=int, default=200)
    parser.add_argument(
        "--soak-seconds", type=float, default=60.0, help="mixed load at the end (0: none)"
    )
    parser.add_argument(
        "--soak-entries", type=int, default=400, help="entries prepared per soak terminal"
    )
    parser.add_argument(
        "--debit-clients", type=int, default=2, help="clerks debiting wallets during the load"
    )
    parser.add_argument(
        "--keep-alive", action="store_true", help="one connection per terminal for all its pushes"
    )
    args = parser.parse_args(argv)
    # Bills for the cash payments (about 40% of the entries), with room to spare.
    paced_entries = int(TARGET_RATE * args.paced_seconds * 1.2) + 2 * args.terminals * BATCH
    soak_entries = args.soak_terminals * args.soak_entries if args.soak_seconds > 0 else 0
    total = args.terminals * args.batches * BATCH + 2 * args.single + paced_entries + soak_entries
    args.bills = int(total * 0.6) + 2000
    metrics: list[Metric] = []
    with tempfile.TemporaryDirectory(prefix="bench-central-") as tmp:
        workdir = Path(tmp)
        for name in args.backends.split(","):
            if name == "sqlite":
                database = f"sqlite:///{workdir / 'central.sqlite'}"
                metrics += bench_backend(name, database, workdir, args)
            elif name == "postgresql":
                found = postgres_database()
                if found is None:
                    continue
                database, schema = found
                try:
                    metrics += bench_backend(name, database, workdir, args)
                finally:
                    drop_schema(schema)
            else:
                parser.error(f"unknown backend {name}")
    report("central", metrics)
    return 0
