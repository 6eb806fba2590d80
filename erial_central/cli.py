"""The ``erial-central`` command: serve, migrate, seed-demo, office/terminal/operator add,
credentials, audit, reconcile. The database is ``--database`` or ERIAL_CENTRAL_DATABASE (SQLite
by default, any ``postgresql+psycopg://`` URL works the same)."""

from __future__ import annotations

import argparse
import getpass
import logging
import logging.config
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.pool import NullPool

from erial_desk import __version__
from erial_desk.domain.errors import DeskError
from erial_desk.domain.identifiers import normalise_pin
from erial_desk.domain.policy import Office, OfficeType, Role

from . import admin
from .db import make_engine
from .errors import ApiError
from .migrate import upgrade
from .settings import database_url, load_secrets, secrets_path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="erial-central", description="e-Rial central server")
    parser.add_argument("--version", action="version", version=f"erial-central {__version__}")
    parser.add_argument(
        "--database",
        help="SQLAlchemy URL (default: ERIAL_CENTRAL_DATABASE or sqlite:///erial-central.sqlite)",
    )
    parser.add_argument(
        "--secrets",
        help="secrets file (default: ERIAL_CENTRAL_SECRETS or erial-central-secrets.json)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--log-file",
        help="rotating log file (default: erial-central.log beside the SQLite database, or "
        "beside the secrets file for PostgreSQL)",
    )
    sub.add_parser("migrate", help="create or upgrade the database schema")
    seed = sub.add_parser("seed-demo", help="demo offices, operators, subscribers and bills")
    seed.add_argument("--subscribers", type=int, default=2000)
    seed.add_argument("--bills", type=int, default=3000)
    office = sub.add_parser("office", help="offices").add_subparsers(dest="action", required=True)
    add_office = office.add_parser("add")
    add_office.add_argument("office_id")
    add_office.add_argument("--type", choices=("internal", "external"), required=True)
    add_office.add_argument("--name-en", required=True)
    add_office.add_argument("--name-ar", required=True)
    add_office.add_argument("--no-top-ups", action="store_true")
    add_office.add_argument("--float-limit", type=int, help="top-up float per shift, baisa")
    terminal = sub.add_parser("terminal", help="terminals").add_subparsers(
        dest="action", required=True
    )
    add_terminal = terminal.add_parser("add", help="a terminal slot; prints its enrolment code")
    add_terminal.add_argument("office_id")
    revoke = terminal.add_parser("revoke")
    revoke.add_argument("terminal_id")
    operator = sub.add_parser("operator", help="operators").add_subparsers(
        dest="action", required=True
    )
    add_operator = operator.add_parser(
        "add",
        help=f"an operator; the PIN is asked for (or read from {PIN_VARIABLE}, or from standard "
        "input when it is not a terminal), never given on the command line",
    )
    add_operator.add_argument("operator_id")
    add_operator.add_argument("--office", required=True)
    add_operator.add_argument("--role", choices=[r.value for r in Role], required=True)
    add_operator.add_argument("--name-en", required=True)
    add_operator.add_argument("--name-ar", required=True)
    credential = sub.add_parser("credential", help="admin and website credentials")
    credential.add_argument("name")
    credential.add_argument("--scope", choices=("admin", "website"), required=True)
    sub.add_parser("audit", help="replay the ledger and every terminal's chain")
    reconcile = sub.add_parser(
        "reconcile", help="reverse online debits that no journal entry confirmed in time"
    )
    reconcile.add_argument(
        "--now",
        type=_utc_time,
        help="the time to reconcile at, ISO 8601 in UTC (default: the current time)",
    )
    settle = sub.add_parser(
        "settlement", help="an office's settlement statement for a period (JSON, text or PDF)"
    )
    settle.add_argument("office_id")
    settle.add_argument("--from", dest="first", required=True, help="first day, YYYY-MM-DD (UTC)")
    settle.add_argument("--to", dest="last", required=True, help="last day, YYYY-MM-DD (UTC)")
    settle.add_argument("--pdf", type=Path, help="write the bilingual statement to this PDF file")
    settle.add_argument("--json", action="store_true", help="print the statement as JSON")
    return parser


PIN_VARIABLE = "ERIAL_CENTRAL_OPERATOR_PIN"


def read_operator_pin() -> str:
    """The new operator's PIN: from ``ERIAL_CENTRAL_OPERATOR_PIN`` (scripts), typed twice at a
    terminal without echo, or one line of standard input (a pipe). Never an argument: command
    lines end up in shell history and process lists."""
    if pin := os.environ.get(PIN_VARIABLE):
        return normalise_pin(pin)
    if sys.stdin.isatty():
        first = getpass.getpass("PIN for the new operator: ")
        if getpass.getpass("The same PIN again: ") != first:
            raise ApiError(422, "request.invalid", reason="the two PINs differ")
        return normalise_pin(first)
    return normalise_pin(sys.stdin.readline())


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    url = database_url(args.database)
    secrets_file = secrets_path(args.secrets)
    try:
        return _run(args, url, secrets_file)
    except ApiError as exc:
        print(exc.body()["error"]["message"], file=sys.stderr)
        return 1
    except IntegrityError:  # a duplicate office, operator or credential name
        print(
            "Refused: an office, operator or credential of that name already exists. Choose "
            "another name.",
            file=sys.stderr,
        )
        return 1
    except DeskError as exc:  # a PIN that is not 4 to 6 digits
        print(exc.message("en"), file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, url: str, secrets_file: object) -> int:
    secrets_file = Path(str(secrets_file))
    if args.command == "serve":
        return _serve(args, url, secrets_file)
    if args.command == "audit" and not database_exists(url):
        # Auditing must not make an empty database and then pass on it.
        print(f"no central database at {_shown(url)}: nothing to audit", file=sys.stderr)
        return 2
    engine = make_engine(url)
    if args.command != "audit":
        upgrade(engine)
    if args.command == "migrate":
        print("database is at the newest schema")
        return 0
    if args.command == "reconcile":
        from .reconcile import reconcile

        done = reconcile(engine, args.now or datetime.now(UTC))
        print(f"{len(done)} unconfirmed online debits reversed")
        for entry_id in done:
            print("reversed:", entry_id)
        return 0
    if args.command == "settlement":
        return _settlement(args, engine)
    if args.command == "audit":
        from .audit import audit

        with engine.connect() as conn:
            report = audit(conn)
        print(
            f"{report.transfers} transfers, {report.accounts} accounts, {report.entries} entries"
            f" of {report.terminals} terminals checked"
        )
        for problem in report.problems:
            print("PROBLEM:", problem)
        print("audit passed" if report.ok else "audit FAILED")
        return 0 if report.ok else 1
    with engine.begin() as conn:
        if args.command == "seed-demo":
            from .demo import is_seeded, seed_demo

            if is_seeded(conn):
                print("The demo data is already loaded in this database; nothing was changed.")
                return 0
            load_secrets(secrets_file)
            seed_demo(conn, args.subscribers, args.bills)
            token = admin.add_credential(conn, "demo-admin", "admin")
            print(f"demo data loaded; admin credential: {token}")
        elif args.command == "office":
            admin.add_office(
                conn,
                Office(
                    args.office_id,
                    args.name_en,
                    args.name_ar,
                    OfficeType(args.type),
                    not args.no_top_ups,
                    args.float_limit,
                ),
            )
            print(f"office {args.office_id} added")
        elif args.command == "terminal" and args.action == "add":
            slot, code = admin.add_terminal_slot(conn, args.office_id)
            print(f"terminal slot {slot}; one-time enrolment code: {code}")
        elif args.command == "terminal":
            admin.revoke_terminal(conn, args.terminal_id)
            print(f"terminal {args.terminal_id} revoked")
        elif args.command == "operator":
            admin.add_operator(
                conn,
                args.operator_id,
                args.office,
                args.name_en,
                args.name_ar,
                Role(args.role),
                pin=read_operator_pin(),
            )
            print(f"operator {args.operator_id} added")
        elif args.command == "credential":
            print(admin.add_credential(conn, args.name, args.scope))
    return 0


def _settlement(args: argparse.Namespace, engine: Engine) -> int:
    """The statement the municipality settles an office by: JSON, a text summary, a PDF."""
    import json

    from erial_desk.domain.money import format_amount

    from .report_routes import check_period
    from .reports import settlement
    from .settlement_pdf import write_settlement_pdf

    check_period(args.first, args.last)
    with engine.connect() as conn:
        admin.get_office(conn, args.office_id)
        statement = settlement(conn, args.office_id, args.first, args.last)
        _policy, catalogue = admin.current_policy(conn)
    if args.pdf is not None:
        write_settlement_pdf(statement, catalogue, args.pdf)
    if args.json:
        print(json.dumps(statement, ensure_ascii=False, sort_keys=True))
        return 0
    office = statement["office"]
    print(f"Settlement of {office['office_id']} ({office['name_en']}), {args.first} to {args.last}")
    payments, top_ups = statement["payments"], statement["top_ups"]
    lines = [("bill payments made", payments["amount"], payments["count"])]
    for section in ("payments_by_method", "payments_by_service"):
        for key, figures in sorted(statement[section].items()):
            lines.append((f"  {key}", figures["amount"], figures["count"]))
    lines += [
        ("service charges", statement["service_charges"], None),
        ("cash top-ups", top_ups["amount"], top_ups["count"]),
        ("cash taken at the counter", statement["cash_taken"], None),
        ("refunds due", statement["refunds_due"], None),
    ]
    for label, amount, count in lines:
        counted = "" if count is None else f" ({count})"
        print(f"  {label:<28}{format_amount(amount):>18}{counted}")
    print(f"  {'entries flagged':<28}{statement['flagged']:>18}")
    if args.pdf is not None:
        print(f"PDF written to {args.pdf}")
    return 0


def _serve(args: argparse.Namespace, url: str, secrets_file: Path) -> int:
    import uvicorn

    from .logs import default_log_file, shown_database, uvicorn_log_config

    os.environ["ERIAL_CENTRAL_DATABASE"] = url
    os.environ["ERIAL_CENTRAL_SECRETS"] = str(secrets_file)
    upgrade(make_engine(url))
    load_secrets(secrets_file)
    log_file = Path(args.log_file) if args.log_file else default_log_file(url, secrets_file)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    line = (
        f"erial-central {__version__} serving http://{args.host}:{args.port}"
        f" (API /v1) on database {shown_database(url)}; log file {log_file}"
    )
    print(line, flush=True)
    config = uvicorn_log_config(log_file)
    logging.config.dictConfig(config)
    logging.getLogger("erial_central").info("%s", line)
    uvicorn.run(
        "erial_central.server:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=config,
    )
    return 0


def _utc_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text}") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def database_exists(url: str) -> bool:
    """Whether ``url`` names a central database that exists, without creating one."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        return path not in ("", ":memory:") and Path(path).is_file()
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return inspect(conn).has_table("terminals")
    except OperationalError:
        return False
    finally:
        engine.dispose()


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    raise SystemExit(main())
