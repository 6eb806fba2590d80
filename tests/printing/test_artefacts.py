"""Sample printouts of every document type, kept for people to look at.

Writes ``test-artefacts/printing/`` at the repository root (git-ignored):
``thermal/NAME-LANG-WIDTH.png`` (the 1-bit raster a printer receives, 58 and 80 mm, and the
180-dpi Epson width), ``thermal/NAME-LANG-80mm-copy.png``, ``pdf/NAME-LANG.pdf`` and, where
poppler's ``pdftoppm`` is installed, ``pdf/NAME-LANG-PAGE.png``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from erial_desk.printing import raster
from erial_desk.printing.escpos_out import load_profile
from erial_desk.printing.model import DocumentKind
from erial_desk.printing.pdf import write_pdf

from . import samples

OUT = Path(__file__).resolve().parents[2] / "test-artefacts" / "printing"
PROFILES = {"58mm": "58mm", "80mm": "80mm", "epson512": "epson"}


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_write_sample_printouts(lang):
    thermal, pdf = OUT / "thermal", OUT / "pdf"
    thermal.mkdir(parents=True, exist_ok=True)
    pdf.mkdir(parents=True, exist_ok=True)
    docs = samples.all_documents(lang)
    copies = samples.all_documents(lang, copy=True)
    written: set[DocumentKind] = set()
    for name, doc in docs.items():
        for label, profile_name in PROFILES.items():
            profile = load_profile(profile_name)
            image = raster.render(doc, profile.width_px, profile.dpi).image
            assert image.width == profile.width_px
            image.save(thermal / f"{name}-{lang}-{label}.png")
        raster.render(copies[name], 576).image.save(thermal / f"{name}-{lang}-80mm-copy.png")
        path = pdf / f"{name}-{lang}.pdf"
        write_pdf(doc, path)
        assert path.read_bytes().startswith(b"%PDF")
        write_pdf(copies[name], pdf / f"{name}-{lang}-copy.pdf")
        if shutil.which("pdftoppm"):
            subprocess.run(
                ["pdftoppm", "-r", "80", "-png", str(path), str(pdf / f"{name}-{lang}")],
                check=True,
                timeout=60,
            )
        written.add(doc.kind)
    assert written == set(DocumentKind)
