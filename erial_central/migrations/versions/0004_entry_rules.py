"""The rule an entry broke, as a stable code, next to the reason a person reads.

Revision ID: c0004
Revises: c0003
"""

import sqlalchemy as sa
from alembic import op

revision = "c0004"
down_revision = "c0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("entries") as batch:
        batch.add_column(sa.Column("rule", sa.Text, nullable=True))


def downgrade():
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("rule")
