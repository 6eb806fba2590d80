"""The profile's PIN reset (internal offices): after the clerk has checked the customer's ID, the
customer chooses a new wallet PIN on their pad, typed twice; central sets it and lifts the
wrong-PIN lock. Central alone holds wallet PINs, so this needs central: offline the button is
disabled and the profile says why before the clerk starts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from erial_desk.domain.policy import Action

from ..context import DeskContext
from ..counter_keys import refusal
from ..dialogs.customer_pad import ask_customer_pin
from ..words import t
from .counter_base import is_offline, offline_notice

if TYPE_CHECKING:
    from erial_desk.services.results import CounterStatus, TransactionResult

KEY = "customer-pin-reset"


class CustomerPinReset:
    """The button, the offline line, and the reset itself, for the profile shown."""

    def __init__(self, ctx: DeskContext, parent: QWidget, error: QLabel) -> None:
        self.ctx = ctx
        self.parent = parent
        self.error = error
        self.account = ""
        self.button = QPushButton(t("Reset the wallet PIN"), parent)
        self.button.setAutoDefault(True)
        self.button.setMinimumHeight(44)
        self.button.clicked.connect(self.start)
        self.offline = offline_notice(parent)
        ctx.events.sync_status_changed.connect(lambda _event: self.refresh())

    def show_for(self, account: str) -> None:
        self.account = account
        allowed = refusal(self.ctx, Action.RESET_CUSTOMER_PIN) is None
        self.button.setVisible(allowed)
        self.offline.hide()
        if allowed:
            self.refresh()

    def refresh(self) -> None:
        if self.ctx.is_open and not self.button.isHidden():
            self.ctx.call(f"{KEY}-status", lambda desk: desk.counter_status(), success=self._status)

    def _status(self, status: CounterStatus) -> None:
        offline = is_offline(status)
        if not self.ctx.runner.is_running(KEY):
            self.button.setEnabled(not offline)
        self.offline.setVisible(offline)
        self.offline.setText(t("Offline: a wallet PIN can be reset only while central answers."))

    def start(self) -> None:
        if not self.account or self.ctx.runner.is_running(KEY) or not self.button.isEnabled():
            return
        pin = ask_customer_pin(None, self.parent, choose=True)
        if pin is None:
            self.error.setText(t("The customer cancelled: the PIN was not changed."))
            return
        self.error.clear()
        account = self.account
        self.ctx.call(
            KEY,
            lambda desk: desk.reset_customer_pin(account, pin),
            success=self._done,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            disable=[self.button],
        )

    def _done(self, _result: TransactionResult) -> None:
        self.ctx.notice.emit(
            t("The customer's new wallet PIN is set; wallet payments are open again.")
        )
