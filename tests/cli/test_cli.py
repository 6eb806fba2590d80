"""The erial-desk command, run as a separate process as a clerk or an IT team would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from erial_desk import __version__
from tests.conftest import central_of_test

PASSPHRASE = "correct horse battery staple"


def run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("ERIAL_DESK_KEY_PASSPHRASE", None)
    # No OS keyring in a test process: the "system" choice must fail loudly, never fall back.
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "erial_desk.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


WITH_PASSPHRASE = {"ERIAL_DESK_KEY_PASSPHRASE": PASSPHRASE}


def init(d: Path, office: str = "MCT-HQ", *extra: str, env_extra=WITH_PASSPHRASE):
    """``erial-desk init`` for the test's central."""
    central = central_of_test().base_url
    return run(
        "--data-dir",
        str(d),
        "init",
        "--office",
        office,
        "--central",
        central,
        *extra,
        env_extra=env_extra,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A terminal made and enrolled with the commands an IT team types."""
    d = tmp_path / "desk"
    result = init(d, "MCT-HQ", "--keyring", "encrypted-file")
    assert result.returncode == 0, result.stderr
    enrolled = enroll(d, "MCT-HQ")
    assert enrolled.returncode == 0, enrolled.stderr
    return d


def enroll(d: Path, office: str):
    """``erial-desk enroll`` with a new terminal slot of ``office`` at the test's central."""
    central = central_of_test()
    code = central.enrolment_code(office)
    return run(
        "--data-dir",
        str(d),
        "enroll",
        "--server",
        central.base_url,
        "--code",
        code,
        env_extra=WITH_PASSPHRASE,
    )


def test_version():
    result = run("--version")
    assert result.returncode == 0 and __version__ in result.stdout


def test_init_without_a_keyring_names_the_alternative(tmp_path: Path):
    d = tmp_path / "desk"
    result = init(d, env_extra={})
    assert result.returncode == 1
    assert 'keyring = "encrypted-file"' in result.stderr
    assert not (d / "desk.sqlite").exists()  # nothing half-made
    arabic = run(
        "--lang",
        "ar",
        "--data-dir",
        str(d),
        "init",
        "--office",
        "MCT-HQ",
        "--central",
        central_of_test().base_url,
    )
    assert "مخزن مفاتيح" in arabic.stderr


def test_encrypted_file_needs_its_passphrase(tmp_path: Path):
    result = init(tmp_path / "d", "MCT-HQ", "--keyring", "encrypted-file", env_extra={})
    assert result.returncode == 1 and "ERIAL_DESK_KEY_PASSPHRASE" in result.stderr


def test_private_key_is_not_in_the_database_or_settings(data_dir: Path):
    key_file = data_dir / "keys.enc"
    assert key_file.exists()
    settings = (data_dir / "settings.toml").read_text()
    assert 'keyring = "encrypted-file"' in settings
    database = (data_dir / "desk.sqlite").read_bytes()
    assert b"signing-key" not in database
    assert PASSPHRASE.encode() not in key_file.read_bytes()


def test_init_twice_keeps_the_first_identity(data_dir: Path):
    result = init(data_dir, "MCT-HQ", "--keyring", "encrypted-file")
    assert result.returncode == 1 and "already" in result.stderr


def test_unknown_office_is_refused_at_enrolment(tmp_path: Path):
    d = tmp_path / "d"
    assert init(d, "NOWHERE", "--keyring", "encrypted-file").returncode == 0
    result = enroll(d, "MCT-HQ")  # central has no terminal slot at NOWHERE
    assert result.returncode == 1 and "MCT-HQ" in result.stderr


def test_verify_rebuild_and_export(data_dir: Path):
    # The check of the public key against the private key needs the key file's passphrase.
    unchecked = run("--data-dir", str(data_dir), "verify-journal")
    assert unchecked.returncode == 1 and "ERIAL_DESK_KEY_PASSPHRASE" in unchecked.stderr
    verify = run("--data-dir", str(data_dir), "verify-journal", env_extra=WITH_PASSPHRASE)
    assert verify.returncode == 0, verify.stderr
    assert "0 entries" in verify.stdout
    wrong = run(
        "--data-dir", str(data_dir), "rebuild", env_extra={"ERIAL_DESK_KEY_PASSPHRASE": "x"}
    )
    assert wrong.returncode == 1 and "passphrase" in wrong.stderr
    rebuild = run("--data-dir", str(data_dir), "rebuild", env_extra=WITH_PASSPHRASE)
    assert rebuild.returncode == 0, rebuild.stderr
    out = data_dir / "journal.jsonl"
    export = run(
        "--data-dir", str(data_dir), "export-journal", "-o", str(out), env_extra=WITH_PASSPHRASE
    )
    assert export.returncode == 0 and out.read_text() == ""


def test_not_initialised_directory(tmp_path: Path):
    result = run("--data-dir", str(tmp_path / "empty"), "verify-journal")
    assert result.returncode == 1 and "erial-desk init" in result.stderr


def test_walkthrough_runs_a_counter_day(tmp_path: Path):
    keep = tmp_path / "demo"
    result = run("walkthrough", "--keep", str(keep))
    assert result.returncode == 0, result.stderr
    assert "entries verified; broken: None" in result.stdout
    assert "تقرير الإغلاق" in result.stdout
    # The data it left behind verifies and exports as JSON lines, one entry each.
    demo = {"ERIAL_DESK_KEY_PASSPHRASE": "demo passphrase, not for production"}
    verify = run("--data-dir", str(keep), "verify-journal", env_extra=demo)
    assert verify.returncode == 0, verify.stderr
    export = run("--data-dir", str(keep), "export-journal", env_extra=demo)
    lines = [json.loads(line) for line in export.stdout.splitlines()]
    assert [line["seq"] for line in lines] == list(range(1, len(lines) + 1))
    assert {line["entry"]["type"] for line in lines} >= {
        "shift_opened",
        "subscriber_registered",
        "top_up",
        "bill_paid",
        "void",
        "cash_drop",
        "shift_closed",
    }
    assert all(isinstance(line["entry"]["payload"].get("amount", 0), int) for line in lines)
    # Refusals are sentences, not codes; the kept folder's passphrase is told, and opens it.
    assert "refused: Wrong operator or PIN. 4 attempts left." in result.stdout
    assert "login.failed" not in result.stdout
    from erial_desk.walkthrough import DEMO_PASSPHRASE

    assert f"ERIAL_DESK_KEY_PASSPHRASE='{DEMO_PASSPHRASE}'" in result.stdout
    rebuild = run(
        "--data-dir", str(keep), "rebuild", env_extra={"ERIAL_DESK_KEY_PASSPHRASE": DEMO_PASSPHRASE}
    )
    assert rebuild.returncode == 0, rebuild.stderr
    log = (keep / "erial-desk.log").read_text()
    assert "erial-desk" in log and DEMO_PASSPHRASE not in log


def test_sync_help_and_readme_agree():
    """'sync' is one round; the README shows it without a flag that does nothing."""
    help_text = run("sync", "--help").stdout
    assert "one round" in help_text and "--once" not in help_text
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "sync --once" not in readme and "erial-desk --data-dir ./desk sync " in readme
    assert "erial-desk.log" in readme and "erial-central.log" in readme
