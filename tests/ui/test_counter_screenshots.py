"""Every screen and dialog of the counter's work, in Arabic and English, at 1024×768, saved as
pictures for a person to look at (test-artefacts/ui/). The test checks each was drawn and that
the screens show the facade's figures."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from erial_desk.domain.policy import BillKind, PaymentMethod
from erial_desk.ui.dialogs.customer_pad import Charge, CustomerPad
from erial_desk.ui.dialogs.subscriber_details import SubscriberDetailsDialog
from tests.conftest import DEMO_PINS, make_desk

from .helpers import counter_logged_in, shift_with_a_subscriber
from .test_screenshots import SIZE
from .test_screenshots import save as save_picture


def save(widget, name: str):
    QApplication.processEvents()  # the key bar's new labels show on the next turn
    return save_picture(widget, name)


def busy_done(qtbot, app) -> None:
    qtbot.waitUntil(lambda: not app.ctx.runner.busy, timeout=20_000)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_counter_screens_drawn(language, qapp, qtbot, tmp_path):
    make_desk(tmp_path / "desk").close()
    app = counter_logged_in(
        qapp, qtbot, tmp_path / "desk", language, "salim", DEMO_PINS["salim"], SIZE
    )
    window = app.window
    desk = app.ctx.desk
    account = shift_with_a_subscriber(desk)
    desk.top_up(account, 50_000)
    fine = desk.find_bills(BillKind.PARKING, "777 MM")[0]
    desk.pay_bill(fine, PaymentMethod.WALLET, account=account, customer_pin="4321")
    window.show_screen("home")
    busy_done(qtbot, app)
    saved = [save(window, f"{language}-20-home-counter")]

    search = window.screen_named("search")
    window.show_screen("search")
    search.start("شمسة" if language == "ar" else "shamsa")
    qtbot.waitUntil(lambda: len(search.rows) == 1, timeout=20_000)
    saved.append(save(window, f"{language}-21-search"))

    app.open_for("subscriber", account)
    busy_done(qtbot, app)
    profile = window.current()
    assert profile.balance.baisa == desk.known_balance(account)
    assert len(profile.recent.lines) == 2
    saved.append(save(window, f"{language}-22-subscriber"))

    app.open_for("top_up", account)
    busy_done(qtbot, app)
    top_up = window.current()
    qtbot.keyClicks(top_up.amount, "20")
    top_up.add_note(5)
    assert top_up.total.baisa == 25_000
    saved.append(save(window, f"{language}-23-top-up"))

    app.open_for("bills", account)
    bills = window.current()
    qtbot.keyClicks(bills.key, "777 MM")
    bills.look_up()
    qtbot.waitUntil(lambda: len(bills.bills) == 3, timeout=20_000)
    busy_done(qtbot, app)
    bills.set_checked(1)
    assert bills.bills[0].status == "paid"
    saved.append(save(window, f"{language}-24-bills"))
    bills.service.setCurrentIndex(bills.service.findData(BillKind.BUILDING_PERMIT))
    qtbot.keyClicks(bills.key, "BP20260401")
    bills.look_up()
    qtbot.waitUntil(lambda: len(bills.bills) == 1, timeout=20_000)
    saved.append(save(window, f"{language}-25-bills-permit"))

    window.show_screen("follow_up")
    follow = window.current()
    qtbot.keyClicks(follow.query, account)
    follow.look_up()
    qtbot.waitUntil(lambda: len(follow.table.lines) == 2, timeout=20_000)
    saved.append(save(window, f"{language}-26-follow-up"))

    window.show_screen("registration")
    registration = window.current()
    registration.kind.setCurrentIndex(1)
    qtbot.keyClicks(registration.name_en, "Oasis Trading LLC")
    qtbot.keyClicks(registration.number, "1234567")
    saved.append(save(window, f"{language}-27-registration"))

    window.show_screen("void")
    busy_done(qtbot, app)
    assert len(window.current().table.lines) == 2
    saved.append(save(window, f"{language}-28-void"))

    charge = desk.catalogue.service_charge(BillKind.PARKING)
    pad = CustomerPad(Charge(fine.amount, charge), parent=window)
    pad.show()
    saved.append(save(pad, f"{language}-29-customer-pad"))
    pad.other_language.click()  # the customer reads the other language
    pad.adjustSize()
    saved.append(save(pad, f"{language}-30-customer-pad-other-language"))
    choose = CustomerPad(None, choose=True, parent=window)
    choose.show()
    saved.append(save(choose, f"{language}-31-customer-pad-choose"))
    assert Qt.Key.Key_F6 in [a.key for a in window.key_actions() if a.shown]
    details = SubscriberDetailsDialog(app.ctx, desk.subscriber(account), window)
    details.show()
    saved.append(save(details, f"{language}-32-subscriber-details"))
    details.close()
    pad.close()
    choose.close()
    app.shutdown()
    assert all(path.stat().st_size > 1000 for path in saved)
