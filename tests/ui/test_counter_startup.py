"""The counter's work screens do not slow the first window: importing the application loads
neither the engine's SQL layer, nor migrations, nor HTTP (they load when the desk opens)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_the_application_imports_without_the_engine():
    code = (
        "import sys, erial_desk.ui.app; "
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'requests') if m in sys.modules))"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "[]"
