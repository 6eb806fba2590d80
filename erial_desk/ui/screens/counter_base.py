"""What the counter's screens share: a subscriber handed from one screen to the next (the
profile's F3 tops up the subscriber shown), and the offline notice of screens needing central."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from ..context import DeskContext
from ..language import keep_left_to_right
from ..screen import Screen
from ..words import language, t

if TYPE_CHECKING:  # the window shows before the engine (and SQLAlchemy) is imported
    from erial_desk.services.results import CounterStatus
    from erial_desk.store.print_jobs import PrintJob
    from erial_desk.store.search import SubscriberRow

ACCOUNT_FIELD = "erial_account_field"
"""Property of a field that takes an account number: a scanner typing there fills it."""


class CounterScreen(Screen):
    """A screen that can be opened for a subscriber: ``go_with.emit(screen, account)``."""

    go_with = Signal(str, str)
    preset = ""  # the subscriber this screen was opened for, until ``shown`` takes it

    def set_account(self, account: str) -> None:
        """Show this screen for ``account`` (called before ``shown``)."""
        self.preset = account

    def help_text(self) -> str:
        """F1: what this screen wants, in a sentence or two."""
        return t(
            "Enter confirms, Escape goes back to Home. F2 finds a subscriber, F3 tops up, "
            "F4 pays bills, F5 follows a receipt up, F7 prints a copy of the last receipt."
        )

    def take_preset(self) -> str:
        account, self.preset = self.preset, ""
        return account


def account_field(parent: QWidget) -> QLineEdit:
    field = QLineEdit(parent)
    keep_left_to_right(field)
    field.setMaxLength(20)
    field.setProperty(ACCOUNT_FIELD, True)
    return field


def ltr_text(value: str) -> str:
    """A number, plate or mobile inside a sentence or a label of either direction: read left to
    right (``+968…`` keeps its plus in front) while the label follows the window's alignment."""
    return f"\u2066{value}\u2069" if value else ""


def value_label(parent: QWidget) -> QLabel:
    """A label for a number (``ltr_text``) that lines up with the words beside it: at the start
    of the reading direction whatever direction Qt guesses for its text."""
    label = QLabel(parent)
    start = Qt.AlignmentFlag.AlignRight if language() == "ar" else Qt.AlignmentFlag.AlignLeft
    label.setAlignment(start | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def offline_notice(parent: QWidget) -> QLabel:
    """A line saying, before the clerk starts, what needs central while it is unreachable."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setStyleSheet("color: #8a4b00; font-weight: bold;")
    label.hide()
    return label


def is_offline(status: CounterStatus) -> bool:
    """Central cannot be reached now (a demo desk's local stand-in always can)."""
    return status.sync.enrolled and not status.sync.online


def confirm_row(label: str, parent: QWidget, on_click: Callable[[], None]) -> QPushButton:
    """The screen's large confirming button (Enter on it confirms), laid out by the caller with
    ``end_row``."""
    button = QPushButton(label, parent)
    button.setMinimumHeight(52)
    button.setAutoDefault(True)
    button.clicked.connect(on_click)
    return button


def end_row(*widgets: QWidget) -> QHBoxLayout:
    """Buttons at the end of the reading direction."""
    row = QHBoxLayout()
    row.addStretch(1)
    for widget in widgets:
        row.addWidget(widget)
    return row


def after_print(ctx: DeskContext, job: PrintJob, parent: QWidget, done: str) -> None:
    """A document asked for by the clerk: ``done`` said, or the print problem dialog."""
    if job.state == "failed":
        from ..dialogs.print_problem import PrintProblemDialog

        PrintProblemDialog(ctx, job, parent).open()
    else:
        ctx.notice.emit(done)


def subscriber_name(row: SubscriberRow) -> str:
    return row.name_ar if language() == "ar" else row.name_en


class SubscriberLookup(QObject):
    """An account field (typed or scanned) and whose it is: Enter looks the subscriber up."""

    found = Signal(object)  # the SubscriberRow
    refused = Signal(str)  # why not, in a sentence
    changed = Signal()  # the account typed no longer names the subscriber found

    def __init__(self, ctx: DeskContext, key: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.key = key
        self.row: SubscriberRow | None = None
        self.field = account_field(parent)
        self.field.setAccessibleName(t("Account number"))
        self.field.returnPressed.connect(self.look_up)
        self.field.textEdited.connect(self._edited)
        self.who = QLabel(parent)
        self.who.setStyleSheet("font-weight: bold;")

    def look_up(self, account: str | None = None) -> None:
        if account is not None:
            self.field.setText(account)
        typed = self.field.text().strip()
        if not typed:
            self.refused.emit(t("Type or scan the account number."))
            return
        self.ctx.call(
            self.key,
            lambda desk: desk.subscriber(typed),
            success=self._found,
            failure=self._refused,
        )

    def clear(self) -> None:
        self.row = None
        self.field.clear()
        self.who.clear()

    def _found(self, row: SubscriberRow) -> None:
        self.row = row
        self.field.setText(row.account)
        self.who.setText(subscriber_name(row))
        self.found.emit(row)

    def _refused(self, exc: BaseException) -> None:
        self.row = None
        self.who.clear()
        self.refused.emit(self.ctx.sentence(exc))

    def _edited(self) -> None:
        self.row = None
        self.who.clear()
        self.changed.emit()
