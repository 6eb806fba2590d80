"""ESC/POS output: a document as the exact bytes a thermal printer receives.

The receipt travels as raster images (``GS v 0``), as wide as the printer profile says its head
is. QR codes are drawn by the printer itself (``GS ( k``) where the profile says it can, and are
part of the raster otherwise. The paper is cut where the printer has a cutter and only fed
where it has none; the cash drawer opens for transactions where cash changed hands.

The bytes are made in full on python-escpos's ``Dummy`` printer first and sent in one write, so
that a job either reaches the printer whole or fails before anything was sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from escpos.capabilities import CAPABILITIES
from escpos.constants import QR_ECLEVEL_M, TXT_STYLE
from escpos.printer import Dummy

from .model import Document

BASE_DPI = 203

# Friendly names for the usual paper widths; any python-escpos profile name works too.
PROFILE_ALIASES = {
    "80mm": "TM-T20II",  # 576 dots at 203 dpi, cutter
    "58mm": "POS-5890",  # 384 dots at 203 dpi, no cutter
    "epson": "TM-T88V",  # 512 dots at 180 dpi, cutter
}
DEFAULT_PROFILE = "80mm"
FEED_LINES = 6  # paper fed past the tear bar when there is no cutter
FRAGMENT_HEIGHT = 960  # rows per raster command: python-escpos's default, safe for small buffers


class ProfileError(ValueError):
    """The printer profile is unknown or lacks what a raster receipt needs."""


@dataclass(frozen=True)
class PrinterProfile:
    name: str  # the python-escpos profile
    width_px: int  # printable dots across: the width of every raster
    dpi: int
    cutter: bool
    native_qr: bool  # the printer draws QR codes itself

    @property
    def width_mm(self) -> float:
        return round(self.width_px * 25.4 / self.dpi, 1)


def load_profile(name: str = DEFAULT_PROFILE) -> PrinterProfile:
    """A printer profile by python-escpos name or by alias (80mm, 58mm, epson)."""
    key = PROFILE_ALIASES.get(name.strip().lower(), name.strip())
    data = CAPABILITIES["profiles"].get(key)
    if data is None:
        raise ProfileError(f"unknown printer profile {name!r}")
    features = data.get("features", {})
    try:
        width = int(data["media"]["width"]["pixels"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ProfileError(f"profile {key} does not say how many dots wide it prints") from exc
    if not features.get("bitImageRaster"):
        raise ProfileError(f"profile {key} cannot print raster images")
    try:
        dpi = int(data["media"]["dpi"])
    except (KeyError, TypeError, ValueError):
        dpi = BASE_DPI
    return PrinterProfile(
        name=key,
        width_px=width,
        dpi=dpi,
        cutter=bool(features.get("paperFullCut") or features.get("paperPartCut")),
        native_qr=bool(features.get("qrCode")),
    )


def encode(doc: Document, profile: PrinterProfile, *, drawer_pin: int | None = 2) -> bytes:
    """The ESC/POS bytes of ``doc`` for a printer of ``profile``."""
    from . import raster  # Qt loads only where receipts are drawn

    printer = Dummy(profile=profile.name)
    printer.hw("INIT")
    if doc.cash_drawer and drawer_pin in (2, 5):
        # First, so the drawer is open while the receipt prints.
        printer.cashdraw(drawer_pin)
    segments = raster.render_segments(
        doc, profile.width_px, profile.dpi, native_qr=profile.native_qr
    )
    for segment in segments:
        if isinstance(segment, raster.NativeQr):
            printer._raw(TXT_STYLE["align"]["center"])
            printer.qr(segment.data, ec=QR_ECLEVEL_M, size=min(16, segment.module), native=True)
            printer._raw(TXT_STYLE["align"]["left"])
        else:
            # Exactly the head's width: python-escpos refuses wider images (ImageWidthError).
            # Cut into the bands it would send anyway: it would convert the whole image first.
            for top in range(0, segment.height, FRAGMENT_HEIGHT):
                band = segment.crop(
                    (0, top, segment.width, min(segment.height, top + FRAGMENT_HEIGHT))
                )
                printer.image(band, impl="bitImageRaster", fragment_height=FRAGMENT_HEIGHT)
    if profile.cutter:
        printer.cut()
    else:
        printer.print_and_feed(FEED_LINES)
    return printer.output
