"""Refuse INSERT OR REPLACE on an existing entry id: REPLACE deletes the old row without firing
delete triggers, which would let a row vanish past the append-only rule.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "CREATE TRIGGER journal_no_replace BEFORE INSERT ON journal "
        "WHEN EXISTS (SELECT 1 FROM journal WHERE entry_id = NEW.entry_id) "
        "BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END"
    )


def downgrade():
    op.execute("DROP TRIGGER journal_no_replace")
