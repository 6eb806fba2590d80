"""Draw the icon's PNG (Linux) and ICO (Windows) from ``linux/erial-desk.svg``.

Run after changing the SVG: ``.venv/bin/python installer/make_icons.py``. The results are kept
in the repository, so building a bundle needs neither Qt's SVG module nor Pillow's ICO writer.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

HERE = Path(__file__).parent
SVG = HERE / "linux" / "erial-desk.svg"
PNG = HERE / "linux" / "erial-desk.png"
ICO = HERE / "windows" / "erial-desk.ico"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication([])
    PNG.write_bytes(render(256))
    largest = Image.open(io.BytesIO(render(256)))
    largest.save(ICO, format="ICO", sizes=[(s, s) for s in ICO_SIZES])


if __name__ == "__main__":
    main()
