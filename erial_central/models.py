"""Tables of the central ledger and municipal records (SQLAlchemy Core, SQLite and PostgreSQL).

The ledger is double-entry: a transfer has exactly two postings, one negative and one positive,
so every transfer and the whole ledger sum to zero. Postings are never updated or deleted;
corrections are reversing transfers. Only guarded accounts (subscriber and office wallets, which
must not go below zero) keep a running balance, updated under a row lock; the balance of any
account can be recomputed from its postings, and ``erial-central audit`` does exactly that.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

offices = Table(
    "offices",
    metadata,
    Column("office_id", Text, primary_key=True),
    Column("name_en", Text, nullable=False),
    Column("name_ar", Text, nullable=False),
    Column("office_type", Text, nullable=False),  # internal / external
    Column("top_up_authorised", Boolean, nullable=False),
    Column("top_up_float_limit", BigInteger),
)

operators = Table(
    "operators",
    metadata,
    Column("operator_id", Text, primary_key=True),
    Column("office_id", Text, ForeignKey("offices.office_id"), nullable=False),
    Column("name_en", Text, nullable=False),
    Column("name_ar", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("pin_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False),
)

terminals = Table(
    "terminals",
    metadata,
    Column("slot_id", Text, primary_key=True),
    Column("office_id", Text, ForeignKey("offices.office_id"), nullable=False),
    Column("enrolment_code_hash", Text),  # cleared once used
    Column("terminal_id", Text, unique=True),  # set at enrolment
    Column("terminal_code", Text, unique=True),  # printed on receipts
    Column("public_key", LargeBinary),
    Column("token_hash", Text, unique=True),
    Column("enrolled_at", Text),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("last_seq", BigInteger, nullable=False, default=0),
    Column("last_hash", Text),
)

service_credentials = Table(
    "service_credentials",
    metadata,
    Column("name", Text, primary_key=True),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("scope", Text, nullable=False),  # admin / website
    Column("created_at", Text, nullable=False),
)

subscribers = Table(
    "subscribers",
    metadata,
    Column("account", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("civil_number", Text, index=True),
    Column("cr_number", Text, index=True),
    Column("name_ar", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("mobile", Text),
    Column("email", Text),
    Column("authorised_person", Text),
    Column("pin_verifier", Text, nullable=False),  # never leaves central
    Column("pin_failures", Integer, nullable=False, default=0),
    Column("closed", Boolean, nullable=False, default=False),
    Column("registered_at", Text, nullable=False),
    Column("registered_by", Text),  # office id, or "online"
)

office_subscribers = Table(
    "office_subscribers",
    metadata,
    Column("office_id", Text, primary_key=True),
    Column("account", Text, primary_key=True),
)

ledger_accounts = Table(
    "ledger_accounts",
    metadata,
    Column("account_id", Text, primary_key=True),  # wallet:<account>, owallet:<office>, ...
    Column("kind", Text, nullable=False),
    Column("balance", BigInteger, nullable=False, default=0),  # guarded accounts only
)

transfers = Table(
    "transfers",
    metadata,
    Column("transfer_id", Integer, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),  # top_up, bill, charge, reversal, bank_top_up, ...
    Column("amount", BigInteger, nullable=False),
    Column("source", Text, nullable=False),
    Column("destination", Text, nullable=False),
    Column("entry_id", Text, index=True),  # the journal entry or authorisation it belongs to
    Column("reverses", Integer),
    Column("at", Text, nullable=False),
    Index("transfers_reverses", "reverses"),
)

postings = Table(
    "postings",
    metadata,
    Column("transfer_id", Integer, ForeignKey("transfers.transfer_id"), primary_key=True),
    Column("account_id", Text, primary_key=True),
    Column("amount", BigInteger, nullable=False),  # signed; the two of a transfer sum to zero
    Index("postings_account", "account_id"),
)

entries = Table(
    "entries",
    metadata,
    Column("entry_id", Text, primary_key=True),
    Column("terminal_id", Text, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("office_id", Text, nullable=False),
    Column("entry_type", Text, nullable=False),
    Column("at", Text, nullable=False),
    Column("day", Text, nullable=False),  # UTC date of `at`, for office day totals
    Column("operator", Text),
    Column("account", Text, index=True),
    Column("method", Text),
    Column("bill_kind", Text),  # bill payments: the service, for the office reports
    Column("amount", BigInteger),
    Column("service_charge", BigInteger),
    Column("shift_id", Text),
    Column("hash", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Column("status", Text, nullable=False),  # applied / flagged
    Column("reason", Text),
    Column("rule", Text),  # the rule a flagged entry broke, a stable code (rule.*)
    Column("voided_by", Text),
    Column("received_at", Text, nullable=False),
    UniqueConstraint("terminal_id", "seq", name="entries_terminal_seq"),
    Index("entries_office_day", "office_id", "day"),
)

authorisations = Table(
    "authorisations",
    metadata,
    Column("entry_id", Text, primary_key=True),  # the desk's entry id: idempotency key
    Column("terminal_id", Text, nullable=False),
    Column("kind", Text, nullable=False),  # debit / reversal
    Column("reference", Text, nullable=False, unique=True),
    Column("account", Text),
    Column("office_id", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("bill_id", Text),
    Column("voids", Text),
    Column("balance_after", BigInteger, nullable=False),
    Column("at", Text, nullable=False),
    Column("cancelled_at", Text),  # the desk abandoned it: reversed, its bill reopened
)

bills = Table(
    "bills",
    metadata,
    Column("bill_id", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("reference", Text, nullable=False, index=True),
    Column("subject", Text, nullable=False, index=True),
    Column("description_en", Text, nullable=False),
    Column("description_ar", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("status", Text, nullable=False),  # open / paid
    Column("detail_en", Text, nullable=False, default=""),
    Column("detail_ar", Text, nullable=False, default=""),
    Column("paid_by", Text),  # entry id of the payment that counts
    Column("paid_at", Text),
)

bank_top_ups = Table(
    "bank_top_ups",
    metadata,
    Column("bank_reference", Text, primary_key=True),
    Column("account", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("body_hash", Text, nullable=False),
    Column("transfer_id", Integer),
    Column("received_at", Text, nullable=False),
)

changes = Table(
    "changes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),  # policy, catalogue, operator, subscriber, balance
    Column("key", Text, nullable=False),
    Column("office_id", Text),  # set when only that office may see it (operators)
    Column("data", Text, nullable=False),  # JSON
    Index("changes_kind_key", "kind", "key"),
)

policies = Table(
    "policies",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("policy", Text, nullable=False),  # JSON of the Policy
    Column("catalogue", Text, nullable=False),  # JSON of the FeeCatalogue
    Column("created_at", Text, nullable=False),
)
