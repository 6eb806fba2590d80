"""Upgrading a data directory made by an older version: a copy is made first with SQLite's
backup API, the journal verifies afterwards, and a failed upgrade leaves the file as it was and
the desk refusing to start with a sentence that names the copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from erial_desk import cli
from erial_desk.domain.errors import ConfigError
from erial_desk.logs import LOG_FILE
from erial_desk.store import migrate
from erial_desk.store.engine import connect_raw
from erial_desk.store.journal import Journal
from tests.store.terminals import add_terminal
from tests.store.test_migrations import FIRST, first_day

FAILING_REVISION = '''"""A revision that fails half-way, having committed part of its work.

Revision ID: 9999
Revises: {head}
"""

from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.exec_driver_sql("DROP TRIGGER journal_no_delete")
    conn.exec_driver_sql("DELETE FROM journal WHERE seq > 2")
    conn.exec_driver_sql("COMMIT")  # out of the upgrade's transaction: only the copy helps now
    raise RuntimeError("this migration fails on purpose")


def downgrade():
    pass
'''

REWRITING_REVISION = '''"""A revision that succeeds but changes an entry of the journal.

Revision ID: 9998
Revises: {head}
"""

from alembic import op

revision = "9998"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DROP TRIGGER journal_no_update")
    op.execute("UPDATE journal SET operator = 'someone else' WHERE seq = 1")


def downgrade():
    pass
'''


def journal_rows(db: Path) -> list[tuple[object, ...]]:
    conn = connect_raw(db)
    try:
        return conn.execute("SELECT * FROM journal ORDER BY seq").fetchall()
    finally:
        conn.close()


@pytest.fixture
def old_desk(tmp_path: Path) -> tuple[Path, list[tuple[object, ...]]]:
    """A data directory's database made by the first schema version, a day's journal in it."""
    db = tmp_path / "data" / "desk.sqlite"
    db.parent.mkdir()
    migrate.upgrade(db, FIRST)
    terminal_id, key = add_terminal(db)
    journal = Journal(db, terminal_id, key, projector=None)
    try:
        first_day(journal)
    finally:
        journal.close()
    return db, journal_rows(db)


def with_extra_revision(tmp_path: Path, source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The desk's migrations plus one test revision after head, as the next version's would be."""
    copy = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    head = migrate.head_revision()
    (copy / "versions" / "9999_test.py").write_text(source.format(head=head), encoding="utf-8")
    monkeypatch.setattr(migrate, "MIGRATIONS", copy)


def test_an_old_database_is_copied_then_upgraded_and_its_journal_verifies(old_desk):
    db, before = old_desk
    backup = migrate.upgrade(db)

    assert migrate.current_revision(db) == migrate.head_revision()
    assert migrate.verify_journal(db) is None
    assert journal_rows(db) == before
    assert backup is not None and backup.parent == db.parent / migrate.BACKUP_DIR
    assert FIRST in backup.name and migrate.head_revision() in backup.name
    # The copy is the old file: its schema version and its journal.
    assert migrate.current_revision(backup) == FIRST
    assert journal_rows(backup) == before
    assert migrate.verify_journal(backup) is None
    # Opening again at head makes no further copy.
    assert migrate.upgrade(db) is None
    assert list(backup.parent.iterdir()) == [backup]


def test_a_new_database_needs_no_copy(tmp_path):
    db = tmp_path / "desk.sqlite"
    assert migrate.upgrade(db) is None
    assert not (tmp_path / migrate.BACKUP_DIR).exists()


def test_a_failed_migration_leaves_the_old_file_and_names_the_copy(old_desk, tmp_path, monkeypatch):
    db, before = old_desk
    migrate.upgrade(db)  # the version before the next one
    at_head = migrate.head_revision()
    with_extra_revision(tmp_path, FAILING_REVISION, monkeypatch)

    with pytest.raises(ConfigError) as refused:
        migrate.upgrade(db)

    assert refused.value.code == "upgrade.failed"
    backup = Path(refused.value.params["backup"])
    assert backup.exists() and str(backup) in refused.value.message("en")
    assert migrate.current_revision(db) == at_head
    assert journal_rows(db) == before
    assert migrate.verify_journal(db) is None
    # The trigger the failing revision dropped is back: the journal is append-only again.
    conn = connect_raw(db)
    try:
        with pytest.raises(Exception, match="append-only|cannot"):
            conn.execute("DELETE FROM journal WHERE seq = 1")
    finally:
        conn.close()


def test_an_upgrade_that_changes_the_journal_is_undone(old_desk, tmp_path, monkeypatch):
    db, before = old_desk
    migrate.upgrade(db)
    at_head = migrate.head_revision()
    with_extra_revision(tmp_path, REWRITING_REVISION, monkeypatch)

    with pytest.raises(ConfigError) as refused:
        migrate.upgrade(db)

    assert refused.value.code == "upgrade.unverified"
    assert migrate.current_revision(db) == at_head
    assert journal_rows(db) == before


def test_the_desk_refuses_to_start_naming_the_copy_in_arabic_too(
    old_desk, tmp_path, monkeypatch, capsys
):
    db, before = old_desk
    with_extra_revision(tmp_path, FAILING_REVISION, monkeypatch)

    assert cli.main(["--data-dir", str(db.parent), "--lang", "ar", "status"]) == cli.EXIT_ERROR

    message = capsys.readouterr().err
    assert "Traceback" not in message and "on purpose" not in message
    log = (db.parent / LOG_FILE).read_text(encoding="utf-8")
    assert "this migration fails on purpose" in log  # the cause, for the IT team
    backups = list((db.parent / migrate.BACKUP_DIR).iterdir())
    assert len(backups) == 1
    assert backups[0].name in message
    assert "نسخة" in message  # the Arabic sentence, not the English one
    assert migrate.current_revision(db) == FIRST
    assert journal_rows(db) == before


def test_without_room_for_the_copy_nothing_is_upgraded(old_desk):
    db, before = old_desk
    (db.parent / migrate.BACKUP_DIR).write_text("a file where the copies' folder goes")

    with pytest.raises(ConfigError) as refused:
        migrate.upgrade(db)

    assert refused.value.code == "upgrade.no_copy"
    assert migrate.current_revision(db) == FIRST
    assert journal_rows(db) == before
