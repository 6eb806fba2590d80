"""``python -m bench verify [--entries N] [--repeat R] [--dir D]``: verifying the journal.

Builds a journal of N real entries (default 20,000: the counter mix of ``bench.journal``, each
built, canonically encoded, hashed, chained and signed exactly as ``Journal.append`` does, but
written in one transaction so that building takes seconds, not minutes), then times, alternating
R times (best run kept):

- ``Journal.verify(public_key)``: every hash, link, column and signature checked;
- ``Journal.verify(None)``: the hash chain alone;
- bare ``Ed25519PublicKey.verify`` of the same signatures over the same hashes, already in memory.

Targets: full verification >= 0.8 x the bare signature rate; the hash chain alone >= 100,000
entries/s.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.common import OUT, Metric, report
from bench.journal import Payloads, new_terminal
from erial_desk.domain.chain import build_envelope, encode_envelope, genesis_hash
from erial_desk.domain.clock import now_stamp
from erial_desk.store.engine import connect_raw
from erial_desk.store.journal import Journal, new_entry_id

TARGET_RATIO = 0.8
TARGET_CHAIN_PER_S = 100_000
SEED = 20240602

_INSERT = (
    "INSERT INTO journal (seq, entry_id, entry_type, at, operator, body, hash, prev_hash,"
    " signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def build(db: Path, key: Ed25519PrivateKey, entries: int, rng: random.Random) -> str:
    """A journal of ``entries`` signed, chained entries; returns the terminal id."""
    terminal_id = new_terminal(db, key)
    payloads = Payloads(rng)
    prev = genesis_hash(terminal_id)
    conn = connect_raw(db)
    try:
        conn.execute("BEGIN IMMEDIATE")
        for seq in range(1, entries + 1):
            entry_type, payload = payloads.next()
            entry_id, at = new_entry_id(), now_stamp()
            env = build_envelope(
                entry_id=entry_id,
                terminal_id=terminal_id,
                seq=seq,
                at=at,
                entry_type=entry_type,
                operator="salim",
                policy_version=3,
                catalogue_version=7,
                payload=payload,
                prev=prev,
            )
            body, digest = encode_envelope(env)
            signature = key.sign(bytes.fromhex(digest))
            conn.execute(
                _INSERT, (seq, entry_id, entry_type, at, "salim", body, digest, prev, signature)
            )
            prev = digest
        conn.execute("COMMIT")
    finally:
        conn.close()
    return terminal_id


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench verify")
    parser.add_argument("--entries", type=int, default=20_000, help="journal entries")
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs; best kept")
    parser.add_argument("--dir", type=Path, default=None, help="directory for the temp file")
    args = parser.parse_args(argv)

    key = Ed25519PrivateKey.generate()
    public_key = key.public_key()
    base = args.dir or OUT
    base.mkdir(parents=True, exist_ok=True)
    best = {"full": float("inf"), "chain": float("inf"), "bare": float("inf")}
    with tempfile.TemporaryDirectory(prefix="verify-", dir=base) as tmp:
        db = Path(tmp) / "journal.sqlite"
        terminal_id = build(db, key, args.entries, random.Random(SEED))
        journal = Journal(db, terminal_id, None)
        try:
            signed = [(row.signature, bytes.fromhex(row.hash)) for row in journal.rows()]
            assert len(signed) == args.entries
            clock = time.perf_counter
            for _ in range(args.repeat):
                t0 = clock()
                full = journal.verify(public_key)
                t1 = clock()
                chain = journal.verify(None)
                t2 = clock()
                for signature, digest in signed:
                    public_key.verify(signature, digest)
                t3 = clock()
                assert full == chain == (args.entries, None), (full, chain)
                best["full"] = min(best["full"], t1 - t0)
                best["chain"] = min(best["chain"], t2 - t1)
                best["bare"] = min(best["bare"], t3 - t2)
        finally:
            journal.close()

    per_s = {name: args.entries / seconds for name, seconds in best.items()}
    report(
        "verify",
        [
            Metric("entries", args.entries, "entries"),
            Metric("verify_per_s", per_s["full"], "1/s", better="higher"),
            Metric("bare_ed25519_per_s", per_s["bare"], "1/s", better="higher"),
            Metric("ratio", per_s["full"] / per_s["bare"], "x", TARGET_RATIO, "higher"),
            Metric("chain_only_per_s", per_s["chain"], "1/s", TARGET_CHAIN_PER_S, "higher"),
        ],
    )
    return 0
