"""Reconciliation of online debits that no journal entry confirmed.

A desk asks central to debit a wallet, gets the answer, and then writes the payment in its
journal. When the desk crashes in between, or is never seen again, no entry ever confirms the
debit: the customer's money sits in the bill's revenue for a payment the counter never recorded.
After the policy's delay central reverses such a debit, reopens its bill, and tells the office
through its change feed (a ``debit_reversed`` row; the wallet's new balance follows as usual).
An entry that still arrives later is applied as an offline payment: its sealed PIN is checked
and the wallet debited then, if the bill is still open.

``erial-central reconcile`` runs it once; ``erial-central serve`` runs it in the background.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import Connection, Engine, exists, select

from erial_desk.domain.clock import SYSTEM_CLOCK, Clock, stamp

from .admin import current_policy
from .db import reading, run_transaction
from .models import authorisations, entries
from .wallet import undo_debit

log = logging.getLogger(__name__)


def overdue_debits(engine: Engine, now: datetime) -> list[str]:
    """Entry ids of online debits older than the policy's delay that no entry confirmed."""
    with reading(engine) as conn:
        policy, _ = current_policy(conn)
        before = stamp(now - timedelta(hours=policy.unconfirmed_debit_hours))
        confirmed = exists().where(entries.c.entry_id == authorisations.c.entry_id)
        rows = conn.execute(
            select(authorisations.c.entry_id)
            .where(authorisations.c.kind == "debit")
            .where(authorisations.c.cancelled_at.is_(None))
            .where(authorisations.c.at < before)
            .where(~confirmed)
            .order_by(authorisations.c.entry_id)
        ).fetchall()
    return [r[0] for r in rows]


def reconcile(engine: Engine, now: datetime) -> list[str]:
    """Reverse every overdue unconfirmed debit, each in a transaction of its own; the entry
    ids reversed. Safe beside a running server and another reconciliation: each debit is
    re-checked under its locks, and one that an entry confirmed meanwhile stays."""
    reversed_ids = []
    for entry_id in overdue_debits(engine, now):
        status = run_transaction(engine, partial(_undo, entry_id=entry_id, at=stamp(now)))
        if status == "cancelled":
            reversed_ids.append(entry_id)
    return reversed_ids


def _undo(conn: Connection, entry_id: str, at: str) -> str:
    return undo_debit(conn, entry_id, at=at)


class Reconciler:
    """Runs ``reconcile`` every ``interval`` seconds in a daemon thread of the server."""

    def __init__(self, engine: Engine, interval: float, clock: Clock = SYSTEM_CLOCK) -> None:
        self.engine = engine
        self.interval = interval
        self.clock = clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reconcile", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                done = reconcile(self.engine, self.clock.now())
                if done:
                    log.warning("reversed %d unconfirmed online debits", len(done))
            except Exception:  # the next round tries again; the server keeps serving
                log.warning("reconciliation failed; retrying in %s s", self.interval)
            self._stop.wait(self.interval)
