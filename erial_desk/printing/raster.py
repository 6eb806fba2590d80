"""Thermal receipts as a 1-bit raster, painted with QtGui (QPainter on a QImage, no widgets).

ESC/POS printers cannot print Arabic as text, so the whole receipt is an image as wide as the
printer's head. ``layout`` places every line; this module paints them (Arabic right-aligned with
``Qt.AlignAbsolute``, which right-to-left layout would otherwise mirror) and thresholds the result
to black and white.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PIL import Image
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from . import fonts
from .layout import BASE_DPI, Page, QrBox, Text, TextBox, layout
from .model import Document
from .qr import qr_matrix

__all__ = ["BASE_DPI", "NativeQr", "Raster", "TextBox", "render", "render_segments"]

_render_lock = threading.Lock()  # QFont objects are shared: one painter at a time


@dataclass(frozen=True)
class NativeQr:
    """A QR code the printer draws itself (``GS ( k``), between two pieces of raster."""

    data: str
    module: int


@dataclass
class Raster:
    image: Image.Image  # mode "1", black text on white, width of the printer head
    boxes: list[TextBox]
    qrs: list[QrBox]
    amount_x: int  # right edge of the amount column
    x0: int  # left and right edges of the printable text area
    x1: int


def _paint(page: Page, top: int, bottom: int, skip_qr: bool) -> Image.Image:
    """Paint the band [top, bottom) of a laid-out page; return it as a 1-bit image."""
    height = max(1, bottom - top)
    image = QImage(page.width, height, QImage.Format.Format_Grayscale8)
    image.fill(255)
    painter = QPainter(image)
    try:
        painter.translate(0, -top)
        black, white = QColor(0, 0, 0), QColor(255, 255, 255)
        for op in page.ops:
            if isinstance(op, QrBox):
                if not skip_qr:
                    # One module per pixel, scaled up without smoothing: sharp module edges.
                    target = QRect(op.x, op.y, op.size, op.size)
                    painter.drawImage(target, _qr_image(op.data))
            elif isinstance(op, tuple):
                x, y, w, h, is_white = op
                painter.fillRect(x, y, w, h, white if is_white else black)
            else:
                _draw_text(painter, op, white if op.white else black)
    finally:
        painter.end()
    return _to_bilevel(image)


def _qr_image(data: str) -> QImage:
    matrix = qr_matrix(data)
    size = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    # copy(): the QImage must own its pixels, not borrow the bytes object's buffer.
    return QImage(pixels, size, size, size, QImage.Format.Format_Grayscale8).copy()


def _draw_text(painter: QPainter, op: Text, color: QColor) -> None:
    box = op.box
    painter.setFont(fonts.qfont(op.px, op.bold))
    painter.setPen(color)
    painter.setLayoutDirection(
        Qt.LayoutDirection.RightToLeft if box.rtl else Qt.LayoutDirection.LeftToRight
    )
    metrics = fonts.metrics(op.px, op.bold)
    top = box.baseline - metrics.ascent()
    height = metrics.ascent() + metrics.descent()
    # The rectangle is wider than the text: the alignment, not the rectangle, places it.
    if box.align == "right":
        rect = QRectF(box.right - box.width - 16, top, box.width + 16, height)
        flags = Qt.AlignmentFlag.AlignRight
    else:
        rect = QRectF(box.x, top, box.width + 16, height)
        flags = Qt.AlignmentFlag.AlignLeft
    flags |= Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignTop
    painter.drawText(rect, int(flags), box.text)


def _to_bilevel(image: QImage) -> Image.Image:
    width, height = image.width(), image.height()
    data = bytes(image.constBits())
    grey = Image.frombuffer("L", (width, height), data, "raw", "L", image.bytesPerLine(), 1)
    # A plain threshold: dithering would fray the edges of small Arabic letters.
    return grey.convert("1", dither=Image.Dither.NONE)


def render(doc: Document, width: int, dpi: int = BASE_DPI) -> Raster:
    """The whole document as one image, QR codes included (previews, PNGs, tests)."""
    with _render_lock:
        page = layout(doc, width, dpi)
        image = _paint(page, 0, page.y, skip_qr=False)
    return Raster(image, page.boxes, page.qrs, page.amount_x, page.x0, page.x1)


def render_segments(
    doc: Document, width: int, dpi: int = BASE_DPI, *, native_qr: bool = False
) -> list[Image.Image | NativeQr]:
    """The document as the printer receives it: raster pieces, and where the printer draws QR
    codes itself, the codes between them."""
    with _render_lock:
        page = layout(doc, width, dpi)
        if not native_qr or not page.qrs:
            return [_paint(page, 0, page.y, skip_qr=False)]
        segments: list[Image.Image | NativeQr] = []
        top = 0
        for box in page.qrs:
            # The quiet zones stay in the raster above and below the printer's own code.
            segments.append(_paint(page, top, box.y, skip_qr=True))
            segments.append(NativeQr(box.data, box.module))
            top = box.y + box.size
        if page.y > top:
            segments.append(_paint(page, top, page.y, skip_qr=True))
        return segments
