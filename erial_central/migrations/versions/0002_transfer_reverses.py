"""Index transfers by the transfer they reverse: a void looks up what is already reversed.

Revision ID: c0002
Revises: c0001
"""

from alembic import op

revision = "c0002"
down_revision = "c0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("transfers_reverses", "transfers", ["reverses"], unique=False)


def downgrade():
    op.drop_index("transfers_reverses", table_name="transfers")
