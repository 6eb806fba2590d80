"""The terminal's identity row: its id, public key, office and key store. Written once by
``erial-desk init``; triggers refuse any change, so the chain never restarts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from erial_desk.domain.errors import ConfigError

from .engine import connect_raw


def write_identity(
    db_path: Path, terminal_id: str, public_key: bytes, office_id: str, keyring: str
) -> None:
    conn = connect_raw(db_path)
    try:
        conn.execute(
            "INSERT INTO terminal (terminal_id, public_key, office_id, keyring, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (terminal_id, public_key, office_id, keyring, datetime.now(UTC).isoformat()),
        )
    finally:
        conn.close()


def read_identity(db_path: Path) -> tuple[str, bytes, str]:
    """(terminal id, raw Ed25519 public key, office id)."""
    conn = connect_raw(db_path)
    try:
        row = conn.execute("SELECT terminal_id, public_key, office_id FROM terminal").fetchone()
    finally:
        conn.close()
    if row is None:
        raise ConfigError("config.not_initialised", path=str(db_path.parent))
    return row[0], bytes(row[1]), row[2]
