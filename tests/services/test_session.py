"""Operator login, lockout and supervisor approval through the Desk facade."""

from __future__ import annotations

import pytest

from erial_desk.domain.errors import AuthError, PolicyError, StateError
from erial_desk.services import Approval
from tests.conftest import DEMO_PINS


def test_login_and_logout(desk):
    session = desk.login("salim", "1111")
    assert session.role == "clerk" and session.office_id == "MCT-HQ"
    assert desk.current_operator == session
    desk.logout()
    assert desk.current_operator is None
    with pytest.raises(AuthError) as err:
        desk.open_shift({1000: 1})
    assert err.value.code == "login.required"


def test_login_accepts_arabic_digits_and_id_case(desk):
    assert desk.login(" SALIM ", "١١١١").operator_id == "salim"


def test_unknown_operator_looks_like_a_wrong_pin(desk):
    with pytest.raises(AuthError) as err:
        desk.login("nobody", "1111")
    assert err.value.code == "login.failed"


def test_operator_of_another_office_cannot_log_in(desk):
    # Khalid works at an internet café; this terminal only knows MCT-HQ's operators.
    with pytest.raises(AuthError) as err:
        desk.login("khalid", DEMO_PINS["khalid"])
    assert err.value.code == "login.failed"


def test_lockout_after_repeated_failures(desk):
    attempts = desk.policy.operator_pin_attempts
    for left in range(attempts - 1, 0, -1):
        with pytest.raises(AuthError) as err:
            desk.login("salim", "0000")
        assert err.value.code == "login.failed"
        assert err.value.params["left"] == left
    with pytest.raises(AuthError) as err:
        desk.login("salim", "0000")
    assert err.value.code == "login.locked"
    # Locked: even the right PIN is refused until the lock expires.
    with pytest.raises(AuthError) as err:
        desk.login("salim", "1111")
    assert err.value.code == "login.locked"
    assert "حاول" in err.value.message("ar")


def test_success_resets_failure_count(desk):
    for _ in range(desk.policy.operator_pin_attempts - 1):
        with pytest.raises(AuthError):
            desk.login("salim", "0000")
    desk.login("salim", "1111")
    with pytest.raises(AuthError) as err:
        desk.login("salim", "0000")
    assert err.value.params["left"] == desk.policy.operator_pin_attempts - 1


def test_approval_needs_a_supervisor_of_this_office(clerk_desk):
    top_up_account = _subscriber(clerk_desk)
    entry = clerk_desk.top_up(top_up_account, 5000)
    for approval in (None, Approval("salim", "1111"), Approval("aisha", "0000")):
        with pytest.raises(AuthError) as err:
            clerk_desk.void(entry.entry_id, "wrong amount", approval)
        assert err.value.code in ("approval.required", "approval.invalid")
    result = clerk_desk.void(entry.entry_id, "wrong amount", Approval("aisha", "9999"))
    assert result.entry_type == "void"


def test_clerk_cannot_use_a_shift_opened_by_another_operator(desk):
    desk.login("salim", "1111")
    desk.open_shift({1000: 10})
    desk.logout()
    desk.login("aisha", "9999")
    account = _subscriber(desk, register=False)
    with pytest.raises(StateError) as err:
        desk.top_up(account, 1000)
    assert err.value.code == "shift.not_yours"


def test_external_operator_cannot_register(cafe_desk):
    from erial_desk.services import RegistrationForm

    form = RegistrationForm("individual", "سعيد", "Saeed", "92345678", civil_number="1234567")
    with pytest.raises(PolicyError) as err:
        cafe_desk.register_subscriber(form, "1234")
    assert err.value.code == "policy.not_allowed"
    assert "خارجي" in err.value.message("ar")


def _subscriber(desk, register: bool = True) -> str:
    from erial_desk.services import RegistrationForm

    if not register:
        return "100000000008"
    form = RegistrationForm("individual", "سالمة", "Salma", "71234567", civil_number="2345678")
    return desk.register_subscriber(form, "2468").account
