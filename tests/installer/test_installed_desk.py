"""What the installed desk does differently from the source tree: its data directory's default
place, and the demo it does not carry."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from erial_desk import cli
from erial_desk.config import DATA_DIR_VARIABLE, default_data_dir


def test_the_data_directory_is_the_platforms_unless_named(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    expected = platformdirs.user_data_dir(
        "eRialDesk" if sys.platform == "win32" else "erial-desk", appauthor=False
    )
    assert default_data_dir() == Path(expected)

    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "office"))
    assert default_data_dir() == tmp_path / "office"


@pytest.mark.parametrize("command", ["demo", "walkthrough"])
@pytest.mark.parametrize(("lang", "words"), [("en", "does not include"), ("ar", "غير مضمَّن")])
def test_without_the_central_server_the_demo_says_so(
    command, lang, words, monkeypatch, tmp_path, capsys
):
    # As in the bundle, where the modules that embed central are left out: importing them fails.
    for module in ("erial_desk.demo", "erial_desk.walkthrough", "erial_desk.demo_central"):
        monkeypatch.setitem(sys.modules, module, None)

    assert cli.main(["--data-dir", str(tmp_path), "--lang", lang, command]) == cli.EXIT_ERROR

    said = capsys.readouterr().err
    assert words in said
    assert "Traceback" not in said and "ImportError" not in said
