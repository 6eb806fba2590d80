"""Language, direction and fonts of the window, set before any widget exists.

Arabic is the default and lays the whole window out right to left (Anki's ``is_rtl()`` drives
``setLayoutDirection`` the same way); English left to right. Qt's own ``qtbase`` translations
give the standard buttons (OK, Cancel) in the same language. What must not mirror stays left to
right whatever the language: amounts, PINs, account and civil numbers, plates and the numpad;
amounts are right-aligned in both directions (``AlignAbsolute``, since under right-to-left layout
a plain ``AlignRight`` is mirrored).
"""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from erial_desk.domain.words import LANGUAGES
from erial_desk.printing.fontfile import FAMILY, font_path

from . import words

UI_POINT_SIZE = 11
# Noto Sans Arabic carries Latin letters and digits too; the system's sans face is only a
# fallback for a character neither has.
FALLBACK_FAMILIES = ("DejaVu Sans", "Segoe UI", "Arial", "Sans Serif")
# Qt's own translations, installed here: kept, not searched for among the application's
# children (that wraps each child, Qt's private classes too, in Python at every start).
_qt_translator: QTranslator | None = None


def is_rtl(language: str) -> bool:
    return language == "ar"


def direction(language: str) -> Qt.LayoutDirection:
    return Qt.LayoutDirection.RightToLeft if is_rtl(language) else Qt.LayoutDirection.LeftToRight


def install_language(app: QApplication, language: str) -> None:
    """Direction, Qt's translations and the font for ``language`` (``ar`` or ``en``)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    words.set_language(language)
    app.setLayoutDirection(direction(language))
    # Qt's own number fields (counts, spin boxes) write digits by the default locale: Arabic
    # gives Arabic-Indic digits, so it is chosen only where the display_digits setting asks.
    QLocale.setDefault(
        QLocale(
            QLocale.Language.Arabic
            if is_rtl(language) and words.arabic_digits()
            else QLocale.Language.English,
            QLocale.Country.Oman,
        )
    )
    global _qt_translator
    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator.deleteLater()
        _qt_translator = None
    translator = QTranslator(app)
    if translator.load(
        f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(translator)
        _qt_translator = translator
    else:
        translator.deleteLater()
    app.setFont(ui_font())


def ui_font(point_size: int = UI_POINT_SIZE) -> QFont:
    if FAMILY not in QFontDatabase.families():
        QFontDatabase.addApplicationFont(str(font_path()))
    font = QFont()
    font.setFamilies([FAMILY, *FALLBACK_FAMILIES])
    font.setPointSize(point_size)
    return font


def keep_left_to_right(widget: QWidget) -> None:
    """For numbers, PINs, plates and the numpad: never mirrored."""
    widget.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def amount_field(field: QLineEdit) -> None:
    """An amount: typed left to right, shown right-aligned in both languages."""
    keep_left_to_right(field)
    field.setAlignment(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter
    )
