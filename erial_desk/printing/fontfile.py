"""Where the printing font is: Noto Sans Arabic from ``fontpkg-noto-sans-arabic`` (OFL).

It covers Arabic, Latin and digits, so both scripts share one design and the same metrics on every
machine, whatever fonts the system has. Kept apart from ``fonts`` so that PDFs need no Qt.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import fontpkg

FAMILY = "Noto Sans Arabic"


@cache
def font_path() -> Path:
    """The font file the package ships (a variable font: every weight in one file)."""
    return Path(fontpkg.path(FAMILY))
