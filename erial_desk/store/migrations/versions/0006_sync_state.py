"""Sync state: the feed cursor, what central last said, and bills cached for offline use.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sync_state",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "bills_cache",
        sa.Column("bill_id", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("lookup_key", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("fetched_at", sa.Text, nullable=False),
    )
    op.create_index("bills_cache_lookup", "bills_cache", ["kind", "lookup_key"])


def downgrade():
    op.drop_table("bills_cache")
    op.drop_table("sync_state")
