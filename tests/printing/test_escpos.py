"""Golden bytes on python-escpos's Dummy printer: raster width and height from the profile, QR,
cut and drawer commands exactly where they belong."""

from __future__ import annotations

import dataclasses

import pytest
from escpos.exceptions import ImageWidthError
from escpos.printer import Dummy

from erial_desk.domain.entries import receipt_qr
from erial_desk.printing import raster
from erial_desk.printing.escpos_out import ProfileError, encode, load_profile

from . import samples
from .escpos_parse import names, parse, qr_text


@pytest.fixture(scope="module")
def docs():
    return samples.all_documents("ar")


def raster_heights(commands) -> list[int]:
    return [c.args[2] for c in commands if c.name == "raster"]


def test_profiles_give_the_head_width():
    assert (load_profile("80mm").width_px, load_profile("80mm").dpi) == (576, 203)
    assert (load_profile("58mm").width_px, load_profile("58mm").dpi) == (384, 203)
    assert (load_profile("epson").width_px, load_profile("epson").dpi) == (512, 180)
    assert load_profile("TM-T88V") == load_profile("epson")
    assert load_profile("80mm").cutter and not load_profile("58mm").cutter
    with pytest.raises(ProfileError):
        load_profile("no-such-printer")
    with pytest.raises(ProfileError):
        load_profile("default")  # its width is "Unknown": no raster can be sized for it


def test_cash_top_up_on_80mm_golden_bytes(docs):
    doc = docs["top_up"]
    profile = load_profile("80mm")
    data = encode(doc, profile, drawer_pin=2)
    # Reset, then the drawer kick on pin 2 (50 x 2 ms on and off), then the first raster header
    # 576 dots = 72 bytes wide, and at the end a feed and a full cut.
    assert data.startswith(b"\x1b@" + b"\x1bp\x00\x32\x32" + b"\x1dv0\x00\x48\x00")
    assert data.endswith(b"\x1bd\x06\x1dV\x00")
    commands = parse(data)
    assert names(commands) == [
        "init",
        "drawer",
        "raster",
        "align",
        "qr",
        "align",
        "raster",
        "feed",
        "cut",
    ]
    assert {c.args[1] for c in commands if c.name == "raster"} == {576 // 8}
    # The printer draws the QR itself: its text is central's verification link of this receipt.
    assert qr_text(commands) == receipt_qr(samples.VERIFY, doc.receipt, samples.HASH, samples.AT)
    # Raster heights add up to the laid-out receipt without the printer's QR.
    segments = raster.render_segments(doc, 576, native_qr=True)
    images = [s for s in segments if not isinstance(s, raster.NativeQr)]
    assert sum(raster_heights(commands)) == sum(image.height for image in images)
    for command in commands:
        if command.name == "raster":
            mode, width_bytes, height = command.args
            assert len(command.data) == width_bytes * height


def test_58mm_has_no_cutter_and_no_printer_qr(docs):
    doc = docs["bill_wallet"]  # paid from a wallet: no cash, no drawer
    profile = load_profile("58mm")
    commands = parse(encode(doc, profile))
    assert names(commands) == ["init", "raster", "feed"]
    assert "cut" not in names(commands) and "drawer" not in names(commands)
    assert commands[-1].args == (6,)
    # The QR is drawn into the raster instead: one image, as tall as the whole receipt.
    whole = raster.render(doc, 384)
    assert sum(raster_heights(commands)) == whole.image.height
    assert {c.args[1] for c in commands if c.name == "raster"} == {384 // 8}
    assert len(whole.qrs) == 1


def test_epson_512_dots_at_180_dpi(docs):
    commands = parse(encode(docs["z_report"], load_profile("epson")))
    assert {c.args[1] for c in commands if c.name == "raster"} == {512 // 8}
    assert names(commands)[-2:] == ["feed", "cut"]
    assert "drawer" not in names(commands)  # a report moves no cash


@pytest.mark.parametrize(
    ("name", "drawer"),
    [
        ("top_up", True),
        ("bill_cash", True),
        ("void", True),  # a voided cash top-up: cash goes back out of the drawer
        ("bill_wallet", False),
        ("welcome", False),
        ("statement", False),
        ("z_report", False),
        ("test_page", False),
    ],
)
def test_drawer_opens_only_for_cash(docs, name, drawer):
    assert ("drawer" in names(parse(encode(docs[name], load_profile("80mm"))))) is drawer


def test_a_copy_never_opens_the_drawer(docs):
    copy = dataclasses.replace(docs["top_up"], copy=True, cash_drawer=False)
    assert "drawer" not in names(parse(encode(copy, load_profile("80mm"))))
    copies = samples.all_documents("ar", copy=True)
    assert not copies["top_up"].cash_drawer


def test_drawer_pin_5_and_none(docs):
    doc = docs["top_up"]
    pin5 = [c for c in parse(encode(doc, load_profile("80mm"), drawer_pin=5)) if c.name == "drawer"]
    assert pin5[0].args == (1, 50, 50)
    assert "drawer" not in names(parse(encode(doc, load_profile("80mm"), drawer_pin=None)))


def test_documents_without_qr_send_no_qr_command(docs):
    assert docs["x_report"].qr is None
    commands = parse(encode(docs["x_report"], load_profile("80mm")))
    assert "qr" not in names(commands)


def test_welcome_slip_prints_both_codes(docs):
    commands = parse(encode(docs["welcome"], load_profile("80mm")))
    stored = [c.data[1:].decode() for c in commands if c.name == "qr" and c.args[1] == 80]
    assert stored[0] == samples.ACCOUNT  # the account number alone, for a scanner
    assert stored[1].startswith(samples.VERIFY + "/r/")


def test_a_raster_wider_than_the_head_is_refused(docs):
    # Why every raster is rendered at the profile's width: python-escpos refuses wider ones.
    printer = Dummy(profile="POS-5890")
    with pytest.raises(ImageWidthError):
        printer.image(raster.render(docs["top_up"], 576).image)


def test_the_bytes_decode_back_to_the_rendered_receipt(docs):
    # What the printer receives, read back pixel by pixel, is the image the tests look at.
    from PIL import Image, ImageChops, ImageOps

    doc = docs["bill_cash"]
    commands = parse(encode(doc, load_profile("58mm")))
    bands = [c for c in commands if c.name == "raster"]
    width = bands[0].args[1] * 8
    decoded = Image.new("L", (width, sum(c.args[2] for c in bands)), 255)
    top = 0
    for band in bands:
        # ESC/POS raster bits are 1 for a burnt (black) dot: the opposite of PIL's mode "1".
        rows = Image.frombytes("1", (width, band.args[2]), band.data)
        decoded.paste(ImageOps.invert(rows.convert("L")), (0, top))
        top += band.args[2]
    expected = raster.render(doc, 384).image.convert("L")
    assert decoded.size == expected.size
    assert ImageChops.difference(decoded, expected).getbbox() is None
