"""A subscriber's profile: name, IDs, mobile, the wallet's balance with how old central's word on
it is (and the debits still pending here), recent transactions, and the statement to print or
save as a PDF. F3 tops this subscriber up, F4 pays their bills."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from erial_desk.domain.clock import muscat_text
from erial_desk.domain.policy import Action
from erial_desk.services.counter_reads import TransactionLine, WalletView
from erial_desk.store.print_jobs import PrintJob
from erial_desk.store.search import SubscriberRow

from ..context import DeskContext
from ..counter_keys import refusal

if TYPE_CHECKING:
    from erial_desk.services import Desk
from ..screen import KeyAction, error_label, heading
from ..widgets.amounts import AmountLabel, money
from ..widgets.transactions import TransactionTable
from ..words import language, t
from .counter_base import CounterScreen, after_print, ltr_text, value_label
from .customer_pin_reset import CustomerPinReset


@dataclass(frozen=True)
class Profile:
    subscriber: SubscriberRow
    wallet: WalletView
    recent: list[TransactionLine]


def read_profile(desk: Desk, account: str) -> Profile:
    row = desk.subscriber(account)
    return Profile(row, desk.wallet_view(row.account), desk.account_transactions(row.account))


class SubscriberScreen(CounterScreen):
    name = "subscriber"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.account = ""
        self.row: SubscriberRow | None = None
        self.heading = heading("", self, 18)
        self.kind = QLabel(self)
        self.account_label = value_label(self)
        self.ids = value_label(self)
        self.mobile = value_label(self)
        self.person = QLabel(self)
        self.balance = AmountLabel(0, self)
        self.balance.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.balance_age = QLabel(self)
        self.balance_age.setWordWrap(True)
        self.form = QFormLayout()
        self.form.addRow(t("Kind"), self.kind)
        self.form.addRow(t("Account"), self.account_label)
        self.form.addRow(t("ID"), self.ids)
        self.form.addRow(t("Mobile"), self.mobile)
        self.form.addRow(t("Authorised person"), self.person)
        wallet = QVBoxLayout()
        wallet.addWidget(QLabel(t("Balance"), self))
        wallet.addWidget(self.balance)
        wallet.addWidget(self.balance_age)
        wallet.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(self.form, 1)
        columns.addLayout(wallet, 1)
        self.recent = TransactionTable(self)
        self.top_up_button = QPushButton(t("Top up (F3)"), self)
        self.bills_button = QPushButton(t("Pay bills (F4)"), self)
        self.statement_button = QPushButton(t("Print the statement"), self)
        self.pdf_button = QPushButton(t("Save the statement as PDF"), self)
        self.details_button = QPushButton(t("Change details"), self)
        self.details_button.clicked.connect(self.change_details)
        self.error = error_label(self)
        self.pin_reset = CustomerPinReset(ctx, self, self.error)
        self.top_up_button.clicked.connect(lambda: self.go_with.emit("top_up", self.account))
        self.bills_button.clicked.connect(lambda: self.go_with.emit("bills", self.account))
        self.statement_button.clicked.connect(self.print_statement)
        self.pdf_button.clicked.connect(self.save_statement)
        buttons = QHBoxLayout()
        for button in (
            self.top_up_button,
            self.bills_button,
            self.statement_button,
            self.pdf_button,
            self.details_button,
            self.pin_reset.button,
        ):
            button.setAutoDefault(True)
            button.setMinimumHeight(44)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(columns)
        layout.addWidget(self.error)
        layout.addWidget(self.pin_reset.offline)
        layout.addWidget(QLabel(t("Recent transactions at this desk"), self))
        layout.addWidget(self.recent, 1)
        layout.addLayout(buttons)

    def help_text(self) -> str:
        return t(
            "F3 tops this subscriber up, F4 pays their bills. The balance is what central last "
            "reported, less what was paid here since. After checking the customer's ID card, "
            "'Reset the wallet PIN' lets the customer choose a new PIN on their pad."
        )

    def title(self) -> str:
        return t("Subscriber")

    def key_actions(self) -> list[KeyAction]:
        return [
            KeyAction(
                Qt.Key.Key_F3, t("Top up"), lambda: self.go_with.emit("top_up", self.account)
            ),
            KeyAction(
                Qt.Key.Key_F4, t("Pay bills"), lambda: self.go_with.emit("bills", self.account)
            ),
        ]

    def set_account(self, account: str) -> None:
        self.account = account

    def shown(self) -> None:
        self.error.clear()
        self.top_up_button.setFocus()
        if self.account:
            account = self.account
            self.ctx.call(
                "profile",
                lambda desk: read_profile(desk, account),
                success=self.show_profile,
                failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            )

    def show_profile(self, profile: Profile) -> None:
        row = profile.subscriber
        self.row = row
        self.details_button.setVisible(refusal(self.ctx, Action.UPDATE_SUBSCRIBER) is None)
        self.pin_reset.show_for(row.account)
        self.account = row.account
        self.heading.setText(row.name_ar if language() == "ar" else row.name_en)
        self.kind.setText(t("Company") if row.kind == "company" else t("Person"))
        self.account_label.setText(ltr_text(row.account))
        self.ids.setText(ltr_text(row.civil_number or row.cr_number or ""))
        self.mobile.setText(ltr_text(row.mobile or ""))
        self.person.setText(row.authorised_person or "")
        self.form.setRowVisible(self.person, bool(row.authorised_person))
        wallet = profile.wallet
        self.balance.set_amount(wallet.balance or 0)
        if wallet.balance is None:
            self.balance.setText(t("not known here yet"))
            self.balance_age.setText(t("Central has not reported this wallet to this desk."))
        else:
            age = t("as central reported it at {time}", time=_when(wallet.reported_at))
            if wallet.pending_debits:
                age += " · " + t(
                    "less {amount} paid here and pending sync", amount=money(wallet.pending_debits)
                )
            self.balance_age.setText(age)
        self.recent.show_lines(profile.recent)

    # --- details -----------------------------------------------------------------------------

    def change_details(self) -> None:
        from ..dialogs.subscriber_details import SubscriberDetailsDialog

        if self.row is None:
            return
        dialog = SubscriberDetailsDialog(self.ctx, self.row, self)
        dialog.changed.connect(lambda _result: self._details_changed())
        dialog.open()

    def _details_changed(self) -> None:
        self.ctx.notice.emit(t("The subscriber's details were changed."))
        self.shown()

    # --- the statement -----------------------------------------------------------------------

    def print_statement(self) -> None:
        account = self.account
        self.ctx.call(
            "statement",
            lambda desk: desk.print_statement(account),
            success=self._printed,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            disable=[self.statement_button],
        )

    def _printed(self, job: PrintJob) -> None:
        after_print(self.ctx, job, self, t("The statement was printed."))

    def save_statement(self) -> None:
        account = self.account
        self.ctx.call(
            "statement-pdf",
            lambda desk: desk.statement_pdf(account),
            success=lambda path: self.ctx.notice.emit(t("Saved as {path}", path=str(path))),
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            disable=[self.pdf_button],
        )


def _when(stamp: str | None) -> str:
    return muscat_text(stamp)[:16] if stamp else "?"
