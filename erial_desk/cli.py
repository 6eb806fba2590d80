"""The ``erial-desk`` command: set up a terminal, check and rebuild its journal, export it, and a
scripted walkthrough of a counter day."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from erial_desk import __version__
from erial_desk.domain.errors import DeskError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_JOURNAL_BROKEN = 3


def default_data_dir() -> Path:
    """Where a terminal keeps its data unless told otherwise (per-user, per-platform)."""
    if env := os.environ.get("ERIAL_DESK_DATA"):
        return Path(env)
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "eRialDesk"
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "erial-desk"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="erial-desk", description="e-Rial Desk: Muscat Municipality's e-Rial counter terminal"
    )
    parser.add_argument("--version", action="version", version=f"erial-desk {__version__}")
    parser.add_argument("--data-dir", type=Path, default=None, help="terminal data directory")
    parser.add_argument("--lang", choices=("ar", "en"), default=None, help="message language")
    sub = parser.add_subparsers(dest="command", required=True)

    init = sub.add_parser("init", help="make a new data directory with a terminal key pair")
    init.add_argument("--office", required=True, help="office id, e.g. MCT-HQ")
    init.add_argument(
        "--keyring",
        choices=("system", "encrypted-file"),
        default="system",
        help="where the private key lives (encrypted-file: passphrase in "
        "ERIAL_DESK_KEY_PASSPHRASE)",
    )
    init.add_argument("--language", choices=("ar", "en"), default="ar")

    sub.add_parser("verify-journal", help="recompute every hash and signature")
    sub.add_parser("rebuild", help="rebuild the derived tables from the journal")
    export = sub.add_parser("export-journal", help="write the journal as JSON lines")
    export.add_argument("--output", "-o", type=Path, default=None, help="file (default: stdout)")

    walk = sub.add_parser("walkthrough", help="a scripted counter day on a fresh data directory")
    walk.add_argument("--keep", type=Path, default=None, help="keep the data in this directory")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    data_dir: Path = args.data_dir or default_data_dir()
    lang = args.lang or "en"
    try:
        return _run(args, data_dir)
    except DeskError as exc:
        print(exc.message(lang), file=sys.stderr)
        return EXIT_ERROR


def _run(args: argparse.Namespace, data_dir: Path) -> int:
    from erial_desk.services import Desk

    if args.command == "init":
        with Desk.init(
            data_dir, office_id=args.office, keyring=args.keyring, language=args.language
        ) as desk:
            print(f"terminal {desk.terminal_id} ready at {desk.office.office_id} in {data_dir}")
        return EXIT_OK
    if args.command == "walkthrough":
        from erial_desk.walkthrough import run_walkthrough

        return run_walkthrough(args.keep)
    with Desk.open(data_dir, read_only=args.command != "rebuild") as desk:
        if args.command == "verify-journal":
            checked, broken = desk.verify_journal()
            if broken is not None:
                print(f"journal broken at {broken}", file=sys.stderr)
                return EXIT_JOURNAL_BROKEN
            print(f"journal intact: {checked} entries, every hash and signature verified")
            return EXIT_OK
        if args.command == "rebuild":
            print(f"rebuilt derived tables from {desk.rebuild()} journal entries")
            return EXIT_OK
        if args.command == "export-journal":
            if args.output is None:
                desk.export_journal(sys.stdout)
            else:
                with open(args.output, "w", encoding="utf-8") as out:
                    count = desk.export_journal(out)
                print(f"{count} entries written to {args.output}", file=sys.stderr)
            return EXIT_OK
    return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
