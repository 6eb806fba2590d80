"""Fixtures of the sync tests: a real ``erial-central`` on loopback, a fault proxy in front of it,
and desks enrolled with it.

The demo data is seeded once per test session into a SQLite file; each test module gets its own
copy and its own server process, and when the module is done ``erial-central audit`` must pass on
what its tests left behind. Desks are in-process ``Desk`` objects over real SQLite files (the
process-wide in-memory key store holds their keys), or ``erial-desk`` child processes with an
encrypted key file where a test kills them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from erial_desk.services import Desk

from .fault_proxy import FaultProxy

ROOT = Path(__file__).resolve().parents[2]
SEED_SUBSCRIBERS = 400
SEED_BILLS = 3000
PASSPHRASE = "test passphrase of the sync tests"

# Operator and supervisor (id, PIN) of each demo office.
STAFF = {
    "MCT-HQ": (("salim", "1111"), ("aisha", "9999")),
    "MCT-BWR": (("yousuf", "1212"), ("maryam", "9898")),
    "CAFE-RUWI": (("khalid", "2222"), ("noora", "8888")),
    "CAFE-SEEB": (("hamad", "3333"), ("zainab", "7777")),
}
FLOAT = {20000: 2, 1000: 5, 500: 2}  # 46.000 OMR


def central_cli(database: str, secrets_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "erial_central.cli", "--database", database]
        + ["--secrets", str(secrets_file), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def eventually(predicate: Any, timeout: float = 10.0) -> bool:
    """Whether ``predicate()`` becomes true within ``timeout`` seconds (for other threads)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def fast_backoff(desk: Desk) -> Desk:
    """Keep the client's retry rules but wait a tenth of the delays, so offline rounds are quick."""
    client = desk._central
    if hasattr(client, "_sleep"):
        client._sleep = lambda seconds: time.sleep(seconds / 10)
    return desk


# --- central ----------------------------------------------------------------------------------


@dataclass
class Template:
    database: Path
    secrets: Path
    admin_token: str


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The demo data, seeded once for the whole session."""
    workdir = tmp_path_factory.mktemp("sync-template")
    database, secrets_file = workdir / "central.sqlite", workdir / "secrets.json"
    done = central_cli(
        f"sqlite:///{database}",
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
    return Template(database, secrets_file, found.group(1))


@dataclass
class CentralServer:
    """A seeded central of one test module, on a fixed loopback port."""

    database_file: Path
    secrets: Path
    workdir: Path
    admin_token: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    _engine: Engine | None = None
    _used_bills: set[str] = field(default_factory=set)
    _used_accounts: set[str] = field(default_factory=set)

    @property
    def database(self) -> str:
        return f"sqlite:///{self.database_file}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.workdir / "server.log"

    # --- the process ------------------------------------------------------------------------

    def start(self) -> None:
        """Start central and wait until it answers. A port another process took meanwhile is
        replaced by a free one on the first start; a restart waits for its own port."""
        for attempt in range(5):
            with self.log.open("ab") as out:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "erial_central.cli", "--database", self.database]
                    + ["--secrets", str(self.secrets), "serve", "--port", str(self.port)],
                    cwd=ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    if requests.get(f"{self.base_url}/v1/health", timeout=2).status_code == 200:
                        return
                except requests.RequestException:
                    pass
                time.sleep(0.05)
            self.stop(kill=True)
            if self.restarts == 0:
                self.port = free_port()
            else:
                time.sleep(1 + attempt)
        raise AssertionError(f"central did not start:\n{self.log.read_text()[-4000:]}")

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        if kill:
            self.process.send_signal(signal.SIGKILL)
        else:
            self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)

    def restart(self) -> None:
        """Kill central (SIGKILL, whatever it was doing) and start it again on the same port."""
        self.stop(kill=True)
        self.restarts += 1
        self.start()

    # --- administration ---------------------------------------------------------------------

    @property
    def admin_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    def enrolment_code(self, office_id: str) -> str:
        made = requests.post(
            f"{self.base_url}/v1/admin/offices/{office_id}/terminals",
            headers=self.admin_headers,
            timeout=30,
        )
        assert made.status_code == 200, made.text
        return str(made.json()["enrolment_code"])

    def revoke(self, terminal_id: str) -> None:
        done = requests.post(
            f"{self.base_url}/v1/admin/terminals/{terminal_id}/revoke",
            headers=self.admin_headers,
            timeout=30,
        )
        assert done.status_code == 200, done.text

    def office_totals(self, office_id: str, day: str) -> dict[str, Any]:
        got = requests.get(
            f"{self.base_url}/v1/admin/offices/{office_id}/totals",
            params={"day": day},
            headers=self.admin_headers,
            timeout=30,
        )
        assert got.status_code == 200, got.text
        return dict(got.json())

    def audit(self) -> subprocess.CompletedProcess[str]:
        return central_cli(self.database, self.secrets, "audit")

    # --- reading central's database ---------------------------------------------------------

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(self.database, poolclass=NullPool)
        return self._engine

    def query(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params).fetchall())

    def ledger_sum(self) -> int:
        return int(self.query("SELECT COALESCE(SUM(amount), 0) FROM postings")[0][0])

    def balance(self, ledger_account: str) -> int:
        """A ledger account's balance from its postings (``wallet:...``, ``cash:...``)."""
        rows = self.query(
            "SELECT COALESCE(SUM(amount), 0) FROM postings WHERE account_id = :a", a=ledger_account
        )
        return int(rows[0][0])

    def wallet(self, account: str) -> int:
        return self.balance(f"wallet:{account}")

    def entries_of(self, terminal_id: str) -> list[Any]:
        return self.query(
            "SELECT seq, entry_id, hash, entry_type, status, reason FROM entries"
            " WHERE terminal_id = :t ORDER BY seq",
            t=terminal_id,
        )

    def transfers_of_entries(self, entry_ids: list[str]) -> list[Any]:
        found: list[Any] = []
        for start in range(0, len(entry_ids), 500):
            chunk = entry_ids[start : start + 500]
            names = ", ".join(f":e{i}" for i in range(len(chunk)))
            found += self.query(
                "SELECT entry_id, kind, amount, source, destination, reverses FROM transfers"
                f" WHERE entry_id IN ({names})",  # noqa: S608 - bound parameters
                **{f"e{i}": e for i, e in enumerate(chunk)},
            )
        return found

    # --- test data --------------------------------------------------------------------------

    def open_bills(
        self, count: int, kind: str | None = None, amount: int | None = None
    ) -> list[dict[str, Any]]:
        """Generated open bills no other test of the module has taken: bill id, kind, the key
        the clerk types (plate, civil, CR or application number) and amount."""
        rows = self.query(
            "SELECT bill_id, kind, subject, amount FROM bills WHERE status = 'open'"
            " AND reference LIKE '__3_____' AND (:k IS NULL OR kind = :k)"
            " AND (:a IS NULL OR amount = :a) ORDER BY bill_id",
            k=kind,
            a=amount,
        )
        picked = []
        for bill_id, bill_kind, subject, amount in rows:
            if bill_id in self._used_bills:
                continue
            self._used_bills.add(bill_id)
            picked.append({"bill_id": bill_id, "kind": bill_kind, "key": subject, "amount": amount})
            if len(picked) == count:
                return picked
        raise AssertionError("the module used up the seeded bills")

    def funded_accounts(self, count: int, minimum: int = 30_000) -> list[str]:
        """Seeded subscribers (PIN 1234) with at least ``minimum`` baisa, unused in the module."""
        rows = self.query(
            "SELECT s.account FROM ledger_accounts a JOIN subscribers s"
            " ON a.account_id = 'wallet:' || s.account WHERE s.registered_by = 'demo'"
            " AND a.balance >= :m ORDER BY s.account",
            m=minimum,
        )
        picked = []
        for (account,) in rows:
            if account not in self._used_accounts:
                self._used_accounts.add(account)
                picked.append(account)
                if len(picked) == count:
                    return picked
        raise AssertionError("the module used up the funded subscribers")

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


@pytest.fixture(scope="module")
def central(
    seeded: Template, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CentralServer]:
    """This module's central, seeded; afterwards the audit must pass on what it holds."""
    label = request.module.__name__.rsplit(".", 1)[-1]
    workdir = tmp_path_factory.mktemp(f"central-{label}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{seeded.database}{suffix}")
        if source.exists():
            shutil.copyfile(source, workdir / f"central.sqlite{suffix}")
    shutil.copyfile(seeded.secrets, workdir / "secrets.json")
    server = CentralServer(
        workdir / "central.sqlite", workdir / "secrets.json", workdir, seeded.admin_token
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server.close()
    log = server.log.read_text()
    assert "Traceback" not in log, f"central logged an error:\n{log[-6000:]}"
    checked = server.audit()
    assert checked.returncode == 0, f"audit failed after the module:\n{checked.stdout}"


@pytest.fixture
def proxy(central: CentralServer) -> Iterator[FaultProxy]:
    """A fault proxy in front of this module's central (no faults until planned)."""
    made = FaultProxy(central.port, restart_upstream=central.restart).start()
    yield made
    made.stop()
    if central.process is None or central.process.poll() is not None:
        central.start()  # a test left central down: the next one needs it


# --- desks ------------------------------------------------------------------------------------


def enrolled_desk(
    central: CentralServer,
    data_dir: Path,
    office_id: str = "MCT-HQ",
    *,
    url: str | None = None,
    keyring: str = "memory",
) -> Desk:
    """A new terminal at ``office_id``, enrolled with ``central`` through ``url`` (the proxy's,
    or central's own), first sync done."""
    url = url or central.base_url
    code = central.enrolment_code(office_id)
    Desk.init_for_central(data_dir, office_id=office_id, central_url=url, keyring=keyring)
    return fast_backoff(Desk.enroll(data_dir, url, code))


def reopen(data_dir: Path) -> Desk:
    return fast_backoff(Desk.open(data_dir))


def start_shift(desk: Desk) -> Desk:
    (operator, pin), _supervisor = STAFF[desk.office.office_id]
    desk.login(operator, pin)
    desk.open_shift(FLOAT)
    return desk


def approval(desk: Desk) -> Any:
    from erial_desk.services import Approval

    _operator, (supervisor, pin) = STAFF[desk.office.office_id]
    return Approval(supervisor, pin)


def sync_until_done(desk: Desk, rounds: int = 30) -> Any:
    """Sync rounds until nothing waits (the network may still be failing for a while)."""
    status = desk.sync_once()
    for _ in range(rounds):
        if status.online and status.waiting == 0 and status.last_error is None:
            return status
        time.sleep(0.1)
        status = desk.sync_once()
    raise AssertionError(f"still not synced: {status}")


def find_bill(desk: Desk, bill: dict[str, Any]) -> Any:
    """Look ``bill`` up at the counter, as the clerk does (by plate, number...)."""
    from erial_desk.domain.policy import BillKind

    found = desk.find_bills(BillKind(bill["kind"]), bill["key"])
    (match,) = [b for b in found if b.bill_id == bill["bill_id"]]
    return match


def journal_entries(desk: Desk) -> list[dict[str, Any]]:
    """The desk's journal as envelopes, in sequence order."""
    return [json.loads(e.body) for e in desk._journal.signed_entries()]


# --- the exactly-once check -------------------------------------------------------------------


def assert_exactly_once(central: CentralServer, desk: Desk) -> dict[str, int]:
    """Every journal entry acknowledged, held by central once with the same hash, and its money
    moved once. Returns the outbox counts."""
    counts = desk.outbox_counts()
    assert counts.get("pending", 0) == 0, counts
    assert counts.get("rejected", 0) == 0, (counts, desk.flagged_entries())
    mine = [(s.seq, s.entry_id, s.hash) for s in desk._journal.signed_entries()]
    theirs = [(r[0], r[1], r[2]) for r in central.entries_of(desk.terminal_id)]
    assert theirs == mine, "central does not hold exactly the desk's journal"
    (last_seq,) = central.query(
        "SELECT last_seq FROM terminals WHERE terminal_id = :t", t=desk.terminal_id
    )[0]
    assert int(last_seq) == len(mine)
    moves = central.transfers_of_entries([entry_id for _, entry_id, _ in mine])
    doubled = {m: n for m, n in Counter(tuple(m) for m in moves).items() if n > 1}
    assert not doubled, f"money moved twice: {doubled}"
    return counts


def assert_nothing_flagged(desk: Desk) -> None:
    flagged = [(f["type"], f["reason"]) for f in desk.flagged_entries()]
    assert not flagged, flagged


def expected_wallet_changes(desk: Desk) -> dict[str, int]:
    """What the desk's journal did to each wallet, when central applied every entry as is."""
    changes: Counter[str] = Counter()
    by_id = {}
    for env in journal_entries(desk):
        p = env["payload"]
        by_id[env["id"]] = env
        if env["type"] == "top_up":
            changes[p["account"]] += p["amount"]
        elif env["type"] == "bill_paid" and p["method"] == "wallet":
            changes[p["account"]] -= p["amount"] + p["service_charge"]
        elif env["type"] == "void":
            voided = by_id[p["voids"]]
            q = voided["payload"]
            if voided["type"] == "top_up":
                changes[q["account"]] -= q["amount"]
            elif voided["type"] == "bill_paid" and q["method"] == "wallet":
                changes[q["account"]] += q["amount"] + q["service_charge"]
    return dict(changes)


def expected_cash_change(desk: Desk) -> int:
    """What the desk's journal did to its office's cash account at central."""
    total = 0
    by_id = {}
    for env in journal_entries(desk):
        p = env["payload"]
        by_id[env["id"]] = env
        if env["type"] == "top_up" or (env["type"] == "bill_paid" and p["method"] == "cash"):
            total += p["amount"]
        elif env["type"] == "void":
            voided = by_id[p["voids"]]["payload"]
            if by_id[p["voids"]]["type"] == "top_up" or voided.get("method") == "cash":
                total -= voided["amount"]
    return total


def assert_no_orphans(central: CentralServer, desk: Desk) -> None:
    """Every online authorisation central made for the desk belongs to one of its entries."""
    mine = {s.entry_id for s in desk._journal.signed_entries()}
    made = {
        r[0]
        for r in central.query(
            "SELECT entry_id FROM authorisations WHERE terminal_id = :t", t=desk.terminal_id
        )
    }
    assert made <= mine, f"authorisations without an entry: {made - mine}"


def assert_money_matches(
    central: CentralServer,
    desks: list[Desk],
    wallets_before: dict[str, int],
    cash_before: dict[str, int],
) -> None:
    """Each wallet at central moved by what the desks' journals say, each office's cash account
    by what its desks took in, and each desk's known balances are central's."""
    changes: Counter[str] = Counter()
    cash: Counter[str] = Counter()
    for desk in desks:
        changes.update(expected_wallet_changes(desk))
        cash[desk.office.office_id] += expected_cash_change(desk)
    for account, change in changes.items():
        assert central.wallet(account) == wallets_before.get(account, 0) + change, account
    for office, taken in cash.items():
        # Cash paid in at an office moves out of the office's cash account into wallets and
        # revenue: that account goes down by what the desks took.
        assert central.balance(f"cash:{office}") == cash_before[office] - taken, office
    for desk in desks:
        with desk._reader.connect() as conn:
            known = conn.execute(
                text("SELECT account, balance - pending_debits FROM wallets")
            ).fetchall()
        for account, balance in known:
            if account in changes and balance is not None:
                assert balance == central.wallet(account), (desk.office.office_id, account)
    assert central.ledger_sum() == 0


# --- desks in child processes -----------------------------------------------------------------


def desk_command(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "erial_desk.cli", "--data-dir", str(data_dir)] + [
        "--lang",
        "en",
        *args,
    ]


def desk_env() -> dict[str, str]:
    return {**os.environ, "ERIAL_DESK_KEY_PASSPHRASE": PASSPHRASE}


# --- a clerk at work --------------------------------------------------------------------------


def drawer_counts(amount: int) -> dict[int, int]:
    """Notes and coins making up ``amount``, largest first."""
    from erial_desk.domain.policy import DENOMINATIONS

    counts: dict[int, int] = {}
    for denomination in DENOMINATIONS:
        counts[denomination], amount = divmod(amount, denomination)
    assert amount == 0
    return counts


@dataclass
class Teller:
    """Works one desk as a clerk does, at random: every kind of counter operation, whatever the
    network does meanwhile. Wallet payments stay inside a budget per wallet (the offline daily
    cap) so that the offline policy never has to refuse one; what it did is counted in ``done``.

    ``calm`` says central is reachable: only then are operations made that need central's answer
    before anything is written (paying from the office's wallet, voiding a top-up)."""

    desk: Desk
    rng: Any
    accounts: list[str]  # wallets (PIN 1234) this desk knows the balance of
    cash_bills: list[dict[str, Any]]
    wallet_bills: list[dict[str, Any]]  # parking fines of at most 15.000
    operator: tuple[str, str]
    supervisor: tuple[str, str]
    calm: bool = True
    done: Counter[str] = field(default_factory=Counter)
    budget: dict[str, int] = field(default_factory=dict)
    voidable: list[Any] = field(default_factory=list)
    registered: list[str] = field(default_factory=list)
    float_left: int | None = None

    def __post_init__(self) -> None:
        from erial_desk.domain.policy import Policy

        for account in self.accounts:
            self.budget.setdefault(account, Policy().offline_daily_cap_per_wallet)
        self.internal = self.desk.office.office_type.value == "internal"
        self._reset_float()

    def _reset_float(self) -> None:
        limit = self.desk.office.top_up_float_limit
        self.float_left = None if limit is None else limit

    @property
    def approval(self) -> Any:
        from erial_desk.services import Approval

        return Approval(*self.supervisor)

    def step(self) -> str:
        """One operation, chosen at random; returns its name."""
        weights = {
            "top_up": 28,
            "cash_bill": 20 if self.internal else 0,
            "wallet_bill": 16,
            "office_wallet": 0 if self.internal or not self.calm else 3,
            "void": 3,
            "reprint": 5,
            "cash_drop": 2,
            "register": 3 if self.internal else 0,
            "update": 3 if self.internal else 0,
            "lookup": 6,
        }
        name = self.rng.choices(list(weights), list(weights.values()))[0]
        getattr(self, f"_{name}")()
        return name

    # --- operations -------------------------------------------------------------------------

    def _bill(self, pool: list[dict[str, Any]]) -> Any:
        """A bill of ``pool`` looked up at the counter (online, or from what the desk kept)."""
        from erial_desk.domain.errors import CentralUnavailable
        from erial_desk.domain.policy import BillKind

        if not pool:
            self.done["no_bills_left"] += 1
            return None
        bill = pool.pop()
        try:
            found = self.desk.find_bills(BillKind(bill["kind"]), bill["key"])
        except CentralUnavailable:
            pool.insert(0, bill)  # never looked up here, and no network: later
            self.done["lookup_unavailable"] += 1
            return None
        match = [b for b in found if b.bill_id == bill["bill_id"]]
        assert match and match[0].status == "open", (bill, match)
        return match[0]

    def _top_up(self) -> None:
        account = self.rng.choice(self.accounts + self.registered)
        amount = self.rng.randrange(1, 21) * 1000
        if self.float_left is not None:
            if self.float_left < 20_000:  # the office's top-up float for the shift is used up
                self.change_shift()
            amount = min(amount, self.float_left)
            self.float_left -= amount
        result = self.desk.top_up(account, amount)
        self.done["top_up"] += 1
        self.voidable.append(result)

    def _cash_bill(self) -> None:
        from erial_desk.domain.policy import PaymentMethod

        bill = self._bill(self.cash_bills)
        if bill is not None:
            self.voidable.append(self.desk.pay_bill(bill, PaymentMethod.CASH))
            self.done["cash_bill"] += 1

    def _wallet_bill(self) -> None:
        from erial_desk.domain.policy import PaymentMethod

        total = 15_200
        payers = [a for a in self.accounts if self.budget[a] >= total]
        if not payers:
            self.done["wallet_budget_used_up"] += 1
            return
        bill = self._bill(self.wallet_bills)
        if bill is None:
            return
        account = self.rng.choice(payers)
        self.budget[account] -= bill.amount + 200
        result = self.desk.pay_bill(
            bill, PaymentMethod.WALLET, account=account, customer_pin="1234"
        )
        self.done[f"wallet_bill_{result.status}"] += 1
        self.voidable.append(result)

    def _office_wallet(self) -> None:
        from erial_desk.domain.errors import StateError
        from erial_desk.domain.policy import PaymentMethod

        bill = self._bill(self.wallet_bills)
        if bill is None:
            return
        try:
            self.voidable.append(self.desk.pay_bill(bill, PaymentMethod.OFFICE_WALLET))
            self.done["office_wallet"] += 1
        except StateError as exc:
            assert exc.code == "wallet.insufficient", exc
            self.done["office_wallet_empty"] += 1

    def _void(self) -> None:
        from erial_desk.domain.errors import CentralError, StateError

        candidates = [r for r in self.voidable if self.calm or r.entry_type != "top_up"]
        if not candidates:
            return
        chosen = self.rng.choice(candidates)
        self.voidable.remove(chosen)
        try:
            self.desk.void(chosen.entry_id, "entered by mistake", self.approval)
        except StateError as exc:  # a top-up already spent cannot be taken back
            self.done[f"void_refused_{exc.code}"] += 1
            return
        except CentralError as exc:
            self.done[f"void_refused_{exc.code}"] += 1
            return
        self.done[f"void_{chosen.entry_type}"] += 1

    def _reprint(self) -> None:
        if self.voidable:
            self.desk.record_reprint(self.rng.choice(self.voidable).entry_id)
            self.done["reprint"] += 1

    def _cash_drop(self) -> None:
        shift = self.desk.shift_summary()
        if shift.expected_cash >= 60_000:
            self.desk.cash_drop({20000: 1}, self.approval, "Drawer over the limit")
            self.done["cash_drop"] += 1

    def _register(self) -> None:
        from erial_desk.domain.errors import StateError
        from erial_desk.services import RegistrationForm

        civil = str(self.rng.randrange(10_000_000, 99_999_999))
        form = RegistrationForm(
            kind="individual",
            name_ar="مشترك جديد",
            name_en="New subscriber",
            mobile=f"9{self.rng.randrange(10**7):07d}",
            civil_number=civil,
        )
        try:
            result = self.desk.register_subscriber(form, "2468")
        except StateError:
            self.done["register_duplicate"] += 1
            return
        self.registered.append(str(result.account))
        self.done["register"] += 1

    def _update(self) -> None:
        account = self.rng.choice(self.accounts + self.registered)
        self.desk.update_subscriber(account, mobile=f"7{self.rng.randrange(10**7):07d}")
        self.done["update"] += 1

    def _lookup(self) -> None:
        from erial_desk.domain.errors import CentralUnavailable
        from erial_desk.domain.policy import BillKind

        pool = self.cash_bills or self.wallet_bills
        if not pool:
            return
        bill = self.rng.choice(pool)
        try:
            self.desk.find_bills(BillKind(bill["kind"]), bill["key"])
            self.done["lookup"] += 1
        except CentralUnavailable:
            self.done["lookup_unavailable"] += 1

    # --- the shift ----------------------------------------------------------------------------

    def change_shift(self, reopen: bool = True) -> None:
        """Close the shift with the drawer counted as expected, and open the next."""
        expected = self.desk.shift_summary().expected_cash
        self.desk.close_shift(drawer_counts(expected))
        self.done["shift_closed"] += 1
        self.voidable.clear()
        if reopen:
            self.desk.open_shift(FLOAT)
            self._reset_float()
            self.done["shift_opened"] += 1

    def resume(self, desk: Desk) -> None:
        """The desk was restarted: log in again; the shift is still open."""
        self.desk = desk
        desk.login(*self.operator)
        self.voidable.clear()  # the clerk's screen is gone; older receipts are in the journal
