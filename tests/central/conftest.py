"""Fixtures of the central server tests: real ``erial-central`` servers on loopback.

Every test module runs against SQLite (a file) and against PostgreSQL (a schema of its own). Each
module gets a freshly seeded database and its own server process; when the module is done the
server stops and ``erial-central audit`` must pass on what the module's tests left behind.

PostgreSQL: ERIAL_TEST_POSTGRES_URL, or the local server at 127.0.0.1:5432 (database ``test``).
When it cannot be reached the PostgreSQL variants are skipped on a developer's machine and fail
in CI (CI=true).
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool

from .terminal_sim import TerminalSim

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_VARIABLE = "ERIAL_TEST_POSTGRES_URL"
POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
POSTGRES_MISSING = (
    "PostgreSQL not reachable at 127.0.0.1:5432; start it (pg_ctlcluster ... main start) or set"
    " ERIAL_TEST_POSTGRES_URL to run the PostgreSQL tests"
)
SEED_SUBSCRIBERS = 200
SEED_BILLS = 300
# Generated demo bills: index i has kind KINDS[i % 5] and reference PREFIX + (300000 + i).
BILL_KINDS = ("parking", "parking", "lease", "licence", "building_permit")
BILL_PREFIX = {"parking": "PV", "lease": "LC", "licence": "LI", "building_permit": "BP"}


def run_cli(
    database: str, secrets_file: Path, *args: str, timeout: float = 300, **options: Any
) -> Any:
    """``erial-central ARGS`` in a child process (``options``: ``input``, ``env``...);
    returns the completed process."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "erial_central.cli",
            "--database",
            database,
            "--secrets",
            str(secrets_file),
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        **options,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- databases --------------------------------------------------------------------------------


class Backend:
    """Makes empty databases of one kind: SQLite files, or PostgreSQL schemas."""

    def __init__(self, name: str, workdir: Path, postgres_url: str | None = None) -> None:
        self.name = name
        self.workdir = workdir
        self._postgres = postgres_url
        self._prefix = "t_" + secrets.token_hex(4)
        self._schemas: list[str] = []
        self._count = itertools.count(1)

    def new_database(self, label: str) -> str:
        """The URL of a new, empty database."""
        n = next(self._count)
        if self._postgres is None:
            return f"sqlite:///{self.workdir / f'{n:02d}-{label}.sqlite'}"
        schema = f"{self._prefix}_{n}"
        with _admin_engine(self._postgres).begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        self._schemas.append(schema)
        url = make_url(self._postgres).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if self._postgres is None or not self._schemas:
            return
        with _admin_engine(self._postgres).begin() as conn:
            for schema in self._schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self._schemas.clear()


def _admin_engine(url: str) -> Engine:
    return create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 5})


def _postgres_url() -> str | None:
    """The PostgreSQL URL to test against, or None (after skip or fail) when unreachable."""
    url = os.environ.get(POSTGRES_VARIABLE) or POSTGRES_DEFAULT
    try:
        with _admin_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any connection failure means: not reachable
        where = make_url(url)
        message = f"{POSTGRES_MISSING} (tried {where.host}:{where.port}: {type(exc).__name__})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI runs the PostgreSQL tests: {message}", pytrace=False)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp(f"central-{request.param}")
    url = _postgres_url() if request.param == "postgresql" else None
    made = Backend(request.param, workdir, url)
    yield made
    made.drop_all()


# --- a running server -------------------------------------------------------------------------


class BillPool:
    """Hands out seeded bills that no other test of the module has used."""

    def __init__(self, central: Central) -> None:
        self._central = central
        self._used: set[int] = set()

    def take(self, kind: str | None = None) -> dict[str, Any]:
        index = next(
            (
                i
                for i in range(SEED_BILLS)
                if i not in self._used and (kind is None or BILL_KINDS[i % 5] == kind)
            ),
            None,
        )
        assert index is not None, "the module used up the seeded bills"
        self._used.add(index)
        reference = f"{BILL_PREFIX[BILL_KINDS[index % 5]]}{300000 + index}"
        found = self._central.lookup.get("/v1/bills", key=reference)
        assert found.status_code == 200, found.text
        (bill,) = [b for b in found.json()["bills"] if b["reference"] == reference]
        assert bill["status"] == "open", f"bill {reference} was used by another test"
        return bill

    def take_many(self, count: int, kind: str | None = None) -> list[dict[str, Any]]:
        return [self.take(kind) for _ in range(count)]


@dataclass
class Central:
    """A seeded central server of one module, on one backend."""

    backend: str
    base_url: str
    admin_token: str
    database: str
    secrets: Path
    workdir: Path
    process: subprocess.Popen[bytes]
    log: Path
    _terminals: list[TerminalSim] = field(default_factory=list)
    _engine: Engine | None = None
    _lookup: TerminalSim | None = None
    _website: str | None = None
    bills: BillPool = field(init=False)

    def __post_init__(self) -> None:
        self.bills = BillPool(self)

    def terminal(self, office_id: str = "MCT-HQ") -> TerminalSim:
        """A newly enrolled terminal at ``office_id`` with a shift open (not yet pushed)."""
        sim = TerminalSim(self.base_url, self.admin_token, office_id, self.workdir / "desks")
        self._terminals.append(sim)
        return sim

    @property
    def lookup(self) -> TerminalSim:
        """A terminal of the module used only to read (bills)."""
        if self._lookup is None:
            self._lookup = self.terminal("MCT-HQ")
        return self._lookup

    @property
    def admin_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    @property
    def website_token(self) -> str:
        if self._website is None:
            done = self.cli("credential", f"website-{secrets.token_hex(3)}", "--scope", "website")
            assert done.returncode == 0, done.stderr
            self._website = done.stdout.strip().splitlines()[-1]
        return self._website

    def cli(self, *args: str, **options: Any) -> Any:
        return run_cli(self.database, self.secrets, *args, **options)

    @property
    def engine(self) -> Engine:
        """Direct access to the server's database, to check what the API cannot show."""
        if self._engine is None:
            self._engine = create_engine(self.database, poolclass=NullPool)
        return self._engine

    def ledger_sum(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT COALESCE(SUM(amount), 0) FROM postings")).scalar())

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def close(self) -> None:
        for sim in self._terminals:
            sim.close()
        if self._engine is not None:
            self._engine.dispose()


def seed(database: str, secrets_file: Path) -> str:
    """Seed the demo data; the admin credential it prints."""
    done = run_cli(
        database,
        secrets_file,
        "seed-demo",
        "--subscribers",
        str(SEED_SUBSCRIBERS),
        "--bills",
        str(SEED_BILLS),
    )
    assert done.returncode == 0, f"seed-demo failed:\n{done.stdout}\n{done.stderr}"
    found = re.search(r"admin credential: (\S+)", done.stdout)
    assert found, done.stdout
    return found.group(1)


def start_server(
    database: str, secrets_file: Path, log: Path, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    """``erial-central serve`` on a free loopback port, once /v1/health answers."""
    for _attempt in range(3):
        port = free_port()
        with log.open("ab") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "erial_central.cli",
                    "--database",
                    database,
                    "--secrets",
                    str(secrets_file),
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                ],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if requests.get(f"{base_url}/v1/health", timeout=2).status_code == 200:
                    return process, base_url
            except requests.RequestException:
                pass
            time.sleep(0.1)
        stop_server(process)
    raise AssertionError(f"the server did not start:\n{log.read_text()[-4000:]}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def audit(database: str, secrets_file: Path) -> Any:
    return run_cli(database, secrets_file, "audit")


@pytest.fixture(scope="module")
def central(
    backend: Backend, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Central]:
    """A seeded server for this module; afterwards the audit must pass on its database."""
    label = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    workdir = tmp_path_factory.mktemp(f"{backend.name}-{label}")
    database = backend.new_database(label)
    secrets_file = workdir / "secrets.json"
    admin_token = seed(database, secrets_file)
    log = workdir / "server.log"
    process, base_url = start_server(database, secrets_file, log)
    server = Central(
        backend.name, base_url, admin_token, database, secrets_file, workdir, process, log
    )
    try:
        yield server
    finally:
        server.close()
        stop_server(process)
    assert "Traceback" not in log.read_text(), f"the server logged an error:\n{log.read_text()}"
    checked = audit(database, secrets_file)
    assert checked.returncode == 0, f"audit failed after the module:\n{checked.stdout}"


@pytest.fixture
def terminal(central: Central) -> TerminalSim:
    """A fresh MCT-HQ (internal) terminal."""
    return central.terminal("MCT-HQ")


@pytest.fixture
def subscriber(terminal: TerminalSim) -> str:
    """A subscriber registered (and pushed) by ``terminal``; PIN 1234, empty wallet."""
    account = terminal.register()
    results = terminal.sync()
    assert all(r["status"] == "applied" for r in results.values()), results
    return account
