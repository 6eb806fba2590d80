"""The terminal's key store: ``system`` is a real OS keyring or a clear refusal, every time, and a
refused ``init`` leaves nothing behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from erial_desk.domain.errors import ConfigError
from erial_desk.sync.credentials import KeyStore
from tests.keystore import MemoryKeyring

RUNS = 10


def no_keyring_service(home: Path) -> dict[str, str]:
    """An environment like an office PC without a keyring service: no D-Bus session, no
    keyring configuration, nothing chosen by a variable."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DBUS_", "XDG_", "PYTHON_KEYRING", "KEYRING", "ERIAL_DESK"))
    }
    runtime = home / "run"
    runtime.mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_RUNTIME_DIR=str(runtime),
    )
    return env


CENTRAL = "http://127.0.0.1:8080"  # init keeps the address; nothing is asked of it yet


def init(data_dir: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "erial_desk.cli", "--data-dir", str(data_dir), "init"]
        + ["--office", "MCT-HQ", "--central", CENTRAL, *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_init_with_the_default_key_store_refuses_every_time(tmp_path: Path):
    env = no_keyring_service(tmp_path / "home")
    for run in range(RUNS):
        data_dir = tmp_path / f"new-{run}" / "deeper" / "desk"
        result = init(data_dir, env)
        assert result.returncode == 1, (run, result.stdout, result.stderr)
        assert "--keyring encrypted-file" in result.stderr
        assert "ERIAL_DESK_KEY_PASSPHRASE" in result.stderr
        assert not (tmp_path / f"new-{run}").exists(), "a refused init leaves no directory"


def test_the_fail_backend_named_in_the_environment_is_refused(tmp_path: Path):
    env = no_keyring_service(tmp_path / "home")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    result = init(tmp_path / "desk", env)
    assert result.returncode == 1 and "--keyring encrypted-file" in result.stderr
    assert not (tmp_path / "desk").exists()


def test_a_refused_init_in_an_existing_directory_removes_only_what_it_made(tmp_path: Path):
    data_dir = tmp_path / "desk"
    data_dir.mkdir()
    (data_dir / "notes.txt").write_text("the office's own file")
    env = no_keyring_service(tmp_path / "home")
    no_passphrase = init(data_dir, env, "--keyring", "encrypted-file")
    assert no_passphrase.returncode == 1 and "ERIAL_DESK_KEY_PASSPHRASE" in no_passphrase.stderr
    assert sorted(p.name for p in data_dir.iterdir()) == ["notes.txt"]
    env["ERIAL_DESK_KEY_PASSPHRASE"] = "a passphrase"
    made = init(data_dir, env, "--keyring", "encrypted-file")
    assert made.returncode == 0, made.stderr
    assert {"notes.txt", "desk.sqlite", "keys.enc", "settings.toml"} <= {
        p.name for p in data_dir.iterdir()
    }


@pytest.mark.parametrize("backend", [fail.Keyring(), MemoryKeyring()], ids=["fail", "memory"])
def test_system_refuses_what_is_not_an_os_keyring(tmp_path: Path, backend):
    keyring.set_keyring(backend)
    with pytest.raises(ConfigError) as err:
        KeyStore.open("system", tmp_path)
    assert err.value.code == "config.no_os_keyring"
    assert type(backend).__name__ in err.value.message("en")


def test_the_product_offers_no_memory_key_store():
    import erial_desk.sync.credentials as credentials

    assert not any("memory" in name.lower() for name in vars(credentials))
    assert "memory" not in credentials.CHOICES


def test_the_anchor_of_the_journal_end_never_moves_back(tmp_path: Path):
    store = KeyStore.open("memory", tmp_path)
    assert store.anchor("t1") is None
    assert store.store_anchor("t1", 5, "a" * 64)
    assert not store.store_anchor("t1", 4, "b" * 64)
    assert not store.store_anchor("t1", 5, "c" * 64)  # what it holds for 5 is evidence
    assert store.anchor("t1") == (5, "a" * 64)
    assert store.store_anchor("t1", 9, "d" * 64) and store.anchor("t1") == (9, "d" * 64)
