"""The customer's side of the counter: the amount, service charge and total in large type in the
customer's language, and the wallet PIN typed by the customer so the clerk never sees it.

With a second screen (or a small display turned to the customer) the pad opens there; on a single
screen it is a modal pad the clerk turns away from. Either way the clerk's window waits for it.
To choose a new wallet's PIN the customer types it twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from erial_desk.domain.money import format_amount
from erial_desk.domain.words import text

from ..language import direction, keep_left_to_right
from ..widgets.amounts import RIGHT
from ..widgets.pin_pad import PinPad
from ..words import language

BIG = "font-size: 20pt; font-weight: bold;"
PAD_KEY_SIZE = 64  # touch-sized; the whole pad still fits a 768-pixel-high screen
PAD_WIDTH = 600


@dataclass(frozen=True)
class Charge:
    """What the customer is asked to pay."""

    amount: int
    service_charge: int

    @property
    def total(self) -> int:
        return self.amount + self.service_charge


class CustomerPad(QDialog):
    def __init__(
        self, charge: Charge | None, *, choose: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setModal(True)
        self.setMinimumWidth(PAD_WIDTH)
        self.charge = charge
        self.choose = choose
        self.lang = language()
        self._first = ""
        self._pin = ""
        self.prompt = QLabel(self)
        self.prompt.setStyleSheet("font-size: 17pt; font-weight: bold;")
        self.prompt.setWordWrap(True)
        self.figures = QGridLayout()
        self.names: list[QLabel] = []
        self.values: list[QLabel] = []
        rows = [] if charge is None else [charge.amount, charge.service_charge, charge.total]
        for row, baisa in enumerate(rows):
            name = QLabel(self)
            name.setStyleSheet("font-size: 16pt;" if row < 2 else BIG)
            value = QLabel(self)
            value.setProperty("baisa", baisa)
            value.setStyleSheet("font-size: 16pt;" if row < 2 else BIG)
            keep_left_to_right(value)
            value.setAlignment(RIGHT)
            self.figures.addWidget(name, row, 0)
            self.figures.addWidget(value, row, 1)
            self.names.append(name)
            self.values.append(value)
        self.pad = PinPad(self)
        self.pad.field.setStyleSheet(BIG)
        for button in self.pad.findChildren(QPushButton):
            button.setMinimumSize(PAD_KEY_SIZE, PAD_KEY_SIZE)
            button.setStyleSheet("font-size: 17pt;")
        # The pad's two word keys (Clear, OK), in creation order, to speak the customer's language.
        self.word_keys = [b for b in self.pad.findChildren(QPushButton) if not b.text().isdigit()]
        self.pad.submitted.connect(self._entered)
        self.problem = QLabel(self)
        self.problem.setStyleSheet("color: #b00020; font-size: 14pt; font-weight: bold;")
        self.problem.setWordWrap(True)
        self.other_language = QPushButton(self)
        self.other_language.clicked.connect(self._switch_language)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.other_language)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addLayout(self.figures)
        layout.addWidget(self.pad)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self._words()
        self._place()
        self.pad.field.setFocus()

    # --- in the customer's language ----------------------------------------------------------

    def _words(self) -> None:
        lang = self.lang
        self.setLayoutDirection(direction(lang))
        keep_left_to_right(self.pad)
        self.setWindowTitle(text(lang, "For the customer"))
        if not self.choose:
            prompt = text(lang, "Please type your e-Rial PIN")
        elif not self._first:
            prompt = text(lang, "Please choose a PIN for your wallet")
        else:
            prompt = text(lang, "Please type the same PIN again")
        self.prompt.setText(prompt)
        names = [text(lang, "Amount"), text(lang, "Service charge"), text(lang, "Total to pay")]
        for label, name in zip(self.names, names, strict=False):
            label.setText(name)
        for value in self.values:
            value.setText(format_amount(int(value.property("baisa")), lang))
        for key, word in zip(self.word_keys, (text(lang, "Clear"), text(lang, "OK")), strict=False):
            key.setText(word)
        self.other_language.setText("English" if lang == "ar" else "العربية")
        self.cancel_button.setText(text(lang, "Cancel"))

    def _switch_language(self) -> None:
        self.lang = "en" if self.lang == "ar" else "ar"
        self.problem.clear()
        self._words()
        self.pad.field.setFocus()

    def _place(self) -> None:
        """On the second screen when there is one (the display turned to the customer)."""
        screens = QGuiApplication.screens()
        if len(screens) > 1:
            self.move(screens[1].availableGeometry().topLeft())

    # --- the PIN -----------------------------------------------------------------------------

    def _entered(self, pin: str) -> None:
        if not pin:
            return
        if not self.choose:
            self._done(pin)
        elif not self._first:
            self._first = pin
            self.pad.clear()
            self._words()
        elif pin != self._first:
            self._first = ""
            self.pad.clear()
            self._words()
            self.problem.setText(text(self.lang, "The two PINs differ. Please choose again."))
        else:
            self._done(pin)

    def _done(self, pin: str) -> None:
        self._pin = pin
        self.pad.clear()
        self.accept()

    def pin(self) -> str:
        return self._pin


def ask_customer_pin(
    charge: Charge | None, parent: QWidget | None = None, *, choose: bool = False
) -> str | None:
    """The PIN the customer typed (or chose), or None when they cancelled."""
    pad = CustomerPad(charge, choose=choose, parent=parent)
    accepted = pad.exec() == QDialog.DialogCode.Accepted
    if parent is not None:
        parent.window().activateWindow()  # the keyboard back to the clerk's window
    return pad.pin() if accepted else None
