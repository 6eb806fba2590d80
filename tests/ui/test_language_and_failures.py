"""Direction, fonts and the one error path."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit

from erial_desk.domain.errors import ValidationError
from erial_desk.domain.words import isolate
from erial_desk.ui.failure import failure_sentence
from erial_desk.ui.language import amount_field, install_language


@pytest.fixture
def language(qapp):
    yield lambda code: install_language(qapp, code)
    install_language(qapp, "en")


def test_arabic_mirrors_the_window_but_not_amounts(language, qtbot):
    language("ar")
    app = QApplication.instance()
    assert app.layoutDirection() == Qt.LayoutDirection.RightToLeft
    field = QLineEdit()
    qtbot.addWidget(field)
    amount_field(field)
    assert field.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert field.alignment() & Qt.AlignmentFlag.AlignRight
    assert field.alignment() & Qt.AlignmentFlag.AlignAbsolute
    assert "Noto Sans Arabic" in app.font().families()


def test_qt_standard_buttons_speak_arabic(language, qtbot):
    language("ar")
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() != "Cancel"
    language("en")
    box2 = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box2)
    assert box2.button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancel"


def test_isolates_wrap_embedded_values():
    assert isolate("12345 AB") == "\u206812345 AB\u2069"


def test_domain_errors_are_their_own_sentence():
    error = ValidationError("amount.zero")
    assert failure_sentence(error, "en") == "The amount must be more than zero."
    assert failure_sentence(error, "ar") == "يجب أن يكون المبلغ أكبر من صفر."


def test_anything_else_is_logged_and_told_without_a_traceback(caplog):
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError as exc:
        fault = exc
    with caplog.at_level(logging.ERROR):
        told = failure_sentence(fault, "en", recorded=False)
    assert "not recorded" in told and "Traceback" not in told and "Zero" not in told
    assert "ZeroDivisionError" in caplog.text
    assert "المعاملة محفوظة" in failure_sentence(fault, "ar", recorded=True)
    assert "راجع معاملات المناوبة" in failure_sentence(fault, "ar")


def test_amounts_in_arabic_follow_the_digits_setting(language):
    from erial_desk.ui.widgets.amounts import money
    from erial_desk.ui.words import set_arabic_digits

    language("ar")
    set_arabic_digits(False)
    assert money(12_500) == "12.500 ر.ع."
    set_arabic_digits(True)
    try:
        assert money(12_500) == "١٢٫٥٠٠ ر.ع."
        language("en")
        assert money(12_500) == "12.500 OMR"  # English keeps western digits
    finally:
        set_arabic_digits(False)
