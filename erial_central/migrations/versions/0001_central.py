"""Central ledger, municipal records, terminals and the change feed.

Revision ID: c0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "authorisations",
        sa.Column("entry_id", sa.Text(), nullable=False),
        sa.Column("terminal_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("account", sa.Text(), nullable=True),
        sa.Column("office_id", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("bill_id", sa.Text(), nullable=True),
        sa.Column("voids", sa.Text(), nullable=True),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id"),
        sa.UniqueConstraint("reference"),
    )
    op.create_table(
        "bank_top_ups",
        sa.Column("bank_reference", sa.Text(), nullable=False),
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("body_hash", sa.Text(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("bank_reference"),
    )
    op.create_table(
        "bills",
        sa.Column("bill_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("description_ar", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("detail_en", sa.Text(), nullable=False),
        sa.Column("detail_ar", sa.Text(), nullable=False),
        sa.Column("paid_by", sa.Text(), nullable=True),
        sa.Column("paid_at", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("bill_id"),
    )
    op.create_index(op.f("ix_bills_reference"), "bills", ["reference"], unique=False)
    op.create_index(op.f("ix_bills_subject"), "bills", ["subject"], unique=False)
    op.create_table(
        "changes",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("office_id", sa.Text(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("changes_kind_key", "changes", ["kind", "key"], unique=False)
    op.create_table(
        "entries",
        sa.Column("entry_id", sa.Text(), nullable=False),
        sa.Column("terminal_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("office_id", sa.Text(), nullable=False),
        sa.Column("entry_type", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("day", sa.Text(), nullable=False),
        sa.Column("operator", sa.Text(), nullable=True),
        sa.Column("account", sa.Text(), nullable=True),
        sa.Column("method", sa.Text(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("service_charge", sa.BigInteger(), nullable=True),
        sa.Column("shift_id", sa.Text(), nullable=True),
        sa.Column("hash", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("voided_by", sa.Text(), nullable=True),
        sa.Column("received_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id"),
        sa.UniqueConstraint("terminal_id", "seq", name="entries_terminal_seq"),
    )
    op.create_index("entries_office_day", "entries", ["office_id", "day"], unique=False)
    op.create_index(op.f("ix_entries_account"), "entries", ["account"], unique=False)
    op.create_table(
        "ledger_accounts",
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_table(
        "office_subscribers",
        sa.Column("office_id", sa.Text(), nullable=False),
        sa.Column("account", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("office_id", "account"),
    )
    op.create_table(
        "offices",
        sa.Column("office_id", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_ar", sa.Text(), nullable=False),
        sa.Column("office_type", sa.Text(), nullable=False),
        sa.Column("top_up_authorised", sa.Boolean(), nullable=False),
        sa.Column("top_up_float_limit", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("office_id"),
    )
    op.create_table(
        "policies",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("policy", sa.Text(), nullable=False),
        sa.Column("catalogue", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )
    op.create_table(
        "service_credentials",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "subscribers",
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("civil_number", sa.Text(), nullable=True),
        sa.Column("cr_number", sa.Text(), nullable=True),
        sa.Column("name_ar", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("mobile", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("authorised_person", sa.Text(), nullable=True),
        sa.Column("pin_verifier", sa.Text(), nullable=False),
        sa.Column("pin_failures", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("registered_at", sa.Text(), nullable=False),
        sa.Column("registered_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("account"),
    )
    op.create_index(
        op.f("ix_subscribers_civil_number"), "subscribers", ["civil_number"], unique=False
    )
    op.create_index(op.f("ix_subscribers_cr_number"), "subscribers", ["cr_number"], unique=False)
    op.create_table(
        "transfers",
        sa.Column("transfer_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("destination", sa.Text(), nullable=False),
        sa.Column("entry_id", sa.Text(), nullable=True),
        sa.Column("reverses", sa.Integer(), nullable=True),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("transfer_id"),
    )
    op.create_index(op.f("ix_transfers_entry_id"), "transfers", ["entry_id"], unique=False)
    op.create_table(
        "operators",
        sa.Column("operator_id", sa.Text(), nullable=False),
        sa.Column("office_id", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_ar", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("pin_hash", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.office_id"],
        ),
        sa.PrimaryKeyConstraint("operator_id"),
    )
    op.create_table(
        "postings",
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["transfers.transfer_id"],
        ),
        sa.PrimaryKeyConstraint("transfer_id", "account_id"),
    )
    op.create_index("postings_account", "postings", ["account_id"], unique=False)
    op.create_table(
        "terminals",
        sa.Column("slot_id", sa.Text(), nullable=False),
        sa.Column("office_id", sa.Text(), nullable=False),
        sa.Column("enrolment_code_hash", sa.Text(), nullable=True),
        sa.Column("terminal_id", sa.Text(), nullable=True),
        sa.Column("terminal_code", sa.Text(), nullable=True),
        sa.Column("public_key", sa.LargeBinary(), nullable=True),
        sa.Column("token_hash", sa.Text(), nullable=True),
        sa.Column("enrolled_at", sa.Text(), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.office_id"],
        ),
        sa.PrimaryKeyConstraint("slot_id"),
        sa.UniqueConstraint("terminal_code"),
        sa.UniqueConstraint("terminal_id"),
        sa.UniqueConstraint("token_hash"),
    )


def downgrade():
    for table in (
        "postings",
        "transfers",
        "ledger_accounts",
        "changes",
        "entries",
        "authorisations",
        "bank_top_ups",
        "bills",
        "office_subscribers",
        "subscribers",
        "service_credentials",
        "policies",
        "terminals",
        "operators",
        "offices",
    ):
        op.drop_table(table)
