"""Table definitions of the desk's SQLite file (the migrations create them; reads use these).

``terminal`` and ``journal`` are the record. Every other table is derived from the journal (and
from central's change feed) and can be rebuilt: ``erial-desk rebuild``.
"""

from __future__ import annotations

from sqlalchemy import (
    BLOB,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    Text,
)

metadata = MetaData()

terminal = Table(
    "terminal",
    metadata,
    Column("terminal_id", Text, primary_key=True),
    Column(
        "public_key", BLOB, nullable=False
    ),  # raw Ed25519 public key; the private key is not here
    Column("office_id", Text, nullable=False),
    Column("keyring", Text, nullable=False),  # which key store holds the private key
    Column("created_at", Text, nullable=False),
)

journal = Table(
    "journal",
    metadata,
    Column("seq", Integer, primary_key=True),  # gapless per terminal, from 1
    Column("entry_id", Text, nullable=False, unique=True),  # UUIDv7
    Column("entry_type", Text, nullable=False),
    Column("at", Text, nullable=False),  # UTC, ISO 8601 with microseconds
    Column("operator", Text),
    Column("body", BLOB, nullable=False),  # canonical JSON that was hashed and signed
    Column("hash", Text, nullable=False),
    Column("prev_hash", Text, nullable=False),
    Column("signature", BLOB, nullable=False),
)

# --- derived -------------------------------------------------------------------------------

shifts = Table(
    "shifts",
    metadata,
    Column("shift_id", Text, primary_key=True),  # entry id of its shift_opened entry
    Column("opened_seq", Integer, ForeignKey("journal.seq"), nullable=False),
    Column("operator", Text, nullable=False),
    Column("office_id", Text, nullable=False),
    Column("opened_at", Text, nullable=False),
    Column("float_total", Integer, nullable=False),
    Column("closed_seq", Integer, ForeignKey("journal.seq")),
    Column("closed_at", Text),
    Column("counted_total", Integer),
    Column("expected", Integer),
    Column("variance", Integer),
    Column("close_approver", Text),
)

transactions = Table(
    "transactions",
    metadata,
    Column("entry_id", Text, primary_key=True),
    Column("seq", Integer, ForeignKey("journal.seq"), nullable=False, unique=True),
    Column("shift_id", Text, nullable=False),
    Column("entry_type", Text, nullable=False),  # top_up, bill_paid, cash_drop, void
    Column("operator", Text),
    Column("at", Text, nullable=False),
    Column("account", Text),
    Column("method", Text),  # cash, wallet, office_wallet
    Column("bill_kind", Text),
    Column("bill_id", Text),
    Column("bill_reference", Text),
    Column("amount", Integer, nullable=False),
    Column("service_charge", Integer, nullable=False, default=0),
    Column("cash_effect", Integer, nullable=False),  # baisa into (+) or out of (-) the drawer
    Column("status", Text),  # confirmed / pending (bill payments)
    Column("voids", Text),  # for a void: the entry it reverses
    Column("voided_by", Text),  # for a reversed entry: the void's entry id
)

subscribers = Table(
    "subscribers",
    metadata,
    Column("account", Text, primary_key=True),
    Column("kind", Text, nullable=False),  # individual / company
    Column("civil_number", Text),
    Column("cr_number", Text),
    Column("name_ar", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("mobile", Text),
    Column("email", Text),
    Column("authorised_person", Text),
    Column("search_text", Text, nullable=False),  # normalised names, for full-text search
    Column("registered_at", Text),
    Column("source", Text, nullable=False),  # desk (journal) or central (change feed)
)

wallets = Table(
    "wallets",
    metadata,
    Column("account", Text, primary_key=True),
    Column("balance", Integer),  # last balance known from central, None when never known
    Column("balance_at", Text),
    Column("pending_debits", Integer, nullable=False, default=0),  # offline, not yet confirmed
)

outbox = Table(
    "outbox",
    metadata,
    Column("seq", Integer, ForeignKey("journal.seq"), primary_key=True),
    Column("state", Text, nullable=False),  # pending, applied, duplicate, flagged, rejected
    Column("result", Text),  # central's reason for flagged / rejected, kept for the supervisor
    Column("updated_at", Text),
)

operators = Table(
    "operators",
    metadata,
    Column("operator_id", Text, primary_key=True),
    Column("office_id", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("name_ar", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("pin_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False),
)

login_state = Table(
    "login_state",
    metadata,
    Column("operator_id", Text, primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("locked_until", Text),
)

DERIVED_FROM_JOURNAL = ("transactions", "shifts", "subscribers", "wallets", "outbox")
