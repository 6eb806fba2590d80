"""``erial-desk selftest`` on terminals enrolled at a real central, at a central that is not
there, and on a folder that holds no terminal."""

from __future__ import annotations

import io
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from erial_desk import cli, selftest
from erial_desk.config import Settings
from erial_desk.services import Desk

from .conftest import CentralServer, enrolled_desk, free_port

NAMES = [
    "Installation",
    "Free disk space",
    "Data directory",
    "Journal",
    "Key store",
    "Printer",
    "Central server",
    "Central's certificate",
    "Clock",
]


def run(data_dir: Path, lang: str = "en") -> tuple[int, list[str]]:
    out = io.StringIO()
    code = selftest.run(data_dir, lang, out)
    return code, out.getvalue().splitlines()


def by_name(lines: list[str]) -> dict[str, str]:
    """Check name -> its line, for English lines '[STATE] Name: sentence'."""
    named = {}
    for line in lines:
        name = line.split("] ", 1)[1].split(": ", 1)[0]
        named[name] = line
    return named


@pytest.fixture
def terminal(central: CentralServer, tmp_path: Path) -> Path:
    data_dir = tmp_path / "desk"
    enrolled_desk(central, data_dir).close()
    return data_dir


def change_settings(data_dir: Path, **changes: str) -> None:
    replace(Settings.load(data_dir), **changes).save(data_dir)


def test_an_enrolled_terminal_passes_every_check(terminal):
    code, lines = run(terminal)

    assert code == selftest.EXIT_PASSED, "\n".join(lines)
    assert list(by_name(lines)) == NAMES
    assert all(line.startswith("[PASSED] ") for line in lines), "\n".join(lines)
    named = by_name(lines)
    assert "knows this terminal" in named["Central server"]
    assert "plain HTTP" in named["Central's certificate"]


def test_the_lines_are_in_arabic_when_asked(terminal):
    code, lines = run(terminal, "ar")

    assert code == selftest.EXIT_PASSED
    assert len(lines) == len(NAMES)
    assert "[سليم] " in lines[0]
    assert "الخادم المركزي" in lines[6]
    assert not any("Central server" in line for line in lines)


def test_a_central_that_does_not_answer_fails_and_says_what_to_do(terminal):
    change_settings(terminal, central_url=f"http://127.0.0.1:{free_port()}")

    code, lines = run(terminal)

    assert code == selftest.EXIT_FAILED
    named = by_name(lines)
    assert named["Central server"].startswith("[FAILED] ")
    assert "check the network cable" in named["Central server"]
    assert named["Central's certificate"].startswith("[NOT CHECKED] ")
    assert named["Clock"].startswith("[NOT CHECKED] ")
    # What does not need central still passes.
    for name in ("Installation", "Data directory", "Journal", "Key store", "Printer"):
        assert named[name].startswith("[PASSED] "), named[name]


def test_a_clock_far_from_centrals_fails(terminal):
    with Desk.open(terminal, read_only=True) as desk:
        late = list(
            selftest.check_central(desk, now=lambda: datetime.now(UTC) + timedelta(minutes=10))
        )
        on_time = list(selftest.check_central(desk))

    clock = late[-1].line("en")
    assert clock.startswith("[FAILED] Clock: ")
    assert "time zone" in clock
    assert on_time[-1].line("en").startswith("[PASSED] Clock: ")


def test_a_printer_that_does_not_answer_fails_and_one_that_does_passes(terminal):
    change_settings(
        terminal, printer_connection="network", printer_target=f"127.0.0.1:{free_port()}"
    )
    code, lines = run(terminal)
    assert code == selftest.EXIT_FAILED
    assert by_name(lines)["Printer"].startswith("[FAILED] ")
    assert "switched on" in by_name(lines)["Printer"]

    with socket.socket() as listening:  # a network printer's raw port, listening
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        change_settings(terminal, printer_target=f"127.0.0.1:{port}")
        code, lines = run(terminal)
    assert code == selftest.EXIT_PASSED, "\n".join(lines)
    assert by_name(lines)["Printer"].startswith("[PASSED] ")


def test_a_folder_without_a_terminal_fails_from_the_command_line(tmp_path, capsys):
    assert cli.main(["--data-dir", str(tmp_path), "--lang", "en", "selftest"]) == 1

    lines = capsys.readouterr().out.splitlines()
    named = by_name(lines)
    assert list(named) == NAMES
    assert named["Data directory"].startswith("[FAILED] ")
    assert "erial-desk init" in named["Data directory"]
    for name in ("Journal", "Key store", "Printer", "Central server", "Clock"):
        assert named[name].startswith("[NOT CHECKED] ")
