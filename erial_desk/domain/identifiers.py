"""One validator/normaliser per identifier. Each returns the canonical form or raises a
``ValidationError`` that says what is wrong."""

from __future__ import annotations

import re

from .digits import strip_separators, to_ascii_digits
from .errors import ValidationError

DEFAULT_CIVIL_LENGTH = (6, 9)
DEFAULT_CR_LENGTH = (6, 8)
ACCOUNT_LENGTH = 12


def _digits_only(text: str) -> str:
    return strip_separators(to_ascii_digits(text.strip()))


def normalise_civil_number(text: str, length: tuple[int, int] = DEFAULT_CIVIL_LENGTH) -> str:
    """Civil number of an individual: digits only, length from the policy."""
    value = _digits_only(text)
    if not value.isascii() or not value.isdigit() or not length[0] <= len(value) <= length[1]:
        raise ValidationError("civil_number.invalid", min=length[0], max=length[1])
    return value


def normalise_cr_number(text: str, length: tuple[int, int] = DEFAULT_CR_LENGTH) -> str:
    """Commercial registration number of a company: digits only, length from the policy."""
    value = _digits_only(text)
    if not value.isascii() or not value.isdigit() or not length[0] <= len(value) <= length[1]:
        raise ValidationError("cr_number.invalid", min=length[0], max=length[1])
    return value


def normalise_mobile(text: str) -> str:
    """Omani mobile number to E.164: 8 digits starting with 7 or 9, after +968 or 00968."""
    value = _digits_only(text).replace("(", "").replace(")", "")
    if value.startswith("+"):
        value = value[1:]
        if not value.startswith("968"):
            raise ValidationError("mobile.invalid")
        value = value[3:]
    elif value.startswith("00968"):
        value = value[5:]
    elif value.startswith("968") and len(value) == 11:
        value = value[3:]
    if not (value.isascii() and value.isdigit() and len(value) == 8 and value[0] in "79"):
        raise ValidationError("mobile.invalid")
    return "+968" + value


# Plate letters: (Latin code, Arabic letter, other Arabic spellings typed for the same letter).
# This table is the one place that knows plate letters; check it against the Royal Oman Police's
# list before production use.
PLATE_LETTERS: tuple[tuple[str, str, str], ...] = (
    ("A", "أ", "اإآ"),
    ("B", "ب", ""),
    ("D", "د", ""),
    ("E", "ع", ""),
    ("H", "ه", "ةهـ"),
    ("J", "ج", ""),
    ("K", "ك", ""),
    ("L", "ل", ""),
    ("M", "م", ""),
    ("N", "ن", ""),
    ("R", "ر", ""),
    ("S", "س", ""),
    ("T", "ط", ""),
    ("W", "و", ""),
    ("Y", "ي", "ى"),
)
_LETTER_TO_LATIN: dict[str, str] = {}
for _latin, _arabic, _variants in PLATE_LETTERS:
    _LETTER_TO_LATIN[_latin] = _latin
    _LETTER_TO_LATIN[_latin.lower()] = _latin
    for _ch in _arabic + _variants:
        _LETTER_TO_LATIN[_ch] = _latin
LATIN_TO_ARABIC = {latin: arabic for latin, arabic, _ in PLATE_LETTERS}

_PLATE = re.compile(
    r"^(?:(?P<n1>[0-9]{1,5})(?P<l1>[^0-9]{1,2})|(?P<l2>[^0-9]{1,2})(?P<n2>[0-9]{1,5}))\Z"
)


def normalise_plate(text: str) -> str:
    """Plate typed in Arabic or Latin letters, either order -> canonical ``"12345 AB"``."""
    value = strip_separators(to_ascii_digits(text.strip())).replace("\u0640", "")  # tatweel
    match = _PLATE.match(value)
    if not match:
        raise ValidationError("plate.invalid")
    number = match["n1"] or match["n2"]
    if int(number) == 0:
        raise ValidationError("plate.invalid")
    letters = match["l1"] or match["l2"]
    latin = []
    for ch in letters:
        if ch not in _LETTER_TO_LATIN:
            raise ValidationError("plate.unknown_letter", letter=ch)
        latin.append(_LETTER_TO_LATIN[ch])
    return f"{int(number)} {''.join(latin)}"


def plate_in_arabic(canonical: str) -> str:
    """``"12345 AB"`` -> ``"12345 أ ب"`` for Arabic display."""
    number, letters = canonical.split(" ")
    return number + " " + " ".join(LATIN_TO_ARABIC[ch] for ch in letters)


def luhn_check_digit(body: str) -> str:
    """Luhn (ISO/IEC 7812) check digit: catches every single-digit error and most swaps."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def make_account_number(body: int) -> str:
    """Account number from an 11-digit body (leading digit 1-9) plus its check digit."""
    if not 10**10 <= body < 10**11:
        raise ValueError("account body must have 11 digits")
    text = str(body)
    return text + luhn_check_digit(text)


def normalise_account_number(text: str) -> str:
    """e-Rial account number: 12 digits, the last a Luhn check digit (a scanner may type it)."""
    value = _digits_only(text)
    if not value.isascii() or not value.isdigit() or len(value) != ACCOUNT_LENGTH:
        raise ValidationError("account.invalid", length=ACCOUNT_LENGTH)
    if luhn_check_digit(value[:-1]) != value[-1]:
        raise ValidationError("account.check_digit")
    return value


def normalise_pin(text: str, length: tuple[int, int] = (4, 6)) -> str:
    """A PIN is digits only, 4 to 6 by default (customer wallet PIN and operator PIN)."""
    value = to_ascii_digits(text.strip())
    if not value.isascii() or not value.isdigit() or not length[0] <= len(value) <= length[1]:
        raise ValidationError("pin.invalid", min=length[0], max=length[1])
    return value
