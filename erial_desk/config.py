"""Settings of a data directory: declared once, typed, with defaults; stored as TOML.

No secrets here: the terminal key and API token live in the key store the ``keyring`` setting
names (see ``erial_desk.sync.credentials``).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from erial_desk.domain.errors import ConfigError

SETTINGS_FILE = "settings.toml"
DATABASE_FILE = "desk.sqlite"
DISPLAY_DIGITS = ("western", "arabic-indic")
DATA_DIR_VARIABLE = "ERIAL_DESK_DATA"


def default_data_dir() -> Path:
    """Where a terminal keeps its data (and its log) unless told otherwise: the platform's
    per-user data folder, e.g. %LOCALAPPDATA%\\eRialDesk on Windows, ~/.local/share/erial-desk
    on Linux. Uninstalling the program leaves it where it is."""
    if env := os.environ.get(DATA_DIR_VARIABLE):
        return Path(env)
    name = "eRialDesk" if sys.platform == "win32" else "erial-desk"
    return Path(platformdirs.user_data_dir(name, appauthor=False, roaming=False))


@dataclass(frozen=True)
class Settings:
    keyring: str = "system"  # system | encrypted-file | memory (tests)
    language: str = "ar"  # ar | en: the counter's interface language
    office_id: str = ""  # the office this terminal stands in; set by `erial-desk init`
    central_url: str = ""  # set by init; enrolment may give its final form
    ca_bundle: str = ""  # optional CA bundle for the municipality's own CA
    # Public address of central's receipt verification pages, printed in each receipt's QR.
    receipt_verify_url: str = "https://erial.muscat.example"
    # Printing. Connection: pdf (files, for offices with no thermal printer), file (a device
    # path such as /dev/usb/lp0), network, usb, serial or windows (the print spooler).
    printer_connection: str = "pdf"
    # pdf: a folder (empty: "printouts" in the data directory); network: host[:port];
    # usb: vendor:product in hex; serial: port[@baud]; windows: the printer's name.
    printer_target: str = ""
    printer_profile: str = "80mm"  # 80mm, 58mm, epson, or a python-escpos profile name
    printer_drawer: str = "2"  # cash drawer kick pin: 2, 5, or none
    # Digits on screen in Arabic: western (0-9, as most Omani counters show them) or
    # arabic-indic (٠-٩). English always shows western digits.
    display_digits: str = "western"

    @classmethod
    def load(cls, data_dir: Path) -> Settings:
        path = data_dir / SETTINGS_FILE
        if not path.exists():
            return cls()
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError("config.invalid_setting", name=str(path), reason=str(exc)) from exc
        known = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, str] = {}
        for name, value in raw.items():
            if name not in known:
                raise ConfigError("config.invalid_setting", name=name, reason="unknown setting")
            if not isinstance(value, str):
                raise ConfigError("config.invalid_setting", name=name, reason="must be text")
            values[name] = value
        settings = cls(**values)
        if settings.language not in ("ar", "en"):
            raise ConfigError("config.invalid_setting", name="language", reason="ar or en")
        if settings.display_digits not in DISPLAY_DIGITS:
            raise ConfigError(
                "config.invalid_setting", name="display_digits", reason="western or arabic-indic"
            )
        return settings

    def save(self, data_dir: Path) -> None:
        lines = ["# e-Rial Desk settings. Secrets are never kept here.\n"]
        for field in dataclasses.fields(self):
            value = str(getattr(self, field.name)).replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'{field.name} = "{value}"\n')
        (data_dir / SETTINGS_FILE).write_text("".join(lines), encoding="utf-8")
