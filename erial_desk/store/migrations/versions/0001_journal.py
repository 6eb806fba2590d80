"""The terminal's identity and its append-only journal.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "terminal",
        sa.Column("terminal_id", sa.Text, primary_key=True),
        sa.Column("public_key", sa.BLOB, nullable=False),
        sa.Column("office_id", sa.Text, nullable=False),
        sa.Column("keyring", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_table(
        "journal",
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("entry_id", sa.Text, nullable=False, unique=True),
        sa.Column("entry_type", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("operator", sa.Text),
        sa.Column("body", sa.BLOB, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.Text, nullable=False),
        sa.Column("signature", sa.BLOB, nullable=False),
    )
    # Append-only: corrections are new entries, never edits.
    op.execute(
        "CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal "
        "BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal "
        "BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END"
    )
    # Gapless: the next sequence number is exactly one more than the last.
    op.execute(
        "CREATE TRIGGER journal_gapless BEFORE INSERT ON journal "
        "WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM journal) "
        "BEGIN SELECT RAISE(ABORT, 'journal sequence must be gapless'); END"
    )
    # The identity is made once; the chain never restarts.
    op.execute(
        "CREATE TRIGGER terminal_no_update BEFORE UPDATE OF terminal_id, public_key ON terminal "
        "BEGIN SELECT RAISE(ABORT, 'terminal identity is fixed'); END"
    )
    op.execute(
        "CREATE TRIGGER terminal_no_delete BEFORE DELETE ON terminal "
        "BEGIN SELECT RAISE(ABORT, 'terminal identity is fixed'); END"
    )


def downgrade():
    raise NotImplementedError("the journal is never dropped")
