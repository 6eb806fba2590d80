"""``make demo``: the counter application against the real central, embedded, with demo data.

Central runs in a thread of this process (``demo_central``), its data in ``DIR/central``; the
demo terminal of the Muscat HQ counter is made and enrolled there once, in ``DIR/desk``, and
reused by later runs. The window opens with the PDF printer (the default); with no display the
guided tour saves a picture of each screen, in both languages, in ``DIR/tour``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from erial_desk.demo_central import EmbeddedCentral
from erial_desk.domain import demo_records
from erial_desk.domain.policy import Role
from erial_desk.sync.credentials import PASSPHRASE_VARIABLE
from erial_desk.walkthrough import DEMO_PASSPHRASE

OFFICE = "MCT-HQ"
KEYRING = "encrypted-file"  # a fresh machine may have no keyring service; the demo's own file
TOUR_FLOAT = {10000: 2}


def prepare(folder: Path, central: EmbeddedCentral) -> Path:
    """The demo terminal in ``folder/desk``, enrolled at ``central`` (already started)."""
    os.environ.setdefault(PASSPHRASE_VARIABLE, DEMO_PASSPHRASE)
    desk_dir = folder / "desk"
    central.terminal(desk_dir, OFFICE, keyring=KEYRING)
    return desk_dir


def print_operators(office_id: str = OFFICE) -> None:
    print(f"Demo operators of {office_id} (log in with the operator id and PIN):")
    for operator_id, office, name_en, _name_ar, role, pin in demo_records.OPERATORS:
        if office == office_id:
            print(f"  {operator_id:<8} PIN {pin}   {role.value:<10} {name_en}")


def has_display() -> bool:
    """Whether a window can be shown: a display is named (on Linux) and Qt opens on it."""
    if os.environ.get("QT_QPA_PLATFORM", "") in ("offscreen", "minimal"):
        return False
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return False
    # Qt ends the process when it cannot reach the display: ask in a child process first.
    probe = subprocess.run(
        [sys.executable, "-c", "from PySide6.QtWidgets import QApplication; QApplication([])"],
        capture_output=True,
        timeout=60,
    )
    return probe.returncode == 0


def run_demo(folder: Path, *, window: bool | None = None) -> int:
    """Start central, make the terminal, print the operators, then the window or the tour."""
    folder = folder.resolve()
    print(f"Starting the e-Rial central with its demo data in {folder / 'central'} ...")
    with EmbeddedCentral(folder / "central") as central:
        print(f"Central serves {central.base_url} (this process, loopback only).")
        desk_dir = prepare(folder, central)
        print(f"The demo terminal's data is in {desk_dir}; receipts print as PDF files there.")
        print_operators()
        if window is None:
            window = has_display()
        if window:
            from erial_desk.ui.app import run

            print("Opening the counter window; close it to end the demo.")
            return run(desk_dir)
        print("No display here, so no window: a guided tour of the screens runs offscreen instead.")
        return _tour(folder, central)


def _tour(folder: Path, central: EmbeddedCentral) -> int:
    """Each screen in both languages, on a terminal of its own (the tour opens a shift)."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from erial_desk.services import Desk
    from erial_desk.ui.tour import take_tour

    pictures = folder / "tour"
    operator, pin = _first_clerk()
    with tempfile.TemporaryDirectory(prefix="erial-desk-tour-") as tmp:
        central.enrolled_desk(Path(tmp) / "desk", OFFICE, keyring=KEYRING).close()
        saved = take_tour(
            lambda: Desk.open(Path(tmp) / "desk"),
            pictures,
            operator=operator,
            pin=pin,
            float_counts=TOUR_FLOAT,
        )
    print(f"The tour saved {len(saved)} pictures of the screens in {pictures}")
    return 0


def _first_clerk() -> tuple[str, str]:
    for operator_id, office, _en, _ar, role, pin in demo_records.OPERATORS:
        if office == OFFICE and role == Role.CLERK:
            return operator_id, pin
    raise LookupError(OFFICE)
