"""Top-up (F3): cash into a subscriber's wallet. The clerk types or scans the account, types the
amount (or presses the keys of the notes handed over), sees who pays what and whether central
confirms it now or at the next sync, and confirms with Enter; the receipt prints and the screen
is ready for the next customer."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from erial_desk.domain.errors import DeskError
from erial_desk.domain.money import BAISA_PER_RIAL, parse_amount
from erial_desk.services.results import CounterStatus, TransactionResult
from erial_desk.store.search import SubscriberRow

from ..context import DeskContext
from ..language import amount_field, keep_left_to_right
from ..print_flow import print_waiting
from ..screen import error_label, heading
from ..widgets.amounts import AmountLabel, money
from ..words import t
from .counter_base import (
    CounterScreen,
    SubscriberLookup,
    confirm_row,
    end_row,
    is_offline,
    offline_notice,
    subscriber_name,
)

NOTES = (1, 5, 10, 20, 50)  # rial notes handed over the counter


def when_confirmed(status: CounterStatus | None) -> str:
    """Whether central confirms a transaction made now at once or at the next sync."""
    if status is not None and is_offline(status):
        return t("Pending sync: central is not reachable now; the receipt says so.")
    return t("Confirmed by central now.")


class TopUpScreen(CounterScreen):
    name = "top_up"
    keeps_task = True

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.status: CounterStatus | None = None
        self.heading = heading(t("Top-up"), self)
        self.offline = offline_notice(self)
        self.lookup = SubscriberLookup(ctx, "top-up-subscriber", self)
        self.lookup.found.connect(self._found)
        self.lookup.refused.connect(self._not_found)
        self.lookup.changed.connect(self._summarise)
        self.account, self.who = self.lookup.field, self.lookup.who
        self.amount = QLineEdit(self)
        self.amount.setAccessibleName(t("Amount in rials"))
        amount_field(self.amount)
        self.amount.setStyleSheet("font-size: 16pt;")
        self.amount.textChanged.connect(self._summarise)
        self.amount.returnPressed.connect(self.review)
        notes = QGridLayout()
        self.note_buttons: list[QPushButton] = []
        for index, rials in enumerate(NOTES):
            button = QPushButton(money(rials * BAISA_PER_RIAL), self)
            button.setMinimumHeight(44)
            keep_left_to_right(button)
            button.clicked.connect(lambda _=False, r=rials: self.add_note(r))
            notes.addWidget(button, 0, index)
            self.note_buttons.append(button)
        clear = QPushButton(t("Clear the amount"), self)
        clear.setMinimumHeight(44)
        clear.clicked.connect(self.amount.clear)
        notes.addWidget(clear, 0, len(NOTES))
        form = QFormLayout()
        form.addRow(t("Account number"), self.account)
        form.addRow(t("Who pays"), self.who)
        form.addRow(t("Amount in rials"), self.amount)
        form.addRow("", notes)
        # What will happen, shown before the clerk confirms.
        self.what = QLabel(self)
        self.total = AmountLabel(0, self)
        self.total.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.confirmation = QLabel(self)
        self.confirmation.setWordWrap(True)
        form.addRow(t("What"), self.what)
        form.addRow(t("Total in cash"), self.total)
        form.addRow(t("Central"), self.confirmation)
        self.error = error_label(self)
        self.confirm = confirm_row(t("Confirm the top-up (Enter)"), self, self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.offline)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(end_row(self.confirm))
        layout.addStretch(1)

    def help_text(self) -> str:
        return t(
            "Type or scan the account and press Enter, type the amount (or press the notes handed"
            " over), Enter shows the totals, Enter again confirms."
        )

    def title(self) -> str:
        return t("Top-up")

    def shown(self) -> None:
        self.ready()
        preset = self.take_preset()
        if preset:
            self.lookup.look_up(preset)
        self.ctx.call("top-up-status", lambda desk: desk.counter_status(), success=self._status)

    def ready(self) -> None:
        """Empty, for the next customer."""
        self.lookup.clear()
        self.amount.clear()
        self.error.clear()
        self._summarise()
        self.account.setFocus()

    def _status(self, status: CounterStatus) -> None:
        self.status = status
        self.offline.setVisible(is_offline(status))
        self.offline.setText(t("Offline: top-ups are taken and sent to central at the next sync."))
        self._summarise()

    # --- the form ----------------------------------------------------------------------------

    @property
    def subscriber(self) -> SubscriberRow | None:
        return self.lookup.row

    def _found(self, _row: SubscriberRow) -> None:
        self.error.clear()
        self._summarise()
        self.amount.setFocus()

    def _not_found(self, sentence: str) -> None:
        self.error.setText(sentence)
        self.account.setFocus()
        self.account.selectAll()

    def add_note(self, rials: int) -> None:
        baisa = self._amount() or 0
        total = baisa + rials * BAISA_PER_RIAL
        self.amount.setText(f"{total // BAISA_PER_RIAL}.{total % BAISA_PER_RIAL:03d}")
        self.amount.setFocus()

    def _amount(self) -> int | None:
        try:
            return parse_amount(self.amount.text())
        except DeskError:
            return None

    def _summarise(self) -> None:
        baisa = self._amount() or 0
        if self.subscriber is not None:
            self.what.setText(
                t("Top-up of the wallet of {name}", name=subscriber_name(self.subscriber))
            )
        else:
            self.what.setText(t("Top-up"))
        self.total.set_amount(baisa)
        self.confirmation.setText(when_confirmed(self.status))

    def review(self) -> None:
        """Enter on the amount: everything is shown; the next Enter confirms."""
        if self.subscriber is None:
            self.lookup.look_up()
            return
        try:
            parse_amount(self.amount.text())
        except DeskError as exc:
            self.error.setText(self.ctx.sentence(exc))
            return
        self.error.clear()
        self.confirm.setFocus()

    # --- confirming --------------------------------------------------------------------------

    def submit(self) -> None:
        if self.subscriber is None:
            self.error.setText(t("Type or scan the account number."))
            self.account.setFocus()
            return
        account, amount = self.subscriber.account, self.amount.text()
        self.ctx.call(
            "top_up",
            lambda desk: desk.top_up(account, amount),
            success=self._done,
            failure=self._refused,
            disable=[self.confirm, self.amount, self.account],
        )

    def _refused(self, exc: BaseException) -> None:
        self.error.setText(self.ctx.sentence(exc, recorded=False))
        self.amount.setFocus()

    def _done(self, result: TransactionResult) -> None:
        name = self.who.text()
        self.ctx.notice.emit(
            t(
                "Top-up of {amount} to {name} recorded, receipt {receipt}.",
                amount=money(result.total),
                name=name,
                receipt=result.receipt,
            )
        )
        print_waiting(self.ctx, self)
        self.ready()
