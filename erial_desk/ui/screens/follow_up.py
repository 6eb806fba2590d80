"""Follow-up (F5): a receipt number or a subscriber (account, ID, mobile or name): what was paid,
when, and whether central confirmed it; a copy of the receipt, marked COPY, on F7."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from erial_desk.domain.entries import parse_receipt_qr
from erial_desk.domain.errors import CentralUnavailable, NotFoundError, ValidationError
from erial_desk.services.counter_reads import TransactionLine
from erial_desk.store.print_jobs import PrintJob

from ..context import DeskContext
from ..language import keep_left_to_right
from ..runner import Lane
from ..screen import KeyAction, error_label, heading
from ..widgets.transactions import TransactionTable
from ..words import t
from .counter_base import CounterScreen, after_print

if TYPE_CHECKING:
    from erial_desk.services import Desk

KEY = "follow-up"
ONLINE = "follow-up-online"


def follow_up_query(typed: str) -> str:
    """What the clerk typed, or the receipt number inside a receipt's QR the scanner read."""
    scanned = parse_receipt_qr(typed)
    return scanned[0] if scanned is not None else typed


def local_follow_up(desk: Desk, query: str) -> list[TransactionLine]:
    """A receipt number (``CODE-0000123``) finds one transaction, a subscriber their recent ones
    here; what neither finds is then asked of central as a payment made online."""
    if "-" in query:
        return [desk.find_receipt(query)]
    rows = desk.find_subscribers(query, limit=2)
    if len(rows) != 1:
        raise NotFoundError("subscriber.not_found")
    return desk.account_transactions(rows[0].account)


class FollowUpScreen(CounterScreen):
    name = "follow_up"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.heading = heading(t("Follow-up"), self)
        self.query = QLineEdit(self)
        keep_left_to_right(self.query)
        self.query.setAccessibleName(t("Receipt, online-payment reference or subscriber"))
        self.query.returnPressed.connect(self.look_up)
        self.table = TransactionTable(self)
        self.error = error_label(self)
        self.reprint_button = QPushButton(t("Print a copy (F7)"), self)
        self.reprint_button.setAutoDefault(True)
        self.reprint_button.clicked.connect(self.reprint)
        row = QHBoxLayout()
        row.addWidget(QLabel(t("Receipt, online-payment reference or subscriber"), self))
        row.addWidget(self.query, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reprint_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def help_text(self) -> str:
        return t(
            "Type a receipt number (or scan its QR), the reference of a payment made online, or "
            "a subscriber, and press Enter. F7 prints a copy of the chosen receipt, marked COPY."
        )

    def title(self) -> str:
        return t("Follow-up")

    def key_actions(self) -> list[KeyAction]:
        return [KeyAction(Qt.Key.Key_F7, t("Print a copy"), self.reprint)]

    def set_account(self, account: str) -> None:
        self.query.setText(account)

    def shown(self) -> None:
        self.error.clear()
        self.query.setFocus()
        self.query.selectAll()
        if self.query.text():
            self.look_up()

    def look_up(self) -> None:
        query = follow_up_query(self.query.text().strip())
        if not query or self.ctx.runner.is_running(ONLINE):
            return
        self.ctx.call(
            KEY,
            lambda desk: local_follow_up(desk, query),
            success=self._found,
            failure=lambda exc: self._online(query, exc),
            disable=[self.query],
        )

    def _online(self, query: str, here: BaseException) -> None:
        """Not found here: a payment made online, asked of central on the network lane (the
        journal's worker never waits on central for a look-up)."""
        if not isinstance(here, (NotFoundError, ValidationError)):
            self._not_found(here)
            return

        def answer(exc: BaseException) -> None:
            gone = isinstance(exc, (NotFoundError, CentralUnavailable))
            self._not_found(here if gone else exc)

        self.ctx.call(
            ONLINE,
            lambda desk: [desk.online_payment(query)],
            success=self._found,
            failure=answer,
            disable=[self.query],
            lane=Lane.NETWORK,
        )

    def _found(self, lines: list[TransactionLine]) -> None:
        self.error.clear()
        self.table.show_lines(lines)
        if not lines:
            self.error.setText(t("No transactions of this subscriber at this desk."))
        self.table.setFocus()

    def _not_found(self, exc: BaseException) -> None:
        self.table.show_lines([])
        self.error.setText(self.ctx.sentence(exc))
        self.query.setFocus()
        self.query.selectAll()

    def reprint(self) -> None:
        line = self.table.selected()
        if line is None:
            self.error.setText(t("Find the receipt first."))
            return
        if not line.entry_id:
            self.error.setText(
                t("This payment was made online: the customer's bank gave its receipt.")
            )
            return
        self.ctx.call(
            "reprint",
            lambda desk: desk.print_receipt(line.entry_id, copy=True),
            success=lambda job: reprinted(self.ctx, job, self),
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            disable=[self.reprint_button],
        )


def reprinted(ctx: DeskContext, job: PrintJob, parent: QWidget) -> None:
    """A copy was asked for: said done, or the print problem dialog."""
    after_print(ctx, job, parent, t("A copy of the receipt was printed, marked COPY."))


def reprint_last(ctx: DeskContext, parent: QWidget) -> None:
    """F7 anywhere: a copy of the last receipt printed at this desk."""

    def work(desk: Desk) -> PrintJob | None:
        entry_id = desk.last_receipt()
        return None if entry_id is None else desk.print_receipt(entry_id, copy=True)

    def done(job: PrintJob | None) -> None:
        if job is None:
            ctx.message.emit(t("No receipt has been printed at this desk yet."))
        else:
            reprinted(ctx, job, parent)

    ctx.call("reprint", work, success=done)
