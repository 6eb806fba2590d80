"""``python -m bench supervisor``: the supervisor's office reports at central, on PostgreSQL.

A fresh schema is migrated and filled with rows as central's ingest stores them (entries with
their signed bodies, and the ledger's transfers): an internal office's day of 5 terminals x
2,000 entries (top-ups, cash and wallet bill payments, cash drops, voids, shifts opened and
closed), and an internet café's month of 60,000 entries. The rows are written in bulk rather
than pushed (ingest has its own benchmark, ``bench central``): what is measured is the report
reads themselves, on a connection as the API uses one.

1. The office day view (``reports.office_day``: totals by service, method, clerk, terminal and
   hour, the flagged entries, refunds due, and every shift with its figures).
2. The café's monthly settlement (``reports.settlement``) over its 60,000 entries.

Each is run 15 times after one warm-up; the median is compared with its target (200 ms).
PostgreSQL: ERIAL_BENCH_POSTGRES_URL or postgresql+psycopg://postgres@127.0.0.1:5432/test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, insert, make_url, text
from sqlalchemy.pool import NullPool

from bench.common import Metric, report
from erial_central import reports
from erial_central.ledger import SERVICE_CHARGES, office_cash, office_wallet, revenue, wallet
from erial_central.migrate import upgrade
from erial_central.models import entries, offices, transfers
from erial_desk.domain.policy import FeeCatalogue, PaymentMethod

POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_MS = 200.0
RUNS = 15
DAY = "2026-03-15"
KINDS = ("parking", "lease", "licence", "building_permit")
CATALOGUE = FeeCatalogue()


def _schema_engine(base: str) -> tuple[Engine, Callable[[], None]]:
    schema = "bench_sup_" + secrets.token_hex(4)
    admin = create_engine(base, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = create_engine(url, pool_size=2)

    def drop() -> None:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return engine, drop


class Rows:
    """Entry and transfer rows as ingest writes them, made in memory and inserted in bulk."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.entries: list[dict[str, Any]] = []
        self.transfers: list[dict[str, Any]] = []
        self.next_transfer = 1

    def entry(
        self,
        office: str,
        terminal: str,
        seq: int,
        entry_type: str,
        at: str,
        operator: str,
        payload: dict[str, Any],
        status: str = "applied",
    ) -> str:
        entry_id = f"{terminal}-{seq:07d}"
        body = {"id": entry_id, "type": entry_type, "at": at, "payload": payload}
        self.entries.append(
            {
                "entry_id": entry_id,
                "terminal_id": terminal,
                "seq": seq,
                "office_id": office,
                "entry_type": entry_type,
                "at": at,
                "day": at[:10],
                "operator": operator,
                "account": payload.get("account"),
                "method": payload.get("method")
                or ("cash" if entry_type in ("top_up", "cash_drop") else None),
                "bill_kind": payload.get("bill_kind"),
                "amount": payload.get("amount"),
                "service_charge": payload.get("service_charge"),
                "shift_id": payload.get("shift")
                or (entry_id if entry_type == "shift_opened" else None),
                "hash": secrets.token_hex(32),
                "body": json.dumps(body, sort_keys=True),
                "signature": b"\x00" * 64,
                "status": status,
                "reason": None,
                "rule": None,
                "voided_by": None,
                "received_at": at,
            }
        )
        return entry_id

    def transfer(self, kind: str, amount: int, source: str, destination: str, entry: str, at: str):
        self.transfers.append(
            {
                "transfer_id": self.next_transfer,
                "kind": kind,
                "amount": amount,
                "source": source,
                "destination": destination,
                "entry_id": entry,
                "reverses": None,
                "at": at,
            }
        )
        self.next_transfer += 1

    def counter(self, office: str, terminal: str, days: list[str], count: int, walk_in: str):
        """``count`` entries of one terminal spread over ``days``, in shifts of about 250."""
        rng = self.rng
        seq = 0
        shift = ""
        for n in range(count):
            day = days[n * len(days) // count]
            at = f"{day}T{4 + (n % 250) * 12 // 250:02d}:{rng.randrange(60):02d}:00.000000Z"
            seq += 1
            if n % 250 == 0:
                shift = self.entry(
                    office,
                    terminal,
                    seq,
                    "shift_opened",
                    at,
                    "clerk",
                    {"office": office, "float_counts": {}, "float_total": 10_000},
                )
                continue
            roll = rng.random()
            account = f"1{rng.randrange(10**10):010d}"
            if roll < 0.35:
                amount = rng.randrange(1, 50) * 1000
                eid = self.entry(
                    office, terminal, seq, "top_up", at, "clerk",
                    {"shift": shift, "account": account, "amount": amount},
                )  # fmt: skip
                self.transfer("top_up", amount, office_cash(office), wallet(account), eid, at)
            elif roll < 0.9:
                kind = rng.choice(KINDS)
                method = walk_in if rng.random() < 0.5 else PaymentMethod.WALLET.value
                charge = CATALOGUE.charge_for(
                    CATALOGUE.services[next(k for k in CATALOGUE.services if k.value == kind)].kind,
                    PaymentMethod(method),
                )
                amount = rng.randrange(1, 200) * 500
                payer = {
                    "cash": office_cash(office),
                    "wallet": wallet(account),
                    "office_wallet": office_wallet(office),
                }[method]
                eid = self.entry(
                    office, terminal, seq, "bill_paid", at, "clerk",
                    {"shift": shift, "bill_kind": kind, "bill_id": f"B{seq}{terminal}",
                     "amount": amount, "service_charge": charge, "method": method,
                     "account": account if method == "wallet" else None},
                )  # fmt: skip
                self.transfer("bill", amount, payer, revenue(kind), eid, at)
                if charge:
                    self.transfer("charge", charge, payer, SERVICE_CHARGES, eid, at)
            elif roll < 0.95:
                self.entry(
                    office, terminal, seq, "cash_drop", at, "clerk",
                    {"shift": shift, "amount": 5000, "approver": "super"},
                )  # fmt: skip
            else:
                self.entry(
                    office, terminal, seq, "receipt_reprinted", at, "clerk",
                    {"entry": shift, "receipt": "R"},
                )  # fmt: skip

    def write(self, engine: Engine) -> None:
        with engine.begin() as conn:
            for start in range(0, len(self.entries), 5000):
                conn.execute(insert(entries), self.entries[start : start + 5000])
            for start in range(0, len(self.transfers), 5000):
                conn.execute(insert(transfers), self.transfers[start : start + 5000])
            conn.execute(text("ANALYZE"))


def _timed(engine: Engine, work: Callable[[Any], object]) -> float:
    with engine.connect() as conn:
        work(conn)  # warm-up
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            work(conn)
            times.append((time.perf_counter() - started) * 1000)
            conn.rollback()
    return statistics.median(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench supervisor")
    parser.add_argument("--terminals", type=int, default=5)
    parser.add_argument("--per-terminal", type=int, default=2000)
    parser.add_argument("--cafe-entries", type=int, default=60_000)
    args = parser.parse_args(argv)
    base = os.environ.get("ERIAL_BENCH_POSTGRES_URL") or POSTGRES_DEFAULT
    engine, drop = _schema_engine(base)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            for office_id, kind in (("MCT-HQ", "internal"), ("CAFE-RUWI", "external")):
                conn.execute(
                    insert(offices),
                    {
                        "office_id": office_id,
                        "name_en": office_id,
                        "name_ar": office_id,
                        "office_type": kind,
                        "top_up_authorised": True,
                        "top_up_float_limit": None,
                    },
                )
        rows = Rows(random.Random(13))
        for n in range(args.terminals):
            rows.counter("MCT-HQ", f"hq-{n}", [DAY], args.per_terminal, "cash")
        month = [f"2026-03-{d:02d}" for d in range(1, 32)]
        for n in range(4):  # the café's four counters
            rows.counter("CAFE-RUWI", f"cafe-{n}", month, args.cafe_entries // 4, "office_wallet")
        started = time.perf_counter()
        rows.write(engine)
        print(f"  {len(rows.entries)} entries, {len(rows.transfers)} transfers written in"
              f" {time.perf_counter() - started:.1f} s")  # fmt: skip
        day_ms = _timed(engine, lambda conn: reports.office_day(conn, "MCT-HQ", DAY))
        settle_ms = _timed(
            engine, lambda conn: reports.settlement(conn, "CAFE-RUWI", month[0], month[-1])
        )
        with engine.connect() as conn:
            day = reports.office_day(conn, "MCT-HQ", DAY)
            statement = reports.settlement(conn, "CAFE-RUWI", month[0], month[-1])
        print(f"  office day: {len(day['shifts'])} shifts, takings by hour {day['by_hour']}")
        print(f"  settlement: {statement['payments']['count']} payments, cash taken"
              f" {statement['cash_taken']} baisa")  # fmt: skip
    finally:
        drop()
    total = args.terminals * args.per_terminal
    report(
        "supervisor",
        [
            Metric(f"office day view, {total} entries (median)", day_ms, "ms", TARGET_MS),
            Metric(
                f"cafe settlement, {args.cafe_entries} entries (median)", settle_ms, "ms", TARGET_MS
            ),
        ],
    )
    return 0
