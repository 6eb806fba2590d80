"""Layering: nothing under domain, store, services or sync imports PySide6 or ui.

Dependencies point one way: ui -> services -> {store, sync, printing} -> domain, and domain
imports nothing of ours outside itself. Checked statically (every import statement, relative ones
resolved) and at run time (importing the core loads no Qt).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "erial_desk"
CORE_LAYERS = ("domain", "store", "services", "sync")
GUI_MODULES = ("PySide6", "shiboken6", "erial_desk.ui")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module a ``from ... import`` statement names."""
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    if node.level - 1 > len(package) - 1:
        raise ImportError(f"relative import beyond the top package in {module}")
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imported_modules(source: str, module: str, is_package: bool = False) -> Iterator[str]:
    """Every module a source file may import: statements, their names, and import_module calls."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            target = resolve(node, module, is_package)
            yield target
            # ``from erial_desk import ui`` or ``from .. import ui`` imports a module by name.
            for alias in node.names:
                yield f"{target}.{alias.name}"
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in ("import_module", "__import__") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    yield first.value


def is_within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def layer_files(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def imports_of(path: Path) -> set[str]:
    source = path.read_text(encoding="utf-8")
    return set(imported_modules(source, module_name(path), path.name == "__init__.py"))


# --- the checker checks what it should ------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("import PySide6.QtCore", "erial_desk.store.journal", "PySide6.QtCore"),
        ("from PySide6 import QtGui", "erial_desk.store.journal", "PySide6"),
        ("from ..ui import main_window", "erial_desk.services.desk", "erial_desk.ui"),
        ("from .. import ui", "erial_desk.services.desk", "erial_desk.ui"),
        ("from erial_desk import ui", "erial_desk.sync.push", "erial_desk.ui"),
        ("from ...ui.widgets import x", "erial_desk.store.migrations.env", "erial_desk.ui.widgets"),
        ("from .chain import x", "erial_desk.domain.central", "erial_desk.domain.chain"),
        ("from .money import x", "erial_desk.domain", "erial_desk.domain.money"),
        ("from ..store import journal", "erial_desk.domain.chain", "erial_desk.store.journal"),
        ("importlib.import_module('PySide6.QtWidgets')", "erial_desk.sync.x", "PySide6.QtWidgets"),
        (
            """
            def later():
                import shiboken6
            """,
            "erial_desk.store.x",
            "shiboken6",
        ),
    ],
)
def test_checker_finds_imports(source, module, expected):
    is_package = module == "erial_desk.domain"
    found = set(imported_modules(textwrap.dedent(source), module, is_package))
    assert expected in found


def test_layers_exist():
    for layer in CORE_LAYERS:
        assert layer_files(layer), f"no source files under erial_desk/{layer}"


# --- the rules ------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", CORE_LAYERS)
def test_core_layers_do_not_import_qt_or_ui(layer):
    offending = []
    for path in layer_files(layer):
        for name in imports_of(path):
            if any(is_within(name, gui) for gui in GUI_MODULES):
                offending.append(f"{path.relative_to(ROOT)}: {name}")
    assert not offending, "GUI imports in the core:\n" + "\n".join(offending)


def test_domain_imports_nothing_of_ours_outside_domain():
    offending = []
    for path in layer_files("domain"):
        for name in imports_of(path):
            if is_within(name, "erial_desk") and not is_within(name, "erial_desk.domain"):
                offending.append(f"{path.relative_to(ROOT)}: {name}")
            if is_within(name, "erial_central"):
                offending.append(f"{path.relative_to(ROOT)}: {name}")
    assert not offending, "domain reaches outside itself:\n" + "\n".join(offending)


def test_importing_the_core_loads_no_qt():
    script = textwrap.dedent(
        """
        import sys
        import erial_desk.services
        import erial_desk.store.search
        loaded = sorted(
            name for name in sys.modules
            if name.split(".")[0] in ("PySide6", "shiboken6") or name.startswith("erial_desk.ui")
        )
        assert "erial_desk.services" in sys.modules
        print("loaded:", loaded)
        assert "PySide6" not in sys.modules, loaded
        assert not loaded, loaded
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "loaded: []" in result.stdout
