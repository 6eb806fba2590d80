"""Shared fixtures: real SQLite files in tmp_path, the in-memory key store, demo offices."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from tests.keystore import MemoryKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_configure(config: pytest.Config) -> None:
    """One ``QApplication`` for the whole run, made before printing would make a GUI-only
    application: the window's tests need widgets, and Qt allows one application a process."""
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        config._erial_qapp = QApplication(["erial-desk-tests"])  # type: ignore[attr-defined]
    _compile_words()


def _compile_words() -> None:
    """The install step compiles the catalogues; a bare ``pytest`` after editing a .po does it
    here, so the tests never read a stale one."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from erial_desk.domain.words import translations_dir

    for po in translations_dir().glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parts[-3])
        with mo.open("wb") as target:
            write_mo(target, catalogue, use_fuzzy=True)


DEMO_PINS = {
    "salim": "1111",  # clerk, MCT-HQ (internal)
    "aisha": "9999",  # supervisor, MCT-HQ
    "khalid": "2222",  # operator, CAFE-RUWI (external, authorised to top up)
    "noora": "8888",  # supervisor, CAFE-RUWI
    "hamad": "3333",  # operator, CAFE-SEEB (external, not authorised to top up)
    "zainab": "7777",  # supervisor, CAFE-SEEB
}


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test gets an empty in-memory key store as the process's keyring."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    MemoryKeyring._secrets.clear()
    keyring.set_keyring(backend)
    yield backend
    MemoryKeyring._secrets.clear()
    keyring.set_keyring(previous)


def make_desk(path: Path, office_id: str = "MCT-HQ"):
    from erial_desk.services import Desk

    return Desk.init(path, office_id=office_id, keyring="memory")


@pytest.fixture
def desk(tmp_path: Path):
    """A fresh terminal at the internal MCT-HQ office, nobody logged in."""
    d = make_desk(tmp_path / "desk")
    yield d
    d.close()


@pytest.fixture
def clerk_desk(desk):
    """MCT-HQ terminal with clerk Salim logged in and a shift open (float 46.000 OMR)."""
    desk.login("salim", DEMO_PINS["salim"])
    desk.open_shift({20000: 2, 1000: 5, 500: 2})
    return desk


@pytest.fixture
def cafe_desk(tmp_path: Path):
    """External CAFE-RUWI terminal with operator Khalid logged in and a shift open."""
    d = make_desk(tmp_path / "cafe", "CAFE-RUWI")
    d.login("khalid", DEMO_PINS["khalid"])
    d.open_shift({5000: 2})
    yield d
    d.close()
