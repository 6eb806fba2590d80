"""QR codes as a matrix of modules, drawn by each renderer itself (raster, PDF)."""

from __future__ import annotations

from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules of white around a code, as the QR standard asks
MASK = 0


@lru_cache(maxsize=256)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """Dark (True) and light modules of the smallest code holding ``data``, without the quiet
    zone. Level M survives a crease or a smudge on thermal paper."""
    # A fixed mask: any of the eight is valid and every reader tries them all; searching for
    # the "best" one costs more than the rest of a receipt together.
    code = qrcode.QRCode(
        version=None, error_correction=ERROR_CORRECT_M, box_size=1, border=0, mask_pattern=MASK
    )
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())
