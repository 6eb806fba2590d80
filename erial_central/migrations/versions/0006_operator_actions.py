"""Central's record of what supervisors did to the operators of their office (lock, unlock,
PIN reset) and of their wrong PINs, each under the request id that also refuses a replay.

Revision ID: c0006
Revises: c0005
"""

import sqlalchemy as sa
from alembic import op

revision = "c0006"
down_revision = "c0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "operator_actions",
        sa.Column("request_id", sa.Text, primary_key=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("office_id", sa.Text, nullable=False),
        sa.Column("terminal_id", sa.Text, nullable=False),
        sa.Column("supervisor_id", sa.Text, nullable=False),
        sa.Column("operator_id", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_operator_actions_supervisor_at", "operator_actions", ["supervisor_id", "at"]
    )


def downgrade():
    op.drop_index("ix_operator_actions_supervisor_at", "operator_actions")
    op.drop_table("operator_actions")
