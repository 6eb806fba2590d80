"""The office's operators, for its supervisor: lock, unlock and a new PIN made at central and
brought to every terminal of the office by the feed; through the ``Desk`` facade, against the
embedded central."""

from __future__ import annotations

from pathlib import Path

import pytest

from erial_desk.domain.errors import AuthError, CentralUnavailable, DeskError, PolicyError
from erial_desk.services.results import Approval
from tests.conftest import DEMO_PINS, central_of_test, make_desk

AISHA = Approval("aisha", DEMO_PINS["aisha"])


def staff_state(desk) -> dict[str, bool]:
    return {o.operator_id: o.active for o in desk.office_staff()}


def test_a_lock_unlock_and_new_pin_reach_another_terminal_of_the_office(tmp_path: Path):
    console, counter = make_desk(tmp_path / "console"), make_desk(tmp_path / "counter")
    try:
        console.login("aisha", DEMO_PINS["aisha"])
        assert staff_state(console) == {"aisha": True, "salim": True}

        console.lock_operator("salim", AISHA)
        assert staff_state(console)["salim"] is False  # pulled at once on this terminal
        counter.pull()
        with pytest.raises(AuthError) as refused:
            counter.login("salim", DEMO_PINS["salim"])
        assert refused.value.code == "login.inactive"

        console.unlock_operator("salim", AISHA)
        counter.pull()
        counter.login("salim", DEMO_PINS["salim"])
        counter.logout()

        console.reset_operator_pin("salim", "٨٦٤٢٠", AISHA)  # Arabic-Indic digits from the pad
        counter.pull()
        with pytest.raises(AuthError) as refused:
            counter.login("salim", DEMO_PINS["salim"])
        assert refused.value.code == "login.failed"
        assert counter.login("salim", "86420").operator_id == "salim"
    finally:
        console.close()
        counter.close()


def test_central_refuses_what_the_supervisor_may_not_do(tmp_path: Path):
    desk = make_desk(tmp_path / "desk")
    try:
        desk.login("salim", DEMO_PINS["salim"])
        with pytest.raises(PolicyError):  # a clerk has no console
            desk.lock_operator("aisha", AISHA)
        desk.logout()
        desk.login("aisha", DEMO_PINS["aisha"])
        cases = [
            (lambda: desk.lock_operator("salim", Approval("aisha", "0000")), "approval.invalid"),
            (lambda: desk.lock_operator("aisha", AISHA), "operator.own"),
            (lambda: desk.lock_operator("khalid", AISHA), "operator.not_found"),
            (lambda: desk.lock_operator("salim", Approval("salim", "1111")), "role.not_allowed"),
        ]
        for attempt, code in cases:
            with pytest.raises(DeskError) as refused:
                attempt()
            assert refused.value.code == code
        assert staff_state(desk) == {"aisha": True, "salim": True}
    finally:
        desk.close()


def test_offline_nothing_changes(tmp_path: Path):
    desk = make_desk(tmp_path / "desk")
    try:
        desk.login("aisha", DEMO_PINS["aisha"])
        central_of_test().stop()
        with pytest.raises(CentralUnavailable):
            desk.lock_operator("salim", AISHA)
        assert staff_state(desk) == {"aisha": True, "salim": True}
    finally:
        desk.close()
