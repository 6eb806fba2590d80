"""``Desk``: the one facade the UI, the CLI and the sync worker call.

A ``Desk`` is opened on a data directory made by ``Desk.init`` (``erial-desk init``). It holds the
journal, the read engine, the key store's signing key and the link to central (the local stand-in
until the sync layer provides the real client).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import text

from erial_desk.config import DATABASE_FILE, Settings
from erial_desk.domain.central import Central
from erial_desk.domain.chain import ChainBreak
from erial_desk.domain.errors import ConfigError
from erial_desk.store import migrate, projections
from erial_desk.store.engine import connect_raw, make_engine
from erial_desk.store.journal import Journal
from erial_desk.sync.credentials import KeyStore
from erial_desk.sync.standin import LocalCentral

from .payments import PaymentsMixin
from .shifts import ShiftsMixin


def _read_identity(db_path: Path) -> tuple[str, bytes, str]:
    conn = connect_raw(db_path)
    try:
        row = conn.execute("SELECT terminal_id, public_key, office_id FROM terminal").fetchone()
    finally:
        conn.close()
    if row is None:
        raise ConfigError("config.not_initialised", path=str(db_path.parent))
    return row[0], bytes(row[1]), row[2]


class Desk(PaymentsMixin, ShiftsMixin):
    """The counter's use cases. Roles and office-type policy are enforced here, not in the UI."""

    @classmethod
    def init(
        cls,
        data_dir: Path | str,
        *,
        office_id: str,
        keyring: str = "system",
        language: str = "ar",
        central: Central | None = None,
    ) -> Desk:
        """Make a new data directory: settings, database, and the terminal's identity.

        The key pair is made once, here; the private key goes to the key store and never into
        the database. Enrolment with central later registers this same id and public key.
        """
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        db_path = data_dir / DATABASE_FILE
        if db_path.exists():
            raise ConfigError("config.already_initialised", path=str(data_dir))
        settings = Settings(keyring=keyring, language=language, office_id=office_id)
        keys = KeyStore.open(keyring, data_dir)  # fails before anything is written
        central = central or LocalCentral(data_dir)
        central.office(office_id)  # an unknown office stops here
        key = Ed25519PrivateKey.generate()
        # A UUIDv7 names the terminal: unique without asking central, sortable by creation.
        from erial_desk.store.journal import new_entry_id

        terminal_id = new_entry_id()
        keys.store_signing_key(terminal_id, key)
        settings.save(data_dir)
        migrate.upgrade(db_path)
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        conn = connect_raw(db_path)
        try:
            conn.execute(
                "INSERT INTO terminal (terminal_id, public_key, office_id, keyring, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (terminal_id, public, office_id, keyring, datetime.now(UTC).isoformat()),
            )
        finally:
            conn.close()
        return cls.open(data_dir, central=central)

    @classmethod
    def open(
        cls, data_dir: Path | str, *, central: Central | None = None, read_only: bool = False
    ) -> Desk:
        data_dir = Path(data_dir)
        db_path = data_dir / DATABASE_FILE
        if not db_path.exists():
            raise ConfigError("config.not_initialised", path=str(data_dir))
        migrate.upgrade(db_path)
        desk = cls.__new__(cls)
        desk._setup(data_dir, db_path, central, read_only)
        return desk

    def _setup(
        self, data_dir: Path, db_path: Path, central: Central | None, read_only: bool
    ) -> None:
        self.data_dir = data_dir
        self.settings = Settings.load(data_dir)
        self.terminal_id, public_key, office_id = _read_identity(db_path)
        self.public_key = Ed25519PublicKey.from_public_bytes(public_key)
        key = None
        if not read_only:
            key = KeyStore.open(self.settings.keyring, data_dir).signing_key(self.terminal_id)
        self.journal = Journal(db_path, self.terminal_id, key, projector=projections.project)
        self._read = make_engine(db_path)
        self._session = None
        self._sealing_key = None
        self._push_lock = threading.Lock()
        self._owns_central = central is None
        self.central = central if central is not None else LocalCentral(data_dir)
        self.office = self.central.office(office_id)
        self.policy, self.catalogue = self.central.policy(office_id)
        if not read_only:
            self.refresh_operators(self.central.operators(office_id))

    def close(self) -> None:
        self.journal.close()
        self._read.dispose()
        if self._owns_central and isinstance(self.central, LocalCentral):
            self.central.close()

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- maintenance -----------------------------------------------------------------------

    def verify_journal(self) -> tuple[int, ChainBreak | None]:
        """Recompute every hash and signature; the first break, if any, is named."""
        return self.journal.verify(self.public_key)

    def rebuild(self) -> int:
        """Rebuild every derived table from the journal."""
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
