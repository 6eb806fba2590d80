"""Where the printing font is: Noto Sans Arabic from ``fontpkg-noto-sans-arabic`` (OFL).

It covers Arabic, Latin and digits, so both scripts share one design and the same metrics on every
machine, whatever fonts the system has. Kept apart from ``fonts`` so that PDFs need no Qt.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

FAMILY = "Noto Sans Arabic"
PACKAGE = "fontpkg_noto_sans_arabic"


@cache
def font_path() -> Path:
    """The font file the package ships (a variable font: every weight in one file).

    Found in the package's own folder first: fontpkg's registry reads every installed
    distribution's metadata, which costs the window a visible moment at start."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is not None and spec.origin is not None:
        shipped = sorted((Path(spec.origin).parent / "files").glob("NotoSansArabic*.ttf"))
        if len(shipped) == 1:
            return shipped[0]
    import fontpkg

    return Path(fontpkg.path(FAMILY))
