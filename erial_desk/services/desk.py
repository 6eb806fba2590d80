"""``Desk``: the one facade the UI, the CLI and the sync worker call.

A ``Desk`` is opened on a data directory made by ``Desk.init_for_central`` and registered by
``Desk.enroll`` (``erial-desk init`` and ``enroll``). It holds the journal, the read engine, the
key store's signing key and the client of central.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import text

from erial_desk.config import DATABASE_FILE, Settings
from erial_desk.domain.chain import ChainBreak
from erial_desk.domain.clock import SYSTEM_CLOCK, Clock, now_stamp
from erial_desk.domain.entries import Resolution
from erial_desk.domain.errors import CentralError, CentralUnavailable, ConfigError
from erial_desk.domain.policy import FeeCatalogue, Office, OfficeType, Policy
from erial_desk.logs import log_to
from erial_desk.store import migrate, projections
from erial_desk.store.engine import make_engine
from erial_desk.store.identity import read_identity, write_identity
from erial_desk.store.journal import Journal
from erial_desk.store.print_jobs import PrintJob
from erial_desk.sync.client import CentralClient, check_server_url
from erial_desk.sync.credentials import KeyStore

from .counter_reads import CounterReadsMixin
from .events import EventHub
from .integrity import (
    JournalReport,
    check_journal,
    check_key_store,
    guard_at_open,
    made_or_removed,
    refuse_unverified,
)
from .payments import PaymentsMixin
from .printing_service import PRINTOUTS_DIR, PrintingMixin
from .shifts import ShiftsMixin
from .status import DrawerMixin, OperatorListMixin, PreferencesMixin, StatusMixin
from .supervisor import (
    ApprovalItem,
    OfficeDay,
    ShiftReview,
    SupervisorConsole,
    SyncProblem,
    day_report_csv,
)
from .sync_service import SyncMixin, pin_reference_key


class Desk(
    CounterReadsMixin,
    StatusMixin,
    OperatorListMixin,
    DrawerMixin,
    PreferencesMixin,
    PrintingMixin,
    PaymentsMixin,
    ShiftsMixin,
    SyncMixin,
):
    """The counter's use cases. Roles and office-type policy are enforced here, not in the UI."""

    @classmethod
    def init_for_central(
        cls,
        data_dir: Path | str,
        *,
        office_id: str,
        central_url: str,
        keyring: str = "system",
        language: str = "ar",
    ) -> str:
        """Make a new data directory for a terminal of the real central; it opens once
        ``Desk.enroll`` has registered it. Returns the terminal id."""
        check_server_url(central_url)
        with made_or_removed(Path(data_dir)):
            return cls._create(data_dir, office_id, keyring, language, central_url)

    @staticmethod
    def _create(
        data_dir: Path | str,
        office_id: str,
        keyring: str,
        language: str,
        central_url: str,
    ) -> str:
        """Settings, database, and the terminal's identity.

        The key pair is made once, here; the private key goes to the key store and never into
        the database. Enrolment with central later registers this same id and public key. The
        caller makes the directory with ``made_or_removed``: a refusal leaves nothing behind.
        """
        data_dir = Path(data_dir)
        db_path = data_dir / DATABASE_FILE
        if db_path.exists():
            raise ConfigError("config.already_initialised", path=str(data_dir))
        settings = Settings(
            keyring=keyring, language=language, office_id=office_id, central_url=central_url
        )
        keys = KeyStore.open(keyring, data_dir)  # fails before anything is written
        key = Ed25519PrivateKey.generate()
        # A UUIDv7 names the terminal: unique without asking central, sortable by creation.
        from erial_desk.store.journal import new_entry_id

        terminal_id = new_entry_id()
        keys.store_signing_key(terminal_id, key)
        settings.save(data_dir)
        migrate.upgrade(db_path)
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        write_identity(db_path, terminal_id, public, office_id, keyring)
        return terminal_id

    @classmethod
    def enroll(cls, data_dir: Path | str, server_url: str, code: str) -> Desk:
        """Register this terminal (the id and public key made by ``init_for_central``) with
        central, keep the API token in the key store, and open the desk on central."""
        data_dir = Path(data_dir)
        db_path = data_dir / DATABASE_FILE
        if not db_path.exists():
            raise ConfigError("config.not_initialised", path=str(data_dir))
        migrate.upgrade(db_path)
        terminal_id, public_key, office_id = read_identity(db_path)
        settings = Settings.load(data_dir)
        url = check_server_url(server_url)
        # The one-time code is spent only once the key store is known to hold this terminal's key.
        keys = KeyStore.open(settings.keyring, data_dir)
        check_key_store(keys, terminal_id, public_key)
        client = CentralClient(url, lambda: None, ca_bundle=settings.ca_bundle)
        answer = client.enrol(code, terminal_id, public_key)
        if answer["office_id"] != office_id:
            raise ConfigError("sync.wrong_office", office=answer["office_id"], mine=office_id)
        keys.store_token(terminal_id, answer["token"])
        pin_reference_key(keys, terminal_id, answer)
        replace(settings, central_url=url).save(data_dir)
        desk = cls.open(data_dir)
        desk.sync_once()
        return desk

    @classmethod
    def open(
        cls,
        data_dir: Path | str,
        *,
        read_only: bool = False,
        clock: Clock | None = None,
        events: EventHub | None = None,
    ) -> Desk:
        """Open a data directory. ``clock`` is what "now" means to the desk (tests move it);
        ``events`` is where it tells what changed (the window passes its own hub)."""
        data_dir = Path(data_dir)
        db_path = data_dir / DATABASE_FILE
        if not db_path.exists():
            raise ConfigError("config.not_initialised", path=str(data_dir))
        migrate.upgrade(db_path)
        desk = cls.__new__(cls)
        desk.clock = clock or SYSTEM_CLOCK
        desk.events = events or EventHub()
        desk._setup(data_dir, db_path, read_only)
        return desk

    def _setup(self, data_dir: Path, db_path: Path, read_only: bool) -> None:
        self.data_dir = data_dir
        log_to(data_dir)
        self.settings = Settings.load(data_dir)
        if not self.settings.central_url:  # made before terminals were enrolled with central
            raise ConfigError("sync.not_enrolled")
        self.terminal_id, public_key, office_id = read_identity(db_path)
        self.public_key = Ed25519PublicKey.from_public_bytes(public_key)
        key = None
        if not read_only:
            key = KeyStore.open(self.settings.keyring, data_dir).signing_key(self.terminal_id)
        self.journal = Journal(
            db_path,
            self.terminal_id,
            key,
            projector=projections.project,
            clock=lambda: now_stamp(self.clock),
        )
        self._read = make_engine(db_path)
        self._session = None
        self._sealing_key = None
        self._push_lock = threading.Lock()
        self._open_on_central(office_id, read_only)
        self._printer = None  # built from the settings when first used
        if not read_only:
            self.recover_print_queue()  # jobs a crash left mid-print wait for a retry
            guard_at_open(self)  # a journal behind its anchors or edited tables: no money

    def _open_on_central(self, office_id: str, read_only: bool) -> None:
        """Central's office, policy and catalogue: fresh when it answers, else the copy kept
        from the last sync, so the counter opens offline. Operators come from the feed."""
        keys = KeyStore.open(self.settings.keyring, self.data_dir)
        self.central = self._remote_central(keys)
        if read_only:
            if not self.load_cached_reference_data():
                self.office = Office(office_id, office_id, office_id, OfficeType.INTERNAL)
                self.policy, self.catalogue = Policy(), FeeCatalogue()
            return
        if keys.token(self.terminal_id) is None:
            raise ConfigError("sync.not_enrolled")
        try:
            self._refresh_reference_data()
        except (CentralUnavailable, CentralError):
            if not self.load_cached_reference_data():
                raise ConfigError("sync.never_synced") from None

    def close(self) -> None:
        self.stop_sync()
        self.journal.close()
        self._read.dispose()
        if isinstance(self.central, CentralClient):
            self.central.close()

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the supervisor's console (services/supervisor.py) ---------------------------------

    _supervisor: SupervisorConsole | None = None

    def _console(self) -> SupervisorConsole:
        if self._supervisor is None:
            self._supervisor = SupervisorConsole(
                reading=self._reading,
                append=self._append,
                central=lambda: self.central,
                push=lambda: self.push_pending(wait=True),
                session=lambda: self._session,
                office=lambda: self.office,
                policy=lambda: self.policy,
                clock=self.clock,
                terminal_id=self.terminal_id,
            )
        return self._supervisor

    def may_open_console(self) -> bool:
        return self._console().may_open()

    def terminal_shifts(self, day: str | None = None) -> list[ShiftReview]:
        return self._console().terminal_shifts(day)

    def office_day(self, day: str | None = None) -> OfficeDay:
        return self._console().office_day(day)

    def approvals(self, day: str | None = None) -> list[ApprovalItem]:
        return self._console().approvals(day)

    def sync_problems(self, *, include_resolved: bool = False) -> list[SyncProblem]:
        return self._console().sync_problems(include_resolved=include_resolved)

    def resolve_problem(self, entry_id: str, resolution: Resolution, note: str) -> str:
        resolved = self._console().resolve(entry_id, resolution, note)
        self._after_commit()
        return resolved

    def day_report_csv(self, day: str | None = None) -> str:
        return day_report_csv(self.office_day(day))

    def day_report_csv_file(self, day: str | None = None, path: Path | None = None) -> Path:
        """The day report as a CSV file, in the printouts folder unless ``path`` says where."""
        report = self.office_day(day)
        if path is None:
            path = self.data_dir / PRINTOUTS_DIR / f"day-{report.office_id}-{report.day}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(day_report_csv(report), encoding="utf-8")
        return path

    def day_report_pdf(self, day: str | None = None, path: Path | None = None) -> Path:
        from erial_desk.domain.entries import terminal_code
        from erial_desk.printing.model import Bi

        from .supervisor_exports import day_report

        report = self.office_day(day)
        doc = day_report(
            report,
            office=Bi(self.office.name_ar, self.office.name_en),
            terminal=terminal_code(self.terminal_id),
            language=self.settings.language,
            printed_at=now_stamp(self.clock),
            catalogue=self.catalogue,
        )
        return self._save_pdf(doc, path, f"day-{report.office_id}-{report.day}")

    def reprint_z_report(self, shift_id: str) -> PrintJob:
        """A copy of a closed shift's Z report of this terminal (journaled as a reprint)."""
        self._console().terminal_shifts()  # the console's check: supervisors only
        return self.print_receipt(self._closing_entry(shift_id), copy=True)

    # --- maintenance -----------------------------------------------------------------------

    def verify_journal(self) -> tuple[int, ChainBreak | None]:
        """Recompute every hash and signature; the first break, if any, is named."""
        return self.journal.verify(self.public_key)

    def check_journal(self) -> JournalReport:
        """``verify_journal`` and every check beyond the chain: the key against the key store
        and central, the journal's end against every mark of it, the derived tables."""
        return check_journal(self)

    def rebuild(self) -> int:
        """Rebuild every derived table from the journal, once it passes verification."""
        refuse_unverified(self)
        return projections.rebuild(self.journal)

    def export_journal(self, out: IO[str]) -> int:
        """Write the journal as JSON lines (envelope, hash, signature); returns the count."""
        count = 0
        for entry in self.journal.signed_entries():
            record = {
                "seq": entry.seq,
                "entry": json.loads(entry.body),
                "hash": entry.hash,
                "signature": entry.signature.hex(),
            }
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
        return count

    def outbox_counts(self) -> dict[str, int]:
        """Entries by sync state: pending, applied, duplicate, flagged, rejected."""
        with self._reading() as conn:
            rows = conn.execute(
                text("SELECT state, COUNT(*) FROM outbox GROUP BY state")
            ).fetchall()
        return {state: int(count) for state, count in rows}

    def entries(self) -> Iterator[dict[str, object]]:
        for entry in self.journal.signed_entries():
            yield json.loads(entry.body)
