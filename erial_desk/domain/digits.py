"""Digit normalisation shared by every parser: clerks type Western or Arabic-Indic digits."""

from __future__ import annotations

# Arabic-Indic (U+0660..) and Extended Arabic-Indic / Persian (U+06F0..) digits both occur on
# keyboards in the region; both map to ASCII.
_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})
_TO_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

# Characters that scanners and keyboards put inside numbers and that carry no meaning.
_SPACES = {ord(c): None for c in " \t\u00a0\u202f\u2009\u200e\u200f\u061c-"}


def to_ascii_digits(text: str) -> str:
    """Replace Arabic-Indic digits by ASCII digits; leave everything else as it is."""
    return text.translate(_DIGITS)


def strip_separators(text: str) -> str:
    """Drop spaces, dashes and direction marks that carry no meaning inside an identifier."""
    return text.translate(_SPACES)


def to_arabic_indic(text: str) -> str:
    """ASCII digits to Arabic-Indic digits, for Arabic display."""
    return text.translate(_TO_ARABIC_INDIC)
