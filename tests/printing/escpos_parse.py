"""Reads back the ESC/POS commands the encoder writes, raster data skipped by its length, so
that a cut or a drawer kick is never "found" inside the pixels of an image."""

from __future__ import annotations

from dataclasses import dataclass

ESC, GS = 0x1B, 0x1D


@dataclass(frozen=True)
class Command:
    name: str  # init, drawer, raster, align, qr, feed, cut, lf
    args: tuple[int, ...] = ()
    data: bytes = b""


def parse(stream: bytes) -> list[Command]:
    out: list[Command] = []
    i = 0
    while i < len(stream):
        b = stream[i]
        if b == 0x0A:
            out.append(Command("lf"))
            i += 1
        elif b == ESC and stream[i + 1 : i + 2] == b"@":
            out.append(Command("init"))
            i += 2
        elif b == ESC and stream[i + 1 : i + 2] == b"p":
            out.append(Command("drawer", tuple(stream[i + 2 : i + 5])))
            i += 5
        elif b == ESC and stream[i + 1 : i + 2] == b"a":
            out.append(Command("align", (stream[i + 2],)))
            i += 3
        elif b == ESC and stream[i + 1 : i + 2] == b"d":
            out.append(Command("feed", (stream[i + 2],)))
            i += 3
        elif b == GS and stream[i + 1 : i + 3] == b"v0":
            mode = stream[i + 3]
            width_bytes = stream[i + 4] | stream[i + 5] << 8
            height = stream[i + 6] | stream[i + 7] << 8
            start = i + 8
            end = start + width_bytes * height
            out.append(Command("raster", (mode, width_bytes, height), stream[start:end]))
            i = end
        elif b == GS and stream[i + 1 : i + 3] == b"(k":
            length = stream[i + 3] | stream[i + 4] << 8
            body = stream[i + 5 : i + 5 + length]
            out.append(Command("qr", (body[0], body[1]), body[2:]))
            i += 5 + length
        elif b == GS and stream[i + 1 : i + 2] == b"V":
            mode = stream[i + 2]
            extra = 1 if mode in (65, 66) else 0
            out.append(Command("cut", tuple(stream[i + 2 : i + 3 + extra])))
            i += 3 + extra
        else:
            raise ValueError(f"unexpected byte {b:#04x} at {i}")
    return out


def names(commands: list[Command]) -> list[str]:
    """Command names with runs of the same command collapsed (raster fragments, lf)."""
    result: list[str] = []
    for command in commands:
        if not result or result[-1] != command.name:
            result.append(command.name)
    return result


def qr_text(commands: list[Command]) -> str | None:
    """The text stored in the printer's QR symbol (function 80), if any."""
    for command in commands:
        if command.name == "qr" and command.args[1] == 80:
            return command.data[1:].decode("utf-8")  # after the "m" byte
    return None
