"""Settings, for the office's supervisor: the receipt printer (with a test print), central's
address and certificate, the language. The facade checks each change before saving it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from erial_desk.config import Settings

from ..context import DeskContext
from ..language import keep_left_to_right
from ..screen import error_label
from ..words import t

if TYPE_CHECKING:
    from erial_desk.services import Desk

T = TypeVar("T")

CONNECTIONS = ("pdf", "file", "network", "usb", "serial", "windows")
PROFILES = ("80mm", "58mm", "epson")
DRAWERS = ("2", "5", "none")


class SettingsDialog(QDialog):
    def __init__(self, ctx: DeskContext, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(t("Settings"))
        self.setMinimumWidth(560)
        self.connection = self._choice(CONNECTIONS, settings.printer_connection)
        self.target = QLineEdit(settings.printer_target, self)
        self.target.setPlaceholderText(t("Folder, address, device or printer name"))
        self.profile = self._choice(PROFILES, settings.printer_profile)
        self.drawer = self._choice(DRAWERS, settings.printer_drawer)
        self.save_printer = QPushButton(t("Save the printer"), self)
        self.save_printer.clicked.connect(self.apply_printer)
        self.test_button = QPushButton(t("Print a test page"), self)
        self.test_button.clicked.connect(self.test_page)
        self.central = QLineEdit(settings.central_url, self)
        self.ca_bundle = QLineEdit(settings.ca_bundle, self)
        for field in (self.target, self.central, self.ca_bundle):
            keep_left_to_right(field)
        self.digits = QComboBox(self)
        self.digits.addItem(t("Western digits (0-9)"), "western")
        self.digits.addItem(t("Arabic-Indic digits (٠-٩)"), "arabic-indic")
        self.digits.setCurrentIndex(0 if settings.display_digits == "western" else 1)
        self.digits.currentIndexChanged.connect(self.apply_digits)
        self.save_central = QPushButton(t("Save central's address"), self)
        self.save_central.clicked.connect(self.apply_central)
        self.outcome = QLabel(self)
        self.outcome.setWordWrap(True)
        self.error = error_label(self)
        printer = QGroupBox(t("Receipt printer"), self)
        form = QFormLayout(printer)
        form.addRow(t("Connection"), self.connection)
        form.addRow(t("Where"), self.target)
        form.addRow(t("Paper"), self.profile)
        form.addRow(t("Cash drawer pin"), self.drawer)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_printer)
        buttons.addWidget(self.test_button)
        form.addRow(buttons)
        central = QGroupBox(t("Central server"), self)
        central_form = QFormLayout(central)
        central_form.addRow(t("Address"), self.central)
        central_form.addRow(t("Certificate authority file"), self.ca_bundle)
        central_form.addRow(self.save_central)
        display = QGroupBox(t("Display"), self)
        display_form = QFormLayout(display)
        display_form.addRow(t("Digits in Arabic"), self.digits)
        close = QPushButton(t("Close"), self)
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(printer)
        layout.addWidget(central)
        layout.addWidget(display)
        layout.addWidget(self.outcome)
        layout.addWidget(self.error)
        layout.addWidget(close)

    def _choice(self, values: tuple[str, ...], current: str) -> QComboBox:
        box = QComboBox(self)
        box.addItems(list(values))
        if current not in values:
            box.addItem(current)
        box.setCurrentText(current)
        keep_left_to_right(box)
        return box

    def apply_printer(self) -> None:
        connection, target = self.connection.currentText(), self.target.text()
        profile, drawer = self.profile.currentText(), self.drawer.currentText()
        self._run(
            "settings-printer",
            lambda desk: desk.change_printer(connection, target, profile, drawer),
            lambda described: t("The printer is now {printer}.", printer=described),
            self.save_printer,
        )

    def test_page(self) -> None:
        self._run(
            "settings-test-page",
            lambda desk: desk.print_test_page(),
            lambda job: (
                t("Test page printed.")
                if job.state == "printed"
                else t("The printer said: {reason}", reason=job.error or t("no reason given"))
            ),
            self.test_button,
        )

    def apply_digits(self) -> None:
        digits = str(self.digits.currentData())
        self._run(
            "settings-digits",
            lambda desk: desk.change_display_digits(digits),
            lambda _none: t("Saved. Screens show the new digits from the next start."),
            self.digits,
        )

    def apply_central(self) -> None:
        url, ca_bundle = self.central.text(), self.ca_bundle.text()
        self._run(
            "settings-central",
            lambda desk: desk.change_central(url, ca_bundle),
            lambda _none: t("Saved. The terminal uses the new address from its next start."),
            self.save_central,
        )

    def _run(
        self,
        key: str,
        work: Callable[[Desk], T],
        told: Callable[[T], str],
        button: QWidget,
    ) -> None:
        self.error.clear()
        self.outcome.clear()
        self.ctx.call(
            key,
            work,
            success=lambda value: self.outcome.setText(told(value)),
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            disable=[button],
        )
