"""Where printed documents go: a thermal printer on USB, the network, a serial port, the Windows
spooler or a device file, or PDF files for offices with no thermal printer.

An ``Output`` prints one document or raises ``PrintError`` with a stable code and the
underlying reason; it never retries by itself (the print queue decides that). Connections are
opened per job and closed after it, so a printer switched off and on again is found again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .escpos_out import PrinterProfile, ProfileError, encode, load_profile
from .model import Document

if TYPE_CHECKING:
    from escpos.escpos import Escpos

CONNECTIONS = ("pdf", "file", "network", "usb", "serial", "windows")
NETWORK_PORT = 9100  # raw printing port of network receipt printers
NETWORK_TIMEOUT_S = 8.0  # long enough for a slow network, short enough for a counter
SERIAL_BAUDRATE = 19200
USB_TIMEOUT_MS = 10_000  # python-escpos waits for ever by default


class PrintError(Exception):
    """A document could not be printed. ``code`` names the kind of failure for the UI."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class Output(Protocol):
    """A place documents are printed to."""

    description: str

    def print_document(self, doc: Document) -> str:
        """Print ``doc``; return where it went (a printer, a file). Raises ``PrintError``."""
        ...


@dataclass
class EscposOutput:
    """A thermal printer spoken to in ESC/POS through one of python-escpos's printer classes."""

    connect: Callable[[], Escpos]  # a new, unopened printer object per job
    profile: PrinterProfile
    description: str
    drawer_pin: int | None = 2

    def print_document(self, doc: Document) -> str:
        try:
            data = encode(doc, self.profile, drawer_pin=self.drawer_pin)
        except Exception as exc:  # a document that cannot be laid out is not a printer fault
            raise PrintError("print.render", f"{type(exc).__name__}: {exc}") from exc
        try:
            printer = self.connect()
        except Exception as exc:
            raise PrintError("print.unavailable", _reason(exc)) from exc
        try:
            printer.open()
            # One write: the whole receipt or nothing reaches the printer's buffer.
            printer._raw(data)
        except Exception as exc:
            raise PrintError("print.unavailable", _reason(exc)) from exc
        finally:
            try:
                printer.close()
            except Exception:  # closing a connection that failed to open may fail too
                pass
        return self.description


@dataclass
class PdfOutput:
    """PDF files in a folder: A5 receipts, A4 reports. For offices with no thermal printer."""

    directory: Path
    description: str = ""

    def __post_init__(self) -> None:
        self.description = self.description or f"pdf:{self.directory}"

    def print_document(self, doc: Document) -> str:
        from .pdf import write_pdf  # ReportLab loads only where PDFs are made

        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        name = f"{doc.kind.value}-{doc.receipt or 'doc'}{'-copy' if doc.copy else ''}-{stamp}.pdf"
        path = self.directory / _safe(name)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_pdf(doc, path)
        except OSError as exc:
            raise PrintError("print.unavailable", _reason(exc)) from exc
        return str(path)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().replace("\n", " ")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _network(target: str) -> Callable[[], Escpos]:
    host, _, port = target.rpartition(":") if target.count(":") == 1 else (target, "", "")
    if not host:
        raise ValueError("network printer: give host or host:port")
    number = int(port) if port else NETWORK_PORT

    def connect() -> Escpos:
        from escpos.printer import Network

        return Network(host, port=number, timeout=NETWORK_TIMEOUT_S, profile=None)

    return connect


def _usb(target: str) -> Callable[[], Escpos]:
    try:
        vendor, product = (int(part, 16) for part in target.split(":"))
    except ValueError as exc:
        raise ValueError("USB printer: give vendor:product in hex, e.g. 04b8:0202") from exc

    def connect() -> Escpos:
        from escpos.printer import Usb

        return Usb(vendor, product, timeout=USB_TIMEOUT_MS, profile=None)

    return connect


def _serial(target: str) -> Callable[[], Escpos]:
    port, _, baud = target.partition("@")
    if not port:
        raise ValueError("serial printer: give the port, e.g. /dev/ttyUSB0 or COM3@19200")
    rate = int(baud) if baud else SERIAL_BAUDRATE

    def connect() -> Escpos:
        from escpos.printer import Serial

        return Serial(devfile=port, baudrate=rate, profile=None)

    return connect


def _windows(target: str) -> Callable[[], Escpos]:
    def connect() -> Escpos:
        from escpos.printer import Win32Raw

        return Win32Raw(target, profile=None)

    return connect


def _file(target: str) -> Callable[[], Escpos]:
    if not target:
        raise ValueError("file printer: give a device or file path, e.g. /dev/usb/lp0")

    def connect() -> Escpos:
        from escpos.printer import File

        return File(devfile=target, profile=None)

    return connect


_FACTORIES: dict[str, Callable[[str], Callable[[], Escpos]]] = {
    "network": _network,
    "usb": _usb,
    "serial": _serial,
    "windows": _windows,
    "file": _file,
}


def make_output(
    connection: str,
    target: str,
    profile: str,
    *,
    default_pdf_dir: Path,
    drawer_pin: int | None = 2,
) -> Output:
    """The output the printer settings describe. Raises ``PrintError("print.config", ...)``
    when they are wrong, naming what is wrong."""
    kind = connection.strip().lower()
    try:
        if kind == "pdf":
            return PdfOutput(Path(target) if target.strip() else default_pdf_dir)
        if kind not in _FACTORIES:
            raise ValueError(f"printer connection is one of {', '.join(CONNECTIONS)}")
        printer_profile = load_profile(profile)
        connect = _FACTORIES[kind](target.strip())
    except (ValueError, ProfileError) as exc:
        raise PrintError("print.config", str(exc)) from exc
    description = f"{kind}:{target} ({printer_profile.name}, {printer_profile.width_px} px)"
    return EscposOutput(connect, printer_profile, description, drawer_pin)
