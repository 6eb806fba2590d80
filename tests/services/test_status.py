from __future__ import annotations

from erial_desk.services import Approval
from tests.conftest import DEMO_PINS
from tests.services.test_payments import register


def test_counter_status_follows_login_shift_and_printing(desk):
    status = desk.counter_status()
    assert status.office_id == "MCT-HQ"
    assert status.operator is None and status.shift is None
    assert status.print_waiting == status.print_failed == 0
    desk.login("salim", DEMO_PINS["salim"])
    desk.open_shift({10000: 2})
    status = desk.counter_status()
    assert status.operator.operator_id == "salim"
    assert status.shift is not None and status.shift.operator == "salim"
    assert len(status.terminal_code) == 8


def test_the_login_list_holds_this_offices_active_operators(desk):
    ids = {o.operator_id for o in desk.office_operators()}
    assert {"salim", "aisha"} <= ids
    assert "khalid" not in ids  # another office's operator


def test_the_drawer_formula_adds_up_to_the_expected_cash(desk):
    desk.login("salim", DEMO_PINS["salim"])
    desk.open_shift({10000: 2})  # 20 rials of float
    account = register(desk)
    desk.top_up(account, "5")
    desk.cash_drop({10000: 1}, Approval("aisha", DEMO_PINS["aisha"]), "Safe run")
    formula = desk.drawer_formula()
    assert (formula.float_total, formula.cash_in, formula.cash_out) == (20_000, 5_000, 10_000)
    assert formula.expected == desk.expected_cash(formula.shift_id) == 15_000


def test_printer_settings_are_a_supervisors_and_checked_before_saving(desk, tmp_path):
    import pytest

    from erial_desk.config import Settings
    from erial_desk.domain.errors import ConfigError, PolicyError

    desk.login("salim", DEMO_PINS["salim"])
    with pytest.raises(PolicyError):
        desk.change_printer("pdf", "", "80mm", "2")
    desk.login("aisha", DEMO_PINS["aisha"])
    with pytest.raises(ConfigError):
        desk.change_printer("telepathy", "", "80mm", "2")
    with pytest.raises(ConfigError):
        desk.change_printer("network", "10.0.0.5", "no-such-profile", "2")
    described = desk.change_printer("pdf", str(tmp_path / "slips"), "58mm", "none")
    assert "slips" in described
    saved = Settings.load(desk.data_dir)
    assert (saved.printer_target, saved.printer_profile, saved.printer_drawer) == (
        str(tmp_path / "slips"),
        "58mm",
        "none",
    )
    desk.set_language("en")
    assert Settings.load(desk.data_dir).language == "en"


def test_display_digits_are_a_supervisors_choice_and_checked(desk):
    import pytest

    from erial_desk.config import Settings
    from erial_desk.domain.errors import ConfigError, PolicyError

    desk.login("salim", DEMO_PINS["salim"])
    with pytest.raises(PolicyError):
        desk.change_display_digits("arabic-indic")
    desk.login("aisha", DEMO_PINS["aisha"])
    with pytest.raises(ConfigError):
        desk.change_display_digits("roman")
    desk.change_display_digits("arabic-indic")
    assert Settings.load(desk.data_dir).display_digits == "arabic-indic"
