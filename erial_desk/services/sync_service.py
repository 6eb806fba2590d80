"""Synchronisation with central, behind the facade: enrolment, push and pull, status, and the
background worker that keeps doing both while the counter works."""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import text

from erial_desk.domain.central import Bill
from erial_desk.domain.errors import CentralUnavailable, DeskError
from erial_desk.domain.policy import (
    BillKind,
    catalogue_from_dict,
    catalogue_to_dict,
    office_from_dict,
    office_to_dict,
    policy_from_dict,
    policy_to_dict,
)
from erial_desk.store import sync_state
from erial_desk.store.transaction import write_transaction
from erial_desk.sync.client import CentralClient
from erial_desk.sync.credentials import KeyStore

from .base import DeskBase

PUSH_BATCH = 500
FEED_PAGE = 5000


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def lookup_bills(desk: DeskBase, kind: BillKind, key: str) -> tuple[list[Bill], str | None]:
    """Bills from central, kept for offline use. When central cannot be reached: the bills kept
    from the last lookup of the same key, with the time they were fetched (None when fresh), and
    those this desk has paid since shown paid; central's duplicate-payment rule decides the
    rest at sync. The local stand-in of the demo is always asked."""
    if not isinstance(desk.central, CentralClient):
        return desk.central.find_bills(kind, key), None
    conn = desk.journal.raw_connection()
    try:
        bills = desk.central.find_bills(kind, key)
    except CentralUnavailable:
        with desk.journal.lock:
            cached, fetched_at = sync_state.cached_bills(conn, kind.value, key)
        if fetched_at is None:
            raise
        with desk._reading() as reading:
            paid = {
                r[0]
                for r in reading.execute(
                    text(
                        "SELECT bill_id FROM transactions WHERE entry_type = 'bill_paid'"
                        " AND voided_by IS NULL AND bill_id IS NOT NULL"
                    )
                )
            }
        return [
            replace(Bill.from_dict(b), status="paid") if b["bill_id"] in paid else Bill.from_dict(b)
            for b in cached
        ], fetched_at
    sync_state.cache_bills(
        conn,
        desk.journal.lock,
        kind.value,
        key,
        [b.to_dict() for b in bills],
        _now(),
    )
    return bills, None


class _TokenOnce:
    """The API token, read from the key store on first use and then kept in memory: a key store
    read can cost a key derivation (the encrypted key file) or a desktop-keyring round trip, and
    the client needs the token on every request."""

    def __init__(self, keys: KeyStore, terminal_id: str) -> None:
        self._keys = keys
        self._terminal_id = terminal_id
        self._token: str | None = None

    def __call__(self) -> str | None:
        if self._token is None:
            self._token = self._keys.token(self._terminal_id)
        return self._token


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar shows: online or not, what waits, when it last worked."""

    enrolled: bool
    online: bool
    waiting: int
    flagged: int
    rejected: int
    last_sync: str | None
    last_error: str | None
    revoked: bool


@dataclass(frozen=True)
class SyncProgress:
    """Progress of a long pull (the first directory download at an internal office)."""

    changes: int
    cursor: int
    newest: int


class SyncMixin(DeskBase):
    _sync_thread: threading.Thread | None = None
    _sync_stop: threading.Event | None = None
    _sync_wake: threading.Event | None = None
    _online: bool = False
    _synced: bool = False

    def _remote_central(self, keys: KeyStore) -> CentralClient:
        return CentralClient(
            self.settings.central_url,
            _TokenOnce(keys, self.terminal_id),
            ca_bundle=self.settings.ca_bundle,
        )

    # --- one round -------------------------------------------------------------------------

    def sync_once(self, progress: object = None) -> SyncStatus:
        """Push everything waiting, then pull the feed to its end. Errors are recorded in the
        status, never raised: the counter keeps working."""
        conn = self.journal.raw_connection()
        self._synced = True
        try:
            self._cancel_abandoned_debits()
            while self.push_pending(PUSH_BATCH, raise_errors=True) >= PUSH_BATCH:
                pass
            if isinstance(self.central, CentralClient):
                acknowledged = sync_state.acknowledged_through(conn)
                self.pull(progress)
                sync_state.recount_pending_debits(conn, self.journal.lock, acknowledged)
                self._refresh_reference_data()
            self._online = True
            with self.journal.lock:
                sync_state.put_state(conn, "last_sync", _now())
                sync_state.put_state(conn, "last_error", "")
        except DeskError as exc:
            self._online = not isinstance(exc, CentralUnavailable)
            with self.journal.lock:
                sync_state.put_state(conn, "last_error", exc.code)
                if exc.code == "sync.revoked":
                    sync_state.put_state(conn, "revoked", "1")
        return self.sync_status()

    def _cancel_abandoned_debits(self) -> None:
        """Central undoes each debit this desk abandoned; one it never received is forgotten."""
        conn = self.journal.raw_connection()
        waiting = sync_state.abandoned_debits(conn)
        for entry_id in list(waiting):
            self.central.cancel_debit(entry_id)
            waiting.remove(entry_id)
            sync_state.set_abandoned_debits(conn, self.journal.lock, waiting)

    def pull(self, progress: object = None) -> int:
        """Apply central's change feed page by page; each page commits with its cursor."""
        assert isinstance(self.central, CentralClient)
        conn = self.journal.raw_connection()
        cursor = int(sync_state.get_state(conn, "feed_cursor") or 0)
        total = 0
        while True:
            page = self.central.feed(cursor, FEED_PAGE)
            applied = sync_state.apply_feed_page(
                conn, self.journal.lock, page["changes"], int(page["cursor"])
            )
            total += applied.changes
            cursor = applied.cursor
            if callable(progress):
                progress(SyncProgress(total, cursor, int(page.get("newest", cursor))))
            if not page["more"]:
                return total

    def _refresh_reference_data(self) -> None:
        """Keep what the desk needs to work offline: office, policy, catalogue, sealing key."""
        conn = self.journal.raw_connection()
        assert isinstance(self.central, CentralClient)
        self.central._office = None
        self.central._policy = None
        office = self.central.office(self.settings.office_id)
        policy, catalogue = self.central.policy(office.office_id)
        sealing = self.central.sealing_key()
        with write_transaction(conn, self.journal.lock):
            sync_state.put_json(conn, "office", office_to_dict(office))
            sync_state.put_json(conn, "policy", policy_to_dict(policy))
            sync_state.put_json(conn, "catalogue", catalogue_to_dict(catalogue))
            sync_state.put_state(conn, "sealing_key", base64.b64encode(sealing).decode())
        self.office, self.policy, self.catalogue = office, policy, catalogue
        self._sealing_key = sealing

    def load_cached_reference_data(self) -> bool:
        """Office, policy, catalogue and sealing key from the last sync; False if never."""
        conn = self.journal.raw_connection()
        office = sync_state.get_json(conn, "office")
        policy = sync_state.get_json(conn, "policy")
        catalogue = sync_state.get_json(conn, "catalogue")
        sealing = sync_state.get_state(conn, "sealing_key")
        if not (office and policy and catalogue):
            return False
        self.office = office_from_dict(office)
        self.policy, self.catalogue = policy_from_dict(policy), catalogue_from_dict(catalogue)
        if sealing:
            self._sealing_key = base64.b64decode(sealing)
        return True

    # --- status and the background worker --------------------------------------------------

    def sync_status(self) -> SyncStatus:
        conn = self.journal.raw_connection()
        counts = {
            state: n
            for state, n in conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state")
        }
        last_sync = sync_state.get_state(conn, "last_sync")
        last_error = sync_state.get_state(conn, "last_error") or None
        return SyncStatus(
            enrolled=bool(self.settings.central_url),
            # Before this process has synced, the last round's outcome is the best knowledge.
            online=self._online if self._synced else bool(last_sync) and last_error is None,
            waiting=int(counts.get("pending", 0)),
            flagged=int(counts.get("flagged", 0)),
            rejected=int(counts.get("rejected", 0)),
            last_sync=last_sync,
            last_error=last_error,
            revoked=sync_state.get_state(conn, "revoked") == "1",
        )

    def flagged_entries(self) -> list[dict[str, object]]:
        """Entries central flagged or rejected, with its reasons, for the supervisor."""
        with self._reading() as conn:
            rows = conn.execute(
                text(
                    "SELECT o.seq, j.entry_id, j.entry_type, j.at, o.state, o.result FROM outbox o"
                    " JOIN journal j ON j.seq = o.seq WHERE o.state IN ('flagged', 'rejected')"
                    " ORDER BY o.seq"
                )
            ).fetchall()
        return [
            {"seq": r[0], "entry_id": r[1], "type": r[2], "at": r[3], "state": r[4], "reason": r[5]}
            for r in rows
        ]

    def start_sync(self, interval: float = 15.0) -> None:
        """Push and pull in a background thread every ``interval`` seconds, and at once after
        each transaction; a revoked terminal stops."""
        if self._sync_thread is not None or not self.settings.central_url:
            return
        stop, wake = threading.Event(), threading.Event()
        self._sync_stop, self._sync_wake = stop, wake

        def run() -> None:
            delay = interval
            while not stop.is_set():
                status = self.sync_once()
                if status.revoked:
                    return
                delay = interval if status.online else min(delay * 2, 300.0)
                wake.wait(delay)
                wake.clear()

        self._sync_thread = threading.Thread(target=run, name="erial-sync", daemon=True)
        self._sync_thread.start()

    def wake_sync(self) -> None:
        if self._sync_wake is not None:
            self._sync_wake.set()

    def stop_sync(self) -> None:
        if self._sync_stop is not None and self._sync_wake is not None and self._sync_thread:
            self._sync_stop.set()
            self._sync_wake.set()
            self._sync_thread.join(timeout=30)
        self._sync_thread = None
