"""The thermal raster, checked against its pixels: nothing clipped at either edge, amounts in one
column, Arabic lines flush with the right edge (or the value column), 1-bit, head-wide."""

from __future__ import annotations

import dataclasses

import pytest
from PIL import Image, ImageOps

from erial_desk.printing import raster
from erial_desk.printing.model import Bi, Document, DocumentKind, Field, Note

from . import samples

WIDTHS = [(576, 203), (384, 203), (512, 180)]


def ink(image: Image.Image) -> Image.Image:
    """Black pixels as non-zero, so that ``getbbox`` finds the ink."""
    return ImageOps.invert(image.convert("L"))


def ink_box(image: Image.Image, left: float, top: int, right: float, bottom: int):
    box = (max(0, int(left)), top, min(image.width, int(right) + 1), bottom)
    found = image.crop(box).getbbox()
    if found is None:
        return None
    return found[0] + box[0], found[1] + top, found[2] + box[0], found[3] + top


def cases():
    for lang in ("ar", "en"):
        for name, doc in samples.all_documents(lang).items():
            for width, dpi in WIDTHS:
                yield pytest.param(doc, width, dpi, id=f"{name}-{lang}-{width}")


@pytest.mark.parametrize(("doc", "width", "dpi"), list(cases()))
def test_layout_against_the_pixels(doc, width, dpi):
    result = raster.render(doc, width, dpi)
    image = result.image
    assert image.mode == "1" and image.width == width
    assert image.height == max(b.y + b.height for b in result.boxes) + round(16 * dpi / 203)
    inked = ink(image)

    # Nothing clipped: every line inside the text area, and the outermost columns blank.
    for box in result.boxes:
        assert box.x >= result.x0 - 0.01 and box.right <= result.x1 + 0.01, box
    edge = result.x0 // 2
    assert inked.crop((0, 0, edge, image.height)).getbbox() is None
    assert inked.crop((width - edge, 0, width, image.height)).getbbox() is None

    # Amounts: one column, right edges on one x, in the layout and in the pixels.
    amounts = [b for b in result.boxes if b.role == "amount"]
    rights = []
    for box in amounts:
        assert box.right == pytest.approx(result.amount_x)
        found = ink_box(inked, box.x, box.y, box.right + 4, box.y + box.height)
        assert found is not None, box
        rights.append(found[2])
    if rights:
        assert max(rights) - min(rights) <= 2, rights
        assert result.amount_x - 4 <= min(rights) and max(rights) <= result.amount_x + 2

    # Arabic lines end at the right edge, or at the value column for values beside a label;
    # the small detail cells of a listing run from the right edge leftwards.
    for box in result.boxes:
        if not box.rtl or box.role == "banner":
            continue
        assert box.align == "right", box
        if box.role != "meta":
            assert box.right == pytest.approx(result.x1) or box.right == pytest.approx(
                result.amount_x
            )
        found = ink_box(inked, box.x - 2, box.y, box.right + 4, box.y + box.height)
        assert found is not None, box
        assert box.right - 5 <= found[2] <= box.right + 2, (box, found)

    # English labels start at the left edge.
    for box in result.boxes:
        if box.role in ("label_en", "title_en", "heading_en"):
            assert box.x == pytest.approx(result.x0)


def test_arabic_is_drawn_joined_and_right_to_left():
    # The same word drawn by the renderer is narrower joined than its letters laid side by
    # side: proof the shaper ran (isolated forms would be as wide as the sum).
    from erial_desk.printing import fonts

    word = "بلدية"
    joined = fonts.advance(word, 22)
    apart = sum(fonts.advance(letter, 22) for letter in word)
    assert joined < apart * 0.9
    doc = samples.all_documents("ar")["top_up"]
    result = raster.render(doc, 576)
    title = next(b for b in result.boxes if b.role == "title_ar")
    assert title.text == "بلدية مسقط" and title.rtl and title.align == "right"


def test_long_texts_wrap_instead_of_being_clipped():
    long_name = "عبد الرحمن بن محمد بن سالم بن حمد بن سيف الحارثي البوسعيدي الهنائي"
    doc = Document(
        kind=DocumentKind.WELCOME,
        title=Bi("عنوان طويل جدا لا يتسع في سطر واحد على الورق الضيق", "A very long title " * 3),
        language="ar",
        header=(),
        body=(
            Field(Bi("المشترك", "Subscriber"), Bi(long_name, long_name)),
            Field(Bi("البريد الإلكتروني", "E-mail"), Bi.same("x" * 90 + "@example.om")),
            Field(
                Bi("تسمية عربية طويلة جدا للمبلغ الإجمالي", "A long English total label"),
                amount=123_456_789,
            ),  # fmt: skip
            Note(Bi(long_name * 2, "word " * 60)),
        ),
    )
    for width in (384, 576):
        result = raster.render(doc, width)
        inked = ink(result.image)
        assert inked.crop((0, 0, 3, result.image.height)).getbbox() is None
        assert inked.crop((width - 3, 0, width, result.image.height)).getbbox() is None
        for box in result.boxes:
            assert result.x0 - 0.01 <= box.x and box.right <= result.x1 + 0.01
        # The name is in there whole, over several lines.
        words = " ".join(b.text for b in result.boxes if b.role == "value")
        assert long_name in words


def test_copy_is_marked_and_negative_amounts_keep_their_sign():
    doc = samples.all_documents("ar", copy=True)["top_up"]
    result = raster.render(doc, 384)
    banner = [b.text for b in result.boxes if b.role == "banner"]
    assert banner == ["نسخة", "COPY"]
    z = samples.all_documents("ar")["z_report"]
    variance = [b for b in raster.render(z, 576).boxes if "1.000" in b.text and b.role == "amount"]
    # The number is isolated left to right: the minus stays before the digits.
    assert any("\u2066-1.000\u2069" in b.text for b in variance)


def test_segments_put_the_printer_qr_between_rasters():
    doc = samples.all_documents("en")["bill_wallet"]
    segments = raster.render_segments(doc, 576, native_qr=True)
    kinds = [type(s).__name__ for s in segments]
    assert kinds == ["Image", "NativeQr", "Image"]
    whole = raster.render(doc, 576)
    qr = whole.qrs[0]
    assert sum(s.height for s in segments if isinstance(s, Image.Image)) == (
        whole.image.height - qr.size
    )
    assert dataclasses.asdict(segments[1])["data"] == doc.qr.data
