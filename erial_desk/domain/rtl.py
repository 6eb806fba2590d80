"""Right-to-left text for documents drawn left to right (ReportLab PDFs, on the desk and at
central): Arabic letters joined with ``arabic-reshaper`` and reordered with ``python-bidi``.

A line is wrapped first and shaped after: reordering a whole paragraph would reverse its lines.
"""

from __future__ import annotations

import re
from functools import lru_cache

_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# Unicode isolates (the words catalogue wraps values in them) are not known to python-bidi's
# algorithm: each becomes the embedding of the value's own direction, which it knows, so that a
# date such as 2026-03-01 keeps its order inside an Arabic line.
_ISOLATED = re.compile("[\u2066\u2067\u2068]([^\u2066-\u2069]*)\u2069")
LRE, RLE, PDF = "\u202a", "\u202b", "\u202c"


_CONTROLS = str.maketrans("", "", "\u202a\u202b\u202c\u2066\u2067\u2068\u2069")


def _embedded(match: re.Match[str]) -> str:
    value = match.group(1)
    return f"{RLE if is_rtl(value) else LRE}{value}{PDF}"


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

    embedded = _ISOLATED.sub(_embedded, text)
    visual = str(get_display(arabic_reshaper.reshape(embedded), base_dir="R"))
    return visual.translate(_CONTROLS)
