"""What the desk keeps of central: the feed cursor and status, the last policy, catalogue and
office, central's sealing key, and bills cached for offline use. Feed pages are applied in one
transaction with the cursor, so a cut mid-way resumes from the last committed page."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from erial_desk.domain.arabic import search_text_for
from erial_desk.domain.reference import SIGNED_KINDS, check_reference

from .transaction import write_transaction

_SUBSCRIBER_COLUMNS = (
    "account",
    "kind",
    "civil_number",
    "cr_number",
    "name_ar",
    "name_en",
    "mobile",
    "email",
    "authorised_person",
)


def get_state(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def get_json(conn: sqlite3.Connection, key: str) -> Any:
    value = get_state(conn, key)
    return None if value is None else json.loads(value)


def put_state(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO sync_state (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def put_json(conn: sqlite3.Connection, key: str, value: Any) -> None:
    put_state(conn, key, json.dumps(value, ensure_ascii=False, sort_keys=True))


@dataclass(frozen=True)
class PageApplied:
    changes: int
    cursor: int


def apply_feed_page(
    conn: sqlite3.Connection,
    lock: threading.Lock,
    changes: Iterable[dict[str, Any]],
    cursor: int,
    reference_key: bytes | None,
) -> PageApplied:
    """Apply one page of central's change feed and advance the cursor, atomically. Reference
    data (policy, catalogue, operators) must carry central's signature under ``reference_key``;
    one that does not stops the page, nothing of it applied."""
    count = 0
    with write_transaction(conn, lock):
        for change in changes:
            kind, data, signature = change["kind"], change["data"], change.get("signature")
            if kind in SIGNED_KINDS:
                check_reference(reference_key, kind, data, signature)
            _apply_change(conn, kind, data, signature)
            count += 1
        put_state(conn, "feed_cursor", str(cursor))
    return PageApplied(count, cursor)


ACKNOWLEDGED = ("applied", "duplicate", "flagged")


def acknowledged_through(conn: sqlite3.Connection) -> int:
    """The highest sequence number central has answered for (0 when none)."""
    row = conn.execute(
        "SELECT MAX(seq) FROM outbox WHERE state IN (?, ?, ?)", ACKNOWLEDGED
    ).fetchone()
    return int(row[0] or 0)


def recount_pending_debits(
    conn: sqlite3.Connection, lock: threading.Lock, acknowledged_before: int
) -> None:
    """After a complete pull: each wallet's pending debits are the offline debits made here,
    not voided, that central had not acknowledged before the pull began (those it had are in
    the balance the pull brought, or were not charged at all)."""
    with write_transaction(conn, lock):
        conn.execute(
            "UPDATE wallets SET pending_debits = COALESCE((SELECT SUM(t.amount +"
            " t.service_charge) FROM transactions t JOIN outbox o ON o.seq = t.seq"
            " WHERE t.account = wallets.account AND t.entry_type = 'bill_paid'"
            " AND t.method = 'wallet' AND t.status = 'pending' AND t.voided_by IS NULL"
            " AND (o.state NOT IN (?, ?, ?) OR o.seq > ?)), 0)",
            (*ACKNOWLEDGED, acknowledged_before),
        )


def put_signed(conn: sqlite3.Connection, kind: str, data: Any, signature: str) -> None:
    """Reference data as central signed it, with the signature checked again when read."""
    put_json(conn, kind, data)
    put_state(conn, f"{kind}_signature", signature)


def get_signed(conn: sqlite3.Connection, kind: str) -> tuple[Any, str | None]:
    return get_json(conn, kind), get_state(conn, f"{kind}_signature")


def _apply_change(
    conn: sqlite3.Connection, kind: str, data: dict[str, Any], signature: str | None
) -> None:
    if kind in ("policy", "catalogue"):
        put_signed(conn, kind, data, signature or "")
    elif kind == "operator":
        conn.execute(
            "INSERT INTO operators (operator_id, office_id, name_en, name_ar, role, pin_hash,"
            " active, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(operator_id)"
            " DO UPDATE SET office_id = excluded.office_id, name_en = excluded.name_en,"
            " name_ar = excluded.name_ar, role = excluded.role, pin_hash = excluded.pin_hash,"
            " active = excluded.active, signature = excluded.signature",
            (
                data["operator_id"],
                data["office_id"],
                data["name_en"],
                data["name_ar"],
                data["role"],
                data["pin_hash"],
                bool(data["active"]),
                signature,
            ),
        )
    elif kind == "subscriber":
        values = [data.get(c) for c in _SUBSCRIBER_COLUMNS]
        search = search_text_for(data["name_ar"], data["name_en"], data.get("authorised_person"))
        conn.execute(
            "INSERT INTO subscribers (account, kind, civil_number, cr_number, name_ar, name_en,"
            " mobile, email, authorised_person, search_text, source)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'central') ON CONFLICT(account) DO UPDATE SET"
            " kind = excluded.kind, civil_number = excluded.civil_number,"
            " cr_number = excluded.cr_number, name_ar = excluded.name_ar,"
            " name_en = excluded.name_en, mobile = excluded.mobile, email = excluded.email,"
            " authorised_person = excluded.authorised_person,"
            " search_text = excluded.search_text",
            (*values, search),
        )
    elif kind == "balance":
        conn.execute(
            "INSERT INTO wallets (account, balance, balance_at) VALUES (?, ?, ?)"
            " ON CONFLICT(account) DO UPDATE SET balance = excluded.balance,"
            " balance_at = excluded.balance_at",
            (data["account"], int(data["balance"]), data["at"]),
        )


def cache_bills(
    conn: sqlite3.Connection,
    lock: threading.Lock,
    kind: str,
    key: str,
    bills: Iterable[dict[str, Any]],
    fetched_at: str,
) -> None:
    with write_transaction(conn, lock):
        conn.execute("DELETE FROM bills_cache WHERE kind = ? AND lookup_key = ?", (kind, key))
        conn.executemany(
            "INSERT OR REPLACE INTO bills_cache (bill_id, kind, lookup_key, data, fetched_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (b["bill_id"], kind, key, json.dumps(b, ensure_ascii=False), fetched_at)
                for b in bills
            ],
        )


def cached_bills(
    conn: sqlite3.Connection, kind: str, key: str
) -> tuple[list[dict[str, Any]], str | None]:
    rows = conn.execute(
        "SELECT data, fetched_at FROM bills_cache WHERE kind = ? AND lookup_key = ?"
        " ORDER BY bill_id",
        (kind, key),
    ).fetchall()
    if not rows:
        return [], None
    return [json.loads(r[0]) for r in rows], min(r[1] for r in rows)


def abandoned_debits(conn: sqlite3.Connection) -> list[str]:
    """Entry ids of online debits whose answer never came and whose payment was refused."""
    return list(get_json(conn, "abandoned_debits") or [])


def set_abandoned_debits(conn: sqlite3.Connection, lock: threading.Lock, ids: list[str]) -> None:
    with lock:
        put_json(conn, "abandoned_debits", ids)
