"""The terminal's secrets in a key store: its Ed25519 signing key (and, after enrolment, its API
token). Never in the SQLite file, logs or plain config files.

The key store is chosen by the ``keyring`` setting:
- ``system``: the OS keyring (Windows Credential Manager, macOS Keychain, Secret Service, KWallet).
  Anything else the ``keyring`` library might pick (its fail and null backends, an empty chain, a
  plain or in-memory store) is refused with a message naming the alternative: no silent fallback,
  since a key kept where it does not survive the process is a terminal that can never sign again.
- ``encrypted-file``: a passphrase-protected file beside the data (scrypt + AES-GCM); the
  passphrase comes from ``ERIAL_DESK_KEY_PASSPHRASE``, for kiosks and headless machines.

Besides the secrets, the key store keeps the journal's anchor: the last sequence number and hash
the terminal knows it wrote (after each push central acknowledged, and at each shift close). It
lives outside the SQLite file, so a journal cut at its end, or lost with a ``-wal`` file, shows.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from erial_desk.domain.errors import ConfigError

SERVICE = "e-rial-desk"
PASSPHRASE_VARIABLE = "ERIAL_DESK_KEY_PASSPHRASE"
KEY_FILE_NAME = "keys.enc"
SETTINGS_FILE_NAME = "settings.toml"
CHOICES = ("system", "encrypted-file")
# The OS keyrings ``system`` accepts, by the module of their keyring backend.
OS_KEYRINGS = frozenset(
    {
        "keyring.backends.SecretService",
        "keyring.backends.libsecret",
        "keyring.backends.kwallet",
        "keyring.backends.macOS",
        "keyring.backends.Windows",
    }
)
# Further key stores an embedding program registers by name (tests use an in-memory one); the
# product itself offers only the choices above.
EXTRA_STORES: dict[str, Callable[[Path], keyring.backend.KeyringBackend]] = {}
# Keys derived by scrypt, by (salt, passphrase digest): one derivation per process and file
# rather than one per read or write (scrypt is made to be slow).
_DERIVED: dict[tuple[bytes, bytes], AESGCM] = {}


class EncryptedFileKeyring(keyring.backend.KeyringBackend):
    """Secrets in one file, each value sealed with AES-GCM under a key derived by scrypt."""

    priority = 0

    def __init__(self, path: Path, passphrase: str) -> None:
        super().__init__()
        self.path = path
        self._passphrase = passphrase.encode()

    def _load(self) -> dict[str, object]:
        if not self.path.exists():
            return {"salt": base64.b64encode(os.urandom(16)).decode(), "secrets": {}}
        return json.loads(self.path.read_text())

    def _aead(self, data: dict[str, object]) -> AESGCM:
        salt = base64.b64decode(str(data["salt"]))
        known = (salt, hashlib.sha256(self._passphrase).digest())
        if known not in _DERIVED:
            key = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(self._passphrase)
            _DERIVED[known] = AESGCM(key)
        return _DERIVED[known]

    def get_password(self, service: str, username: str) -> str | None:
        data = self._load()
        secrets = data["secrets"]
        assert isinstance(secrets, dict)
        sealed = secrets.get(f"{service}/{username}")
        if sealed is None:
            return None
        blob = base64.b64decode(sealed)
        try:
            plain = self._aead(data).decrypt(blob[:12], blob[12:], f"{service}/{username}".encode())
        except InvalidTag as exc:
            raise ConfigError("config.wrong_passphrase") from exc
        return plain.decode()

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        secrets = data["secrets"]
        assert isinstance(secrets, dict)
        aead = self._aead(data)
        # Refuse to add a secret under a passphrase that does not open the ones already there.
        for name, sealed in secrets.items():
            blob = base64.b64decode(sealed)
            try:
                aead.decrypt(blob[:12], blob[12:], name.encode())
            except InvalidTag as exc:
                raise ConfigError("config.wrong_passphrase") from exc
            break
        nonce = os.urandom(12)
        name = f"{service}/{username}"
        sealed = aead.encrypt(nonce, password.encode(), name.encode())
        secrets[name] = base64.b64encode(nonce + sealed).decode()
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w") as handle:
            handle.write(json.dumps(data))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError("terminal secrets are never deleted here")


def _system_backend(settings_path: Path) -> keyring.backend.KeyringBackend:
    backend = keyring.get_keyring()
    if not _is_os_keyring(backend):
        raise ConfigError(
            "config.no_os_keyring",
            backend=type(backend).__name__,
            variable=PASSPHRASE_VARIABLE,
            settings=str(settings_path),
        )
    return backend


def _is_os_keyring(backend: keyring.backend.KeyringBackend) -> bool:
    """A real OS keyring, or a chain of only such keyrings."""
    if type(backend).__name__ == "ChainerBackend":
        chained = list(getattr(backend, "backends", ()))
        return bool(chained) and all(_is_os_keyring(b) for b in chained)
    if type(backend).__module__ not in OS_KEYRINGS:
        return False
    try:
        return bool(backend.priority > 0)
    except Exception:  # a backend tells it cannot work here by raising from its priority
        return False


class KeyStore:
    """The terminal's secrets in the chosen key store."""

    def __init__(self, backend: keyring.backend.KeyringBackend, choice: str) -> None:
        self.backend = backend
        self.choice = choice

    @classmethod
    def open(cls, choice: str, data_dir: Path) -> KeyStore:
        if choice == "system":
            return cls(_system_backend(data_dir / SETTINGS_FILE_NAME), choice)
        if choice == "encrypted-file":
            passphrase = os.environ.get(PASSPHRASE_VARIABLE)
            if not passphrase:
                raise ConfigError("config.no_passphrase", variable=PASSPHRASE_VARIABLE)
            return cls(EncryptedFileKeyring(data_dir / KEY_FILE_NAME, passphrase), choice)
        if choice in EXTRA_STORES:
            return cls(EXTRA_STORES[choice](data_dir), choice)
        raise ConfigError(
            "config.invalid_setting", name="keyring", reason="one of " + ", ".join(CHOICES)
        )

    def _get(self, name: str) -> str | None:
        try:
            return self.backend.get_password(SERVICE, name)
        except keyring.errors.KeyringError as exc:
            raise ConfigError("config.key_missing", backend=self.choice) from exc

    def _set(self, name: str, value: str) -> None:
        try:
            self.backend.set_password(SERVICE, name, value)
        except keyring.errors.KeyringError as exc:
            raise ConfigError("config.no_keyring", settings=SETTINGS_FILE_NAME) from exc

    def store_signing_key(self, terminal_id: str, key: Ed25519PrivateKey) -> None:
        raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        self._set(f"terminal/{terminal_id}/signing-key", base64.b64encode(raw).decode())

    def signing_key(self, terminal_id: str) -> Ed25519PrivateKey:
        value = self._get(f"terminal/{terminal_id}/signing-key")
        if value is None:
            raise ConfigError("config.key_missing", backend=self.choice)
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(value))

    def store_token(self, terminal_id: str, token: str) -> None:
        self._set(f"terminal/{terminal_id}/api-token", token)

    def token(self, terminal_id: str) -> str | None:
        return self._get(f"terminal/{terminal_id}/api-token")

    def public_key(self, terminal_id: str) -> bytes:
        """The raw public key of the private key held here (``config.key_missing`` if none)."""
        key = self.signing_key(terminal_id).public_key()
        return key.public_bytes(Encoding.Raw, PublicFormat.Raw)

    def anchor(self, terminal_id: str) -> tuple[int, str] | None:
        """(sequence number, hash) of the last journal entry recorded here, if any."""
        value = self._get(f"terminal/{terminal_id}/journal-anchor")
        if not value:
            return None
        seq, _, digest = value.partition(":")
        return int(seq), digest

    def store_anchor(self, terminal_id: str, seq: int, digest: str) -> bool:
        """Record the journal's end as known at ``seq``; never moves back (nor rewrites what it
        holds for a sequence number: that is evidence). True if written."""
        current = self.anchor(terminal_id)
        if current is not None and current[0] >= seq:
            return False
        self._set(f"terminal/{terminal_id}/journal-anchor", f"{seq}:{digest}")
        return True


# Central's reference-data key, pinned here at enrolment: outside the SQLite file, next to the
# API token, so that editing the file cannot replace the key that vouches for its operators,
# policy and catalogue (see erial_desk.domain.reference).


def store_central_key(keys: KeyStore, terminal_id: str, public_key: bytes) -> None:
    keys._set(f"terminal/{terminal_id}/central-reference-key", public_key.hex())


def central_key(keys: KeyStore, terminal_id: str) -> bytes | None:
    value = keys._get(f"terminal/{terminal_id}/central-reference-key")
    return None if value is None else bytes.fromhex(value)
