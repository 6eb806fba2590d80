"""The journal on a real SQLite file: appends, the append-only triggers, atomic appends, and
derived tables that a rebuild reproduces exactly."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from erial_desk.config import DATABASE_FILE
from erial_desk.domain.canonical import canonical_bytes, parse
from erial_desk.domain.chain import genesis_hash
from erial_desk.domain.clock import ManualClock, now_stamp
from erial_desk.domain.errors import IntegrityError, ValidationError
from erial_desk.domain.policy import DENOMINATIONS, BillKind, PaymentMethod
from erial_desk.services import Approval, RegistrationForm
from erial_desk.store import projections
from erial_desk.store.engine import connect_raw
from erial_desk.store.journal import AppendedEntry, Journal, new_entry_id
from tests.conftest import DEMO_PINS
from tests.store.terminals import new_terminal

SHIFT = "01900000-0000-7000-8000-000000000001"
ACCOUNT = "100000000008"


def top_up(journal: Journal, amount: int = 5_000, **kwargs: object) -> AppendedEntry:
    payload = {"shift": SHIFT, "account": ACCOUNT, "amount": amount}
    return journal.append(
        "top_up", payload, operator="salim", policy_version=1, catalogue_version=1, **kwargs
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "desk.sqlite"


@pytest.fixture
def terminal(db: Path) -> tuple[str, Ed25519PrivateKey]:
    return new_terminal(db)


@pytest.fixture
def public_key(terminal):
    return terminal[1].public_key()


@pytest.fixture
def journal(db: Path, terminal):
    j = Journal(db, *terminal)
    yield j
    j.close()


def journal_rows(db: Path) -> list[tuple]:
    conn = connect_raw(db)
    try:
        return conn.execute("SELECT * FROM journal ORDER BY seq").fetchall()
    finally:
        conn.close()


# --- appending ---------------------------------------------------------------------------------


def test_empty_journal_starts_at_the_genesis_hash(journal, public_key):
    assert journal.last() == (0, genesis_hash(journal.terminal_id))
    assert journal.verify(public_key) == (0, None)


def test_appends_are_numbered_chained_and_signed(journal, public_key, db):
    entries = [top_up(journal, 1_000 * (i + 1)) for i in range(5)]
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert journal.last() == (5, entries[-1].signed.hash)

    prev = genesis_hash(journal.terminal_id)
    for entry, row in zip(entries, journal.rows(), strict=True):
        env = parse(row.body)
        assert canonical_bytes(env) == row.body
        assert hashlib.sha256(row.body).hexdigest() == row.hash == entry.signed.hash
        assert env["prev"] == row.prev_hash == prev
        assert (env["seq"], env["id"], env["type"], env["at"]) == (
            row.seq,
            row.entry_id,
            row.entry_type,
            row.at,
        )
        assert env["terminal"] == journal.terminal_id
        assert env["payload"]["amount"] == entry.envelope["payload"]["amount"]
        public_key.verify(row.signature, bytes.fromhex(row.hash))
        prev = row.hash
    assert journal.verify(public_key) == (5, None)
    assert [r[0] for r in journal_rows(db)] == [1, 2, 3, 4, 5]


def test_an_entry_signed_over_a_stale_tip_is_made_again_over_the_real_one(db, terminal, public_key):
    """Each journal signs over the tip it wrote last, outside the write lock; when the other
    connection has appended meanwhile, the gapless trigger refuses the row and the entry is built
    again under the lock: the chain stays whole and every signature holds."""
    first, second = Journal(db, *terminal), Journal(db, *terminal)
    try:
        made = [top_up(first), top_up(first), top_up(second), top_up(first), top_up(second)]
        made += [top_up(first) for _ in range(3)]
    finally:
        first.close()
        second.close()
    assert [e.seq for e in made] == list(range(1, 9))
    rows = journal_rows(db)
    assert [r[0] for r in rows] == list(range(1, 9))
    assert [r[1] for r in rows] == [e.entry_id for e in made]
    reader = Journal(db, terminal[0], None)
    try:
        assert reader.verify(public_key) == (8, None)
    finally:
        reader.close()


def test_the_entry_time_comes_from_the_clock_given(db, terminal, public_key):
    clock = ManualClock("2026-03-01T05:00:00.000000Z")
    j = Journal(db, *terminal, clock=lambda: now_stamp(clock))
    try:
        first = top_up(j)
        clock.advance(timedelta(minutes=90))
        second = top_up(j)
    finally:
        j.close()
    assert [first.envelope["at"], second.envelope["at"]] == [
        "2026-03-01T05:00:00.000000Z",
        "2026-03-01T06:30:00.000000Z",
    ]
    assert [r[3] for r in journal_rows(db)] == [first.envelope["at"], second.envelope["at"]]


def test_the_signature_is_the_terminal_keys_own(journal, terminal):
    """Signed through libsodium, checked here with the key as the desk holds it (OpenSSL)."""
    entry = top_up(journal)
    terminal[1].public_key().verify(entry.signed.signature, bytes.fromhex(entry.signed.hash))
    assert entry.signed.signature == terminal[1].sign(bytes.fromhex(entry.signed.hash))


def test_a_given_entry_id_is_kept(journal):
    entry_id = new_entry_id()
    entry = top_up(journal, entry_id=entry_id)
    assert entry.entry_id == entry_id
    assert next(journal.signed_entries()).entry_id == entry_id


def test_a_repeated_entry_id_is_refused_and_leaves_no_trace(journal, public_key):
    first = top_up(journal)
    with pytest.raises(sqlite3.IntegrityError):
        top_up(journal, entry_id=first.entry_id)
    assert top_up(journal).seq == 2
    assert journal.verify(public_key) == (2, None)


def test_a_read_only_journal_refuses_to_append(db):
    terminal_id, _key = new_terminal(db)
    reader = Journal(db, terminal_id, None)
    try:
        with pytest.raises(IntegrityError):
            top_up(reader)
    finally:
        reader.close()
    assert journal_rows(db) == []


def test_a_float_in_the_payload_is_refused_before_anything_is_written(journal, db):
    with pytest.raises(ValidationError):
        journal.append(
            "top_up",
            {"shift": SHIFT, "account": ACCOUNT, "amount": 5.0},
            operator="salim",
            policy_version=1,
            catalogue_version=1,
        )
    assert journal_rows(db) == []
    assert top_up(journal).seq == 1


def test_a_failing_projector_rolls_the_entry_back(db):
    terminal_id, key = new_terminal(db)

    def failing(conn: sqlite3.Connection, entry: AppendedEntry) -> None:
        projections.project(conn, entry)
        raise RuntimeError("projection failed after writing")

    bad = Journal(db, terminal_id, key, projector=failing)
    try:
        with pytest.raises(RuntimeError):
            top_up(bad)
    finally:
        bad.close()
    conn = connect_raw(db)
    try:
        for table in ("journal", "outbox", "transactions"):
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,)
    finally:
        conn.close()

    good = Journal(db, terminal_id, key, projector=projections.project)
    try:
        assert top_up(good).seq == 1
        assert good.verify(key.public_key()) == (1, None)
    finally:
        good.close()


def test_the_projector_writes_in_the_same_transaction(db):
    terminal_id, key = new_terminal(db)
    j = Journal(db, terminal_id, key, projector=projections.project)
    try:
        amounts = (1_000, 2_500, 500)
        entries = [top_up(j, amount) for amount in amounts]
    finally:
        j.close()
    conn = connect_raw(db)
    try:
        assert conn.execute("SELECT seq, state FROM outbox ORDER BY seq").fetchall() == [
            (1, "pending"),
            (2, "pending"),
            (3, "pending"),
        ]
        expected = [(e.entry_id, a, a) for e, a in zip(entries, amounts, strict=True)]
        assert (
            conn.execute(
                "SELECT entry_id, amount, cash_effect FROM transactions ORDER BY seq"
            ).fetchall()
            == expected
        )
    finally:
        conn.close()


# --- append-only -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE journal SET body = X'00' WHERE seq = 2",
        "UPDATE journal SET entry_type = 'void' WHERE seq = 1",
        "UPDATE journal SET operator = 'aisha'",
        "UPDATE journal SET seq = seq + 10 WHERE seq = 3",
        "UPDATE OR REPLACE journal SET seq = 1 WHERE seq = 3",
        "DELETE FROM journal WHERE seq = 2",
        "DELETE FROM journal WHERE seq = 3",
        "DELETE FROM journal",
    ],
)
def test_update_and_delete_are_refused(journal, public_key, db, statement):
    for _ in range(3):
        top_up(journal)
    before = journal_rows(db)
    conn = connect_raw(db)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    finally:
        conn.close()
    assert journal_rows(db) == before
    assert journal.verify(public_key) == (3, None)


def test_update_is_refused_inside_an_explicit_transaction_too(journal, public_key, db):
    top_up(journal)
    conn = connect_raw(db)
    try:
        conn.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE journal SET at = '2000-01-01T00:00:00.000000Z'")
        conn.execute("COMMIT")
    finally:
        conn.close()
    assert journal.verify(public_key) == (1, None)


@pytest.mark.parametrize("seq", [0, 1, 2, 3, 5, 100, -1])
def test_an_insert_out_of_sequence_is_refused(journal, public_key, db, seq):
    for _ in range(3):
        top_up(journal)
    copy = list(journal_rows(db)[-1])
    copy[0], copy[1] = seq, new_entry_id()
    conn = connect_raw(db)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="gapless"):
            conn.execute("INSERT INTO journal VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", copy)
        with pytest.raises(sqlite3.IntegrityError, match="gapless"):
            conn.execute("INSERT OR REPLACE INTO journal VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", copy)
    finally:
        conn.close()
    assert top_up(journal).seq == 4
    assert journal.verify(public_key) == (4, None)


def test_replace_on_a_duplicate_entry_id_cannot_delete_a_row(journal, db):
    for _ in range(3):
        top_up(journal)
    copy = list(journal_rows(db)[1])
    copy[0] = 4  # the next sequence number passes the gapless trigger
    conn = connect_raw(db)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT OR REPLACE INTO journal VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", copy)
    finally:
        conn.close()


def test_the_terminal_identity_is_fixed(journal, db):
    conn = connect_raw(db)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE terminal SET public_key = X'00'")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE terminal SET terminal_id = 'another'")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("DELETE FROM terminal")
    finally:
        conn.close()


# --- derived tables ----------------------------------------------------------------------------

DERIVED = {
    "shifts": "SELECT * FROM shifts ORDER BY shift_id",
    "transactions": "SELECT * FROM transactions ORDER BY seq",
    "subscribers": "SELECT account, kind, civil_number, cr_number, name_ar, name_en, mobile,"
    " email, authorised_person, search_text, registered_at, source FROM subscribers"
    " ORDER BY account",
    "wallets": "SELECT * FROM wallets ORDER BY account",
    # Rebuilding returns outbox states to pending (central answers "duplicate" to a re-push).
    "outbox": "SELECT seq FROM outbox ORDER BY seq",
}


def dump_derived(db: Path) -> dict[str, list[tuple]]:
    conn = connect_raw(db)
    try:
        return {name: conn.execute(query).fetchall() for name, query in DERIVED.items()}
    finally:
        conn.close()


def count_for(amount: int) -> dict[int, int]:
    """Notes and coins making up ``amount``, largest first."""
    counts: dict[int, int] = {}
    for denomination in DENOMINATIONS:
        counts[denomination], amount = divmod(amount, denomination)
    assert amount == 0
    return counts


def counter_day(desk) -> str:
    """A shift with every kind of entry; returns the registered account."""
    form = RegistrationForm(
        kind="individual",
        name_ar="أحمد بن سالم البلوشي",
        name_en="Ahmed Salim Al Balushi",
        mobile="91234567",
        civil_number="12345678",
    )
    account = desk.register_subscriber(form, "4321").account
    company = RegistrationForm(
        kind="company",
        name_ar="شركة الرسيل للتجارة",
        name_en="Rusayl Trading LLC",
        mobile="92345678",
        cr_number="1234567",
        authorised_person="Said Al Harthy",
    )
    desk.register_subscriber(company, "8765")
    desk.top_up(account, "20.500")
    wrong = desk.top_up(account, 50_000)
    desk.update_subscriber(account, email="ahmed@example.om")
    bills = desk.find_bills(BillKind.PARKING, "777 MM")
    paid = desk.pay_bill(bills[0], PaymentMethod.WALLET, account=account, customer_pin="4321")
    desk.pay_bill(bills[1], PaymentMethod.CASH)
    supervisor = Approval("aisha", DEMO_PINS["aisha"])
    desk.void(wrong.entry_id, "typed 50 instead of 5", supervisor)
    desk.record_reprint(paid.entry_id)
    desk.cash_drop({20000: 2}, supervisor, "Safe run")
    expected = desk.shift_summary().expected_cash
    desk.close_shift(count_for(expected), supervisor)
    return account


def of_the_journal(dump, desk):
    """The derived rows a replay of the journal makes: other subscribers and their balances
    came from central's feed, and a rebuild does not make them."""
    known = {str(e["payload"].get("account")) for e in desk.entries()}
    for table in ("wallets", "subscribers"):
        dump[table] = [row for row in dump[table] if row[0] in known]
    return dump


def test_rebuild_gives_the_same_derived_tables_as_incremental_projection(clerk_desk):
    db = clerk_desk.data_dir / DATABASE_FILE
    account = counter_day(clerk_desk)
    incremental = of_the_journal(dump_derived(db), clerk_desk)
    entries = len(list(clerk_desk.entries()))
    assert len(incremental["outbox"]) == entries
    # Two top-ups, two bill payments, the void and the cash drop.
    assert len(incremental["transactions"]) == 6
    assert incremental["wallets"]

    assert clerk_desk.rebuild() == entries
    assert of_the_journal(dump_derived(db), clerk_desk) == incremental
    # Twice is the same as once.
    assert clerk_desk.rebuild() == entries
    assert of_the_journal(dump_derived(db), clerk_desk) == incremental
    assert clerk_desk.known_balance(account) == incremental_balance(incremental, account)
    assert [row.account for row in clerk_desk.find_subscribers("احمد البلوشي")] == [account]
    assert clerk_desk.verify_journal() == (entries, None)


def incremental_balance(dump: dict[str, list[tuple]], account: str) -> int | None:
    for row in dump["wallets"]:
        if row[0] == account:
            return row[1]
    return None


def test_rebuild_restores_derived_tables_that_were_lost(clerk_desk):
    db = clerk_desk.data_dir / DATABASE_FILE
    counter_day(clerk_desk)
    incremental = of_the_journal(dump_derived(db), clerk_desk)
    conn = connect_raw(db)
    try:
        for table in ("outbox", "transactions", "shifts", "wallets", "subscribers"):
            conn.execute(f"DELETE FROM {table}")
    finally:
        conn.close()
    assert all(not rows for rows in dump_derived(db).values())
    clerk_desk.rebuild()
    assert dump_derived(db) == incremental
