"""Register a subscriber (F6): a person (civil number) or a company (CR number and the person
authorised for it), names in Arabic and English, mobile and e-mail. The facade checks each field
and refuses an ID already registered (offline too, from the local directory); the customer
chooses the wallet PIN on their pad; the welcome slip with the account's QR prints."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from erial_desk.services.results import RegistrationForm, TransactionResult

from ..context import DeskContext
from ..dialogs.customer_pad import ask_customer_pin
from ..language import keep_left_to_right
from ..print_flow import print_waiting
from ..runner import Lane
from ..screen import error_label, heading
from ..words import t
from .counter_base import CounterScreen, confirm_row, end_row

CHECK = "register-check"


class RegistrationScreen(CounterScreen):
    name = "registration"
    keeps_task = True

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.heading = heading(t("Register a subscriber"), self)
        self.kind = QComboBox(self)
        self.kind.addItem(t("Person"), "individual")
        self.kind.addItem(t("Company"), "company")
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.name_ar = QLineEdit(self)
        self.name_en = QLineEdit(self)
        keep_left_to_right(self.name_en)
        self.number = QLineEdit(self)
        self.person = QLineEdit(self)
        self.mobile = QLineEdit(self)
        self.email = QLineEdit(self)
        for field in (self.number, self.mobile, self.email):
            keep_left_to_right(field)
        self.number_label = QLabel(self)
        self.person_label = QLabel(t("Authorised person"), self)
        self.form = QFormLayout()
        self.form.addRow(t("Kind"), self.kind)
        self.form.addRow(t("Name in Arabic"), self.name_ar)
        self.form.addRow(t("Name in English"), self.name_en)
        self.form.addRow(self.number_label, self.number)
        self.form.addRow(self.person_label, self.person)
        self.form.addRow(t("Mobile"), self.mobile)
        self.form.addRow(t("E-mail (optional)"), self.email)
        fields = [self.name_ar, self.name_en, self.number, self.person, self.mobile, self.email]
        for field in fields:
            field.returnPressed.connect(self.focusNextChild)
        self.email.returnPressed.disconnect()
        self.email.returnPressed.connect(self.submit)
        self.error = error_label(self)
        self.confirm = confirm_row(t("Register: the customer chooses the PIN"), self, self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addLayout(end_row(self.confirm))
        layout.addStretch(1)
        self._kind_changed()

    def help_text(self) -> str:
        return t(
            "Fill the fields, Enter moves to the next; Enter on the last asks the customer to "
            "choose the PIN on their pad."
        )

    def title(self) -> str:
        return t("Register a subscriber")

    def shown(self) -> None:
        self.error.clear()
        self.kind.setFocus()

    def clear(self) -> None:
        for field in (
            self.name_ar,
            self.name_en,
            self.number,
            self.person,
            self.mobile,
            self.email,
        ):
            field.clear()

    def company(self) -> bool:
        return self.kind.currentData() == "company"

    def _kind_changed(self) -> None:
        company = self.company()
        self.number_label.setText(
            t("Commercial registration number") if company else t("Civil number")
        )
        self.number.setAccessibleName(self.number_label.text())
        self.person.setVisible(company)
        self.person_label.setVisible(company)

    def registration(self) -> RegistrationForm:
        number = self.number.text().strip()
        return RegistrationForm(
            kind=str(self.kind.currentData()),
            name_ar=self.name_ar.text(),
            name_en=self.name_en.text(),
            mobile=self.mobile.text(),
            civil_number=None if self.company() else number,
            cr_number=number if self.company() else None,
            authorised_person=self.person.text() if self.company() else None,
            email=self.email.text() or None,
        )

    def submit(self) -> None:
        """Check the form and the ID first (here, and at central when it answers); only then
        does the customer choose the PIN, and the subscriber is registered."""
        if self.ctx.runner.is_running(CHECK) or self.ctx.runner.is_running("register"):
            return
        form = self.registration()
        if not form.name_ar.strip() or not form.name_en.strip():
            self.error.setText(t("Type the name in Arabic and in English."))
            self.name_ar.setFocus()
            return
        self.error.clear()
        self.ctx.call(
            CHECK,
            lambda desk: desk.check_new_subscriber(form),
            success=lambda _none: self._choose_pin(form),
            failure=self._refused,
            disable=[self.confirm],
            lane=Lane.NETWORK,
        )

    def _refused(self, exc: BaseException) -> None:
        self.error.setText(self.ctx.sentence(exc, recorded=False))
        self.number.setFocus()

    def _choose_pin(self, form: RegistrationForm) -> None:
        if self.ctx.runner.is_running("register"):
            return
        pin = ask_customer_pin(None, self, choose=True)
        if pin is None:
            self.error.setText(t("The customer cancelled: nothing was registered."))
            return
        self.ctx.call(
            "register",
            lambda desk: desk.register_subscriber(form, pin),
            success=self._registered,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc, recorded=False)),
            disable=[self.confirm],
        )

    def _registered(self, result: TransactionResult) -> None:
        assert result.account is not None
        self.ctx.notice.emit(
            t(
                "Registered: account {account}. The welcome slip is printing.",
                account=result.account,
            )
        )
        print_waiting(self.ctx, self)
        self.clear()
        self.go_with.emit("subscriber", result.account)
