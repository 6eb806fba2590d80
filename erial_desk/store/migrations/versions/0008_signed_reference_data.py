"""Signed reference data: each operator row keeps central's signature, checked at every login and
approval. The feed is pulled again from the start so that every row arrives signed.

Revision ID: 0008
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("operators", sa.Column("signature", sa.Text, nullable=True))
    # The sealing key is now kept with its signature in another form; the next sync brings it.
    op.execute("DELETE FROM sync_state WHERE key IN ('feed_cursor', 'sealing_key')")


def downgrade():
    op.drop_column("operators", "signature")
