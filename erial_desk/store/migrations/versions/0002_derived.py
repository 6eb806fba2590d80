"""Tables derived from the journal and from central's feed.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "shifts",
        sa.Column("shift_id", sa.Text, primary_key=True),
        sa.Column("opened_seq", sa.Integer, sa.ForeignKey("journal.seq"), nullable=False),
        sa.Column("operator", sa.Text, nullable=False),
        sa.Column("office_id", sa.Text, nullable=False),
        sa.Column("opened_at", sa.Text, nullable=False),
        sa.Column("float_total", sa.Integer, nullable=False),
        sa.Column("closed_seq", sa.Integer, sa.ForeignKey("journal.seq")),
        sa.Column("closed_at", sa.Text),
        sa.Column("counted_total", sa.Integer),
        sa.Column("expected", sa.Integer),
        sa.Column("variance", sa.Integer),
        sa.Column("close_approver", sa.Text),
    )
    op.create_index("shifts_open", "shifts", ["closed_seq"])
    op.create_table(
        "transactions",
        sa.Column("entry_id", sa.Text, primary_key=True),
        sa.Column("seq", sa.Integer, sa.ForeignKey("journal.seq"), nullable=False, unique=True),
        sa.Column("shift_id", sa.Text, nullable=False),
        sa.Column("entry_type", sa.Text, nullable=False),
        sa.Column("operator", sa.Text),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("account", sa.Text),
        sa.Column("method", sa.Text),
        sa.Column("bill_kind", sa.Text),
        sa.Column("bill_id", sa.Text),
        sa.Column("bill_reference", sa.Text),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("service_charge", sa.Integer, nullable=False, server_default="0"),
        sa.Column("cash_effect", sa.Integer, nullable=False),
        sa.Column("status", sa.Text),
        sa.Column("voids", sa.Text),
        sa.Column("voided_by", sa.Text),
    )
    op.create_index("transactions_shift", "transactions", ["shift_id", "entry_type"])
    op.create_index("transactions_account", "transactions", ["account"])
    op.create_table(
        "subscribers",
        sa.Column("account", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("civil_number", sa.Text),
        sa.Column("cr_number", sa.Text),
        sa.Column("name_ar", sa.Text, nullable=False),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("mobile", sa.Text),
        sa.Column("email", sa.Text),
        sa.Column("authorised_person", sa.Text),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column("registered_at", sa.Text),
        sa.Column("source", sa.Text, nullable=False),
    )
    op.create_index("subscribers_civil", "subscribers", ["civil_number"])
    op.create_index("subscribers_cr", "subscribers", ["cr_number"])
    op.create_index("subscribers_mobile", "subscribers", ["mobile"])
    op.create_table(
        "wallets",
        sa.Column("account", sa.Text, primary_key=True),
        sa.Column("balance", sa.Integer),
        sa.Column("balance_at", sa.Text),
        sa.Column("pending_debits", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer, sa.ForeignKey("journal.seq"), primary_key=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("result", sa.Text),
        sa.Column("updated_at", sa.Text),
    )
    op.create_index("outbox_state", "outbox", ["state", "seq"])
    op.create_table(
        "operators",
        sa.Column("operator_id", sa.Text, primary_key=True),
        sa.Column("office_id", sa.Text, nullable=False),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("name_ar", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("pin_hash", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "login_state",
        sa.Column("operator_id", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.Text),
    )


def downgrade():
    for table in (
        "login_state",
        "operators",
        "outbox",
        "wallets",
        "subscribers",
        "transactions",
        "shifts",
    ):
        op.drop_table(table)
