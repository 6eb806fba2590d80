"""Reference data signed by central (the embedded one, on loopback): an
operator row edited in the desk's SQLite file is refused at login and approval, with a sentence,
before any PIN is tried; the key that checks it is pinned in the key store, not in the file."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from pathlib import Path

import pytest

from erial_desk.config import DATABASE_FILE
from erial_desk.domain.errors import AuthError, IntegrityError
from erial_desk.services import Approval, Desk
from erial_desk.sync.credentials import KeyStore, central_key
from tests.conftest import DEMO_PINS, central_of_test, make_desk

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


def test_reopening_and_a_sync_bring_the_signed_operators_back(tmp_path: Path):
    desk = make_desk(tmp_path / "desk")
    with _raw(desk) as raw:
        raw.execute("UPDATE operators SET active = 0 WHERE operator_id = 'salim'")
        raw.execute("UPDATE operators SET signature = NULL WHERE operator_id = 'aisha'")
    with pytest.raises(IntegrityError):
        desk.login("aisha", DEMO_PINS["aisha"])
    desk.close()
    with Desk.open(tmp_path / "desk") as again:
        again.sync_once()  # the edited rows start the feed again: central's rows replace them
        assert again.login("salim", DEMO_PINS["salim"]).operator_id == "salim"
        assert again.login("aisha", DEMO_PINS["aisha"]).operator_id == "aisha"


def test_central_key_replaced_after_pinning_is_refused(tmp_path: Path):
    central = central_of_test()
    data = tmp_path / "desk"
    desk = make_desk(data)
    pinned = central_key(KeyStore.open("memory", data), desk.terminal_id)
    assert pinned is not None and pinned not in (data / DATABASE_FILE).read_bytes()
    desk.close()
    # Someone replaces central's reference signing key, and so every signature it gives.
    central.stop()
    secrets = json.loads(central.secrets_file.read_text())
    secrets["reference_signing_seed"] = base64.b64encode(os.urandom(32)).decode()
    central.secrets_file.write_text(json.dumps(secrets))
    central.start()
    with pytest.raises(IntegrityError) as err:
        Desk.open(data)  # the office record central now gives fails the pinned key
    assert err.value.code == "reference.unsigned"


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
