"""Right-to-left text for documents drawn left to right (ReportLab PDFs, on the desk and at
central): Arabic letters joined with ``arabic-reshaper`` and reordered with ``python-bidi``.

A line is wrapped first and shaped after: reordering a whole paragraph would reverse its lines.
"""

from __future__ import annotations

import re
from functools import lru_cache

_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# Unicode isolates (the words catalogue wraps values in them): python-bidi's algorithm does not
# know them, and a number or date keeps its own order in an Arabic line without them.
_ISOLATES = str.maketrans("", "", "\u2066\u2067\u2068\u2069")


def is_rtl(text: str) -> bool:
    """Whether a text holds right-to-left letters (Arabic): it is then set right to left."""
    return _RTL.search(text) is not None


@lru_cache(maxsize=16384)
def visual_line(text: str) -> str:
    """One line of text in the order a left-to-right drawing API draws it: Arabic joined,
    reordered, and its brackets mirrored (python-bidi's pure-Python algorithm mirrors)."""
    if not is_rtl(text):
        return text
    import arabic_reshaper
    from bidi.algorithm import get_display

    plain = text.translate(_ISOLATES)
    return str(get_display(arabic_reshaper.reshape(plain), base_dir="R"))
