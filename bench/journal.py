"""``python -m bench journal [--appends N] [--dir D]``: the cost of a journal append.

Times ``Journal.append`` (no projector: the journal's own cost) against a bare SQLite
``BEGIN IMMEDIATE; INSERT; COMMIT`` of the very same row (same bytes, so the same size) into an
identical table (a second file migrated to head) with the same pragmas (``connect_raw``: WAL,
``synchronous=FULL``). The two alternate entry by entry on files in the same directory, so both
see the same disk and the same background load, and take turns at going first: whichever writes
first after the previous round's commits pays more for its own (20 to 35 µs here, whichever of
the two it is), so a fixed order would favour one of them. The bare insert writes the rows the
plain append wrote, one round behind. Target: append median / bare median <= 1.5.

Also reported, for information: appends with the projector that keeps the derived tables (as the
desk runs; a third file, alternating with the other two), and the CPU-only steps of an append (id
and clock, canonical JSON and hash, signature), which show where the time beyond the bare insert
goes. Temp files go under ``bench/out/`` (or ``--dir``: put it on the disk the desk will use).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nacl.bindings import crypto_sign, crypto_sign_seed_keypair

from bench.common import OUT, Metric, median, percentile, report
from erial_desk.domain.chain import build_envelope, encode_envelope
from erial_desk.domain.clock import now_stamp
from erial_desk.domain.identifiers import make_account_number
from erial_desk.store import migrate, projections
from erial_desk.store.engine import connect_raw
from erial_desk.store.journal import AppendedEntry, Journal, new_entry_id

TARGET_RATIO = 1.5
WARMUP = 200
SEED = 20240601

_INSERT = (
    "INSERT INTO journal (seq, entry_id, entry_type, at, operator, body, hash, prev_hash,"
    " signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

NAMES = [
    ("سالم بن سعيد الحارثي", "Salim Said Al Harthy"),
    ("فاطمة بنت علي البلوشية", "Fatma Ali Al Balushi"),
    ("عبدالله بن ناصر الكندي", "Abdullah Nasser Al Kindi"),
    ("شركة الرسيل للتجارة والمقاولات", "Rusayl Trading and Contracting LLC"),
]


class Payloads:
    """A counter's mix: mostly top-ups and bill payments, some registrations."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.shift = new_entry_id()
        self.accounts = [make_account_number(10**10 + rng.randrange(9 * 10**10))]

    def next(self) -> tuple[str, dict[str, Any]]:
        rng = self.rng
        roll = rng.random()
        account = rng.choice(self.accounts)
        if roll < 0.15:
            account = make_account_number(10**10 + rng.randrange(9 * 10**10))
            self.accounts.append(account)
            name_ar, name_en = rng.choice(NAMES)
            return "subscriber_registered", {
                "account": account,
                "kind": "individual",
                "civil_number": str(rng.randrange(10**7, 10**8)),
                "cr_number": None,
                "name_ar": name_ar,
                "name_en": name_en,
                "mobile": f"9{rng.randrange(10**7):07d}",
                "email": None,
                "authorised_person": None,
                "sealed_pin": "".join(rng.choice("ABCDEFGHabcdefgh0123456789") for _ in range(96)),
            }
        if roll < 0.6:
            amount = rng.randrange(1, 400) * 500
            return "top_up", {"shift": self.shift, "account": account, "amount": amount}
        wallet = roll < 0.8
        amount = rng.randrange(1, 200) * 1_000
        return "bill_paid", {
            "shift": self.shift,
            "bill_kind": "parking",
            "bill_id": new_entry_id(),
            "bill_reference": f"PV-2024-{rng.randrange(10**6):06d}",
            "amount": amount,
            "service_charge": 200 if wallet else 0,
            "method": "wallet" if wallet else "cash",
            "account": account if wallet else None,
            "sealed_pin": "c2VhbGVkIHBpbiBib3g=" if wallet else None,
            "authorisation": f"AUTH-{rng.randrange(10**8):08d}" if wallet else None,
            "balance_after": rng.randrange(0, 10**6) if wallet else None,
            "status": "confirmed",
        }


def new_terminal(path: Path, key: Ed25519PrivateKey) -> str:
    migrate.upgrade(path)
    terminal_id = new_entry_id()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    conn = connect_raw(path)
    try:
        conn.execute(
            "INSERT INTO terminal (terminal_id, public_key, office_id, keyring, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (terminal_id, public, "MCT-HQ", "encrypted-file", now_stamp()),
        )
    finally:
        conn.close()
    return terminal_id


def append(journal: Journal, entry_type: str, payload: dict[str, Any]) -> AppendedEntry:
    return journal.append(
        entry_type, payload, operator="salim", policy_version=3, catalogue_version=7
    )


def measure(
    workdir: Path, key: Ed25519PrivateKey, appends: int, rng: random.Random
) -> dict[str, list[float]]:
    """Times in µs of each append (plain and with the projector) and of each bare insert.

    The three alternate entry by entry, each on its own file in ``workdir``; the payloads are
    made before the clock starts; the plain append and the bare insert take turns at going
    first, and the bare insert writes the row the plain append wrote a round before.
    """
    plain_db, projected_db, bare_db = (workdir / f"{n}.sqlite" for n in ("plain", "proj", "bare"))
    plain = Journal(plain_db, new_terminal(plain_db, key), key, projector=None)
    projected = Journal(
        projected_db, new_terminal(projected_db, key), key, projector=projections.project
    )
    new_terminal(bare_db, key)
    bare = connect_raw(bare_db)
    payloads = Payloads(rng)
    times: dict[str, list[float]] = {"append": [], "bare": [], "projected": []}
    clock = time.perf_counter
    waiting: list[tuple[Any, ...]] = []  # rows the plain append wrote and the bare one not yet

    def timed_append(entry_type: str, payload: dict[str, Any]) -> float:
        t0 = clock()
        entry = append(plain, entry_type, payload)
        took = clock() - t0
        env, signed = entry.envelope, entry.signed
        waiting.append(
            (
                signed.seq,
                signed.entry_id,
                env["type"],
                env["at"],
                env["operator"],
                signed.body,
                signed.hash,
                env["prev"],
                signed.signature,
            )
        )
        return took

    def timed_bare() -> float:
        row = waiting.pop(0)
        t0 = clock()
        bare.execute("BEGIN IMMEDIATE")
        bare.execute(_INSERT, row)
        bare.execute("COMMIT")
        return clock() - t0

    try:
        timed_append(*payloads.next())  # one row ahead, so the bare insert can go first
        for i in range(WARMUP + appends):
            entry_type, payload = payloads.next()
            if i % 2 == 0:
                appended = timed_append(entry_type, payload)
                inserted = timed_bare()
            else:
                inserted = timed_bare()
                appended = timed_append(entry_type, payload)
            t3 = clock()
            append(projected, entry_type, payload)
            t4 = clock()
            if i >= WARMUP:
                times["append"].append(appended * 1e6)
                times["bare"].append(inserted * 1e6)
                times["projected"].append((t4 - t3) * 1e6)
    finally:
        plain.close()
        projected.close()
        bare.close()
    return times


def measure_cpu(key: Ed25519PrivateKey, count: int, rng: random.Random) -> dict[str, float]:
    """Median µs of the CPU-only steps of an append: id and clock, canonical JSON and SHA-256,
    Ed25519 signature (through libsodium, as the journal signs)."""
    sodium_key = crypto_sign_seed_keypair(key.private_bytes_raw())[1]
    payloads = Payloads(rng)
    steps: dict[str, list[float]] = {"id_and_clock": [], "encode_and_hash": [], "sign": []}
    clock = time.perf_counter
    prev = "0" * 64
    for seq in range(1, count + 1):
        entry_type, payload = payloads.next()
        t0 = clock()
        entry_id, at = new_entry_id(), now_stamp()
        t1 = clock()
        env = build_envelope(
            entry_id=entry_id,
            terminal_id="01900000-0000-7000-8000-000000000000",
            seq=seq,
            at=at,
            entry_type=entry_type,
            operator="salim",
            policy_version=3,
            catalogue_version=7,
            payload=payload,
            prev=prev,
        )
        _body, digest = encode_envelope(env)
        t2 = clock()
        crypto_sign(bytes.fromhex(digest), sodium_key)
        t3 = clock()
        steps["id_and_clock"].append((t1 - t0) * 1e6)
        steps["encode_and_hash"].append((t2 - t1) * 1e6)
        steps["sign"].append((t3 - t2) * 1e6)
        prev = digest
    return {name: median(values) for name, values in steps.items()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench journal")
    parser.add_argument("--appends", type=int, default=5_000, help="timed appends of each kind")
    parser.add_argument("--dir", type=Path, default=None, help="directory for the temp files")
    args = parser.parse_args(argv)

    rng = random.Random(SEED)
    key = Ed25519PrivateKey.generate()
    base = args.dir or OUT
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="journal-", dir=base) as tmp:
        times = measure(Path(tmp), key, args.appends, rng)
    cpu = measure_cpu(key, 2_000, rng)

    appended, inserted, projected = times["append"], times["bare"], times["projected"]
    append_median = median(appended)
    bare_median = median(inserted)
    per_second = len(appended) / (sum(appended) / 1e6)
    report(
        "journal",
        [
            Metric("append_median_us", append_median, "µs"),
            Metric("append_p99_us", percentile(appended, 99), "µs"),
            Metric("appends_per_s", per_second, "1/s", better="higher"),
            Metric("bare_median_us", bare_median, "µs"),
            Metric("bare_p99_us", percentile(inserted, 99), "µs"),
            Metric("ratio", append_median / bare_median, "x", TARGET_RATIO, "lower"),
            Metric("projected_append_median_us", median(projected), "µs"),
            Metric("projected_append_p99_us", percentile(projected, 99), "µs"),
            Metric("append_minus_bare_median_us", append_median - bare_median, "µs"),
            Metric("cpu_id_and_clock_median_us", cpu["id_and_clock"], "µs"),
            Metric("cpu_encode_and_hash_median_us", cpu["encode_and_hash"], "µs"),
            Metric("cpu_sign_median_us", cpu["sign"], "µs"),
        ],
    )
    return 0
