"""``Desk``: the one facade the UI, the CLI and the sync worker call.

A ``Desk`` is opened on a data directory made by ``Desk.init_for_central`` and registered by
``Desk.enroll`` (``erial-desk init`` and ``enroll``). ``Desk.open`` makes the parts
(``services.parts``: reader, journal writer, session, reference data, settings) and one object
per use-case group, each given only the parts it uses:

- session (``SessionUseCases``): login, logout, lockout, a supervisor's approval;
- shifts (``ShiftUseCases``): open, cash drop, close, totals;
- subscribers (``SubscriberUseCases``): register, update, find, known balance;
- payments (``PaymentUseCases``): top-ups, bills found and paid, voids, reprints;
- printing (``PrintingUseCases``): the print queue, receipts, reports, PDFs;
- sync (``SyncUseCases``): push, pull, reference data, status, the background worker;
- status and preferences (``StatusUseCases``, ``PreferenceUseCases``);
- counter reads (``CounterReads``): transactions, wallets, receipts by number;
- integrity (``Integrity``): the desk's checks of its own journal;
- a customer's PIN reset (``CustomerPinReset``) and central's look-ups while a customer waits
  (``CounterLookups``: an online payment by reference, an ID already registered);
- the supervisor's console (``SupervisorConsole``, ``SupervisorExports``): shifts and the
  office's day, approvals, sync problems and their resolution, day and Z reports;
- operators of the office (``OperatorUseCases``): lock, unlock, new PIN, carried out at central;
- duplicate accounts (``DuplicateUseCases``): central's suspected duplicates and their merge.

The facade's methods are those of the groups, under the same names (``_Via``).

Which calls are fast, slow (they take a deadline) or long: ``services.call_kinds``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, Any, Concatenate, Generic, ParamSpec, TypeVar, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import text

from erial_desk.config import DATABASE_FILE, Settings
from erial_desk.domain.clock import SYSTEM_CLOCK, Clock, now_stamp
from erial_desk.domain.entries import Payload
from erial_desk.domain.errors import CentralError, CentralUnavailable, ConfigError, DeskError
from erial_desk.domain.policy import FeeCatalogue, Office, OfficeType, Policy
from erial_desk.logs import log_to
from erial_desk.store import migrate, projections
from erial_desk.store.engine import make_engine
from erial_desk.store.identity import read_identity, write_identity
from erial_desk.store.journal import AppendedEntry, Journal
from erial_desk.sync.client import CentralClient, check_server_url
from erial_desk.sync.credentials import KeyStore

from .counter_lookups import CounterLookups
from .counter_reads import CounterReads
from .customer_pin import CustomerPinReset
from .duplicates import DuplicateUseCases
from .events import EventHub
from .integrity import Integrity, JournalReport, check_key_store, made_or_removed
from .operators import OperatorUseCases
from .parts import Guards, JournalWriter, Place, Reader, Reference, SessionHolder
from .payments import PaymentUseCases
from .printing_service import PrintingUseCases
from .results import OperatorSession
from .session import SessionUseCases
from .shifts import ShiftUseCases
from .status import PreferenceUseCases, StatusUseCases
from .subscribers import SubscriberUseCases
from .supervisor import SupervisorConsole
from .supervisor_exports import SupervisorExports
from .sync_service import SyncUseCases, central_client, pin_reference_key

P = ParamSpec("P")
R = TypeVar("R")


class _Via(Generic[P, R]):
    """A facade method that is a use-case group's method of the same name."""

    def __init__(self, group: str, method: Callable[Concatenate[Any, P], R]) -> None:
        self._group = group
        self._name = method.__name__
        self.__doc__ = method.__doc__

    def __get__(self, desk: object, owner: type | None = None) -> Callable[P, R]:
        if desk is None:
            return cast(Callable[P, R], self)
        return cast(Callable[P, R], getattr(getattr(desk, self._group), self._name))


class Desk:
    """The counter's use cases. Roles and office-type policy are enforced here, not in the UI."""

    _session: SessionUseCases
    _shifts: ShiftUseCases
    _subscribers: SubscriberUseCases
    _payments: PaymentUseCases
    _printing: PrintingUseCases
    _sync: SyncUseCases
    _status: StatusUseCases
    _preferences: PreferenceUseCases
    _reads: CounterReads
    _integrity: Integrity
    _pin_reset: CustomerPinReset
    _lookups: CounterLookups
    _supervisor: SupervisorConsole
    _supervisor_exports: SupervisorExports
    _operators: OperatorUseCases
    _duplicates: DuplicateUseCases

    # session
    login = _Via("_session", SessionUseCases.login)
    logout = _Via("_session", SessionUseCases.logout)
    refresh_operators = _Via("_session", SessionUseCases.refresh_operators)
    # shifts
    open_shift = _Via("_shifts", ShiftUseCases.open_shift)
    expected_cash = _Via("_shifts", ShiftUseCases.expected_cash)
    cash_drop = _Via("_shifts", ShiftUseCases.cash_drop)
    close_shift = _Via("_shifts", ShiftUseCases.close_shift)
    shift_summary = _Via("_shifts", ShiftUseCases.shift_summary)
    # subscribers
    register_subscriber = _Via("_subscribers", SubscriberUseCases.register_subscriber)
    update_subscriber = _Via("_subscribers", SubscriberUseCases.update_subscriber)
    find_subscribers = _Via("_subscribers", SubscriberUseCases.find_subscribers)
    subscriber = _Via("_subscribers", SubscriberUseCases.subscriber)
    known_balance = _Via("_subscribers", SubscriberUseCases.known_balance)
    # payments and bills
    top_up = _Via("_payments", PaymentUseCases.top_up)
    find_bills = _Via("_payments", PaymentUseCases.find_bills)
    pay_bill = _Via("_payments", PaymentUseCases.pay_bill)
    void = _Via("_payments", PaymentUseCases.void)
    record_reprint = _Via("_payments", PaymentUseCases.record_reprint)
    # printing
    print_queue = _Via("_printing", PrintingUseCases.print_queue)
    print_pending = _Via("_printing", PrintingUseCases.print_pending)
    retry_print = _Via("_printing", PrintingUseCases.retry_print)
    retry_failed = _Via("_printing", PrintingUseCases.retry_failed)
    recover_print_queue = _Via("_printing", PrintingUseCases.recover_print_queue)
    printer = _Via("_printing", PrintingUseCases.printer)
    use_printer = _Via("_printing", PrintingUseCases.use_printer)
    print_job_to_pdf = _Via("_printing", PrintingUseCases.print_job_to_pdf)
    print_receipt = _Via("_printing", PrintingUseCases.print_receipt)
    print_shift_report = _Via("_printing", PrintingUseCases.print_shift_report)
    print_statement = _Via("_printing", PrintingUseCases.print_statement)
    print_permit_slip = _Via("_printing", PrintingUseCases.print_permit_slip)
    print_test_page = _Via("_printing", PrintingUseCases.print_test_page)
    shift_totals_pdf = _Via("_printing", PrintingUseCases.shift_totals_pdf)
    shift_report_pdf = _Via("_printing", PrintingUseCases.shift_report_pdf)
    statement_pdf = _Via("_printing", PrintingUseCases.statement_pdf)
    # sync
    sync_once = _Via("_sync", SyncUseCases.sync_once)
    push_pending = _Via("_sync", SyncUseCases.push_pending)
    pull = _Via("_sync", SyncUseCases.pull)
    sync_status = _Via("_sync", SyncUseCases.sync_status)
    flagged_entries = _Via("_sync", SyncUseCases.flagged_entries)
    load_cached_reference_data = _Via("_sync", SyncUseCases.load_cached_reference_data)
    start_sync = _Via("_sync", SyncUseCases.start_sync)
    wake_sync = _Via("_sync", SyncUseCases.wake_sync)
    stop_sync = _Via("_sync", SyncUseCases.stop_sync)
    # status and preferences
    counter_status = _Via("_status", StatusUseCases.counter_status)
    office_operators = _Via("_status", StatusUseCases.office_operators)
    drawer_formula = _Via("_status", StatusUseCases.drawer_formula)
    set_language = _Via("_preferences", PreferenceUseCases.set_language)
    change_display_digits = _Via("_preferences", PreferenceUseCases.change_display_digits)
    change_printer = _Via("_preferences", PreferenceUseCases.change_printer)
    change_central = _Via("_preferences", PreferenceUseCases.change_central)
    # counter reads
    account_transactions = _Via("_reads", CounterReads.account_transactions)
    wallet_view = _Via("_reads", CounterReads.wallet_view)
    shift_transactions = _Via("_reads", CounterReads.shift_transactions)
    find_receipt = _Via("_reads", CounterReads.find_receipt)
    last_receipt = _Via("_reads", CounterReads.last_receipt)
    # integrity
    verify_journal = _Via("_integrity", Integrity.verify_journal)
    # the counter's calls to central while a customer waits
    reset_customer_pin = _Via("_pin_reset", CustomerPinReset.reset)
    online_payment = _Via("_lookups", CounterLookups.online_payment)
    check_new_subscriber = _Via("_lookups", CounterLookups.check_new_subscriber)
    # the supervisor's console
    may_open_console = _Via("_supervisor", SupervisorConsole.may_open)
    terminal_shifts = _Via("_supervisor", SupervisorConsole.terminal_shifts)
    office_day = _Via("_supervisor", SupervisorConsole.office_day)
    approvals = _Via("_supervisor", SupervisorConsole.approvals)
    sync_problems = _Via("_supervisor", SupervisorConsole.sync_problems)
    resolve_problem = _Via("_supervisor", SupervisorConsole.resolve)
    day_report_csv = _Via("_supervisor_exports", SupervisorExports.day_report_csv)
    day_report_csv_file = _Via("_supervisor_exports", SupervisorExports.day_report_csv_file)
    day_report_pdf = _Via("_supervisor_exports", SupervisorExports.day_report_pdf)
    reprint_z_report = _Via("_supervisor_exports", SupervisorExports.reprint_z_report)
    office_staff = _Via("_operators", OperatorUseCases.office_staff)
    lock_operator = _Via("_operators", OperatorUseCases.lock_operator)
    unlock_operator = _Via("_operators", OperatorUseCases.unlock_operator)
    reset_operator_pin = _Via("_operators", OperatorUseCases.reset_operator_pin)
    may_merge_duplicates = _Via("_duplicates", DuplicateUseCases.may_merge_duplicates)
    suspected_duplicates = _Via("_duplicates", DuplicateUseCases.suspected_duplicates)
    merge_duplicate = _Via("_duplicates", DuplicateUseCases.merge_duplicate)

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
        desk._assemble(data_dir, db_path, read_only, clock or SYSTEM_CLOCK, events or EventHub())
        return desk

    def _assemble(
        self, data_dir: Path, db_path: Path, read_only: bool, clock: Clock, events: EventHub
    ) -> None:
        """The parts, then each use-case group given the parts it uses."""
        log_to(data_dir)
        self.clock, self.events = clock, events
        place = self._place = Place(data_dir, Settings.load(data_dir))
        if not place.settings.central_url:  # made before terminals were enrolled with central
            raise ConfigError("sync.not_enrolled")
        self.terminal_id, public_key, office_id = read_identity(db_path)
        self.public_key = Ed25519PublicKey.from_public_bytes(public_key)
        keys = KeyStore.open(place.settings.keyring, data_dir)
        self._journal = Journal(
            db_path,
            self.terminal_id,
            None if read_only else keys.signing_key(self.terminal_id),
            projector=projections.project,
            clock=lambda: now_stamp(clock),
        )
        reader = self._reader = Reader(make_engine(db_path))
        session = self._session_holder = SessionHolder()
        reference = self._reference = Reference(
            Office(office_id, office_id, office_id, OfficeType.INTERNAL), Policy(), FeeCatalogue()
        )
        writer = self._writer = JournalWriter(self._journal, session, reference, events)
        central = self._central = central_client(place.settings, keys, self.terminal_id)
        self._integrity = Integrity(
            writer,
            self.public_key,
            lambda: KeyStore.open(place.settings.keyring, place.data_dir),
            central,
        )
        sync = self._sync = SyncUseCases(
            reader, writer, reference, place, central, keys, clock, events, self._integrity
        )
        approvals = self._session = SessionUseCases(
            session, reader, writer, reference, clock, events, sync.reference_refused
        )
        guards = Guards(session, reference, reader, writer)
        subscribers = self._subscribers = SubscriberUseCases(
            guards, reader, writer, reference, central
        )
        self._shifts = ShiftUseCases(guards, reader, writer, reference, approvals, self._integrity)
        self._payments = PaymentUseCases(
            guards,
            reader,
            writer,
            reference,
            central,
            clock,
            subscribers,
            approvals,
            send_waiting=lambda deadline: sync.push_pending(wait=True, deadline=deadline),
        )
        self._printing = PrintingUseCases(
            guards,
            reader,
            writer,
            reference,
            place,
            session,
            clock,
            events,
            self._shifts,
            subscribers,
            self._payments,
        )
        self._status = StatusUseCases(
            guards, reader, reference, place, session, sync, self.terminal_id
        )
        self._preferences = PreferenceUseCases(guards, place, self._printing)
        self._reads = CounterReads(guards, reader, self.terminal_id)
        self._pin_reset = CustomerPinReset(guards, writer, reference, central, subscribers)
        self._lookups = CounterLookups(guards, reference, central, subscribers)
        supervisor = self._supervisor = SupervisorConsole(
            reading=reader.connect,
            append=writer.append,
            central=lambda: central,
            push=lambda deadline: sync.push_pending(wait=True, deadline=deadline),
            session=lambda: session.current,
            office=lambda: reference.office,
            policy=lambda: reference.policy,
            clock=clock,
            terminal_id=self.terminal_id,
        )
        self._supervisor_exports = SupervisorExports(
            supervisor, self._printing, place, reference, clock, self.terminal_id
        )
        self._operators = OperatorUseCases(
            guards, reader, reference, central, subscribers.sealing_key, sync.pull
        )
        self._duplicates = DuplicateUseCases(
            guards, writer, reference, central, lambda: sync.push_pending(wait=True)
        )
        # The counter never waits for the network: each commit wakes the sync worker (a cash
        # receipt says "pending sync" until central acknowledges it).
        writer.on_commit(sync.wake_sync)
        self._open_on_central(keys, read_only)
        if not read_only:
            self._printing.recover_print_queue()  # jobs a crash left mid-print: retry later
            self._integrity.guard_at_open()  # a journal behind its anchors or edited: no money

    def _open_on_central(self, keys: KeyStore, read_only: bool) -> None:
        """Central's office, policy and catalogue: fresh when it answers, else the copy kept
        from the last sync, so the counter opens offline. Operators come from the feed."""
        if read_only:
            self._sync.load_cached_reference_data()  # else the stand-in values made above
            return
        if keys.token(self.terminal_id) is None:
            raise ConfigError("sync.not_enrolled")
        try:
            self._sync.refresh_reference_data()
        except (CentralUnavailable, CentralError):
            if not self._sync.load_cached_reference_data():
                raise ConfigError("sync.never_synced") from None

    # --- what the screens read ---------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self._place.data_dir

    @property
    def settings(self) -> Settings:
        return self._place.settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self._place.settings = settings

    @property
    def office(self) -> Office:
        return self._reference.office

    @property
    def policy(self) -> Policy:
        return self._reference.policy

    @property
    def catalogue(self) -> FeeCatalogue:
        return self._reference.catalogue

    @property
    def current_operator(self) -> OperatorSession | None:
        return self._session_holder.current

    @property
    def bills_cached_at(self) -> str | None:
        """When the bills last found came from the offline cache (None: fresh from central)."""
        return self._payments.bills_cached_at

    @property
    def money_stopped(self) -> DeskError | None:
        """Why this desk takes no money now (a journal behind its marks, say), or None."""
        return self._journal.stopped

    def _append(self, payload: Payload, *, entry_id: str | None = None) -> AppendedEntry:
        """Journal an entry as a use case would (benchmarks fill journals with it)."""
        return self._writer.append(payload, entry_id=entry_id)

    def close(self) -> None:
        self._sync.stop_sync()
        self._journal.close()
        self._reader.dispose()
        self._central.close()

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- maintenance -----------------------------------------------------------------------

    def check_journal(self) -> JournalReport:
        """``verify_journal`` and every check beyond the chain: the key against the key store
        and central, the journal's end against every mark of it, the derived tables."""
        return self._integrity.check_journal()

    def rebuild(self) -> int:
        """Rebuild every derived table from the journal, once it passes verification."""
        self._integrity.refuse_unverified()
        return projections.rebuild(self._journal)

    def export_journal(self, out: IO[str]) -> int:
        """Write the journal as JSON lines (envelope, hash, signature); returns the count."""
        count = 0
        for entry in self._journal.signed_entries():
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
        with self._reader.connect() as conn:
            rows = conn.execute(
                text("SELECT state, COUNT(*) FROM outbox GROUP BY state")
            ).fetchall()
        return {state: int(count) for state, count in rows}

    def entries(self) -> Iterator[dict[str, object]]:
        for entry in self._journal.signed_entries():
            yield json.loads(entry.body)
