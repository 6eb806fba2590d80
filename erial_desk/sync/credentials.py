"""The terminal's secrets in a key store: its Ed25519 signing key (and, after enrolment, its API
token). Never in the SQLite file, logs or plain config files.

The key store is chosen by the ``keyring`` setting:
- ``system``: the OS keyring (Windows Credential Manager, macOS Keychain, Secret Service). When the
  machine has none, opening it fails with a message naming the alternative: no silent fallback.
- ``encrypted-file``: a passphrase-protected file beside the data (scrypt + AES-GCM); the
  passphrase comes from ``ERIAL_DESK_KEY_PASSPHRASE``, for kiosks and headless machines.
- ``memory``: process memory, for tests only.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from erial_desk.domain.errors import ConfigError

SERVICE = "e-rial-desk"
PASSPHRASE_VARIABLE = "ERIAL_DESK_KEY_PASSPHRASE"
KEY_FILE_NAME = "keys.enc"
SETTINGS_FILE_NAME = "settings.toml"
CHOICES = ("system", "encrypted-file", "memory")


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Secrets in a dict; shared by every instance in the process, gone when it ends."""

    priority = 0  # never chosen by keyring on its own
    _secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self._secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


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
        key = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(self._passphrase)
        return AESGCM(key)

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
    if _is_chainer(backend):
        usable = bool(getattr(backend, "backends", ()))
    else:
        usable = backend.priority > 0
    if isinstance(backend, MemoryKeyring):
        usable = True  # tests install it explicitly with keyring.set_keyring
    if not usable or type(backend).__module__.startswith("keyring.backends.fail"):
        raise ConfigError("config.no_keyring", settings=str(settings_path))
    return backend


def _is_chainer(backend: keyring.backend.KeyringBackend) -> bool:
    return type(backend).__name__ == "ChainerBackend"


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
        if choice == "memory":
            return cls(MemoryKeyring(), choice)
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


# Central's reference-data key, pinned here at enrolment: outside the SQLite file, next to the
# API token, so that editing the file cannot replace the key that vouches for its operators,
# policy and catalogue (see erial_desk.domain.reference).


def store_central_key(keys: KeyStore, terminal_id: str, public_key: bytes) -> None:
    keys._set(f"terminal/{terminal_id}/central-reference-key", public_key.hex())


def central_key(keys: KeyStore, terminal_id: str) -> bytes | None:
    value = keys._get(f"terminal/{terminal_id}/central-reference-key")
    return None if value is None else bytes.fromhex(value)
