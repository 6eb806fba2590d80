"""Shared fixtures: real SQLite files in tmp_path, the in-memory key store, demo offices."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import keyring
import pytest

from tests.keystore import MemoryKeyring

if TYPE_CHECKING:
    from erial_desk.demo_central import EmbeddedCentral

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


class _Centrals:
    """The embedded central of the running test: made from a template seeded once per session
    (the demo data), copied for each test that makes a desk, so that a bill paid or a subscriber
    registered in one test is unknown to the next, as it was when each desk had its own data."""

    factory: pytest.TempPathFactory | None = None
    template: Path | None = None
    current: EmbeddedCentral | None = None

    @classmethod
    def of_this_test(cls) -> EmbeddedCentral:
        from erial_desk.demo_central import DATABASE, SECRETS, EmbeddedCentral

        if cls.current is None:
            assert cls.factory is not None
            if cls.template is None:
                template = cls.factory.mktemp("central-template")
                EmbeddedCentral(template, subscribers=20, bills=60).prepare()
                cls.template = template
            folder = cls.factory.mktemp("central")
            for name in (DATABASE, SECRETS):
                shutil.copyfile(cls.template / name, folder / name)
            cls.current = EmbeddedCentral(folder).start()
        return cls.current

    @classmethod
    def stop_if_new(cls, before: EmbeddedCentral | None) -> None:
        """Stop a central started in a scope that is ending (a test, or a module's fixture)."""
        if cls.current is not None and cls.current is not before:
            cls.current.stop()
        cls.current = before


@pytest.fixture(scope="session", autouse=True)
def _embedded_central_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    _Centrals.factory = tmp_path_factory
    yield
    _Centrals.stop_if_new(None)


@pytest.fixture(scope="module", autouse=True)
def _embedded_central_module() -> Iterator[None]:
    """A module-scoped fixture's desks share a central, stopped with the module."""
    yield
    _Centrals.stop_if_new(None)


@pytest.fixture(autouse=True)
def _embedded_central() -> Iterator[None]:
    """Stops the central a test's desks used, once the test and its fixtures are done."""
    before = _Centrals.current
    yield
    _Centrals.stop_if_new(before)


def central_of_test() -> EmbeddedCentral:
    """The embedded central of the running test (started on first use)."""
    return _Centrals.of_this_test()


def make_desk(path: Path, office_id: str = "MCT-HQ", *, keyring: str = "memory"):
    """A new terminal at ``office_id`` in ``path``, enrolled at the test's central.

    Its commits are pushed at once, as the sync worker would push them a moment later: a test
    reads central's view right after an action. The worker's own timing is tested in tests/sync.
    """
    desk = central_of_test().enrolled_desk(path, office_id, keyring=keyring)
    return push_at_once(desk)


def push_at_once(desk):
    desk._writer.on_commit(desk.push_pending)
    return desk


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
