"""The ``erial-central`` command: migrate, offices, terminals, operators, credentials, audit.

Commands run as child processes against the module's database while its server runs, as an
administrator would. The audit is shown failing on a deliberately corrupted database: each
corruption is undone afterwards, so the module's closing audit still holds.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import text

from erial_desk.store.journal import new_entry_id

from .conftest import Backend, Central, run_cli
from .terminal_sim import TerminalSim


def test_migrate_a_new_database_twice(backend: Backend, tmp_path):
    database = backend.new_database("migrate")
    for _ in range(2):
        done = run_cli(database, tmp_path / "secrets.json", "migrate")
        assert done.returncode == 0, done.stderr
        assert "newest schema" in done.stdout
    empty = run_cli(database, tmp_path / "secrets.json", "audit")
    assert empty.returncode == 0
    assert "0 transfers" in empty.stdout and "audit passed" in empty.stdout


def test_office_terminal_and_enrolment(central: Central):
    office = "CLI-" + secrets.token_hex(3).upper()
    done = central.cli(
        "office", "add", office, "--type", "external", "--name-en", "CLI café", "--name-ar", "مقهى"
    )
    assert done.returncode == 0, done.stderr
    again = central.cli(
        "office", "add", office, "--type", "external", "--name-en", "x", "--name-ar", "x"
    )
    assert again.returncode == 1
    assert "Traceback" not in again.stderr

    added = central.cli("terminal", "add", office)
    assert added.returncode == 0, added.stderr
    code = re.search(r"enrolment code: (\S+)", added.stdout).group(1)
    key = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    terminal_id = new_entry_id()
    enrolled = requests.post(
        central.url("/v1/enrol"),
        json={"code": code.lower(), "terminal_id": terminal_id, "public_key": key.hex()},
        timeout=30,
    )
    assert enrolled.status_code == 200, enrolled.text
    token = enrolled.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    policy = requests.get(central.url("/v1/policy"), headers=headers, timeout=30).json()
    assert policy["office"]["office_id"] == office
    assert policy["office"]["office_type"] == "external"

    revoked = central.cli("terminal", "revoke", terminal_id)
    assert revoked.returncode == 0, revoked.stderr
    refused = requests.get(central.url("/v1/policy"), headers=headers, timeout=30)
    assert refused.status_code == 403
    assert central.cli("terminal", "revoke", "no-such-terminal").returncode == 1
    assert central.cli("terminal", "add", "NO-SUCH-OFFICE").returncode == 1


def test_operator_add(central: Central):
    operator = "op" + secrets.token_hex(3)
    args = ["--role", "supervisor", "--name-en", "Op", "--name-ar", "مشرف"]
    # The PIN never on the command line: here piped to standard input, as a script does.
    done = central.cli("operator", "add", operator, "--office", "MCT-MUTRAH", *args, input="5678\n")
    assert done.returncode == 0, done.stderr
    sim = central.terminal("MCT-MUTRAH")
    changes = sim.get("/v1/feed", limit=10000).json()["changes"]
    (record,) = [c["data"] for c in changes if c["kind"] == "operator" and c["key"] == operator]
    assert record["role"] == "supervisor"
    assert record["pin_hash"].startswith("scrypt$") and "5678" not in record["pin_hash"]
    duplicate = central.cli(
        "operator", "add", operator, "--office", "MCT-MUTRAH", *args, input="5678\n"
    )
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr and "UNIQUE" not in duplicate.stderr
    unknown = central.cli(
        "operator", "add", "x" + operator, "--office", "NOPE", *args, input="5678\n"
    )
    assert unknown.returncode == 1
    assert "No such office" in unknown.stderr


def test_operator_pin_is_never_an_argument(central: Central):
    operator = "op" + secrets.token_hex(3)
    args = ["--role", "clerk", "--name-en", "Op", "--name-ar", "موظف"]
    with_pin = central.cli("operator", "add", operator, "--office", "MCT-MUTRAH", *args,
                           "--pin", "5678", input="5678\n")  # fmt: skip
    assert with_pin.returncode == 2 and "--pin" in with_pin.stderr
    env = {**os.environ, "ERIAL_CENTRAL_OPERATOR_PIN": "2468"}
    done = central.cli("operator", "add", operator, "--office", "MCT-MUTRAH", *args, env=env)
    assert done.returncode == 0, done.stderr
    sim = central.terminal("MCT-MUTRAH")
    changes = sim.get("/v1/feed", limit=10000).json()["changes"]
    (record,) = [c["data"] for c in changes if c["kind"] == "operator" and c["key"] == operator]
    from erial_desk.domain.pins import verify_pin

    assert verify_pin("2468", record["pin_hash"])
    bad = central.cli("operator", "add", "y" + operator, "--office", "MCT-MUTRAH", *args,
                      input="12\n")  # fmt: skip
    assert bad.returncode == 1 and "A PIN has 4 to 6 digits." in bad.stderr


def test_seeding_twice_says_it_is_already_seeded(central: Central):
    again = central.cli("seed-demo", "--subscribers", "5", "--bills", "5")
    assert again.returncode == 0, again.stderr
    assert "already loaded" in again.stdout
    assert "UNIQUE" not in again.stdout + again.stderr and "Traceback" not in again.stderr


def test_credentials(central: Central):
    admin = central.cli("credential", "ops-" + secrets.token_hex(3), "--scope", "admin")
    assert admin.returncode == 0, admin.stderr
    token = admin.stdout.strip().splitlines()[-1]
    response = requests.get(
        central.url("/v1/admin/offices/MCT-HQ/totals"),
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200
    website = central.website_token
    assert website != token
    response = requests.get(
        central.url("/v1/admin/offices/MCT-HQ/totals"),
        headers={"Authorization": f"Bearer {website}"},
        timeout=30,
    )
    assert response.status_code == 403


@contextmanager
def corrupted(central: Central, do: str, undo: str, params: dict) -> Iterator[None]:
    with central.engine.begin() as conn:
        assert conn.execute(text(do), params).rowcount == 1
    try:
        yield
    finally:
        with central.engine.begin() as conn:
            conn.execute(text(undo), params)


def audit_problems(central: Central) -> tuple[int, str]:
    done = central.cli("audit")
    return done.returncode, done.stdout


def test_audit_passes_then_fails_on_corruption(central: Central, terminal: TerminalSim):
    account = terminal.register()
    top_up = terminal.top_up(account, 8_000)
    terminal.sync()
    code, out = audit_problems(central)
    assert code == 0, out
    assert "audit passed" in out

    wallet = {"a": f"wallet:{account}"}
    with corrupted(
        central,
        "UPDATE ledger_accounts SET balance = balance + 1 WHERE account_id = :a",
        "UPDATE ledger_accounts SET balance = balance - 1 WHERE account_id = :a",
        wallet,
    ):
        code, out = audit_problems(central)
        assert code == 1
        assert f"wallet:{account}: stored balance 8001 != postings 8000" in out
        assert "audit FAILED" in out

    with central.engine.connect() as conn:
        transfer = conn.execute(
            text("SELECT transfer_id FROM transfers WHERE entry_id = :e"), {"e": top_up.entry_id}
        ).scalar()
    posting = {"t": transfer, "a": f"wallet:{account}"}
    with corrupted(
        central,
        "UPDATE postings SET amount = amount + 500 WHERE transfer_id = :t AND account_id = :a",
        "UPDATE postings SET amount = amount - 500 WHERE transfer_id = :t AND account_id = :a",
        posting,
    ):
        code, out = audit_problems(central)
        assert code == 1
        assert "does not sum to zero: 500" in out
        assert f"transfer {transfer}: postings" in out

    with central.engine.connect() as conn:
        body = conn.execute(
            text("SELECT body FROM entries WHERE entry_id = :e"), {"e": top_up.entry_id}
        ).scalar()
    edited = {"e": top_up.entry_id, "b": body.replace('"amount":8000', '"amount":800')}
    with corrupted(
        central,
        "UPDATE entries SET body = :b WHERE entry_id = :e",
        "UPDATE entries SET body = :o WHERE entry_id = :e",
        edited | {"o": body},
    ):
        code, out = audit_problems(central)
        assert code == 1
        assert f"terminal {terminal.terminal_id}: entry {top_up.seq}" in out

    code, out = audit_problems(central)
    assert code == 0, out


def test_serve_names_itself_and_logs_beside_its_database(tmp_path):
    from erial_desk import __version__

    from .conftest import start_server, stop_server

    database = f"sqlite:///{tmp_path / 'central.sqlite'}"
    console = tmp_path / "console.log"
    process, base_url = start_server(database, tmp_path / "secrets.json", console)
    try:
        key = requests.get(f"{base_url}/v1/central-key", timeout=30).json()
        assert len(bytes.fromhex(key["reference_public_key"])) == 32
        bad = requests.get(f"{base_url}/v1/feed", headers={"Authorization": "Bearer x"}, timeout=30)
        assert bad.status_code == 401
    finally:
        stop_server(process)
    printed = console.read_text()
    assert f"erial-central {__version__} serving {base_url} (API /v1)" in printed
    assert f"on database {database}" in printed
    log = (tmp_path / "erial-central.log").read_text()
    assert f"serving {base_url}" in log and "Application startup complete" in log
    assert "Bearer x" not in log


def test_shown_database_hides_the_password_and_logs_go_beside_secrets(tmp_path):
    from erial_central.logs import default_log_file, shown_database

    url = "postgresql+psycopg://erial:s3cret@db.example/erial"
    assert "s3cret" not in shown_database(url) and "erial:***@db.example/erial" in shown_database(
        url
    )
    assert default_log_file(url, tmp_path / "secrets.json") == tmp_path / "erial-central.log"
    from erial_desk.domain.redaction import redact

    line = redact(f"connect {url} token=et_abcdefghijklmnop pin: 1234 Bearer et_zzz")
    assert "s3cret" not in line and "abcdefghijklmnop" not in line and "1234" not in line
