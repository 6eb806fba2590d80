"""``make demo`` and ``erial-desk gui``: the application against the embedded central, run as
separate processes as a newcomer runs them."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from PySide6.QtGui import QImage

from erial_desk.config import DATABASE_FILE, Settings
from erial_desk.store.identity import read_identity
from erial_desk.sync.credentials import PASSPHRASE_VARIABLE
from erial_desk.ui.tour import STEPS
from tests.cli.test_cli import run
from tests.conftest import make_desk

PASSPHRASE = "passphrase of the gui test"


def desk_cli(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The command with no display: Qt draws offscreen."""
    return run(*args, env_extra={"QT_QPA_PLATFORM": "offscreen", **(env_extra or {})})


def open_window(data_dir: Path, passphrase: str) -> subprocess.CompletedProcess:
    """``erial-desk gui`` on a terminal enrolled at the test's central, until the desk is open."""
    os.environ[PASSPHRASE_VARIABLE] = PASSPHRASE
    try:
        make_desk(data_dir, keyring="encrypted-file").close()
    finally:
        del os.environ[PASSPHRASE_VARIABLE]
    gui = ("--data-dir", str(data_dir), "gui", "--quit-when-open")
    return desk_cli(*gui, env_extra={PASSPHRASE_VARIABLE: passphrase})


def test_gui_opens_the_window_on_an_enrolled_terminal(tmp_path: Path):
    opened = open_window(tmp_path / "desk", PASSPHRASE)
    assert opened.returncode == 0, opened.stderr


def test_gui_says_when_the_desk_cannot_be_opened(tmp_path: Path):
    refused = open_window(tmp_path / "desk", "not the passphrase")
    assert refused.returncode == 1
    assert "عبارة المرور" in refused.stderr  # the sentence the window shows (Arabic first)
    assert "Traceback" not in refused.stderr


def served(output: str) -> str:
    (url,) = re.findall(r"Central serves (http://127\.0\.0\.1:\d+)", output)
    return url


def test_the_demo_sets_up_twice_on_the_same_folder(tmp_path: Path):
    folder = tmp_path / "demo-data"
    first = desk_cli("--data-dir", str(folder), "demo")
    assert first.returncode == 0, first.stderr
    for line in ("salim    PIN 1111   clerk", "aisha    PIN 9999   supervisor"):
        assert line in first.stdout
    assert "No display here" in first.stdout and str(folder / "tour") in first.stdout
    terminal, _key, office = read_identity(folder / "desk" / DATABASE_FILE)
    assert office == "MCT-HQ"
    # Again: central's data and the enrolled terminal are reused, on a new port.
    second = desk_cli("--data-dir", str(folder), "demo", "--tour")
    assert second.returncode == 0, second.stderr
    assert read_identity(folder / "desk" / DATABASE_FILE)[0] == terminal
    assert Settings.load(folder / "desk").central_url == served(second.stdout)
    pictures = sorted((folder / "tour").glob("*.png"))
    assert len(pictures) == 2 * len(STEPS)
    assert all(QImage(str(p)).width() == 1024 for p in pictures)
