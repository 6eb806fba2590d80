"""``erial-desk selftest``: what an office's IT person checks on a terminal, one line per check.

Each line says what was checked and, when it failed, what to do, in the operator's language.
The exit code tells scripts whether every check passed. Nothing is written to the journal and
nothing is printed on paper: the printer is only connected to.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from erial_desk.config import DATABASE_FILE, Settings
from erial_desk.domain.errors import DeskError
from erial_desk.domain.words import N_, Nn_, plural, text

if TYPE_CHECKING:
    import requests

    from erial_desk.services import Desk

EXIT_PASSED = 0
EXIT_FAILED = 1

# A clock further off than this from central's stamps entries at the wrong time, and Muscat's
# day may end at the wrong hour on reports.
MAX_CLOCK_SKEW = timedelta(minutes=2)
MIN_FREE_DISK_MB = 500  # a journal and its PDFs for years, a database copy at each upgrade
MB = 1024 * 1024
HEALTH_TIMEOUT_S = 10.0


class State(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_CHECKED = "not checked"


STATE_WORDS = {
    State.PASSED: N_("PASSED"),
    State.FAILED: N_("FAILED"),
    State.NOT_CHECKED: N_("NOT CHECKED"),
}


@dataclass(frozen=True)
class Check:
    """One check's outcome: ``sentence`` is a catalogue sentence (or an error's own message,
    already in the operator's language, in ``said``)."""

    name: str
    state: State
    sentence: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    said: DeskError | None = None
    count: tuple[tuple[str, str], int] | None = None  # a sentence about a number

    def line(self, lang: str) -> str:
        if self.said is not None:
            body = self.said.message(lang)
        elif self.count is not None:
            (singular, plural_form), number = self.count
            body = plural(lang, singular, plural_form, number, **self.params)
        else:
            body = text(lang, self.sentence, **self.params)
        return f"[{text(lang, STATE_WORDS[self.state])}] {text(lang, self.name)}: {body}"


def passed(name: str, sentence: str, **params: Any) -> Check:
    return Check(name, State.PASSED, sentence, params)


def failed(name: str, sentence: str, **params: Any) -> Check:
    return Check(name, State.FAILED, sentence, params)


def refused(name: str, error: DeskError) -> Check:
    return Check(name, State.FAILED, said=error)


def not_checked(name: str, why: str) -> Check:
    return Check(name, State.NOT_CHECKED, why)


# Names of the checks, as the lines show them.
INSTALLATION = N_("Installation")
DATA_DIRECTORY = N_("Data directory")
JOURNAL = N_("Journal")
KEY_STORE = N_("Key store")
PRINTER = N_("Printer")
CENTRAL = N_("Central server")
CERTIFICATE = N_("Central's certificate")
CLOCK = N_("Clock")
DISK = N_("Free disk space")

DESK_NOT_OPEN = N_("the data directory did not open (see above).")
CENTRAL_NOT_REACHED = N_("the central server was not reached (see above).")


def run(data_dir: Path, lang: str | None, out: TextIO) -> int:
    """Every check, each line written as soon as it is known; the exit code for scripts."""
    if lang is None:
        try:
            lang = Settings.load(data_dir).language
        except DeskError:
            lang = "en"
    results = []
    for check in checks(data_dir):
        results.append(check)
        print(check.line(lang), file=out, flush=True)
    return EXIT_FAILED if any(c.state is State.FAILED for c in results) else EXIT_PASSED


def checks(data_dir: Path) -> Iterator[Check]:
    yield check_installation()
    yield check_disk(data_dir)
    directory = check_data_directory(data_dir)
    if directory.state is not State.PASSED:
        yield directory
        for name in (JOURNAL, KEY_STORE, PRINTER, CENTRAL, CERTIFICATE, CLOCK):
            yield not_checked(name, DESK_NOT_OPEN)
        return
    from erial_desk.services import Desk

    try:
        desk = Desk.open(data_dir, read_only=True)
    except DeskError as exc:
        yield refused(DATA_DIRECTORY, exc)
        for name in (JOURNAL, KEY_STORE, PRINTER, CENTRAL, CERTIFICATE, CLOCK):
            yield not_checked(name, DESK_NOT_OPEN)
        return
    with desk:
        yield directory
        yield check_journal(desk)
        yield check_key_store(desk)
        yield check_printer(desk)
        yield from check_central(desk)


# --- this machine ------------------------------------------------------------------------------


def check_installation() -> Check:
    """The words catalogue, the receipt font and Qt's drawing (with the offscreen platform when
    there is no screen): what a bundle that lost a file would miss."""
    from erial_desk.domain.words import catalogue
    from erial_desk.printing.fontfile import font_path

    try:
        catalogue("ar")
    except FileNotFoundError:
        return failed(
            INSTALLATION,
            N_(
                "The Arabic words catalogue is missing. Install e-Rial Desk again (source code:"
                " run 'make translations')."
            ),
        )
    font = font_path()
    if not font.is_file():
        return failed(
            INSTALLATION,
            N_("The receipt font is missing ({path}). Install e-Rial Desk again."),
            path=str(font),
        )
    try:
        from erial_desk.printing.fonts import ensure_gui

        ensure_gui()
    except (ImportError, RuntimeError):
        return failed(
            INSTALLATION,
            N_(
                "Qt cannot draw receipts on this computer. Install e-Rial Desk again; on Linux,"
                " install the system's X11 or Wayland libraries."
            ),
        )
    return passed(
        INSTALLATION,
        N_("Version {version}: words in both languages, the receipt font and Qt's drawing work."),
        version=_version(),
    )


def _version() -> str:
    from erial_desk import __version__

    return __version__


def check_disk(data_dir: Path) -> Check:
    place = data_dir if data_dir.exists() else _existing_parent(data_dir)
    free_mb = shutil.disk_usage(place).free // MB
    if free_mb < MIN_FREE_DISK_MB:
        return failed(
            DISK,
            N_(
                "Only {free} MB free where the data directory is; at least {minimum} MB are"
                " needed. Free some space on this disk (never in the data directory)."
            ),
            free=free_mb,
            minimum=MIN_FREE_DISK_MB,
        )
    return passed(DISK, N_("{free} MB free where the data directory is."), free=free_mb)


def _existing_parent(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_data_directory(data_dir: Path) -> Check:
    if not (data_dir / DATABASE_FILE).is_file():
        return failed(
            DATA_DIRECTORY,
            N_(
                "{path} holds no terminal. Give the right folder with --data-dir, or set up this"
                " terminal with 'erial-desk init' and 'erial-desk enroll'."
            ),
            path=str(data_dir),
        )
    try:
        with tempfile.TemporaryFile(dir=data_dir):
            pass
    except OSError:
        return failed(
            DATA_DIRECTORY,
            N_(
                "The desk cannot write in {path}. Give the Windows or Linux account that runs the"
                " desk the right to change files in this folder."
            ),
            path=str(data_dir),
        )
    return passed(DATA_DIRECTORY, N_("{path} holds this terminal's data."), path=str(data_dir))


# --- the terminal ------------------------------------------------------------------------------


def check_journal(desk: Desk) -> Check:
    report = desk.check_journal()
    if not report.intact:
        return failed(
            JOURNAL,
            N_(
                "The journal fails verification. Take no money on this terminal and call the"
                " municipality's e-Rial support; 'erial-desk verify-journal' lists what is wrong."
            ),
        )
    return Check(
        JOURNAL,
        State.PASSED,
        count=(
            Nn_(
                "{count} entry; every hash and signature verified, its end matches every record"
                " of it.",
                "{count} entries; every hash and signature verified, their end matches every"
                " record of it.",
            ),
            report.checked,
        ),
    )


def check_key_store(desk: Desk) -> Check:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from erial_desk.domain.errors import ConfigError
    from erial_desk.sync.credentials import KeyStore

    try:
        keys = KeyStore.open(desk.settings.keyring, desk.data_dir)
        if keys.public_key(desk.terminal_id) != desk.public_key.public_bytes(
            Encoding.Raw, PublicFormat.Raw
        ):
            raise ConfigError("config.key_mismatch", backend=keys.choice)
        if keys.token(desk.terminal_id) is None:
            raise ConfigError("sync.not_enrolled")
    except DeskError as exc:
        return refused(KEY_STORE, exc)
    return passed(
        KEY_STORE,
        N_("The terminal's private key ({backend}) is the key of its journal."),
        backend=keys.choice,
    )


def check_printer(desk: Desk) -> Check:
    """Connect to the printer the settings name and close again: nothing is printed."""
    from erial_desk.printing.connections import EscposOutput, PdfOutput, PrintError

    settings_wrong = N_(
        "The printer settings are wrong: {detail}. A supervisor sets the printer in the"
        " counter's settings."
    )
    try:
        output = desk.printer()
    except PrintError as exc:
        return failed(PRINTER, settings_wrong, detail=exc.detail)
    if isinstance(output, PdfOutput):
        try:
            output.directory.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=output.directory):
                pass
        except OSError:
            return failed(
                PRINTER,
                N_(
                    "Receipts are saved as PDF files in {path}, but the desk cannot write there."
                    " Choose another folder in the printer settings or give the desk's account"
                    " the right to write in it."
                ),
                path=str(output.directory),
            )
        return passed(
            PRINTER, N_("Receipts are saved as PDF files in {path}."), path=str(output.directory)
        )
    if isinstance(output, EscposOutput):
        try:
            printer = output.connect()
            printer.open()
            printer.close()
        except Exception:  # python-escpos raises its own errors, OSError, USB errors...
            return failed(
                PRINTER,
                N_(
                    "The printer ({printer}) does not answer. Check that it is switched on and"
                    " its cable is plugged in, then run 'erial-desk print-test'."
                ),
                printer=output.description,
            )
    return passed(PRINTER, N_("The printer ({printer}) answers."), printer=output.description)


# --- central -----------------------------------------------------------------------------------


def check_central(desk: Desk, now: Callable[[], datetime] | None = None) -> Iterator[Check]:
    """Central answers (certificate trusted), knows this terminal, and its clock agrees."""
    import requests

    from erial_desk.domain.errors import CentralError, CentralUnavailable
    from erial_desk.sync.client import CONNECT_TIMEOUT, CentralClient

    client = desk._central  # the self-test inspects the connection itself, not a use case
    if not isinstance(client, CentralClient):
        for name in (CENTRAL, CERTIFICATE, CLOCK):
            yield not_checked(name, N_("this terminal has no central server set."))
        return
    try:
        answer = client.session.get(
            client.base + "/v1/health",
            timeout=(CONNECT_TIMEOUT, HEALTH_TIMEOUT_S),
            verify=client.verify,
        )
    except requests.exceptions.SSLError:
        yield not_checked(CENTRAL, N_("its certificate is not trusted (see below)."))
        yield refused(CERTIFICATE, CentralError("central.untrusted_certificate"))
        yield not_checked(CLOCK, CENTRAL_NOT_REACHED)
        return
    except (requests.ConnectionError, requests.Timeout):
        yield refused(CENTRAL, CentralUnavailable())
        yield not_checked(CERTIFICATE, CENTRAL_NOT_REACHED)
        yield not_checked(CLOCK, CENTRAL_NOT_REACHED)
        return
    received = (now or _utc_now)()
    try:
        # Central's record of this terminal: the token is accepted, the terminal not revoked.
        client.request("GET", "/v1/terminal", retries=())
    except DeskError as exc:
        yield refused(CENTRAL, exc)
    else:
        yield passed(CENTRAL, N_("{url} answers and knows this terminal."), url=client.base)
    yield _certificate(client.base, client.verify)
    yield _clock(answer, received)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _certificate(base: str, verify: str | bool) -> Check:
    if base.startswith("http://"):
        return passed(
            CERTIFICATE,
            N_("plain HTTP to this computer itself (tests and demos only): no certificate."),
        )
    if isinstance(verify, str):
        return passed(CERTIFICATE, N_("trusted through the CA bundle {path}."), path=verify)
    return passed(CERTIFICATE, N_("trusted by this computer's certificate authorities."))


def _clock(answer: requests.Response, received: datetime) -> Check:
    stamp = answer.headers.get("Date", "")
    try:
        central_time = parsedate_to_datetime(stamp)
    except (TypeError, ValueError):
        return not_checked(CLOCK, N_("the central server did not say its time."))
    skew = int(abs((received - central_time).total_seconds()))
    if skew > MAX_CLOCK_SKEW.total_seconds():
        return Check(
            CLOCK,
            State.FAILED,
            params={"limit": int(MAX_CLOCK_SKEW.total_seconds())},
            count=(
                Nn_(
                    "This computer's clock is {count} second off the central server's (at most"
                    " {limit} seconds allowed). Set the date, time and time zone (Muscat) in the"
                    " computer's settings, or let it set the time automatically.",
                    "This computer's clock is {count} seconds off the central server's (at most"
                    " {limit} seconds allowed). Set the date, time and time zone (Muscat) in the"
                    " computer's settings, or let it set the time automatically.",
                ),
                skew,
            ),
        )
    return Check(
        CLOCK,
        State.PASSED,
        count=(
            Nn_(
                "{count} second from the central server's clock.",
                "{count} seconds from the central server's clock.",
            ),
            skew,
        ),
    )
