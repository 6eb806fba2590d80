"""Alembic migrations: a database made by the first migration, with a journal already in it,
upgrades to head; the derived tables that did not exist then are rebuilt from that journal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from erial_desk.store import migrate, projections
from erial_desk.store.engine import connect_raw
from erial_desk.store.journal import Journal
from tests.store.terminals import add_terminal

FIRST = "0001"
JOURNAL_TABLES = {"terminal", "journal"}
DERIVED_TABLES = {
    "shifts",
    "transactions",
    "subscribers",
    "wallets",
    "outbox",
    "operators",
    "login_state",
}
TRIGGERS = {
    "journal_no_update",
    "journal_no_delete",
    "journal_gapless",
    "terminal_no_update",
    "terminal_no_delete",
}
SHIFT = "01900000-0000-7000-8000-0000000000e1"
ACCOUNT = "100000000008"


def revisions() -> list[str]:
    """Every revision from the first to head, in upgrade order."""
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    return [s.revision for s in reversed(list(script.walk_revisions()))]


def names(db: Path, kind: str) -> set[str]:
    conn = connect_raw(db)
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,))
        return {r[0] for r in rows}
    finally:
        conn.close()


def first_day(journal: Journal) -> None:
    """Entries of every kind the derived tables read, appended without a projector."""

    def append(entry_type: str, payload: dict[str, object]) -> str:
        return journal.append(
            entry_type, payload, operator="salim", policy_version=1, catalogue_version=1
        ).entry_id

    shift = append(
        "shift_opened",
        {"office": "MCT-HQ", "float_counts": {"20000": 2, "1000": 5}, "float_total": 45_000},
    )
    assert shift
    append(
        "subscriber_registered",
        {
            "account": ACCOUNT,
            "kind": "individual",
            "civil_number": "12345678",
            "cr_number": None,
            "name_ar": "خالد بن ناصر الكندي",
            "name_en": "Khalid Nasser Al Kindi",
            "mobile": "91234567",
            "email": None,
            "authorised_person": None,
            "sealed_pin": "c2VhbGVk",
        },
    )
    top_up = append("top_up", {"shift": shift, "account": ACCOUNT, "amount": 20_500})
    append("top_up", {"shift": shift, "account": ACCOUNT, "amount": 5_000})
    append(
        "void",
        {
            "shift": shift,
            "voids": top_up,
            "reason": "wrong account",
            "approver": "aisha",
            "authorisation": None,
        },
    )
    append(
        "cash_drop", {"shift": shift, "counts": {"20000": 2}, "amount": 40_000, "approver": "aisha"}
    )
    append(
        "shift_closed",
        {
            "shift": shift,
            "counted": {"1000": 10},
            "counted_total": 10_000,
            "expected": 10_000,
            "variance": 0,
            "approver": None,
        },
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "desk.sqlite"


def test_revisions_form_one_line_from_the_first_to_head():
    line = revisions()
    assert line[0] == FIRST
    assert line[-1] == migrate.head_revision()
    assert len(line) == len(set(line))


def test_a_new_file_upgrades_to_head(db):
    assert migrate.current_revision(db) is None
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.head_revision()
    assert JOURNAL_TABLES | DERIVED_TABLES <= names(db, "table")
    assert TRIGGERS <= names(db, "trigger")
    # Upgrading again at head changes nothing.
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.head_revision()


def test_the_first_migration_makes_only_the_journal(db):
    migrate.upgrade(db, FIRST)
    assert migrate.current_revision(db) == FIRST
    tables = names(db, "table")
    assert JOURNAL_TABLES <= tables
    assert not DERIVED_TABLES & tables
    assert TRIGGERS <= names(db, "trigger")


def test_a_journal_made_at_the_first_revision_upgrades_to_head(db):
    migrate.upgrade(db, FIRST)
    terminal_id, key = add_terminal(db)
    journal = Journal(db, terminal_id, key, projector=None)
    try:
        first_day(journal)
    finally:
        journal.close()
    conn = connect_raw(db)
    try:
        before = conn.execute("SELECT * FROM journal ORDER BY seq").fetchall()
        terminal = conn.execute("SELECT * FROM terminal").fetchall()
    finally:
        conn.close()

    migrate.upgrade(db)

    assert migrate.current_revision(db) == migrate.head_revision()
    assert JOURNAL_TABLES | DERIVED_TABLES <= names(db, "table")
    journal = Journal(db, terminal_id, key, projector=projections.project)
    try:
        assert journal.verify(key.public_key()) == (len(before), None)
        assert projections.rebuild(journal) == len(before)
        conn = journal.raw_connection()
        assert conn.execute("SELECT * FROM journal ORDER BY seq").fetchall() == before
        assert conn.execute("SELECT * FROM terminal").fetchall() == terminal
        assert conn.execute("SELECT seq, state FROM outbox ORDER BY seq").fetchall() == [
            (seq, "pending") for seq in range(1, len(before) + 1)
        ]
        assert conn.execute(
            "SELECT entry_type, amount, cash_effect, voided_by IS NOT NULL FROM transactions"
            " ORDER BY seq"
        ).fetchall() == [
            ("top_up", 20_500, 20_500, 1),
            ("top_up", 5_000, 5_000, 0),
            ("void", 20_500, -20_500, 0),
            ("cash_drop", 40_000, -40_000, 0),
        ]
        assert conn.execute(
            "SELECT float_total, counted_total, variance FROM shifts"
        ).fetchall() == [(45_000, 10_000, 0)]
        assert conn.execute("SELECT account, balance FROM wallets").fetchall() == [(ACCOUNT, 5_000)]
        assert conn.execute("SELECT account, source FROM subscribers").fetchall() == [
            (ACCOUNT, "desk")
        ]
        # The journal goes on where it stopped, now with its derived tables kept up to date.
        payload = {"shift": "later", "account": ACCOUNT, "amount": 1_000}
        entry = journal.append(
            "top_up", payload, operator="salim", policy_version=1, catalogue_version=1
        )
        assert entry.seq == len(before) + 1
        assert conn.execute("SELECT balance FROM wallets").fetchone() == (6_000,)
        assert journal.verify(key.public_key()) == (entry.seq, None)
    finally:
        journal.close()


def test_each_revision_upgrades_to_the_next_with_the_journal_intact(db):
    line = revisions()
    migrate.upgrade(db, line[0])
    terminal_id, key = add_terminal(db)
    journal = Journal(db, terminal_id, key, projector=None)
    try:
        first_day(journal)
    finally:
        journal.close()
    for revision in line[1:]:
        migrate.upgrade(db, revision)
        assert migrate.current_revision(db) == revision
        reader = Journal(db, terminal_id, None)
        try:
            assert reader.verify(key.public_key()) == (7, None)
        finally:
            reader.close()


def test_the_append_only_triggers_survive_the_upgrade(db):
    migrate.upgrade(db, FIRST)
    terminal_id, key = add_terminal(db)
    journal = Journal(db, terminal_id, key, projector=None)
    try:
        first_day(journal)
    finally:
        journal.close()
    migrate.upgrade(db)
    conn = connect_raw(db)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE journal SET body = X'00' WHERE seq = 3")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM journal WHERE seq = 7")
        with pytest.raises(sqlite3.IntegrityError, match="gapless"):
            conn.execute(
                "INSERT INTO journal SELECT 9, 'x', entry_type, at, operator, body, hash,"
                " prev_hash, signature FROM journal WHERE seq = 1"
            )
    finally:
        conn.close()
