"""Reference data signed by central (here the local stand-in, which signs as central does): an
operator row edited in the desk's SQLite file is refused at login and approval, with a sentence,
before any PIN is tried; the key that checks it is pinned in the key store, not in the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from erial_desk.config import DATABASE_FILE
from erial_desk.domain.errors import AuthError, IntegrityError
from erial_desk.services import Approval, Desk
from erial_desk.sync.credentials import KeyStore, central_key
from erial_desk.sync.standin import FILE_NAME
from tests.conftest import DEMO_PINS

from .test_payments import register


def _raw(desk: Desk) -> sqlite3.Connection:
    """The file as anyone at the PC can edit it."""
    return sqlite3.connect(desk.data_dir / DATABASE_FILE, isolation_level=None)


def test_supervisor_hash_swapped_in_the_file_cannot_approve(clerk_desk):
    account = register(clerk_desk)
    first = clerk_desk.top_up(account, 20_000)
    second = clerk_desk.top_up(account, 10_000)
    clerk_desk.void(first.entry_id, "typed the wrong amount", Approval("aisha", "9999"))
    with _raw(clerk_desk) as raw:
        raw.execute(
            "UPDATE operators SET pin_hash = (SELECT pin_hash FROM operators"
            " WHERE operator_id = 'salim') WHERE operator_id = 'aisha'"
        )
    # The clerk types their own PIN as the supervisor's.
    with pytest.raises(IntegrityError) as err:
        clerk_desk.void(second.entry_id, "typed the wrong amount", Approval("aisha", "1111"))
    message = err.value.message("en")
    assert message.startswith("The operator list does not carry the central server's valid")
    assert "call the municipality's IT team" in message
    assert "قائمة المشغلين" in err.value.message("ar")
    assert clerk_desk.shift_summary().voids.count == 1


def test_role_raised_in_the_file_is_refused(desk):
    with _raw(desk) as raw:
        raw.execute("UPDATE operators SET role = 'supervisor' WHERE operator_id = 'salim'")
    with pytest.raises(IntegrityError):
        desk.login("salim", DEMO_PINS["salim"])
    with pytest.raises(IntegrityError):  # a wrong PIN changes nothing: the row is refused first
        desk.login("salim", "0000")
    assert desk.login("aisha", DEMO_PINS["aisha"]).role == "supervisor"  # untouched rows work


def test_reopening_brings_the_signed_operators_back(tmp_path: Path):
    desk = Desk.init(tmp_path / "desk", office_id="MCT-HQ", keyring="memory")
    with _raw(desk) as raw:
        raw.execute("UPDATE operators SET active = 0 WHERE operator_id = 'salim'")
        raw.execute("UPDATE operators SET signature = NULL WHERE operator_id = 'aisha'")
    with pytest.raises(IntegrityError):
        desk.login("aisha", DEMO_PINS["aisha"])
    desk.close()
    with Desk.open(tmp_path / "desk") as again:
        assert again.login("salim", DEMO_PINS["salim"]).operator_id == "salim"
        assert again.login("aisha", DEMO_PINS["aisha"]).operator_id == "aisha"


def test_stand_in_key_replaced_after_pinning_is_refused(tmp_path: Path):
    data = tmp_path / "desk"
    desk = Desk.init(data, office_id="MCT-HQ", keyring="memory")
    pinned = central_key(KeyStore.open("memory", data), desk.terminal_id)
    assert pinned is not None and pinned not in (data / DATABASE_FILE).read_bytes()
    desk.close()
    # Someone replaces the stand-in's key (and so every signature it gives) in its file.
    with sqlite3.connect(data / FILE_NAME, isolation_level=None) as standin:
        standin.execute("DELETE FROM keys WHERE name = 'reference'")
    with Desk.open(data) as again, pytest.raises(IntegrityError):
        again.login("salim", DEMO_PINS["salim"])


@pytest.mark.parametrize(
    ("left", "english", "arabic"),
    [
        (4, "4 attempts left.", "بقيت 4 محاولات."),
        (3, "3 attempts left.", "بقيت 3 محاولات."),
        (2, "2 attempts left.", "بقيت محاولتان."),
        (1, "1 attempt left.", "بقيت محاولة واحدة."),
    ],
)
def test_attempts_left_read_as_sentences(desk, left, english, arabic):
    for _ in range(desk.policy.operator_pin_attempts - left):
        with pytest.raises(AuthError) as err:
            desk.login("salim", "0000")
    assert err.value.params["left"] == left
    assert err.value.message("en") == f"Wrong operator or PIN. {english}"
    assert err.value.message("ar").endswith(arabic)
