"""The key store: explicit choices, no silent fallback, secrets never in plain files."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from keyring.backends import fail

from erial_desk.domain.errors import ConfigError
from erial_desk.sync.credentials import EncryptedFileKeyring, KeyStore


def _raw(key: Ed25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def test_system_choice_without_a_backend_fails_loudly(tmp_path: Path):
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(ConfigError) as err:
        KeyStore.open("system", tmp_path)
    assert err.value.code == "config.no_os_keyring"
    assert "--keyring encrypted-file" in err.value.message("en")


def test_memory_store_round_trip(tmp_path: Path):
    store = KeyStore.open("memory", tmp_path)
    key = Ed25519PrivateKey.generate()
    store.store_signing_key("t1", key)
    assert _raw(store.signing_key("t1")) == _raw(key)
    with pytest.raises(ConfigError) as err:
        store.signing_key("other")
    assert err.value.code == "config.key_missing"


def test_encrypted_file_round_trip_and_wrong_passphrase(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("ERIAL_DESK_KEY_PASSPHRASE", "first passphrase")
    store = KeyStore.open("encrypted-file", tmp_path)
    key = Ed25519PrivateKey.generate()
    store.store_signing_key("t1", key)
    store.store_token("t1", "token-value")
    raw = (tmp_path / "keys.enc").read_bytes()
    assert _raw(key) not in raw and b"token-value" not in raw
    reopened = KeyStore.open("encrypted-file", tmp_path)
    assert _raw(reopened.signing_key("t1")) == _raw(key)
    assert reopened.token("t1") == "token-value"
    wrong = EncryptedFileKeyring(tmp_path / "keys.enc", "another passphrase")
    with pytest.raises(ConfigError) as err:
        wrong.get_password("e-rial-desk", "terminal/t1/signing-key")
    assert err.value.code == "config.wrong_passphrase"
    with pytest.raises(ConfigError):
        wrong.set_password("e-rial-desk", "x", "y")  # never mixes two passphrases in one file


def test_unknown_choice_is_a_setting_error(tmp_path: Path):
    with pytest.raises(ConfigError) as err:
        KeyStore.open("plaintext", tmp_path)
    assert err.value.code == "config.invalid_setting"
