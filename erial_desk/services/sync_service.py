"""Synchronisation with central, behind the facade: enrolment, push and pull, status, and the
background worker that keeps doing both while the counter works."""

from __future__ import annotations

import base64
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from erial_desk.config import Settings
from erial_desk.domain.central import PushResult
from erial_desk.domain.chain import SignedEntry
from erial_desk.domain.clock import Clock, now_stamp
from erial_desk.domain.deadline import Deadline, check
from erial_desk.domain.errors import (
    MESSAGES,
    Cancelled,
    CentralError,
    CentralUnavailable,
    DeskError,
)
from erial_desk.domain.policy import (
    FeeCatalogue,
    Office,
    Policy,
    catalogue_from_dict,
    office_from_dict,
    policy_from_dict,
)
from erial_desk.domain.reference import check_reference
from erial_desk.store import sync_state
from erial_desk.sync.client import CentralClient
from erial_desk.sync.credentials import KeyStore, central_key, store_central_key

from .events import EventHub, ReferenceDataChanged, SyncStatusChanged
from .integrity import Integrity
from .parts import JournalWriter, Place, Reader, Reference

PUSH_BATCH = 500
PUSH_WAIT_S = 5.0  # longest a debit waits for another thread's push before asking central
FEED_PAGE = 5000
_CACHED = ("office", "policy", "catalogue", "sealing_key")  # kept signed for offline opening
MAX_BACKOFF = 300.0  # seconds between worker rounds at most while central cannot be reached

log = logging.getLogger(__name__)


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


def central_client(settings: Settings, keys: KeyStore, terminal_id: str) -> CentralClient:
    """The client of central the settings name, its reference key pinned from the key store."""
    client = CentralClient(
        settings.central_url, _TokenOnce(keys, terminal_id), ca_bundle=settings.ca_bundle
    )
    client.reference_key = central_key(keys, terminal_id)
    return client


class SyncUseCases:
    """Synchronisation with central: push, pull, reference data, status, the worker."""

    def __init__(
        self,
        reader: Reader,
        writer: JournalWriter,
        reference: Reference,
        place: Place,
        central: CentralClient,
        keys: KeyStore,
        clock: Clock,
        events: EventHub,
        integrity: Integrity,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._journal = writer.journal
        self._reference = reference
        self._place = place
        self._central = central
        self._keys = keys
        self._terminal_id = writer.journal.terminal_id
        self._clock = clock
        self._events = events
        self._integrity = integrity
        self._push_lock = threading.Lock()
        self._sync_thread: threading.Thread | None = None
        self._sync_stop: threading.Event | None = None
        self._sync_wake: threading.Event | None = None
        self._online = False
        self._synced = False
        self._reference_loaded = False
        reference.reference_key = central.reference_key

    def reference_refused(self) -> None:
        """A row of the file failed central's signature: the next pull starts the feed again
        from the beginning, so central's signed rows replace the edited ones."""
        log.warning("reference data on this desk failed central's signature; pulling it again")
        with self._writer.transaction() as conn:
            conn.execute("DELETE FROM sync_state WHERE key = 'feed_cursor'")
        self.wake_sync()

    def _ensure_reference_key(self) -> None:
        """A desk enrolled before the reference key was pinned at enrolment pins it now."""
        if self._reference.reference_key is None:
            offered = self._central.offered_reference_key()
            store_central_key(self._keys, self._terminal_id, offered)
            log.warning("central's reference key pinned on first use: %s", offered.hex())
            self._reference.reference_key = self._central.reference_key = offered

    # --- pushing ---------------------------------------------------------------------------

    def push_pending(
        self,
        limit: int = PUSH_BATCH,
        *,
        raise_errors: bool = False,
        wait: bool = False,
        deadline: Deadline | None = None,
    ) -> int:
        """Send waiting entries to central in sequence order; returns how many were answered.

        A failure leaves the entries waiting, never lost; with ``raise_errors`` the caller (the
        sync round) learns why. With ``wait``, a push already under way on another thread is
        waited for (briefly), so that what this counter wrote has reached central before it
        asks central to move money. A ``deadline`` bounds the wait and the push; a cancel
        raises ``Cancelled`` (entries central took meanwhile are answered "duplicate" later).
        """
        check(deadline)
        waited = PUSH_WAIT_S if deadline is None else deadline.bound(PUSH_WAIT_S)
        if not self._push_lock.acquire(blocking=wait, timeout=waited if wait else -1):
            return 0  # another thread is pushing; it will take these entries too
        try:
            with self._reader.connect() as conn:
                first = conn.execute(
                    text("SELECT MIN(seq) FROM outbox WHERE state = 'pending'")
                ).scalar()
            if first is None:
                return 0
            entries = []
            for signed in self._journal.signed_entries(first):
                entries.append(signed)
                if len(entries) >= limit:
                    break
            try:
                results = self._central.push(entries, deadline=deadline)
            except (CentralUnavailable, CentralError):
                if raise_errors:
                    raise
                return 0
            self._record_results(entries, results)
            return len(results)
        finally:
            self._push_lock.release()

    def _record_results(self, entries: list[SignedEntry], results: list[PushResult]) -> None:
        """Central's answers go to the outbox; flagged and rejected ones are kept with reasons.

        An offline wallet debit that central has taken stops counting as pending here once the
        balance known here includes it. With the real central that is after the next complete
        pull of the feed (``sync_state.recount_pending_debits``): until then the balance is the
        one from before the debit, and forgetting the debit would overstate what the wallet
        holds (the pull after a push can fail), or, for a debit central did not charge (the
        bill was paid elsewhere, a wrong PIN), the feed brings no new balance at all."""
        by_id = {entry.entry_id: entry for entry in entries}
        with self._writer.transaction() as conn:
            for result in results:
                entry = by_id[result.entry_id]
                conn.execute(
                    "UPDATE outbox SET state = ?, result = ?,"
                    " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE seq = ?",
                    (result.status, result.reason, entry.seq),
                )

    # --- one round -------------------------------------------------------------------------

    def sync_once(self, progress: object = None, *, deadline: Deadline | None = None) -> SyncStatus:
        """Push everything waiting, then pull the feed to its end. Errors are recorded in the
        status and the log, never raised: the counter keeps working. A cancelled round raises
        ``Cancelled``; what it did so far stays done (each step commits on its own)."""
        self._synced = True
        try:
            self._sync_round(progress, deadline)
        except Cancelled:
            raise
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
        self._events.publish(
            SyncStatusChanged(status.online, status.waiting, status.flagged, status.rejected)
        )
        return status

    def _sync_round(self, progress: object, deadline: Deadline | None) -> None:
        self._cancel_abandoned_debits(deadline)
        while self.push_pending(PUSH_BATCH, raise_errors=True, deadline=deadline) >= PUSH_BATCH:
            pass
        check(deadline)
        self._integrity.check_central()  # central ahead of this journal: stop taking money
        self._ensure_reference_key()
        with self._reader.raw() as reading:
            acknowledged = sync_state.acknowledged_through(reading)
        self.pull(progress, deadline=deadline)
        sync_state.recount_pending_debits(
            self._journal.raw_connection(), self._journal.lock, acknowledged
        )
        self.refresh_reference_data(deadline)
        self._online = True
        with self._writer.transaction() as conn:
            sync_state.put_state(conn, "last_sync", now_stamp(self._clock))
            sync_state.put_state(conn, "last_error", "")
            sync_state.put_json(conn, "last_error_params", {})

    def _record_sync_error(self, exc: DeskError) -> None:
        try:
            with self._writer.transaction() as conn:
                sync_state.put_state(conn, "last_error", exc.code)
                sync_state.put_json(
                    conn, "last_error_params", {k: str(v) for k, v in exc.params.items()}
                )
                if exc.code == "sync.revoked":
                    sync_state.put_state(conn, "revoked", "1")
        except Exception:
            log.exception("the sync error could not be recorded")

    def _cancel_abandoned_debits(self, deadline: Deadline | None = None) -> None:
        """Central undoes each debit this desk abandoned; one it never received is forgotten."""
        with self._reader.raw() as reading:
            waiting = sync_state.abandoned_debits(reading)
        for entry_id in list(waiting):
            self._central.cancel_debit(entry_id, deadline=deadline)
            waiting.remove(entry_id)
            sync_state.set_abandoned_debits(
                self._journal.raw_connection(), self._journal.lock, waiting
            )

    def pull(self, progress: object = None, *, deadline: Deadline | None = None) -> int:
        """Apply central's change feed page by page; each page commits with its cursor (a
        cancel between pages leaves the pages applied, and the next pull goes on from there)."""
        conn = self._journal.raw_connection()
        with self._reader.raw() as reading:
            cursor = int(sync_state.get_state(reading, "feed_cursor") or 0)
        total = 0
        while True:
            page = self._central.feed(cursor, FEED_PAGE, deadline=deadline)
            applied = sync_state.apply_feed_page(
                conn,
                self._journal.lock,
                page["changes"],
                int(page["cursor"]),
                self._reference.reference_key,
            )
            total += applied.changes
            cursor = applied.cursor
            if callable(progress):
                progress(SyncProgress(total, cursor, int(page.get("newest", cursor))))
            if not page["more"]:
                return total

    def refresh_reference_data(self, deadline: Deadline | None = None) -> None:
        """Keep what the desk needs to work offline: office, policy, catalogue, sealing key,
        each as central signed it (the client checked the signatures)."""
        self._ensure_reference_key()
        central = self._central
        central._office = None
        central._policy = None
        central._sealing = None
        office = central.office(self._place.settings.office_id, deadline=deadline)
        policy, catalogue = central.policy(office.office_id, deadline=deadline)
        sealing = central.sealing_key(deadline=deadline)
        with self._writer.transaction() as conn:
            for kind in _CACHED:
                data, signature = central.signed[kind]
                sync_state.put_signed(conn, kind, data, signature)
        self._take(office, policy, catalogue, sealing)

    def _take(
        self, office: Office, policy: Policy, catalogue: FeeCatalogue, sealing: bytes | None
    ) -> None:
        ref = self._reference
        changed = not self._reference_loaded or (office, policy, catalogue) != (
            ref.office,
            ref.policy,
            ref.catalogue,
        )
        ref.office, ref.policy, ref.catalogue = office, policy, catalogue
        if sealing is not None:
            ref.sealing_key = sealing
        self._reference_loaded = True
        if changed:
            self._events.publish(ReferenceDataChanged("policy"))

    def load_cached_reference_data(self) -> bool:
        """Office, policy, catalogue and sealing key from the last sync; False if never. Each
        must still carry central's signature: one edited in the file is refused."""
        with self._reader.raw() as conn:
            kept = {k: sync_state.get_signed(conn, k) for k in _CACHED}
        if not all(kept[k][0] for k in ("office", "policy", "catalogue")):
            return False
        for kind, (data, signature) in kept.items():
            if data is not None:
                check_reference(self._reference.reference_key, kind, data, signature)
        sealing = kept["sealing_key"][0]
        self._take(
            office_from_dict(kept["office"][0]),
            policy_from_dict(kept["policy"][0]),
            catalogue_from_dict(kept["catalogue"][0]),
            base64.b64decode(sealing["sealing_public_key"]) if sealing else None,
        )
        return True

    # --- status and the background worker --------------------------------------------------

    def sync_status(self) -> SyncStatus:
        with self._reader.raw() as conn:
            counts = {
                state: n
                for state, n in conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state")
            }
            last_sync = sync_state.get_state(conn, "last_sync")
            last_error = sync_state.get_state(conn, "last_error") or None
            params = sync_state.get_json(conn, "last_error_params") or {}
            revoked = sync_state.get_state(conn, "revoked") == "1"
        return SyncStatus(
            enrolled=bool(self._place.settings.central_url),
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
        with self._reader.connect() as conn:
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
        if self._sync_thread is not None or not self._place.settings.central_url:
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
