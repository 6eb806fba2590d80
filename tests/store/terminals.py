"""A database with a terminal row, as ``erial-desk init`` leaves it, for the store tests."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from erial_desk.store import migrate
from erial_desk.store.identity import write_identity
from erial_desk.store.journal import new_entry_id


def add_terminal(db: Path) -> tuple[str, Ed25519PrivateKey]:
    """A terminal identity in an already migrated database."""
    key = Ed25519PrivateKey.generate()
    terminal_id = new_entry_id()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    write_identity(db, terminal_id, public, "MCT-HQ", "memory")
    return terminal_id, key


def new_terminal(path: Path, revision: str = "head") -> tuple[str, Ed25519PrivateKey]:
    """A database migrated to ``revision`` with a terminal identity."""
    migrate.upgrade(path, revision)
    return add_terminal(path)
