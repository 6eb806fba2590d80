"""The counter's keys: nothing is submitted twice (double Enter, double click, a second Enter
while the first still runs); a scanner's burst opens the subscriber from any screen while
ordinary typing never does; a key the office may not use is not shown and says why; typing on
Home starts the search."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from erial_desk.domain.policy import BillKind, PaymentMethod
from erial_desk.ui.words import t
from tests.conftest import DEMO_PINS, make_desk

from .helpers import counter_logged_in, press, shift_with_a_subscriber
from .test_counter_shift import screen, wait_idle


def start(qapp, qtbot, path, office: str, operator: str):
    make_desk(path, office).close()
    return counter_logged_in(qapp, qtbot, path, "en", operator, DEMO_PINS[operator])


@pytest.fixture
def counter(qapp, qtbot, tmp_path):
    app = start(qapp, qtbot, tmp_path / "desk", "MCT-HQ", "salim")
    desk = app.ctx.desk
    app.account = shift_with_a_subscriber(desk)
    yield app
    app.shutdown()


def top_ups(desk) -> int:
    return desk.shift_summary().top_ups.count


def test_a_top_up_is_taken_once_whatever_is_pressed(counter, qtbot):
    app, desk = counter, counter.ctx.desk
    app.open_for("top_up", app.account)
    form = app.window.current()
    press(qtbot, Qt.Key.Key_F1, app.window)  # help for this screen
    assert app.window.message.text() == form.help_text()
    qtbot.waitUntil(lambda: form.subscriber is not None)
    qtbot.keyClicks(form.amount, "10")
    press(qtbot, Qt.Key.Key_Return, form.amount)
    assert form.confirm.hasFocus()
    press(qtbot, Qt.Key.Key_Return, form.confirm)  # double Enter
    press(qtbot, Qt.Key.Key_Return, form.confirm)
    form.submit()  # and an Enter that reached the form while the first still ran
    wait_idle(qtbot, app)
    assert top_ups(desk) == 1
    assert desk.known_balance(app.account) == 10_000

    app.open_for("top_up", app.account)  # a double click on the confirm button
    qtbot.waitUntil(lambda: form.subscriber is not None)
    qtbot.keyClicks(form.amount, "5")
    qtbot.mouseClick(form.confirm, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(form.confirm, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app)
    assert top_ups(desk) == 2
    assert desk.known_balance(app.account) == 15_000


def test_a_bill_is_paid_once_on_a_double_enter(counter, qtbot):
    app, desk = counter, counter.ctx.desk
    press(qtbot, Qt.Key.Key_F4, app.window)
    bills = app.window.current()
    bills.service.setCurrentIndex(bills.service.findData(BillKind.LEASE))
    qtbot.keyClicks(bills.key, "12345678")
    press(qtbot, Qt.Key.Key_Return, bills.key)
    qtbot.waitUntil(lambda: len(bills.bills) == 1, timeout=20_000)
    bills.method.setCurrentIndex(bills.method.findData(PaymentMethod.CASH))
    bills.pay_button.setFocus()
    press(qtbot, Qt.Key.Key_Return, bills.pay_button)
    press(qtbot, Qt.Key.Key_Return, bills.pay_button)
    bills.submit()
    wait_idle(qtbot, app)
    summary = desk.shift_summary()
    assert sum(totals.count for totals in summary.bill_payments.values()) == 1
    assert summary.expected_cash == 30_000 + bills.bills[0].amount


def test_a_scanner_burst_opens_the_subscriber_and_typing_does_not(counter, qtbot):
    app = counter
    window = app.window
    press(qtbot, Qt.Key.Key_F6, window)
    name = window.current().name_en

    # A person typing the same digits, a key at a time, then Enter: nothing but typing.
    name.setFocus()
    qtbot.keyClicks(name, app.account, delay=80)
    press(qtbot, Qt.Key.Key_Return, name)
    assert screen(app) == "registration"
    assert name.text() == app.account
    name.clear()
    name.setFocus()  # Enter had moved on to the next field

    # The scanner reads the welcome slip's QR: the subscriber opens, the field stays clean.
    qtbot.keyClicks(name, app.account)
    press(qtbot, Qt.Key.Key_Return, name)
    assert screen(app) == "subscriber"
    assert name.text() == ""
    wait_idle(qtbot, app)
    assert window.current().account == app.account

    # Into a field that takes an account number, the scan fills the field.
    press(qtbot, Qt.Key.Key_F3, window)
    top_up = window.current()
    assert top_up.name == "top_up"
    top_up.ready()
    qtbot.keyClicks(top_up.account, app.account)
    press(qtbot, Qt.Key.Key_Return, top_up.account)
    assert screen(app) == "top_up"
    qtbot.waitUntil(lambda: top_up.subscriber is not None, timeout=20_000)


def test_typing_on_home_starts_the_search(counter, qtbot):
    app = counter
    press(qtbot, Qt.Key.Key_Escape, app.window)
    assert screen(app) == "home"
    for char in "Shamsa":  # each key to whatever has the keyboard then
        qtbot.keyClick(QApplication.focusWidget(), char)
    assert screen(app) == "search"
    search = app.window.current()
    assert search.query.text() == "Shamsa"
    press(qtbot, Qt.Key.Key_Return, search.query)  # Enter before the rows: taken when they come
    qtbot.waitUntil(lambda: screen(app) == "subscriber", timeout=20_000)


def test_keys_the_office_may_not_use_are_hidden_and_say_why(qapp, qtbot, tmp_path):
    app = start(qapp, qtbot, tmp_path / "seeb", "CAFE-SEEB", "hamad")
    shown = {a.key for a in app.window.key_actions() if a.shown}
    assert Qt.Key.Key_F2 in shown and Qt.Key.Key_F4 in shown
    assert Qt.Key.Key_F3 not in shown  # this external office is not authorised to top up
    assert Qt.Key.Key_F6 not in shown  # registration is for internal offices
    press(qtbot, Qt.Key.Key_F3, app.window)
    assert screen(app) == "home"
    assert "top-up" in app.window.message.text().lower()
    tiles = app.window.current().tile_buttons
    assert "search" in tiles and "top_up" not in tiles and "registration" not in tiles
    app.shutdown()


def test_the_profile_changes_the_mobile_through_the_facade(counter, qtbot):
    from erial_desk.ui.dialogs.subscriber_details import SubscriberDetailsDialog

    from .helpers import when_modal

    app, desk = counter, counter.ctx.desk
    app.open_for("subscriber", app.account)
    wait_idle(qtbot, app)
    profile = app.window.current()
    assert profile.details_button.isVisible()  # an internal office may

    def new_mobile(dialog) -> None:
        assert isinstance(dialog, SubscriberDetailsDialog)
        dialog.mobile.selectAll()
        qtbot.keyClicks(dialog.mobile, "99887766")
        press(qtbot, Qt.Key.Key_Return, dialog.mobile)

    when_modal(SubscriberDetailsDialog, new_mobile)
    profile.details_button.click()
    qtbot.waitUntil(lambda: desk.subscriber(app.account).mobile == "+96899887766", timeout=20_000)
    wait_idle(qtbot, app)
    assert "99887766" in profile.mobile.text()


def test_the_statement_and_a_permits_tracking_slip_print(counter, qtbot):
    app, desk = counter, counter.ctx.desk
    app.open_for("subscriber", app.account)
    wait_idle(qtbot, app)
    app.window.current().statement_button.click()
    wait_idle(qtbot, app)
    app.open_for("bills", app.account)
    bills = app.window.current()
    bills.service.setCurrentIndex(bills.service.findData(BillKind.BUILDING_PERMIT))
    qtbot.keyClicks(bills.key, "BP20260401")
    press(qtbot, Qt.Key.Key_Return, bills.key)
    qtbot.waitUntil(lambda: len(bills.bills) == 1, timeout=20_000)
    assert bills.slip_button.isVisible()
    bills.slip_button.click()
    wait_idle(qtbot, app)
    printed = {(job.kind, job.subject) for job in desk.print_queue(include_printed=True)}
    assert {("statement", app.account), ("permit_slip", "BP20260401")} <= printed
    assert app.window.message.text() == t("The tracking slip was printed.")


def test_a_wrong_customer_pin_pays_nothing_and_says_so(counter, qtbot):
    from .helpers import customer_types_pin

    app, desk = counter, counter.ctx.desk
    desk.top_up(app.account, 30_000)
    app.open_for("bills", app.account)
    bills = app.window.current()
    qtbot.keyClicks(bills.key, "4521 R")
    press(qtbot, Qt.Key.Key_Return, bills.key)
    qtbot.waitUntil(lambda: len(bills.bills) == 2, timeout=20_000)
    wait_idle(qtbot, app)
    bills.set_checked(0)
    customer_types_pin(qtbot, "9999")
    bills.pay_button.click()
    wait_idle(qtbot, app)
    assert bills.error.text()
    assert desk.known_balance(app.account) == 30_000
    assert desk.shift_summary().bill_payments == {} or not any(
        totals.count for totals in desk.shift_summary().bill_payments.values()
    )
