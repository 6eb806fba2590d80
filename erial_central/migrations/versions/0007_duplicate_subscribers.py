"""One person, one account: a registration whose civil or CR number an open account already
holds is kept as a suspected duplicate linked to that account, until a supervisor or an
administrator merges it into the account it duplicates.

Revision ID: c0007
Revises: c0006
"""

import sqlalchemy as sa
from alembic import op

revision = "c0007"
down_revision = "c0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("duplicate_of", sa.Text, nullable=True))
        batch.add_column(sa.Column("merged_into", sa.Text, nullable=True))
        batch.add_column(sa.Column("merged_at", sa.Text, nullable=True))
        batch.add_column(sa.Column("merged_by", sa.Text, nullable=True))
    op.create_index("ix_subscribers_duplicate_of", "subscribers", ["duplicate_of"])
    op.create_index("ix_subscribers_merged_into", "subscribers", ["merged_into"])


def downgrade():
    op.drop_index("ix_subscribers_merged_into", "subscribers")
    op.drop_index("ix_subscribers_duplicate_of", "subscribers")
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("merged_by")
        batch.drop_column("merged_at")
        batch.drop_column("merged_into")
        batch.drop_column("duplicate_of")
