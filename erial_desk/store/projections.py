"""Derived tables, kept by applying each journal entry inside the append's transaction.

The same functions rebuild every derived table from the journal (``erial-desk rebuild``), so the
derived state can never hold anything the journal does not.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from erial_desk.domain.arabic import search_text_for
from erial_desk.domain.canonical import parse
from erial_desk.domain.chain import SignedEntry
from erial_desk.domain.entries import EntryType
from erial_desk.domain.money_effects import money_effect, void_effect

from .journal import AppendedEntry, Journal
from .transaction import write_transaction

Apply = Callable[[sqlite3.Connection, dict[str, Any]], None]


def _shift_opened(conn: sqlite3.Connection, env: dict[str, Any]) -> None:
    p = env["payload"]
    conn.execute(
        "INSERT INTO shifts (shift_id, opened_seq, operator, office_id, opened_at, float_total)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (env["id"], env["seq"], env["operator"], p["office"], env["at"], p["float_total"]),
    )


def _shift_closed(conn: sqlite3.Connection, env: dict[str, Any]) -> None:
    p = env["payload"]
    conn.execute(
        "UPDATE shifts SET closed_seq = ?, closed_at = ?, counted_total = ?, expected = ?,"
        " variance = ?, close_approver = ? WHERE shift_id = ?",
        (
            env["seq"],
            env["at"],
            p["counted_total"],
            p["expected"],
            p["variance"],
            p["approver"],
            p["shift"],
        ),
    )


_INSERT_TRANSACTION = (
    "INSERT INTO transactions (entry_id, seq, shift_id, entry_type, operator, at, account, method,"
    " bill_kind, bill_id, bill_reference, amount, service_charge, cash_effect, status, voids)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _transaction(
    conn: sqlite3.Connection,
    env: dict[str, Any],
    *,
    account: str | None = None,
    method: str | None = None,
    bill: tuple[str | None, str | None, str | None] = (None, None, None),
    amount: int,
    service_charge: int = 0,
    cash_effect: int,
    status: str | None = None,
    voids: str | None = None,
) -> None:
    conn.execute(
        _INSERT_TRANSACTION,
        (
            env["id"],
            env["seq"],
            env["payload"]["shift"],
            env["type"],
            env["operator"],
            env["at"],
            account,
            method,
            *bill,
            amount,
            service_charge,
            cash_effect,
            status,
            voids,
        ),
    )


def _cash_drop(conn: sqlite3.Connection, env: dict[str, Any]) -> None:
    amount = env["payload"]["amount"]
    cash = money_effect(env["type"], env["payload"]).cash
    _transaction(conn, env, method="cash", amount=amount, cash_effect=cash)


def _top_up(conn: sqlite3.Connection, env: dict[str, Any]) -> None:
    p = env["payload"]
    effect = money_effect(env["type"], p)
    _transaction(
        conn, env, account=p["account"], method="cash", amount=p["amount"], cash_effect=effect.cash
    )
    # A known balance grows by the top-up; an unknown one stays unknown.
    conn.execute(
        "UPDATE wallets SET balance = balance + ? WHERE account = ? AND balance IS NOT NULL",
        (effect.wallet, p["account"]),
    )


def _bill_paid(conn: sqlite3.Connection, env: dict[str, Any]) -> None:
    p = env["payload"]
    cash = money_effect(env["type"], p).cash
    _transaction(
        conn,
        env,
        account=p["account"],
        method=p["method"],
        bill=(p["bill_kind"], p["bill_id"], p["bill_reference"]),
        amount=p["amount"],
        service_charge=p["service_charge"],
        cash_effect=cash,
        status=p["status"],
    )
    if p["method"] != "wallet" or p["account"] is None:
        return
    if p["balance_after"] is not None:
        _set_balance(conn, p["account"], p["balance_after"], env["at"])
    elif p["status"] == "pending":
        conn.execute(
            "INSERT INTO wallets (account, pending_debits) VALUES (?, ?) ON CONFLICT(account)"
            " DO UPDATE SET pending_debits = pending_debits + excluded.pending_debits",
            (p["account"], p["amount"] + p["service_charge"]),
        )


def _set_balance(conn: sqlite3.Connection, account: str, balance: int, at: str) -> None:
    conn.execute(
        "INSERT INTO wallets (account, balance, balance_at) VALUES (?, ?, ?) ON CONFLICT(account)"
        " DO UPDATE SET balance = excluded.balance, balance_at = excluded.balance_at",
        (account, balance, at),
    )


def _void(conn: sqlite3.Connection, env: dict[str, Any]) -> None:
    p = env["payload"]
    original = conn.execute(
        "SELECT account, method, bill_kind, bill_id, bill_reference, amount, service_charge,"
        " cash_effect, entry_type, status FROM transactions WHERE entry_id = ?",
        (p["voids"],),
    ).fetchone()
    account, method, kind, bill_id, ref, amount, charge, cash, voided_type, status = original
    _transaction(
        conn,
        env,
        account=account,
        method=method,
        bill=(kind, bill_id, ref),
        amount=amount,
        service_charge=charge,
        cash_effect=-cash,
        voids=p["voids"],
    )
    conn.execute(
        "UPDATE transactions SET voided_by = ? WHERE entry_id = ?", (env["id"], p["voids"])
    )
    if account is None:
        return
    undone = void_effect(
        voided_type, {"amount": amount, "service_charge": charge, "method": method or "cash"}
    )
    if method == "wallet" and status == "pending":
        # An offline debit that never reached central: it leaves the pending total.
        conn.execute(
            "UPDATE wallets SET pending_debits = pending_debits - ? WHERE account = ?",
            (amount + charge, account),
        )
        return
    if not undone.wallet:
        return
    conn.execute(
        "UPDATE wallets SET balance = balance + ? WHERE account = ? AND balance IS NOT NULL",
        (undone.wallet, account),
    )


def _subscriber_registered(conn: sqlite3.Connection, env: dict[str, Any]) -> None:
    p = env["payload"]
    conn.execute(
        "INSERT INTO subscribers (account, kind, civil_number, cr_number, name_ar, name_en, mobile,"
        " email, authorised_person, search_text, registered_at, source)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'desk')"
        " ON CONFLICT(account) DO NOTHING",
        (
            p["account"],
            p["kind"],
            p["civil_number"],
            p["cr_number"],
            p["name_ar"],
            p["name_en"],
            p["mobile"],
            p["email"],
            p["authorised_person"],
            search_text_for(p["name_ar"], p["name_en"], p["authorised_person"]),
            env["at"],
        ),
    )
    # A new wallet is empty, and central knows it so.
    _set_balance(conn, p["account"], 0, env["at"])


_UPDATABLE = ("mobile", "email", "name_ar", "name_en", "authorised_person")


def _subscriber_updated(conn: sqlite3.Connection, env: dict[str, Any]) -> None:
    p = env["payload"]
    changes = {k: v for k, v in p["changes"].items() if k in _UPDATABLE}
    if not changes:
        return
    assignments = ", ".join(f"{name} = ?" for name in changes)
    conn.execute(
        f"UPDATE subscribers SET {assignments} WHERE account = ?",  # noqa: S608 - names whitelisted
        (*changes.values(), p["account"]),
    )
    row = conn.execute(
        "SELECT name_ar, name_en, authorised_person FROM subscribers WHERE account = ?",
        (p["account"],),
    ).fetchone()
    if row:
        conn.execute(
            "UPDATE subscribers SET search_text = ? WHERE account = ?",
            (search_text_for(*row), p["account"]),
        )


def _nothing(conn: sqlite3.Connection, env: dict[str, Any]) -> None:
    return None


APPLY: dict[str, Apply] = {
    EntryType.SHIFT_OPENED: _shift_opened,
    EntryType.CASH_DROP: _cash_drop,
    EntryType.SHIFT_CLOSED: _shift_closed,
    EntryType.SUBSCRIBER_REGISTERED: _subscriber_registered,
    EntryType.SUBSCRIBER_UPDATED: _subscriber_updated,
    EntryType.TOP_UP: _top_up,
    EntryType.BILL_PAID: _bill_paid,
    EntryType.VOID: _void,
    EntryType.RECEIPT_REPRINTED: _nothing,
    EntryType.PROBLEM_RESOLVED: _nothing,
}


def project(conn: sqlite3.Connection, entry: AppendedEntry) -> None:
    """Projector for ``Journal``: apply one entry and queue it for central."""
    APPLY[entry.envelope["type"]](conn, entry.envelope)
    conn.execute("INSERT INTO outbox (seq, state) VALUES (?, 'pending')", (entry.signed.seq,))


def rebuild(journal: Journal) -> int:
    """Drop every table derived from the journal and replay the journal into them.

    Runs under the journal's write lock in one transaction: either the rebuilt tables or the old
    ones, never half of each. Returns the number of entries replayed. Outbox states return to
    pending; pushing again is harmless, central answers "duplicate". Wallet balances are kept.
    """
    count = 0
    with write_transaction(journal.raw_connection(), journal.lock) as conn:
        # Wallets are not the journal's alone: their balances are central's last word (pulled
        # from the feed, which this desk may not reach now) with this desk's entries since. The
        # kept rows win over the replay's; the replay fills in only a wallet that went missing.
        conn.execute("CREATE TEMP TABLE kept_wallets AS SELECT * FROM wallets")
        try:
            for table in ("outbox", "transactions", "shifts", "wallets"):
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            conn.execute("DELETE FROM subscribers WHERE source = 'desk'")
            for row in journal.rows():
                signed = SignedEntry(row.seq, row.entry_id, row.body, row.hash, row.signature)
                project(conn, AppendedEntry(signed, parse(row.body)))
                count += 1
            conn.execute("DELETE FROM wallets WHERE account IN (SELECT account FROM kept_wallets)")
            conn.execute("INSERT INTO wallets SELECT * FROM kept_wallets")
        finally:
            conn.execute("DROP TABLE kept_wallets")
    return count
