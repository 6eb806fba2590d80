"""Online debits a desk abandoned: the answer was lost and the payment was then refused.

Revision ID: c0003
Revises: c0002
"""

import sqlalchemy as sa
from alembic import op

revision = "c0003"
down_revision = "c0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("authorisations") as batch:
        batch.add_column(sa.Column("cancelled_at", sa.Text, nullable=True))


def downgrade():
    with op.batch_alter_table("authorisations") as batch:
        batch.drop_column("cancelled_at")
