"""Central's configuration: the database URL and the secrets file.

The secrets file holds central's sealing key (customers' PINs are sealed to its public half), the
HMAC secret shared with the bank, and the key central signs reference data with. It is made on
first use with owner-only permissions; it is never in the database, so a database dump reveals
no PIN.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
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
    # Ed25519 seed of the key reference data is signed with (see erial_central.signing).
    reference_signing_seed: bytes = b""

    @property
    def sealing_public_key(self) -> bytes:
        return bytes(PrivateKey(self.sealing_private_key).public_key)

    @property
    def reference_signing_key(self) -> Ed25519PrivateKey:
        seed = self.reference_signing_seed
        if not seed:
            # A secrets file made before reference data was signed: the key is derived from
            # the sealing key, so every server process sharing the file agrees on it without
            # rewriting the file.
            seed = HKDF(
                algorithm=hashes.SHA256(), length=32, salt=None, info=b"e-rial reference data"
            ).derive(self.sealing_private_key)
        return Ed25519PrivateKey.from_private_bytes(seed)

    @property
    def reference_public_key(self) -> bytes:
        return self.reference_signing_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


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
            "reference_signing_seed": base64.b64encode(secrets.token_bytes(32)).decode(),
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
        base64.b64decode(data["sealing_private_key"]),
        base64.b64decode(data["bank_hmac_secret"]),
        base64.b64decode(data.get("reference_signing_seed", "")),
    )
