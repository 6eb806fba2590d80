"""printing sits beside store and sync: it imports the domain and libraries, never services,
store, sync or ui, and of Qt only QtCore and QtGui (no widgets: it runs with no display)."""

from __future__ import annotations

import ast
from pathlib import Path

PRINTING = Path(__file__).resolve().parents[2] / "erial_desk" / "printing"
FORBIDDEN = (
    "erial_desk.services",
    "erial_desk.store",
    "erial_desk.sync",
    "erial_desk.ui",
    "PySide6.QtWidgets",
)


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level > 1:
            found.add("erial_desk." + (node.module or ""))  # reaches out of printing
    return found


def test_printing_imports_only_downwards():
    files = sorted(PRINTING.rglob("*.py"))
    assert files
    offending = [
        f"{path.name}: {name}"
        for path in files
        for name in imports(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    ]
    assert not offending, offending


def test_the_receipt_model_is_plain_data():
    for module in ("model.py", "inputs.py", "documents.py", "texts.py"):
        names = imports(PRINTING / module)
        assert not any(n.startswith(("PySide6", "reportlab", "escpos")) for n in names), module
