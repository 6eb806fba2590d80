"""The window's words: ``t(sentence)`` in the language the window was started in.

The sentences live in the one gettext catalogue (``erial_desk.domain.words``); the language is
chosen once, before any widget exists (``set_language``), as direction and fonts are.
"""

from __future__ import annotations

from typing import Any

from erial_desk.domain import words

_language = words.DEFAULT_LANGUAGE
_arabic_digits = False


def set_language(language: str) -> None:
    global _language
    if language not in words.LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    _language = language


def language() -> str:
    return _language


def set_arabic_digits(on: bool) -> None:
    """Arabic-Indic digits for numbers shown in Arabic (the ``display_digits`` setting)."""
    global _arabic_digits
    _arabic_digits = on


def arabic_digits() -> bool:
    return _arabic_digits and _language == "ar"


def t(sentence: str, **params: Any) -> str:
    """``sentence`` (English, with ``{name}`` placeholders) in the window's language."""
    return words.text(_language, sentence, **params)


def tn(singular: str, plural: str, count: int, **params: Any) -> str:
    return words.plural(_language, singular, plural, count, **params)
