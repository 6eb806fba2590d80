"""The profile's PIN reset, the follow-up of a payment made online, and registration's ID check
before the customer's PIN: by keyboard and mouse, each submitted once however often it is asked,
with pictures of what is new in both languages (test-artefacts/ui/)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from erial_desk.domain.errors import AuthError
from erial_desk.domain.labels import transfer_label
from erial_desk.domain.policy import BillKind, PaymentMethod
from erial_desk.ui.dialogs.customer_pad import CustomerPad
from erial_desk.ui.words import t
from tests.conftest import DEMO_PINS, central_of_test, make_desk
from tests.services.test_counter_central_calls import bank_top_up

from .helpers import (
    counter_logged_in,
    customer_types_pin,
    press,
    shift_with_a_subscriber,
    type_text,
    when_modal,
)
from .test_counter_screenshots import save
from .test_counter_shift import screen, wait_idle
from .test_screenshots import SIZE


@pytest.fixture(params=["ar", "en"])
def counter(request, qapp, qtbot, tmp_path):
    make_desk(tmp_path / "desk").close()
    app = counter_logged_in(
        qapp, qtbot, tmp_path / "desk", request.param, "salim", DEMO_PINS["salim"], SIZE
    )
    app.account = shift_with_a_subscriber(app.ctx.desk)
    app.language = request.param
    yield app
    app.shutdown()


def resets(desk) -> list[dict]:
    return [
        e
        for e in desk.entries()
        if e["type"] == "subscriber_updated" and "wallet_pin_reset" in e["payload"]["changes"]
    ]


def test_a_locked_wallet_gets_a_new_pin_once(counter, qtbot):
    app, desk, account = counter, counter.ctx.desk, counter.account
    desk.top_up(account, 50_000)
    bill = desk.find_bills(BillKind.PARKING, "777 MM")[0]
    for _ in range(desk.policy.wallet_pin_attempts):
        with pytest.raises(AuthError):
            desk.pay_bill(bill, PaymentMethod.WALLET, account=account, customer_pin="0000")
    app.open_for("subscriber", account)
    wait_idle(qtbot, app)
    profile = app.window.current()
    button = profile.pin_reset.button
    assert button.isVisible() and button.isEnabled()
    assert not profile.pin_reset.offline.isVisible()
    save(app.window, f"{app.language}-33-subscriber-pin-reset")
    customer_types_pin(qtbot, "8642", twice=True)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # a double click, and Enter on it
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    profile.pin_reset.start()
    wait_idle(qtbot, app)
    assert len(resets(desk)) == 1
    assert app.window.message.text() == t(
        "The customer's new wallet PIN is set; wallet payments are open again."
    )
    paid = desk.pay_bill(bill, PaymentMethod.WALLET, account=account, customer_pin="8642")
    assert paid.status == "confirmed"


def test_the_reset_says_before_it_starts_that_it_needs_central(counter, qtbot):
    app, desk, account = counter, counter.ctx.desk, counter.account
    central_of_test().stop()
    assert not desk.sync_once().online
    app.open_for("subscriber", account)
    wait_idle(qtbot, app)
    profile = app.window.current()
    assert profile.pin_reset.offline.isVisible() and profile.pin_reset.offline.text()
    assert not profile.pin_reset.button.isEnabled()
    save(app.window, f"{app.language}-34-subscriber-offline")
    opened: list[CustomerPad] = []
    when_modal(CustomerPad, lambda pad: (opened.append(pad), pad.reject()), timeout_ms=500)
    profile.pin_reset.start()  # a pad opened here would block until the watcher closed it
    assert opened == [] and resets(desk) == []
    qtbot.wait(600)  # the watcher ends before the next test's pads open


def test_registration_refuses_a_registered_id_before_the_pin(counter, qtbot):
    app, desk = counter, counter.ctx.desk
    before = sum(1 for e in desk.entries() if e["type"] == "subscriber_registered")
    press(qtbot, Qt.Key.Key_F6, app.window)
    form = app.window.current()
    assert form.name == "registration"
    type_text(form.name_ar, "شمسة")
    qtbot.keyClicks(form.name_en, "Shamsa")
    qtbot.keyClicks(form.number, "12345678")  # Shamsa's civil number: registered already
    qtbot.keyClicks(form.mobile, "91234567")
    opened: list[CustomerPad] = []
    when_modal(CustomerPad, lambda pad: (opened.append(pad), pad.reject()), timeout_ms=500)
    form.email.setFocus()
    press(qtbot, Qt.Key.Key_Return, form.email)
    wait_idle(qtbot, app)  # a pad asked for after the check would have opened and closed
    assert opened == []
    assert form.error.text().startswith(t("A subscriber with this {field} already exists.")[:20])
    save(app.window, f"{app.language}-35-registration-exists")
    qtbot.wait(600)  # the watcher ends before the customer is asked below

    # A new ID: Enter twice (and a click) while the check runs; the customer is asked once.
    qtbot.keyClick(form.number, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(form.number, "23456789")
    customer_types_pin(qtbot, "4321", twice=True)
    press(qtbot, Qt.Key.Key_Return, form.email)
    press(qtbot, Qt.Key.Key_Return, form.email)
    qtbot.mouseClick(form.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen(app) == "subscriber", timeout=20_000)
    wait_idle(qtbot, app)
    after = sum(1 for e in desk.entries() if e["type"] == "subscriber_registered")
    assert after == before + 1


def test_a_payment_made_online_is_followed_up_by_its_reference(counter, qtbot):
    app, desk, account = counter, counter.ctx.desk, counter.account
    desk.push_pending()  # central knows the subscriber registered here
    reference = bank_top_up(account, 7_500)
    press(qtbot, Qt.Key.Key_F5, app.window)
    follow = app.window.current()
    assert follow.name == "follow_up"
    qtbot.keyClicks(follow.query, reference)
    press(qtbot, Qt.Key.Key_Return, follow.query)
    press(qtbot, Qt.Key.Key_Return, follow.query)  # a second Enter while it is asked
    qtbot.waitUntil(lambda: len(follow.table.lines) == 1, timeout=20_000)
    wait_idle(qtbot, app)
    line = follow.table.lines[0]
    assert (line.receipt, line.account, line.amount, line.central) == (
        reference,
        account,
        7_500,
        "confirmed",
    )
    assert follow.table.item(0, 2).text() == transfer_label("bank_top_up", app.language)
    assert follow.table.item(0, 4).text() == t("Confirmed by central")
    save(app.window, f"{app.language}-36-follow-up-online")
    press(qtbot, Qt.Key.Key_F7, app.window)  # no copy: the bank gave its receipt
    wait_idle(qtbot, app)
    assert follow.error.text() == t(
        "This payment was made online: the customer's bank gave its receipt."
    )
    assert not [e for e in desk.entries() if e["type"] == "receipt_reprinted"]

    follow.query.selectAll()
    qtbot.keyClicks(follow.query, "BNK-none")
    press(qtbot, Qt.Key.Key_Return, follow.query)
    wait_idle(qtbot, app)
    assert follow.table.lines == [] and follow.error.text()
