"""Synchronisation with central, behind the facade: enrolment, push and pull, status, and the
background worker that keeps doing both while the counter works."""

from __future__ import annotations

import base64
import logging
import threading
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import text

from erial_desk.domain.central import Bill
from erial_desk.domain.clock import now_stamp
from erial_desk.domain.errors import MESSAGES, CentralUnavailable, DeskError
from erial_desk.domain.policy import (
    BillKind,
    catalogue_from_dict,
    office_from_dict,
    policy_from_dict,
)
from erial_desk.domain.reference import check_reference
from erial_desk.store import sync_state
from erial_desk.store.transaction import write_transaction
from erial_desk.sync.client import CentralClient
from erial_desk.sync.credentials import KeyStore, central_key, store_central_key

from .base import DeskBase
from .events import ReferenceDataChanged, SyncStatusChanged
from .integrity import check_central

PUSH_BATCH = 500
FEED_PAGE = 5000
_CACHED = ("office", "policy", "catalogue", "sealing_key")  # kept signed for offline opening
MAX_BACKOFF = 300.0  # seconds between worker rounds at most while central cannot be reached

log = logging.getLogger(__name__)


def lookup_bills(desk: DeskBase, kind: BillKind, key: str) -> tuple[list[Bill], str | None]:
    """Bills from central, kept for offline use. When central cannot be reached: the bills kept
    from the last lookup of the same key, with the time they were fetched (None when fresh).
    Either way, a bill this desk has paid shows paid even before central has the payment (it
    may still be on its way); central's duplicate-payment rule decides the rest at sync."""
    fetched_at: str | None = None
    try:
        bills = desk.central.find_bills(kind, key)
    except CentralUnavailable:
        with desk._reading_raw() as reading_raw:
            cached, fetched_at = sync_state.cached_bills(reading_raw, kind.value, key)
        if fetched_at is None:
            raise
        bills = [Bill.from_dict(b) for b in cached]
    else:
        sync_state.cache_bills(
            desk.journal.raw_connection(),
            desk.journal.lock,
            kind.value,
            key,
            [b.to_dict() for b in bills],
            now_stamp(desk.clock),
        )
    with desk._reading() as reading:
        paid_here = {
            r[0]
            for r in reading.execute(
                text(
                    "SELECT bill_id FROM transactions WHERE entry_type = 'bill_paid'"
                    " AND voided_by IS NULL AND bill_id IS NOT NULL"
                )
            )
        }
    return [replace(b, status="paid") if b.bill_id in paid_here else b for b in bills], fetched_at


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
    last_error: str | None  # the error's code; ``error_message`` says it to a person
    revoked: bool
    last_error_params: dict[str, Any] = field(default_factory=dict)

    def error_message(self, lang: str = "en") -> str | None:
        """The last error as a sentence in ``lang`` saying what to do, or None."""
        if not self.last_error:
            return None
        if self.last_error not in MESSAGES:  # a code written by another version of the desk
            return DeskError("sync.failed").message(lang)
        return DeskError(self.last_error, **self.last_error_params).message(lang)


@dataclass(frozen=True)
class SyncProgress:
    """Progress of a long pull (the first directory download at an internal office)."""

    changes: int
    cursor: int
    newest: int


def pin_reference_key(keys: KeyStore, terminal_id: str, enrolment: dict[str, Any]) -> None:
    """Pin central's reference key from the enrolment answer in the key store."""
    store_central_key(keys, terminal_id, bytes.fromhex(str(enrolment["reference_public_key"])))


class SyncMixin(DeskBase):
    _keys: KeyStore
    _sync_thread: threading.Thread | None = None
    _sync_stop: threading.Event | None = None
    _sync_wake: threading.Event | None = None
    _online: bool = False
    _synced: bool = False

    def _remote_central(self, keys: KeyStore) -> CentralClient:
        client = CentralClient(
            self.settings.central_url,
            _TokenOnce(keys, self.terminal_id),
            ca_bundle=self.settings.ca_bundle,
        )
        self._keys = keys
        self._reference_key = client.reference_key = central_key(keys, self.terminal_id)
        return client

    def _reference_refused(self) -> None:
        """A row of the file failed central's signature: the next pull starts the feed again
        from the beginning, so central's signed rows replace the edited ones."""
        log.warning("reference data on this desk failed central's signature; pulling it again")
        if isinstance(self.central, CentralClient):
            conn = self.journal.raw_connection()
            with write_transaction(conn, self.journal.lock):
                conn.execute("DELETE FROM sync_state WHERE key = 'feed_cursor'")
            self.wake_sync()

    def _ensure_reference_key(self) -> None:
        """A desk enrolled before the reference key was pinned at enrolment pins it now."""
        assert isinstance(self.central, CentralClient)
        if self._reference_key is None:
            offered = self.central.offered_reference_key()
            store_central_key(self._keys, self.terminal_id, offered)
            log.warning("central's reference key pinned on first use: %s", offered.hex())
            self._reference_key = self.central.reference_key = offered

    # --- one round -------------------------------------------------------------------------

    def sync_once(self, progress: object = None) -> SyncStatus:
        """Push everything waiting, then pull the feed to its end. Errors are recorded in the
        status and the log, never raised: the counter keeps working."""
        self._synced = True
        try:
            self._sync_round(progress)
        except DeskError as exc:
            self._online = not isinstance(exc, CentralUnavailable)
            # Plain unreachability is common (offline for hours) and needs no traceback.
            log.warning(
                "sync round stopped: %s %s",
                exc.code,
                exc.params,
                exc_info=exc.code != "central.unreachable",
            )
            self._record_sync_error(exc)
        except Exception:
            # A defect or a damaged answer the client did not foresee: logged with its
            # traceback, and the next round tries again.
            self._online = False
            log.exception("sync round failed")
            self._record_sync_error(DeskError("sync.failed"))
        status = self.sync_status()
        self.events.publish(
            SyncStatusChanged(status.online, status.waiting, status.flagged, status.rejected)
        )
        return status

    def _sync_round(self, progress: object) -> None:
        self._cancel_abandoned_debits()
        while self.push_pending(PUSH_BATCH, raise_errors=True) >= PUSH_BATCH:
            pass
        if isinstance(self.central, CentralClient):
            check_central(self)  # central ahead of this journal: stop taking money
            self._ensure_reference_key()
            with self._reading_raw() as reading:
                acknowledged = sync_state.acknowledged_through(reading)
            self.pull(progress)
            sync_state.recount_pending_debits(
                self.journal.raw_connection(), self.journal.lock, acknowledged
            )
            self._refresh_reference_data()
        self._online = True
        with write_transaction(self.journal.raw_connection(), self.journal.lock) as conn:
            sync_state.put_state(conn, "last_sync", now_stamp(self.clock))
            sync_state.put_state(conn, "last_error", "")
            sync_state.put_json(conn, "last_error_params", {})

    def _record_sync_error(self, exc: DeskError) -> None:
        try:
            with write_transaction(self.journal.raw_connection(), self.journal.lock) as conn:
                sync_state.put_state(conn, "last_error", exc.code)
                sync_state.put_json(
                    conn, "last_error_params", {k: str(v) for k, v in exc.params.items()}
                )
                if exc.code == "sync.revoked":
                    sync_state.put_state(conn, "revoked", "1")
        except Exception:
            log.exception("the sync error could not be recorded")

    def _cancel_abandoned_debits(self) -> None:
        """Central undoes each debit this desk abandoned; one it never received is forgotten."""
        with self._reading_raw() as reading:
            waiting = sync_state.abandoned_debits(reading)
        for entry_id in list(waiting):
            self.central.cancel_debit(entry_id)
            waiting.remove(entry_id)
            sync_state.set_abandoned_debits(
                self.journal.raw_connection(), self.journal.lock, waiting
            )

    def pull(self, progress: object = None) -> int:
        """Apply central's change feed page by page; each page commits with its cursor."""
        assert isinstance(self.central, CentralClient)
        conn = self.journal.raw_connection()
        with self._reading_raw() as reading:
            cursor = int(sync_state.get_state(reading, "feed_cursor") or 0)
        total = 0
        while True:
            page = self.central.feed(cursor, FEED_PAGE)
            applied = sync_state.apply_feed_page(
                conn, self.journal.lock, page["changes"], int(page["cursor"]), self._reference_key
            )
            total += applied.changes
            cursor = applied.cursor
            if callable(progress):
                progress(SyncProgress(total, cursor, int(page.get("newest", cursor))))
            if not page["more"]:
                return total

    def _refresh_reference_data(self) -> None:
        """Keep what the desk needs to work offline: office, policy, catalogue, sealing key,
        each as central signed it (the client checked the signatures)."""
        conn = self.journal.raw_connection()
        assert isinstance(self.central, CentralClient)
        self._ensure_reference_key()
        self.central._office = None
        self.central._policy = None
        self.central._sealing = None
        office = self.central.office(self.settings.office_id)
        policy, catalogue = self.central.policy(office.office_id)
        sealing = self.central.sealing_key()
        with write_transaction(conn, self.journal.lock):
            for kind in ("office", "policy", "catalogue", "sealing_key"):
                data, signature = self.central.signed[kind]
                sync_state.put_signed(conn, kind, data, signature)
        changed = (office, policy, catalogue) != (
            getattr(self, "office", None),
            getattr(self, "policy", None),
            getattr(self, "catalogue", None),
        )
        self.office, self.policy, self.catalogue = office, policy, catalogue
        self._sealing_key = sealing
        if changed:
            self.events.publish(ReferenceDataChanged("policy"))

    def load_cached_reference_data(self) -> bool:
        """Office, policy, catalogue and sealing key from the last sync; False if never. Each
        must still carry central's signature: one edited in the file is refused."""
        with self._reading_raw() as conn:
            kept = {k: sync_state.get_signed(conn, k) for k in _CACHED}
        if not all(kept[k][0] for k in ("office", "policy", "catalogue")):
            return False
        for kind, (data, signature) in kept.items():
            if data is not None:
                check_reference(self._reference_key, kind, data, signature)
        self.office = office_from_dict(kept["office"][0])
        self.policy = policy_from_dict(kept["policy"][0])
        self.catalogue = catalogue_from_dict(kept["catalogue"][0])
        sealing = kept["sealing_key"][0]
        if sealing:
            self._sealing_key = base64.b64decode(sealing["sealing_public_key"])
        return True

    # --- status and the background worker --------------------------------------------------

    def sync_status(self) -> SyncStatus:
        with self._reading_raw() as conn:
            counts = {
                state: n
                for state, n in conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state")
            }
            last_sync = sync_state.get_state(conn, "last_sync")
            last_error = sync_state.get_state(conn, "last_error") or None
            params = sync_state.get_json(conn, "last_error_params") or {}
            revoked = sync_state.get_state(conn, "revoked") == "1"
        return SyncStatus(
            enrolled=bool(self.settings.central_url),
            # Before this process has synced, the last round's outcome is the best knowledge.
            online=self._online if self._synced else bool(last_sync) and last_error is None,
            waiting=int(counts.get("pending", 0)),
            flagged=int(counts.get("flagged", 0)),
            rejected=int(counts.get("rejected", 0)),
            last_sync=last_sync,
            last_error=last_error,
            revoked=revoked,
            last_error_params=dict(params) if last_error else {},
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
                try:
                    status = self.sync_once()
                    if status.revoked:
                        log.warning("central revoked this terminal; the sync worker stops")
                        return
                    online = status.online
                except Exception:  # never let the worker die: log, wait longer, go on
                    log.exception("sync worker round failed")
                    online = False
                delay = interval if online else min(delay * 2, MAX_BACKOFF)
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
