"""The UI tests run offscreen (set in the root conftest) with pytest-qt's application.

Printing makes a plain ``QGuiApplication`` when none exists; widgets need a ``QApplication``, so
the UI tests make theirs first when they run alone, and refuse to run beside a GUI-only one.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication


@pytest.fixture(scope="session")
def qapp_cls():
    existing = QApplication.instance()
    if existing is not None and not isinstance(existing, QApplication):
        pytest.fail("a QGuiApplication was made before the UI tests: make a QApplication first")
    return QApplication
