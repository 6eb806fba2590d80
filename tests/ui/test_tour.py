"""The guided tour saves every screen in both languages without a display."""

from __future__ import annotations

from PySide6.QtGui import QImage

from erial_desk.services import Desk
from erial_desk.ui.tour import STEPS, take_tour
from tests.conftest import DEMO_PINS, make_desk


def test_the_tour_saves_each_screen_in_each_language(qapp, tmp_path):
    make_desk(tmp_path / "desk").close()
    saved = take_tour(
        lambda: Desk.open(tmp_path / "desk"),
        tmp_path / "tour",
        operator="salim",
        pin=DEMO_PINS["salim"],
        float_counts={10000: 2},
    )
    assert len(saved) == 2 * len(STEPS)
    for path in saved:
        image = QImage(str(path))
        assert (image.width(), image.height()) == (1024, 768), path
    assert saved[0].name == "ar-01-login.png" and saved[-1].name.startswith("en-")
