"""The print queue: documents waiting for paper, with their state and last error.

A job is queued after its transaction commits; a failed print stays here until a retry prints
it. Not derived from the journal (it records what reached paper), so a rebuild keeps it.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "print_jobs",
        sa.Column("job_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.Text, sa.ForeignKey("journal.entry_id")),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("copy", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("subject", sa.Text),
        sa.Column("data", sa.Text),
        sa.Column("state", sa.Text, nullable=False, server_default="queued"),
        sa.Column("error_code", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("output", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.CheckConstraint(
            "state IN ('queued', 'printing', 'printed', 'failed')", name="print_jobs_state_valid"
        ),
    )
    op.create_index("print_jobs_state", "print_jobs", ["state", "job_id"])
    op.create_index("print_jobs_entry", "print_jobs", ["entry_id"])


def downgrade():
    op.drop_index("print_jobs_entry", "print_jobs")
    op.drop_index("print_jobs_state", "print_jobs")
    op.drop_table("print_jobs")
