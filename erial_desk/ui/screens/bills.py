"""Bills (F4): choose the service, look the bills up at central (by plate in Arabic or Latin
letters, contract or civil number, licence or CR number, application number), select one or
more, and pay them from the customer's wallet (service charge shown first, PIN on the customer's
pad), in cash, or from the office's wallet where the office type allows. One receipt per bill.
Offline, the bills of the last lookup of the same key are shown with their age."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from erial_desk.domain.central import Bill
from erial_desk.domain.clock import muscat_text
from erial_desk.domain.errors import PolicyError
from erial_desk.domain.policy import Action, BillKind, PaymentMethod, check_allowed
from erial_desk.services.results import CounterStatus, TransactionResult
from erial_desk.store.print_jobs import PrintJob
from erial_desk.store.search import SubscriberRow

from ..context import DeskContext
from ..dialogs.customer_pad import Charge, ask_customer_pin
from ..language import keep_left_to_right
from ..print_flow import print_waiting
from ..screen import error_label, heading
from ..widgets.amounts import RIGHT, AmountLabel, money
from ..widgets.transactions import bill_kind_name, method_name, plate_text
from ..words import language, t, tn
from .counter_base import (
    CounterScreen,
    SubscriberLookup,
    after_print,
    confirm_row,
    end_row,
    is_offline,
    offline_notice,
    subscriber_name,
)
from .top_up import when_confirmed

if TYPE_CHECKING:
    from erial_desk.domain.deadline import Deadline
    from erial_desk.services import Desk

METHOD_ACTIONS = {
    PaymentMethod.WALLET: Action.PAY_FROM_WALLET,
    PaymentMethod.CASH: Action.PAY_CASH,
    PaymentMethod.OFFICE_WALLET: Action.PAY_FROM_OFFICE_WALLET,
}


@dataclass(frozen=True)
class Lookup:
    bills: list[Bill]
    cached_at: str | None  # when the bills were fetched, if they come from the offline cache


@dataclass(frozen=True)
class Payments:
    """What a payment of several bills came to: the receipts made, and the refusal that stopped
    the rest, if one did."""

    results: list[TransactionResult]
    refusal: BaseException | None


def look_up(desk: Desk, kind: BillKind, key: str, deadline: Deadline | None = None) -> Lookup:
    bills = desk.find_bills(kind, key, deadline=deadline)
    return Lookup(bills, desk.bills_cached_at)


def pay_all(
    desk: Desk, bills: list[Bill], method: PaymentMethod, account: str | None, pin: str | None
) -> Payments:
    """Each bill its own payment and receipt; the first refusal stops the rest."""
    results: list[TransactionResult] = []
    for bill in bills:
        try:
            results.append(desk.pay_bill(bill, method, account=account, customer_pin=pin))
        except Exception as exc:  # the bills paid before it keep their receipts
            return Payments(results, exc)
    return Payments(results, None)


class BillsScreen(CounterScreen):
    name = "bills"
    keeps_task = True

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.bills: list[Bill] = []
        self.status: CounterStatus | None = None
        self.heading = heading(t("Pay bills"), self)
        self.offline = offline_notice(self)
        self.service = QComboBox(self)
        for kind in BillKind:
            self.service.addItem(bill_kind_name(kind.value), kind)
        self.service.currentIndexChanged.connect(self._service_changed)
        self.key = QLineEdit(self)
        keep_left_to_right(self.key)
        self.key.returnPressed.connect(self.look_up)
        self.find_button = QPushButton(t("Look up"), self)
        self.find_button.setAutoDefault(True)
        self.find_button.clicked.connect(self.look_up)
        self.key_hint = QLabel(self)
        lookup = QHBoxLayout()
        lookup.addWidget(self.key, 1)
        lookup.addWidget(self.find_button)
        self.age = QLabel(self)
        self.age.setStyleSheet("color: #8a4b00; font-weight: bold;")
        self.age.hide()
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels([t("Bill"), t("Description"), t("Amount"), t("State")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setTabKeyNavigation(False)
        self.table.setMinimumHeight(150)  # four bills in sight at 1024×768
        self.table.itemChanged.connect(lambda _item: self._summarise())
        self.table.installEventFilter(self)
        self.method = QComboBox(self)
        self.method.currentIndexChanged.connect(self._method_changed)
        self.lookup = SubscriberLookup(ctx, "bills-subscriber", self)
        self.lookup.found.connect(self._found)
        self.lookup.refused.connect(self.error_text)
        self.lookup.changed.connect(self._summarise)
        self.account, self.who = self.lookup.field, self.lookup.who
        self.amount = AmountLabel(0, self)
        self.charge = AmountLabel(0, self)
        self.total = AmountLabel(0, self)
        self.total.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.confirmation = QLabel(self)
        self.confirmation.setWordWrap(True)
        search = QHBoxLayout()
        search.addWidget(QLabel(t("Service"), self))
        search.addWidget(self.service)
        search.addWidget(self.key_hint)
        search.addLayout(lookup, 1)
        pay = QFormLayout()
        pay.addRow(t("Method"), self.method)
        pay.addRow(t("Account number"), self.account)
        pay.addRow(t("Who pays"), self.who)
        self.error = error_label(self)
        pay.addRow(self.error)
        figures = QFormLayout()
        figures.addRow(t("Amount"), self.amount)
        figures.addRow(t("Service charge"), self.charge)
        figures.addRow(t("Total"), self.total)
        figures.addRow(t("Central"), self.confirmation)
        self.slip_button = QPushButton(t("Print the permit's tracking slip"), self)
        self.slip_button.clicked.connect(self.print_slip)
        self.pay_button = confirm_row(t("Pay the selected bills"), self, self.submit)
        figures.addRow(end_row(self.slip_button, self.pay_button))
        columns = QHBoxLayout()
        columns.addLayout(pay, 1)
        columns.addLayout(figures, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.offline)
        layout.addLayout(search)
        layout.addWidget(self.age)
        layout.addWidget(self.table, 1)
        layout.addLayout(columns)
        self._service_changed()

    def help_text(self) -> str:
        return t(
            "Choose the service, type the plate or number and press Enter. Space ticks a bill, "
            "Enter goes to paying; a wallet payment asks the customer for the PIN on their pad."
        )

    def title(self) -> str:
        return t("Pay bills")

    def shown(self) -> None:
        self._offer_methods()
        self.error.clear()
        preset = self.take_preset()
        if preset:
            index = self.method.findData(PaymentMethod.WALLET)
            if index >= 0:
                self.method.setCurrentIndex(index)
            self.lookup.look_up(preset)
        self.service.setFocus()
        self.ctx.call("bills-status", lambda desk: desk.counter_status(), success=self._status)

    def _status(self, status: CounterStatus) -> None:
        self.status = status
        self.offline.setVisible(is_offline(status))
        self.offline.setText(
            t(
                "Offline: bills come from the last lookup of the same plate or number, "
                "and wallet payments are limited to {amount} each.",
                amount=money(self.ctx.desk.policy.offline_transaction_cap),
            )
        )
        self._summarise()

    def _offer_methods(self) -> None:
        """The payment methods this office and role may use."""
        desk, operator = self.ctx.desk, self.ctx.operator
        chosen = self.method.currentData()
        self.method.blockSignals(True)
        self.method.clear()
        for method, action in METHOD_ACTIONS.items():
            if operator is None:
                break
            try:
                check_allowed(desk.policy, desk.office, operator.role, action)
            except PolicyError:
                continue
            self.method.addItem(method_name(method.value), method)
        index = self.method.findData(chosen)
        self.method.setCurrentIndex(max(index, 0))
        self.method.blockSignals(False)
        self._method_changed()

    # --- looking up --------------------------------------------------------------------------

    def kind(self) -> BillKind:
        return BillKind(self.service.currentData())

    def _service_changed(self) -> None:
        hints = {
            BillKind.PARKING: t("Plate (Arabic or Latin letters)"),
            BillKind.LEASE: t("Contract or civil number"),
            BillKind.LICENCE: t("Licence or CR number"),
            BillKind.BUILDING_PERMIT: t("Application number"),
        }
        self.key_hint.setText(hints[self.kind()])
        self.key.setAccessibleName(hints[self.kind()])
        self.slip_button.setVisible(self.kind() is BillKind.BUILDING_PERMIT)
        self.key.clear()
        self._show(Lookup([], None))

    def look_up(self) -> None:
        kind, key = self.kind(), self.key.text()
        self.error.clear()
        self.ctx.call_cancellable(  # Escape gives up a look-up that waits on central
            "find_bills",
            lambda desk, deadline: look_up(desk, kind, key, deadline),
            success=self._show,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            disable=[self.find_button],
        )

    def _show(self, lookup: Lookup) -> None:
        self.bills = lookup.bills
        self.age.setVisible(bool(lookup.cached_at))
        self.age.setText(
            t(
                "Central cannot be reached: these bills were fetched at {time}.",
                time=muscat_text(lookup.cached_at)[:16],
            )
            if lookup.cached_at
            else ""
        )
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.bills))
        arabic = language() == "ar"
        for row, bill in enumerate(self.bills):
            reference = QTableWidgetItem(bill.reference)
            if bill.status == "open":
                reference.setFlags(reference.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                reference.setCheckState(Qt.CheckState.Unchecked)
            else:
                reference.setFlags(reference.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            description = bill.description_ar if arabic else bill.description_en
            if bill.kind is BillKind.PARKING:
                description = description.replace(bill.subject, plate_text(bill.subject))
            detail = bill.detail_ar if arabic else bill.detail_en
            amount = QTableWidgetItem(money(bill.amount))
            amount.setTextAlignment(RIGHT)
            state = t("Open") if bill.status == "open" else t("Paid")
            if detail:  # where a building-permit application stands
                description = f"{description} · {detail}"
            cells = [reference, QTableWidgetItem(description), amount, QTableWidgetItem(state)]
            for column, item in enumerate(cells):
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        open_bills = [b for b in self.bills if b.status == "open"]
        if len(open_bills) == 1:
            self.set_checked(
                0 if self.bills[0].status == "open" else self.bills.index(open_bills[0])
            )
        if self.bills:
            # The arrows start on the first bill that can be ticked: a paid one cannot be current.
            first = next((i for i, b in enumerate(self.bills) if b.status == "open"), 0)
            self.table.setFocus()
            self.table.setCurrentCell(first, 0)
        self._summarise()

    def set_checked(self, row: int, checked: bool = True) -> None:
        item = self.table.item(row, 0)
        if item is not None and item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def selected(self) -> list[Bill]:
        chosen = []
        for row, bill in enumerate(self.bills):
            item = self.table.item(row, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                chosen.append(bill)
        return chosen

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Enter in the bills: on to paying (Space ticks a bill, arrows move)."""
        if (
            watched is self.table
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.pay_button.setFocus()
            return True
        return False

    # --- who pays, and how -------------------------------------------------------------------

    def method_chosen(self) -> PaymentMethod | None:
        data = self.method.currentData()
        return None if data is None else PaymentMethod(data)

    def _method_changed(self) -> None:
        wallet = self.method_chosen() is PaymentMethod.WALLET
        self.account.setEnabled(wallet)
        self._summarise()

    @property
    def subscriber(self) -> SubscriberRow | None:
        return self.lookup.row if self.method_chosen() is PaymentMethod.WALLET else None

    def error_text(self, sentence: str) -> None:
        self.error.setText(sentence)

    def _found(self, _row: SubscriberRow) -> None:
        focus = self.account.hasFocus()
        self.error.clear()
        self._summarise()
        if focus:
            self.pay_button.setFocus()

    def _summarise(self) -> None:
        bills = self.selected()
        method = self.method_chosen()
        amount = sum(b.amount for b in bills)
        charge = 0
        if method is not None and self.ctx.is_open:
            catalogue = self.ctx.desk.catalogue
            charge = sum(catalogue.charge_for(b.kind, method) for b in bills)
        self.amount.set_amount(amount)
        self.charge.set_amount(charge)
        self.total.set_amount(amount + charge)
        if method is PaymentMethod.WALLET:
            self.who.setText(
                subscriber_name(self.subscriber)
                if self.subscriber is not None
                else t("Type or scan the account number.")
            )
        elif method is PaymentMethod.OFFICE_WALLET:
            self.who.setText(t("The office's wallet, for a walk-in customer"))
        else:
            self.who.setText(t("A walk-in customer, in cash"))
        self.confirmation.setText(
            when_confirmed(self.status)
            + " "
            + tn("{count} receipt will print.", "{count} receipts will print.", len(bills))
        )

    # --- paying ------------------------------------------------------------------------------

    def submit(self) -> None:
        bills, method = self.selected(), self.method_chosen()
        if not bills:
            self.error.setText(t("Select the bills to pay (Space ticks the row)."))
            self.table.setFocus()
            return
        if method is None:
            return
        account: str | None = None
        pin: str | None = None
        if method is PaymentMethod.WALLET:
            if self.subscriber is None:
                self.error.setText(t("Type or scan the account number."))
                self.account.setFocus()
                return
            account = self.subscriber.account
            charge = Charge(self.amount.baisa, self.charge.baisa)
            if self.ctx.runner.is_running("pay_bill"):
                return
            pin = ask_customer_pin(charge, self)
            if pin is None:
                self.error.setText(t("The customer cancelled: nothing was paid."))
                return
        self.error.clear()
        self.ctx.call(
            "pay_bill",
            lambda desk: pay_all(desk, bills, method, account, pin),
            success=self._paid,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            disable=[self.pay_button, self.table],
        )

    def _paid(self, payments: Payments) -> None:
        if payments.results:
            total = sum(r.total for r in payments.results)
            self.ctx.notice.emit(
                tn(
                    "{count} bill paid, {amount} in all.",
                    "{count} bills paid, {amount} in all.",
                    len(payments.results),
                    amount=money(total),
                )
            )
            print_waiting(self.ctx, self)
        if payments.refusal is not None:
            self.error.setText(self.ctx.sentence(payments.refusal, recorded=False))
        if payments.results:
            self.look_up()  # the bills paid now show as paid

    # --- building permits --------------------------------------------------------------------

    def print_slip(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.bills):
            self.error.setText(t("Look up the application first."))
            return
        bill = self.bills[row]
        self.ctx.call(
            "permit-slip",
            lambda desk: desk.print_permit_slip(bill),
            success=self._slip_printed,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            disable=[self.slip_button],
        )

    def _slip_printed(self, job: PrintJob) -> None:
        after_print(self.ctx, job, self, t("The tracking slip was printed."))
