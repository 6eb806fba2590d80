"""A local stand-in of central, for the demo and for tests until the real server is wired in.

It keeps, in its own SQLite file beside the desk's data, what central would: demo offices and
operators, bills with their status, wallets with PIN verifiers, central's sealing key pair, and
which entries it has applied. It follows the central rules the desk relies on: a wallet debit is
authorised against balance and PIN, a bill is never collected twice, a pushed entry is applied
once (its id is the idempotency key). It does not check entries' signatures: the real server
does. It signs the operators it hands out, as central does.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nacl.public import PrivateKey

from erial_desk.domain import demo_records
from erial_desk.domain.central import (
    Authorisation,
    Bill,
    DebitRequest,
    OperatorRecord,
    PushResult,
    SubscriberRecord,
)
from erial_desk.domain.chain import SignedEntry
from erial_desk.domain.errors import AuthError, NotFoundError, StateError
from erial_desk.domain.money import format_amount
from erial_desk.domain.pins import hash_pin, open_sealed_pin, verify_pin
from erial_desk.domain.policy import BillKind, FeeCatalogue, Office, Policy, Role
from erial_desk.domain.reference import operator_data, sign_reference
from erial_desk.store.transaction import write_transaction

FILE_NAME = "standin.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS keys (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS operators (operator_id TEXT PRIMARY KEY, office_id TEXT, name_en TEXT,
    name_ar TEXT, role TEXT, pin_hash TEXT, active INTEGER);
CREATE TABLE IF NOT EXISTS bills (bill_id TEXT PRIMARY KEY, kind TEXT, reference TEXT,
    subject TEXT, description_en TEXT, description_ar TEXT, amount INTEGER, status TEXT,
    detail_en TEXT, detail_ar TEXT, paid_by TEXT);
CREATE TABLE IF NOT EXISTS wallets (account TEXT PRIMARY KEY, balance INTEGER NOT NULL,
    verifier TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0, closed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS subscribers (account TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS office_wallets (office_id TEXT PRIMARY KEY, balance INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS applied (entry_id TEXT PRIMARY KEY, hash TEXT, status TEXT,
    reason TEXT);
CREATE TABLE IF NOT EXISTS authorisations (entry_id TEXT PRIMARY KEY, reference TEXT,
    account TEXT, amount INTEGER, bill_id TEXT, office_id TEXT);
"""


def _insufficient(balance: int, needed: int) -> StateError:
    return StateError(
        "wallet.insufficient",
        balance=format_amount(balance),
        balance_ar=format_amount(balance, "ar"),
        needed=format_amount(needed),
        needed_ar=format_amount(needed, "ar"),
    )


class LocalCentral:
    """Implements ``erial_desk.domain.central.Central`` on a local SQLite file."""

    def __init__(self, data_dir: Path, policy: Policy | None = None) -> None:
        self._policy = policy or Policy()
        self._catalogue = FeeCatalogue()
        self._offices = {office.office_id: office for office in demo_records.OFFICES}
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            str(data_dir / FILE_NAME), isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        if self._db.execute("SELECT 1 FROM keys").fetchone() is None:
            self._seed()
        self._sealing_private = bytes(
            self._db.execute("SELECT value FROM keys WHERE name = 'sealing'").fetchone()[0]
        )
        # Reference data is signed as the real central signs it (a stand-in file made before
        # that gets its key now).
        self._db.execute(
            "INSERT OR IGNORE INTO keys VALUES ('reference', ?)",
            (Ed25519PrivateKey.generate().private_bytes_raw(),),
        )
        self._reference = Ed25519PrivateKey.from_private_bytes(
            bytes(self._db.execute("SELECT value FROM keys WHERE name = 'reference'").fetchone()[0])
        )

    def close(self) -> None:
        self._db.close()

    def _seed(self) -> None:
        with write_transaction(self._db) as db:
            self._seed_rows(db)

    def _seed_rows(self, db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO keys VALUES ('sealing', ?)", (bytes(PrivateKey.generate()),))
        hashes = demo_records.operator_pin_hashes()
        for op_id, office_id, name_en, name_ar, role, _pin in demo_records.OPERATORS:
            db.execute(
                "INSERT INTO operators VALUES (?, ?, ?, ?, ?, ?, 1)",
                (op_id, office_id, name_en, name_ar, role.value, hashes[op_id]),
            )
        for bill in demo_records.bills():
            db.execute(
                "INSERT INTO bills VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                (
                    bill.bill_id,
                    bill.kind.value,
                    bill.reference,
                    bill.subject,
                    bill.description_en,
                    bill.description_ar,
                    bill.amount,
                    bill.status,
                    bill.detail_en,
                    bill.detail_ar,
                ),
            )
        for office in self._offices.values():
            if office.office_type == "external":
                db.execute(
                    "INSERT INTO office_wallets VALUES (?, ?)",
                    (office.office_id, demo_records.OFFICE_WALLET_OPENING),
                )

    # --- reference data ------------------------------------------------------------------

    def office(self, office_id: str) -> Office:
        if office_id not in self._offices:
            raise NotFoundError("operator.not_found")
        return self._offices[office_id]

    def offices(self) -> list[Office]:
        return list(self._offices.values())

    def policy(self, office_id: str) -> tuple[Policy, FeeCatalogue]:
        return self._policy, self._catalogue

    def operators(self, office_id: str) -> list[OperatorRecord]:
        rows = self._db.execute(
            "SELECT operator_id, office_id, name_en, name_ar, role, pin_hash, active"
            " FROM operators WHERE office_id = ?",
            (office_id,),
        ).fetchall()
        return [
            OperatorRecord(
                r[0],
                r[1],
                r[2],
                r[3],
                Role(r[4]),
                r[5],
                bool(r[6]),
                sign_reference(self._reference, "operator", operator_data(*r)),
            )
            for r in rows
        ]

    def reference_public_key(self) -> bytes:
        """The key a desk pins to check the operators it is given."""
        return self._reference.public_key().public_bytes_raw()

    def sealing_key(self) -> bytes:
        return bytes(PrivateKey(self._sealing_private).public_key)

    def find_bills(self, kind: BillKind | None, key: str) -> list[Bill]:
        sql = (
            "SELECT bill_id, kind, reference, subject, description_en, description_ar, amount,"
            " status, detail_en, detail_ar FROM bills WHERE (upper(subject) = upper(?)"
            " OR upper(reference) = upper(?))"
        )
        args: list[Any] = [key, key]
        if kind is not None:
            sql += " AND kind = ?"
            args.append(kind.value)
        rows = self._db.execute(sql + " ORDER BY bill_id", args).fetchall()
        return [
            Bill(r[0], BillKind(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], r[8] or "", r[9] or "")
            for r in rows
        ]

    def wallet_balance(self, account: str) -> int | None:
        row = self._db.execute(
            "SELECT balance FROM wallets WHERE account = ?", (account,)
        ).fetchone()
        return None if row is None else int(row[0])

    def lookup_subscriber(self, account: str) -> SubscriberRecord | None:
        row = self._db.execute(
            "SELECT record FROM subscribers WHERE account = ?", (account,)
        ).fetchone()
        return None if row is None else SubscriberRecord(**json.loads(row[0]))

    # --- online authorisation --------------------------------------------------------------

    def authorise_debit(self, request: DebitRequest) -> Authorisation:
        with write_transaction(self._db, self._lock) as db:
            done = db.execute(
                "SELECT reference FROM authorisations WHERE entry_id = ?", (request.entry_id,)
            ).fetchone()
            if done:  # the same request again: answer as the first time
                return Authorisation(done[0], self._balance(request))
            if request.bill_id is not None:
                self._check_bill_open(request.bill_id)
            if request.account is None:
                balance, pin_error = self._office_wallet(request.office_id), None
            else:
                balance, pin_error = self._check_wallet_pin(request)
            if pin_error is None:
                reference = self._debit(request, balance)
        if pin_error is not None:
            raise pin_error  # after the commit: the failure counter must stick
        return Authorisation(reference, self._balance(request))

    def _debit(self, request: DebitRequest, balance: int) -> str:
        if balance < request.amount:
            raise _insufficient(balance, request.amount)
        self._move(request.account, request.office_id, -request.amount)
        if request.bill_id is not None:
            self._db.execute(
                "UPDATE bills SET status = 'paid', paid_by = ? WHERE bill_id = ?",
                (request.entry_id, request.bill_id),
            )
        reference = "AU" + uuid.uuid4().hex[:10].upper()
        self._db.execute(
            "INSERT INTO authorisations VALUES (?, ?, ?, ?, ?, ?)",
            (
                request.entry_id,
                reference,
                request.account,
                request.amount,
                request.bill_id,
                request.office_id,
            ),
        )
        return reference

    def _balance(self, request: DebitRequest) -> int:
        if request.account is None:
            return self._office_wallet(request.office_id)
        return self.wallet_balance(request.account) or 0

    def _office_wallet(self, office_id: str) -> int:
        row = self._db.execute(
            "SELECT balance FROM office_wallets WHERE office_id = ?", (office_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError("subscriber.not_found")
        return int(row[0])

    def _check_bill_open(self, bill_id: str) -> None:
        row = self._db.execute("SELECT status FROM bills WHERE bill_id = ?", (bill_id,)).fetchone()
        if row is None:
            raise NotFoundError("bill.not_found")
        if row[0] != "open":
            raise StateError("bill.already_paid")

    def _check_wallet_pin(self, request: DebitRequest) -> tuple[int, AuthError | None]:
        """The wallet's balance, or the PIN error to raise once the failure is recorded."""
        row = self._db.execute(
            "SELECT balance, verifier, failures, closed FROM wallets WHERE account = ?",
            (request.account,),
        ).fetchone()
        if row is None:
            raise NotFoundError("subscriber.not_found")
        balance, verifier, failures, closed = row
        if closed:
            raise StateError("wallet.closed")
        attempts = self._policy.wallet_pin_attempts
        if failures >= attempts:
            return 0, AuthError("wallet.locked")
        try:
            pin = open_sealed_pin(self._sealing_private, request.sealed_pin or "", request.entry_id)
            good = verify_pin(pin, verifier)
        except AuthError:
            good = False
        if not good:
            self._db.execute(
                "UPDATE wallets SET failures = failures + 1 WHERE account = ?", (request.account,)
            )
            if failures + 1 >= attempts:
                return 0, AuthError("wallet.locked")
            return 0, AuthError("wallet.wrong_pin", left=attempts - failures - 1)
        self._db.execute("UPDATE wallets SET failures = 0 WHERE account = ?", (request.account,))
        return int(balance), None

    def _move(self, account: str | None, office_id: str, delta: int) -> None:
        if account is None:
            self._db.execute(
                "UPDATE office_wallets SET balance = balance + ? WHERE office_id = ?",
                (delta, office_id),
            )
        else:
            self._db.execute(
                "UPDATE wallets SET balance = balance + ? WHERE account = ?", (delta, account)
            )

    def cancel_debit(self, entry_id: str) -> str:
        """Reverse a debit the desk abandoned and reopen its bill (see central's rule)."""
        with write_transaction(self._db, self._lock) as db:
            row = db.execute(
                "SELECT account, amount, bill_id, office_id FROM authorisations"
                " WHERE entry_id = ? AND bill_id IS NOT NULL",
                (entry_id,),
            ).fetchone()
            if row is None:
                return "unknown"
            self._move(row[0], row[3], row[1])
            db.execute(
                "UPDATE bills SET status = 'open', paid_by = NULL WHERE paid_by = ?",
                (entry_id,),
            )
            db.execute("DELETE FROM authorisations WHERE entry_id = ?", (entry_id,))
        return "cancelled"

    def authorise_reversal(
        self, entry_id: str, voids: str, account: str | None, amount: int
    ) -> Authorisation | None:
        """Take a voided top-up back out of the wallet; refused when it was already spent."""
        if account is None:
            return None
        with write_transaction(self._db, self._lock) as db:
            balance = self.wallet_balance(account)
            if balance is None:
                raise NotFoundError("subscriber.not_found")
            if balance < amount:
                raise _insufficient(balance, amount)
            self._move(account, "", -amount)
            reference = "RV" + uuid.uuid4().hex[:10].upper()
            db.execute(
                "INSERT INTO authorisations VALUES (?, ?, ?, ?, NULL, NULL)",
                (entry_id, reference, account, -amount),
            )
        return Authorisation(reference, balance - amount)

    # --- journal push ----------------------------------------------------------------------

    def push(self, entries: Sequence[SignedEntry]) -> list[PushResult]:
        results = []
        with self._lock:
            for entry in entries:
                results.append(self._apply_once(entry))
        return results

    def _apply_once(self, entry: SignedEntry) -> PushResult:
        digest = hashlib.sha256(entry.body).hexdigest()
        with write_transaction(self._db) as db:
            seen = db.execute(
                "SELECT hash, status, reason FROM applied WHERE entry_id = ?", (entry.entry_id,)
            ).fetchone()
            if seen is not None:
                if seen[0] != digest:
                    return PushResult(entry.entry_id, "rejected", "same id, different content")
                return PushResult(entry.entry_id, "duplicate", seen[2])
            status, reason = self._apply(entry.envelope())
            db.execute(
                "INSERT INTO applied VALUES (?, ?, ?, ?)", (entry.entry_id, digest, status, reason)
            )
        return PushResult(entry.entry_id, status, reason)

    def _apply(self, env: dict[str, Any]) -> tuple[str, str | None]:
        db = self._db
        p = env["payload"]
        kind = env["type"]
        if kind == "subscriber_registered":
            pin = open_sealed_pin(self._sealing_private, p["sealed_pin"], p["account"])
            db.execute(
                "INSERT OR IGNORE INTO wallets (account, balance, verifier) VALUES (?, 0, ?)",
                (p["account"], hash_pin(pin)),
            )
            fields = {k: p.get(k) for k in SubscriberRecord.__dataclass_fields__}
            db.execute(
                "INSERT OR IGNORE INTO subscribers VALUES (?, ?)",
                (p["account"], json.dumps(fields, ensure_ascii=False)),
            )
        elif kind == "top_up":
            self._move(p["account"], "", p["amount"])
        elif kind == "bill_paid":
            return self._apply_bill_paid(env)
        elif kind == "void":
            self._apply_void(env)
        return "applied", None

    def _apply_bill_paid(self, env: dict[str, Any]) -> tuple[str, str | None]:
        db = self._db
        p = env["payload"]
        if p["method"] in ("wallet", "office_wallet"):
            authorised = db.execute(
                "SELECT 1 FROM authorisations WHERE entry_id = ?", (env["id"],)
            ).fetchone()
            if authorised:
                return "applied", None
            # Offline wallet payments are settled by the real central at sync.
            return "flagged", "offline wallet payment: settled by central"
        row = db.execute(
            "SELECT status, paid_by FROM bills WHERE bill_id = ?", (p["bill_id"],)
        ).fetchone()
        if row is not None and row[0] == "paid" and row[1] != env["id"]:
            return "flagged", "bill already paid: cash refund due"
        db.execute(
            "UPDATE bills SET status = 'paid', paid_by = ? WHERE bill_id = ?",
            (env["id"], p["bill_id"]),
        )
        return "applied", None

    def _apply_void(self, env: dict[str, Any]) -> None:
        db = self._db
        voided = db.execute(
            "SELECT account, amount, bill_id, office_id FROM authorisations WHERE entry_id = ?",
            (env["payload"]["voids"],),
        ).fetchone()
        bill = db.execute(
            "SELECT bill_id FROM bills WHERE paid_by = ?", (env["payload"]["voids"],)
        ).fetchone()
        if voided is not None and voided[2] is not None:
            # A wallet bill payment: the wallet gets its money back.
            self._move(voided[0], voided[3], voided[1])
        if bill is not None:
            db.execute(
                "UPDATE bills SET status = 'open', paid_by = NULL WHERE bill_id = ?", (bill[0],)
            )
