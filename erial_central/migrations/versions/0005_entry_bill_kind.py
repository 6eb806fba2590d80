"""A bill payment's kind in a column of its own: office reports group by service without
parsing every stored body.

Revision ID: c0005
Revises: c0004
"""

import sqlalchemy as sa
from alembic import op

revision = "c0005"
down_revision = "c0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("entries") as batch:
        batch.add_column(sa.Column("bill_kind", sa.Text, nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        kind = "CAST(body AS JSON)->'payload'->>'bill_kind'"
    else:
        kind = "json_extract(body, '$.payload.bill_kind')"
    op.execute(f"UPDATE entries SET bill_kind = {kind} WHERE entry_type = 'bill_paid'")  # noqa: S608


def downgrade():
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("bill_kind")
