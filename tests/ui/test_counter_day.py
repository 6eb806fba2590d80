"""The counter's day by keyboard alone, in Arabic and in English, against the desk as the demo
makes it: register a company (the customer chooses the PIN on their pad) → top it up → pay a
parking fine found by an Arabic-letter plate from the wallet (PIN on the pad) → a lease fee in
cash → follow a receipt up and print a copy → void with a supervisor's approval. The facade's
figures are checked after each step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from erial_desk.domain.policy import BillKind
from erial_desk.services import Desk
from erial_desk.ui.app import CounterApp
from tests.conftest import DEMO_PINS, make_desk

from .helpers import approve_as, customer_types_pin, press, type_text
from .test_counter_shift import screen, wait_idle

FLOAT = {10000: 3}


@pytest.fixture
def data_dir(tmp_path):
    make_desk(tmp_path / "desk").close()
    return tmp_path / "desk"


def open_counter(qapp, qtbot, data_dir, language: str) -> CounterApp:
    app = CounterApp(qapp, lambda: Desk.open(data_dir), language)
    qtbot.addWidget(app.window)
    app.window.show()
    app.start()
    qtbot.waitUntil(lambda: app.ctx.is_open, timeout=20_000)
    login = app.login
    qtbot.waitUntil(lambda: login.operator.findData("salim") >= 0, timeout=20_000)
    login.operator.setCurrentIndex(login.operator.findData("salim"))
    qtbot.keyClicks(login.pad.field, DEMO_PINS["salim"])
    press(qtbot, Qt.Key.Key_Return, login.pad.field)
    qtbot.waitUntil(lambda: screen(app) == "home", timeout=20_000)
    wait_idle(qtbot, app)
    app.ctx.desk.open_shift(FLOAT)
    return app


@pytest.fixture(params=["ar", "en"])
def counter(request, qapp, qtbot, data_dir):
    app = open_counter(qapp, qtbot, data_dir, request.param)
    yield app
    app.shutdown()


def typed(qtbot, widget, text: str) -> None:
    widget.setFocus()
    type_text(widget, text)


def test_the_counter_day_by_keyboard(counter, qtbot):
    app = counter
    window = app.window
    desk = app.ctx.desk

    # F6: a company registers; the customer chooses the PIN on the pad, typed twice.
    press(qtbot, Qt.Key.Key_F6, window)
    form = window.current()
    assert form.name == "registration"
    press(qtbot, Qt.Key.Key_Down, form.kind)  # person → company
    assert form.company()
    typed(qtbot, form.name_ar, "شركة الواحة للتجارة")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.keyClicks(form.name_en, "Oasis Trading LLC")
    press(qtbot, Qt.Key.Key_Return)
    assert form.number.hasFocus()
    qtbot.keyClicks(form.number, "1234567")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.keyClicks(form.person, "Salma Al Hinai")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.keyClicks(form.mobile, "92345678")
    press(qtbot, Qt.Key.Key_Return)
    assert form.email.hasFocus()
    customer_types_pin(qtbot, "4321", twice=True)
    press(qtbot, Qt.Key.Key_Return)  # Enter on the last field registers
    qtbot.waitUntil(lambda: screen(app) == "subscriber", timeout=20_000)
    wait_idle(qtbot, app)
    profile = window.current()
    account = profile.account
    assert desk.subscriber(account).cr_number == "1234567"
    assert account in profile.account_label.text()

    # F3 on the profile: a top-up of this subscriber, 50 rials typed, Enter reviews, Enter confirms.
    press(qtbot, Qt.Key.Key_F3, window)
    top_up = window.current()
    assert top_up.name == "top_up"
    wait_idle(qtbot, app)
    qtbot.waitUntil(lambda: top_up.subscriber is not None and top_up.amount.hasFocus())
    qtbot.keyClicks(top_up.amount, "50")
    assert top_up.total.baisa == 50_000
    press(qtbot, Qt.Key.Key_Return)
    assert top_up.confirm.hasFocus()
    press(qtbot, Qt.Key.Key_Return)
    wait_idle(qtbot, app)
    assert desk.known_balance(account) == 50_000
    assert desk.shift_summary().expected_cash == 30_000 + 50_000
    assert top_up.account.hasFocus() and not top_up.account.text()  # ready for the next one

    # F2: find the subscriber by the account number; Enter takes the only match; F4 pays bills.
    press(qtbot, Qt.Key.Key_F2, window)
    assert screen(app) == "search"
    qtbot.keyClicks(window.current().query, account)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen(app) == "subscriber", timeout=20_000)
    wait_idle(qtbot, app)
    assert window.current().balance.baisa == 50_000
    press(qtbot, Qt.Key.Key_F4, window)
    bills = window.current()
    assert bills.name == "bills"
    wait_idle(qtbot, app)
    assert bills.subscriber is not None and bills.subscriber.account == account
    assert bills.kind() is BillKind.PARKING
    typed(qtbot, bills.key, "٧٧٧ م م")  # the plate in Arabic letters
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(bills.bills) == 3, timeout=20_000)
    fine = bills.bills[0]
    press(qtbot, Qt.Key.Key_Space, bills.table)  # tick the first fine
    charge = desk.catalogue.service_charge(BillKind.PARKING)
    assert (bills.amount.baisa, bills.charge.baisa) == (fine.amount, charge)
    press(qtbot, Qt.Key.Key_Return, bills.table)  # Enter: on to the pay button
    assert bills.pay_button.hasFocus()
    customer_types_pin(qtbot, "4321")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not bills.bills or bills.bills[0].status == "paid", timeout=20_000)
    wait_idle(qtbot, app)
    assert desk.known_balance(account) == 50_000 - fine.amount - charge

    # A lease fee in cash for a walk-in customer.
    bills.service.setFocus()
    press(qtbot, Qt.Key.Key_Down, bills.service)
    assert bills.kind() is BillKind.LEASE
    typed(qtbot, bills.key, "12345678")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(bills.bills) == 1, timeout=20_000)
    lease = bills.bills[0]
    assert bills.selected() == [lease]  # the only open bill is ticked
    bills.method.setFocus()
    press(qtbot, Qt.Key.Key_Down, bills.method)  # wallet → cash
    assert bills.charge.baisa == 0 and bills.total.baisa == lease.amount
    bills.pay_button.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bills.bills and bills.bills[0].status == "paid", timeout=20_000)
    wait_idle(qtbot, app)
    assert desk.shift_summary().expected_cash == 30_000 + 50_000 + lease.amount

    # F5: follow the top-up's receipt up; F7 prints a copy, journaled.
    top_up_line = [x for x in desk.account_transactions(account) if x.entry_type == "top_up"][0]
    press(qtbot, Qt.Key.Key_F5, window)
    follow = window.current()
    assert follow.name == "follow_up"
    qtbot.keyClicks(follow.query, top_up_line.receipt)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(follow.table.lines) == 1, timeout=20_000)
    assert follow.table.lines[0].central == "confirmed"
    press(qtbot, Qt.Key.Key_F7, window)
    wait_idle(qtbot, app)
    reprints = [e for e in desk.entries() if e["type"] == "receipt_reprinted"]
    assert [e["payload"]["entry"] for e in reprints] == [top_up_line.entry_id]

    # F10: void the lease payment, the newest, with the supervisor's approval.
    press(qtbot, Qt.Key.Key_F10, window)
    void = window.current()
    assert void.name == "void"
    qtbot.waitUntil(lambda: bool(void.table.lines), timeout=20_000)
    assert void.table.selected().bill_reference == lease.reference
    typed(qtbot, void.reason, "Wrong contract")
    approve_as(qtbot, "aisha", DEMO_PINS["aisha"])
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen(app) == "home", timeout=20_000)
    wait_idle(qtbot, app)
    summary = desk.shift_summary()
    assert summary.voids.count == 1
    assert summary.expected_cash == 30_000 + 50_000
