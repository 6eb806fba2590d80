"""Words: one gettext catalogue for errors, receipts and screens, in Arabic and English.

The English sentence is the message id; the Arabic is in ``resources/translations/ar`` (a ``.po``
file a translator's tool opens, compiled to ``.mo`` by the install step). Sentences take
``{name}`` placeholders, filled after translation, never f-strings, so a translation cannot lose
or invent a value. Counts use ``ngettext``: Arabic has six plural forms (zero, one, two, few,
many, other), English two.

A value that reads left to right inside an Arabic sentence (an amount, a plate, an account
number) is wrapped in Unicode isolates so that it keeps its own order and does not reorder the
words around it.
"""

from __future__ import annotations

import gettext
import os
from functools import cache
from pathlib import Path
from typing import Any

DOMAIN = "erial"
LANGUAGES = ("ar", "en")
DEFAULT_LANGUAGE = "ar"
# The source tree's resources; an installed bundle names its own folder.
TRANSLATIONS_VARIABLE = "ERIAL_DESK_TRANSLATIONS"
_SOURCE_TRANSLATIONS = Path(__file__).resolve().parents[2] / "resources" / "translations"

FSI, PDI = "\u2068", "\u2069"  # first-strong isolate and its end


def translations_dir() -> Path:
    return Path(os.environ.get(TRANSLATIONS_VARIABLE) or _SOURCE_TRANSLATIONS)


@cache
def catalogue(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``language``; English falls back to the message ids."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    try:
        return gettext.translation(DOMAIN, translations_dir(), languages=[language])
    except FileNotFoundError:
        if language == "en":
            return gettext.NullTranslations()
        raise FileNotFoundError(
            f"the {language} catalogue is not compiled in {translations_dir()}:"
            " run the install step (make) to build it"
        ) from None


def isolate(value: str) -> str:
    return f"{FSI}{value}{PDI}"


def _fill(template: str, language: str, params: dict[str, Any]) -> str:
    values: dict[str, Any] = {}
    for key, value in params.items():
        if key.endswith("_ar"):
            continue
        if language == "ar":
            # A value given in an Arabic form of its own (amounts in Arabic words and digits)
            # replaces the plain one; left-to-right values are isolated.
            value = params.get(f"{key}_ar", value)
            if isinstance(value, str) and value and not _is_rtl(value):
                value = isolate(value)
        values[key] = value
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        # A sentence must reach the person even if a placeholder is missing: show it unfilled.
        return template


def text(language: str, message: str, **params: Any) -> str:
    """``message`` (the English sentence) in ``language``, its placeholders filled."""
    return _fill(catalogue(language).gettext(message), language, params)


def plural(language: str, singular: str, plural_form: str, count: int, **params: Any) -> str:
    """A sentence about ``count`` things in the right plural form; ``{count}`` is filled."""
    template = catalogue(language).ngettext(singular, plural_form, count)
    return _fill(template, language, {"count": count, **params})


def N_(message: str) -> str:  # noqa: N802 - the name extraction tools look for
    """Marks a sentence for the catalogue where it is defined; it is translated where shown."""
    return message


def Nn_(singular: str, plural_form: str) -> tuple[str, str]:  # noqa: N802 - as N_
    """Marks a sentence about a count (singular and plural) where it is defined."""
    return singular, plural_form


def _is_rtl(value: str) -> bool:
    return any("\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufefc" for ch in value)
