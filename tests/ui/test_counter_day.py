"""The counter's day by keyboard alone, in Arabic and in English, against the desk as the demo
makes it: register a company (the customer chooses the PIN on their pad) → top it up → pay a
parking fine found by an Arabic-letter plate from the wallet (PIN on the pad) → a lease fee in
cash → follow a receipt up and print a copy → void with a supervisor's approval → with central
stopped, the same top-up and a wallet payment offline, synced once central is back. The facade's
figures are checked after each step; at the end central's audit passes and its balance of the
wallet is the one the profile shows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from erial_central.audit import audit
from erial_central.db import make_engine
from erial_central.ledger import wallet
from erial_desk.domain.policy import BillKind, PaymentMethod
from erial_desk.services import Desk
from erial_desk.ui.app import CounterApp
from erial_desk.ui.words import t
from tests.conftest import DEMO_PINS, central_of_test, make_desk

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

    # Central goes away: the same top-up and a wallet payment, offline, then synced.
    offline_half_of_the_day(app, qtbot, account)


def offline_half_of_the_day(app: CounterApp, qtbot, account: str) -> None:
    """Central is stopped (the sync worker's next round notices); a top-up and a wallet payment
    of a cached fine within the offline caps are taken all the same, pending sync. Central comes
    back, the counter syncs, and central's audit passes with the balance the profile shows."""
    window, desk = app.window, app.ctx.desk
    central = central_of_test()
    balance_before = desk.known_balance(account)
    assert balance_before is not None
    cash_before = desk.shift_summary().expected_cash
    central.stop()
    assert not desk.sync_once().online
    window.activateWindow()  # the keyboard back to the window after the approval dialog

    press(qtbot, Qt.Key.Key_F3, window)
    top_up = window.current()
    assert top_up.name == "top_up"
    wait_idle(qtbot, app)
    assert top_up.offline.isVisible()
    qtbot.keyClicks(top_up.account, account)
    press(qtbot, Qt.Key.Key_Return, top_up.account)
    qtbot.waitUntil(lambda: top_up.subscriber is not None and top_up.amount.hasFocus())
    qtbot.keyClicks(top_up.amount, "10")
    press(qtbot, Qt.Key.Key_Return, top_up.amount)
    assert top_up.confirm.hasFocus()
    assert top_up.confirmation.text().startswith(t("Pending sync"))
    press(qtbot, Qt.Key.Key_Return, top_up.confirm)
    wait_idle(qtbot, app)
    assert desk.shift_summary().expected_cash == cash_before + 10_000

    # The fines of the plate as fetched before (their age shown); the 5-rial one, from the wallet.
    press(qtbot, Qt.Key.Key_F4, window)
    bills = window.current()
    wait_idle(qtbot, app)
    assert bills.offline.isVisible()
    bills.method.setFocus()
    press(qtbot, Qt.Key.Key_Up, bills.method)  # cash (the lease before) → wallet
    assert bills.method_chosen() is PaymentMethod.WALLET
    qtbot.keyClick(bills.account, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(bills.account, account)  # over what the field held
    press(qtbot, Qt.Key.Key_Return, bills.account)
    qtbot.waitUntil(lambda: bills.subscriber is not None, timeout=20_000)
    bills.service.setFocus()
    press(qtbot, Qt.Key.Key_Up, bills.service)  # lease (before) → parking
    assert bills.kind() is BillKind.PARKING
    qtbot.keyClick(bills.key, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    typed(qtbot, bills.key, "٧٧٧ م م")
    press(qtbot, Qt.Key.Key_Return, bills.key)
    qtbot.waitUntil(lambda: len(bills.bills) == 3, timeout=20_000)
    assert bills.age.isVisible() and bills.age.text()
    small = min(range(3), key=lambda i: bills.bills[i].amount)
    fine = bills.bills[small]
    assert fine.status == "open"
    for _ in range(3):  # arrows down to it (the paid fine above cannot be chosen)
        if bills.table.currentRow() < small:
            press(qtbot, Qt.Key.Key_Down, bills.table)
    assert bills.table.currentRow() == small
    press(qtbot, Qt.Key.Key_Space, bills.table)
    assert bills.selected() == [fine]
    charge = desk.catalogue.service_charge(BillKind.PARKING)
    press(qtbot, Qt.Key.Key_Return, bills.table)
    assert bills.pay_button.hasFocus()
    customer_types_pin(qtbot, "4321")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not app.ctx.runner.is_running("pay_bill"), timeout=30_000)
    wait_idle(qtbot, app)
    paid = [x for x in desk.account_transactions(account) if x.bill_reference == fine.reference]
    assert [(p.status, p.central) for p in paid] == [("pending", "pending")]
    expected = balance_before + 10_000 - fine.amount - charge  # the top-up counts here at once
    assert desk.known_balance(account) == expected

    shown_offline = profile_balance(app, qtbot, account)
    assert shown_offline == expected

    # Central is back: what waited is sent, and central agrees with the screens.
    central.start()
    assert desk.sync_once().online
    assert desk.outbox_counts() == {"applied": sum(desk.outbox_counts().values())}
    shown = profile_balance(app, qtbot, account)
    engine = make_engine(central.database_url)
    try:
        with engine.connect() as conn:
            report = audit(conn)
            at_central = conn.execute(
                text("SELECT COALESCE(SUM(amount), 0) FROM postings WHERE account_id = :a"),
                {"a": wallet(account)},
            ).scalar()
    finally:
        engine.dispose()
    assert report.ok, report.problems
    assert at_central == shown == shown_offline


def profile_balance(app: CounterApp, qtbot, account: str) -> int:
    """F2, the account, Enter: the balance the subscriber's profile shows."""
    window = app.window
    press(qtbot, Qt.Key.Key_F2, window)
    qtbot.keyClicks(window.current().query, account)
    press(qtbot, Qt.Key.Key_Return, window.current().query)
    qtbot.waitUntil(lambda: screen(app) == "subscriber", timeout=20_000)
    profile = window.current()
    qtbot.waitUntil(lambda: profile.row is not None and profile.row.account == account)
    wait_idle(qtbot, app)
    return int(profile.balance.baisa)
