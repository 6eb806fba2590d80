"""The printing font in Qt (see ``fontfile``) and text measured as Qt shapes it.

Qt needs a ``QGuiApplication`` for fonts; one is made on first use when none exists (QtGui only:
it works with the offscreen platform and no display).
"""

from __future__ import annotations

import atexit
import os
import threading
from functools import cache, lru_cache

from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF, QGuiApplication

from .fontfile import font_path

_lock = threading.Lock()
_app: QGuiApplication | None = None
_family: str | None = None


def ensure_gui() -> None:
    """Make sure a ``QGuiApplication`` exists and the font is loaded into Qt's database."""
    global _app, _family
    if _family is not None:
        return
    with _lock:
        if _family is not None:
            return
        if QGuiApplication.instance() is None:
            # Printing needs no screen: a desk without its window (the command line, a test)
            # gets the offscreen platform. The window's own application, made first, is used
            # as it is. Qt wants this on the main thread: print once there before any worker.
            platform = os.environ.get("QT_QPA_PLATFORM") or "offscreen"
            _app = QGuiApplication(["erial-desk", "-platform", platform])
        font_id = QFontDatabase.addApplicationFont(str(font_path()))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if not families:
            raise RuntimeError(f"Qt could not load the receipt font {font_path()}")
        _family = families[0]
        atexit.register(_release)


def _release() -> None:
    """Drop every Qt object before the interpreter tears down the application: shiboken
    aborts when a cached QFont outlives the QGuiApplication at exit."""
    global _app, _family
    advance.cache_clear()
    metrics.cache_clear()
    qfont.cache_clear()
    _family = None
    _app = None


@cache
def qfont(pixel_size: int, bold: bool = False) -> QFont:
    ensure_gui()
    assert _family is not None
    font = QFont(_family)
    font.setPixelSize(pixel_size)
    font.setWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
    # Kerning and shaping stay on; hinting off keeps widths independent of the platform.
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


@cache
def metrics(pixel_size: int, bold: bool = False) -> QFontMetricsF:
    return QFontMetricsF(qfont(pixel_size, bold))


@lru_cache(maxsize=8192)
def advance(text: str, pixel_size: int, bold: bool = False) -> float:
    """Width of a shaped line of text, in pixels."""
    return metrics(pixel_size, bold).horizontalAdvance(text)
