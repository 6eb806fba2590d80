"""Money is an integer number of baisa (1 OMR = 1000 baisa). No floats anywhere.

``Decimal`` is used only here, to parse and format; everything else adds and compares ``int``.
"""

from __future__ import annotations

import re

from .digits import to_arabic_indic, to_ascii_digits
from .errors import ValidationError

BAISA_PER_RIAL = 1000

# Largest amount the system handles at all, whatever the policy says: one million rials.
# It keeps every amount far inside the exact integer range of JSON numbers (2**53).
ABSOLUTE_MAX_BAISA = 1_000_000 * BAISA_PER_RIAL

_AMOUNT = re.compile(r"^(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?\Z")


def parse_amount(
    text: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """Parse an amount typed in rials (``12.5``, ``١٢٫٥``, ``0.250``) into baisa.

    Refuses, with the rule named in the error: empty text, anything that is not a number, more
    than three decimals, negative and zero amounts, and amounts outside ``minimum``..``maximum``.
    """
    # A comma is refused rather than guessed: "12,5" must never become 125 rials.
    cleaned = to_ascii_digits(text.strip()).replace("٫", ".")
    cleaned = cleaned.replace(" ", "").replace("\u00a0", "")
    for suffix in ("OMR", "omr", "ر.ع.", "ر.ع", "RO", "ro"):
        if cleaned.endswith(suffix):
            cleaned = cleaned[: -len(suffix)]
            break
    if not cleaned:
        raise ValidationError("amount.empty")
    negative = cleaned.startswith("-")
    if negative or cleaned.startswith("+"):
        cleaned = cleaned[1:]
    match = _AMOUNT.match(cleaned)
    if not match or not (match["int"] or match["frac"]):
        raise ValidationError("amount.invalid", text=text)
    frac = match["frac"] or ""
    if len(frac) > 3:
        raise ValidationError("amount.too_many_decimals")
    frac = frac.ljust(3, "0")
    whole = match["int"] or "0"
    if len(whole.lstrip("0")) > 9:
        raise ValidationError("amount.over_limit", **limit_params(_ceiling(maximum)))
    baisa = int(whole) * BAISA_PER_RIAL + int(frac)
    if negative and baisa:
        raise ValidationError("amount.negative")
    return check_amount(baisa, minimum=minimum, maximum=maximum)


def check_amount(baisa: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Check an amount already in baisa against zero, sign and the limits; return it."""
    if isinstance(baisa, bool) or not isinstance(baisa, int):
        raise TypeError("money is int baisa")
    if baisa < 0:
        raise ValidationError("amount.negative")
    if baisa == 0:
        raise ValidationError("amount.zero")
    ceiling = _ceiling(maximum)
    if baisa > ceiling:
        raise ValidationError("amount.over_limit", **limit_params(ceiling))
    if minimum is not None and baisa < minimum:
        raise ValidationError("amount.below_minimum", **limit_params(minimum))
    return baisa


def _ceiling(maximum: int | None) -> int:
    return ABSOLUTE_MAX_BAISA if maximum is None else min(maximum, ABSOLUTE_MAX_BAISA)


def limit_params(limit: int) -> dict[str, str]:
    """Message parameters naming a limit in both languages."""
    return {"limit": format_amount(limit, "en"), "limit_ar": format_amount(limit, "ar")}


def format_plain(baisa: int) -> str:
    """``12500`` -> ``"12.500"``; negative amounts keep their sign (variances can be negative)."""
    if isinstance(baisa, bool) or not isinstance(baisa, int):
        raise TypeError("money is int baisa")
    sign = "-" if baisa < 0 else ""
    whole, frac = divmod(abs(baisa), BAISA_PER_RIAL)
    return f"{sign}{whole:,}.{frac:03d}"


def format_amount(baisa: int, lang: str = "en", *, arabic_digits: bool = False) -> str:
    """``12.500 OMR`` in English, ``12.500 ر.ع.`` in Arabic (Arabic-Indic digits on request)."""
    plain = format_plain(baisa)
    if lang == "ar":
        if arabic_digits:
            plain = to_arabic_indic(plain).replace(".", "٫").replace(",", "٬")
        return f"{plain} ر.ع."
    return f"{plain} OMR"
