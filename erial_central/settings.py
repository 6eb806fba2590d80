"""Central's configuration: the database URL and the secrets file.

The secrets file holds central's sealing key (customers' PINs are sealed to its public half) and
the HMAC secret shared with the bank. It is made on first use with owner-only permissions; it is
never in the database, so a database dump reveals no PIN.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from nacl.public import PrivateKey

DEFAULT_DATABASE = "sqlite:///erial-central.sqlite"
DATABASE_VARIABLE = "ERIAL_CENTRAL_DATABASE"
SECRETS_VARIABLE = "ERIAL_CENTRAL_SECRETS"
RECONCILE_VARIABLE = "ERIAL_CENTRAL_RECONCILE_SECONDS"
RECONCILE_EVERY = 60.0  # seconds between the server's reconciliations of unconfirmed debits


@dataclass(frozen=True)
class CentralSecrets:
    sealing_private_key: bytes
    bank_hmac_secret: bytes

    @property
    def sealing_public_key(self) -> bytes:
        return bytes(PrivateKey(self.sealing_private_key).public_key)


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get(DATABASE_VARIABLE) or DEFAULT_DATABASE


def secrets_path(explicit: str | None = None) -> Path:
    return Path(explicit or os.environ.get(SECRETS_VARIABLE) or "erial-central-secrets.json")


def reconcile_every() -> float:
    """Seconds between the server's reconciliation runs (ERIAL_CENTRAL_RECONCILE_SECONDS)."""
    try:
        value = float(os.environ.get(RECONCILE_VARIABLE) or RECONCILE_EVERY)
    except ValueError:
        return RECONCILE_EVERY
    return value if value > 0 else RECONCILE_EVERY


def load_secrets(path: Path) -> CentralSecrets:
    """Read the secrets file, making it (0600) when it does not exist yet."""
    if not path.exists():
        data = {
            "sealing_private_key": base64.b64encode(bytes(PrivateKey.generate())).decode(),
            "bank_hmac_secret": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another server process made it first; read theirs
        else:
            with os.fdopen(fd, "w") as handle:
                json.dump(data, handle)
                handle.flush()
                os.fsync(handle.fileno())
    data = json.loads(path.read_text())
    return CentralSecrets(
        base64.b64decode(data["sealing_private_key"]), base64.b64decode(data["bank_hmac_secret"])
    )
