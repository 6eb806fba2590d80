"""The ``erial-desk`` command: set up a terminal, check and rebuild its journal, export it, and a
scripted walkthrough of a counter day."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from erial_desk import __version__
from erial_desk.config import default_data_dir
from erial_desk.domain.errors import ConfigError, DeskError

if TYPE_CHECKING:
    from erial_desk.services import Desk
    from erial_desk.services.sync_service import SyncProgress, SyncStatus

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_JOURNAL_BROKEN = 3


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
    init.add_argument(
        "--central", required=True, help="central's https:// address (then run 'enroll')"
    )

    enroll = sub.add_parser("enroll", help="register this terminal with central")
    enroll.add_argument("--server", required=True, help="central's https:// address")
    enroll.add_argument("--code", required=True, help="the one-time enrolment code")
    about_sync = "one round: push waiting entries, pull central's changes, then exit"
    sync = sub.add_parser("sync", help=about_sync, description=about_sync)
    # Accepted for older scripts; one round is all 'sync' ever does.
    sync.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    sub.add_parser("status", help="sync status: online, entries waiting, last sync, last error")

    sub.add_parser(
        "verify-journal",
        help="recompute every hash and signature; check the key against the key store and "
        "central, the journal's end against every record of it, the derived tables against "
        "the journal",
    )
    sub.add_parser(
        "rebuild", help="rebuild the derived tables from the journal, once it passes verification"
    )
    export = sub.add_parser("export-journal", help="write the journal as JSON lines")
    export.add_argument("--output", "-o", type=Path, default=None, help="file (default: stdout)")

    sub.add_parser(
        "print-test", help="print a test page: the printer settings, both scripts and a QR code"
    )

    sub.add_parser(
        "selftest",
        help="check this terminal: data directory, journal, key store, printer, central, clock, "
        "disk; one line per check, exit code 0 when every check passed",
    )

    gui = sub.add_parser("gui", help="the counter's window on the data directory")
    # For checks of an installation: open the window and the desk behind it, then end.
    gui.add_argument("--quit-when-open", action="store_true", help=argparse.SUPPRESS)
    demo = sub.add_parser(
        "demo",
        help="the counter's window against central embedded with demo data (the data directory "
        "holds central, the demo terminal and, with no display, the tour's pictures)",
    )
    demo.add_argument(
        "--tour", action="store_true", help="the guided tour offscreen even with a display"
    )
    walk = sub.add_parser("walkthrough", help="a scripted counter day on a fresh data directory")
    walk.add_argument("--keep", type=Path, default=None, help="keep the data in this directory")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    data_dir: Path = args.data_dir or default_data_dir()
    lang = args.lang or "en"
    try:
        return _run(args, data_dir, lang)
    except DeskError as exc:
        print(exc.message(lang), file=sys.stderr)
        return EXIT_ERROR


def _run(args: argparse.Namespace, data_dir: Path, lang: str) -> int:
    from erial_desk.services import Desk

    if args.command == "init":
        terminal_id = Desk.init_for_central(
            data_dir,
            office_id=args.office,
            central_url=args.central,
            keyring=args.keyring,
            language=args.language,
        )
        print(f"terminal {terminal_id} made in {data_dir}; now run 'erial-desk enroll'")
        return EXIT_OK
    if args.command == "enroll":
        with Desk.enroll(data_dir, args.server, args.code) as desk:
            print(f"terminal {desk.terminal_id} enrolled at {desk.office.office_id}")
            _print_status(desk.sync_status(), lang)
        return EXIT_OK
    if args.command in ("sync", "status"):
        with Desk.open(data_dir) as desk:
            status = desk.sync_once(_progress) if args.command == "sync" else desk.sync_status()
            _print_status(status, lang)
            if desk.money_stopped is not None:
                print(desk.money_stopped.message(lang), file=sys.stderr)
                return EXIT_JOURNAL_BROKEN
            return EXIT_OK if status.online or args.command == "status" else EXIT_ERROR
    if args.command == "gui":
        from erial_desk.ui.app import run

        return run(data_dir, quit_when_open=args.quit_when_open)
    if args.command == "selftest":
        from erial_desk.selftest import run as run_selftest

        return run_selftest(data_dir, args.lang, sys.stdout)
    if args.command == "demo":
        try:
            from erial_desk.demo import run_demo
        except ImportError:  # the bundle for office PCs carries no central server
            raise ConfigError("demo.not_bundled") from None

        return run_demo(args.data_dir or Path("demo-data"), window=False if args.tour else None)
    if args.command == "walkthrough":
        try:
            from erial_desk.walkthrough import run_walkthrough
        except ImportError:  # as the demo: no central server in the bundle
            raise ConfigError("demo.not_bundled") from None

        return run_walkthrough(args.keep)
    # Read-only: rebuild writes only derived tables, and a desk that refuses money must still
    # be checked and rebuilt.
    with Desk.open(data_dir, read_only=True) as desk:
        if args.command == "verify-journal":
            return _verify(desk)
        if args.command == "rebuild":
            print(f"rebuilt derived tables from {desk.rebuild()} journal entries")
            return EXIT_OK
        if args.command == "print-test":
            return _print_test(desk)
        if args.command == "export-journal":
            if args.output is None:
                desk.export_journal(sys.stdout)
            else:
                with open(args.output, "w", encoding="utf-8") as out:
                    count = desk.export_journal(out)
                print(f"{count} entries written to {args.output}", file=sys.stderr)
            return EXIT_OK
    return EXIT_USAGE


def _verify(desk: Desk) -> int:
    report = desk.check_journal()
    if report.broken is not None:
        print(f"journal broken at {report.broken}", file=sys.stderr)
        return EXIT_JOURNAL_BROKEN
    for problem in report.problems:
        print(f"journal check failed: {problem}", file=sys.stderr)
    for skipped in report.not_checked:
        print(f"  not checked: {skipped}")
    if report.problems:
        return EXIT_JOURNAL_BROKEN
    print(f"journal intact: {report.checked} entries, every hash and signature verified")
    for passed in report.passed:
        print(f"  {passed}")
    return EXIT_OK


_STATUS_WORDS = {
    "en": {
        "revoked": "Access revoked by central",
        "online": "Online",
        "offline": "Offline",
        "line": "{state}. Waiting to be sent: {waiting}; flagged by central: {flagged}; "
        "rejected: {rejected}. Last sync: {last_sync}.",
        "never": "never",
        "problem": "Last problem: {message}",
    },
    "ar": {
        "revoked": "ألغى الخادم المركزي صلاحية المحطة",
        "online": "متصل",
        "offline": "غير متصل",
        "line": "{state}. بانتظار الإرسال: {waiting}؛ علّم عليها الخادم المركزي: {flagged}؛ "
        "مرفوضة: {rejected}. آخر مزامنة: {last_sync}.",
        "never": "لم تتم بعد",
        "problem": "آخر مشكلة: {message}",
    },
}


def _print_status(status: SyncStatus, lang: str = "en") -> None:
    words = _STATUS_WORDS["ar" if lang == "ar" else "en"]
    state = "revoked" if status.revoked else "online" if status.online else "offline"
    print(
        words["line"].format(
            state=words[state],
            waiting=status.waiting,
            flagged=status.flagged,
            rejected=status.rejected,
            last_sync=status.last_sync or words["never"],
        )
    )
    message = status.error_message(lang)
    if message:
        print(words["problem"].format(message=message))


def _progress(progress: SyncProgress) -> None:
    if progress.newest:
        share = 100 * progress.cursor // max(progress.newest, 1)
        print(f"  {progress.changes} changes received ({share}%)", file=sys.stderr)


def _print_test(desk: Desk) -> int:
    from erial_desk.printing.queue import error_message

    job = desk.print_test_page()
    if job.state == "printed":
        print(f"test page printed to {job.output}")
        return EXIT_OK
    print(f"test page not printed: {error_message(job.error_code or '')}", file=sys.stderr)
    print(f"  {job.error}", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
