"""Administration: offices, terminal slots and enrolment, operators, service credentials, policy
versions; and the two outside callers: online self-registration and the bank's top-up callback."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any

from sqlalchemy import Connection, insert, select, update

from erial_desk.domain.clock import now_stamp
from erial_desk.domain.entries import terminal_code
from erial_desk.domain.identifiers import make_account_number
from erial_desk.domain.pins import hash_pin
from erial_desk.domain.policy import (
    FeeCatalogue,
    Office,
    Policy,
    Role,
    catalogue_from_dict,
    catalogue_to_dict,
    policy_from_dict,
    policy_to_dict,
)

from . import duplicates
from .duplicates import first_holder
from .errors import ApiError
from .ledger import BANK, Ledger, Transfer, office_wallet, wallet
from .models import (
    SUBSCRIBER_FIELDS,
    bank_top_ups,
    offices,
    operators,
    policies,
    service_credentials,
    subscribers,
    terminals,
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_office(conn: Connection, office: Office, opening_wallet: int = 0) -> None:
    conn.execute(
        insert(offices),
        {
            "office_id": office.office_id,
            "name_en": office.name_en,
            "name_ar": office.name_ar,
            "office_type": office.office_type.value,
            "top_up_authorised": office.top_up_authorised,
            "top_up_float_limit": office.top_up_float_limit,
        },
    )
    if opening_wallet:
        # An external office pays into its own e-Rial wallet at the bank.
        ledger = Ledger(conn)
        ledger.transfer(
            Transfer(
                "bank_top_up",
                opening_wallet,
                BANK,
                office_wallet(office.office_id),
                None,
                now_stamp(),
            )
        )
        ledger.flush(now_stamp())


def get_office(conn: Connection, office_id: str) -> Office:
    row = conn.execute(select(offices).where(offices.c.office_id == office_id)).first()
    if row is None:
        raise ApiError(404, "office.not_found")
    from erial_desk.domain.policy import OfficeType

    return Office(
        row.office_id,
        row.name_en,
        row.name_ar,
        OfficeType(row.office_type),
        bool(row.top_up_authorised),
        row.top_up_float_limit,
    )


def add_operator(
    conn: Connection,
    operator_id: str,
    office_id: str,
    name_en: str,
    name_ar: str,
    role: Role,
    pin: str | None = None,
    pin_hash: str | None = None,
) -> None:
    get_office(conn, office_id)
    record: dict[str, object] = {
        "operator_id": operator_id,
        "office_id": office_id,
        "name_en": name_en,
        "name_ar": name_ar,
        "role": role.value,
        "pin_hash": pin_hash or hash_pin(pin or ""),
        "active": True,
    }
    conn.execute(insert(operators), record)
    # Operators log in offline, so their PIN hashes reach their own office's desks.
    Ledger(conn).flush_feed_only("operator", operator_id, record, office_id)


def add_terminal_slot(conn: Connection, office_id: str) -> tuple[str, str]:
    """A terminal slot at an office and its one-time enrolment code."""
    get_office(conn, office_id)
    slot_id = "slot-" + uuid.uuid4().hex[:12]
    code = "-".join(secrets.token_hex(2).upper() for _ in range(4))
    conn.execute(
        insert(terminals),
        {
            "slot_id": slot_id,
            "office_id": office_id,
            "enrolment_code_hash": token_hash(code),
            "revoked": False,
            "last_seq": 0,
        },
    )
    return slot_id, code


def enrol(conn: Connection, code: str, terminal_id: str, public_key: bytes) -> dict[str, Any]:
    """Bind a desk's terminal id and public key to the slot of the code; issue its API token."""
    row = conn.execute(
        select(terminals).where(terminals.c.enrolment_code_hash == token_hash(code.strip().upper()))
    ).first()
    if row is None:
        raise ApiError(403, "enrol.invalid_code")
    if row.terminal_id is not None:
        # The code was used. The same terminal with the same key may ask again until it first
        # pushes (its token may never have reached its key store): it gets a fresh token in
        # place of the old one, whose hash is all central kept. Anyone else: refused.
        same = row.terminal_id == terminal_id and bytes(row.public_key) == public_key
        if row.revoked or not same or int(row.last_seq) > 0:
            raise ApiError(403, "enrol.invalid_code")
        return _issue_token(conn, row.slot_id, row.office_id, row.terminal_code)
    if len(public_key) != 32:
        raise ApiError(422, "enrol.bad_key")
    code_of_terminal = terminal_code(terminal_id)
    taken = conn.execute(
        select(terminals.c.slot_id).where(
            (terminals.c.terminal_id == terminal_id)
            | (terminals.c.public_key == public_key)
            | (terminals.c.terminal_code == code_of_terminal)
        )
    ).first()
    if taken is not None:
        raise ApiError(409, "enrol.terminal_exists")
    conn.execute(
        update(terminals)
        .where(terminals.c.slot_id == row.slot_id)
        .values(
            terminal_id=terminal_id,
            terminal_code=code_of_terminal,
            public_key=public_key,
            enrolled_at=now_stamp(),
        )
    )
    # The code's hash stays with the slot, so that the same terminal can repeat its enrolment.
    return _issue_token(conn, row.slot_id, row.office_id, code_of_terminal)


def _issue_token(conn: Connection, slot_id: str, office_id: str, code: str) -> dict[str, Any]:
    token = "et_" + secrets.token_urlsafe(32)
    conn.execute(
        update(terminals).where(terminals.c.slot_id == slot_id).values(token_hash=token_hash(token))
    )
    return {"token": token, "office_id": office_id, "terminal_code": code}


def revoke_terminal(conn: Connection, terminal_id: str) -> None:
    done = conn.execute(
        update(terminals).where(terminals.c.terminal_id == terminal_id).values(revoked=True)
    )
    if done.rowcount == 0:
        raise ApiError(404, "terminal.not_found")


def add_credential(conn: Connection, name: str, scope: str) -> str:
    """A new admin or website credential; only its hash is kept."""
    token = f"{scope[:2]}_" + secrets.token_urlsafe(32)
    conn.execute(
        insert(service_credentials),
        {"name": name, "token_hash": token_hash(token), "scope": scope, "created_at": now_stamp()},
    )
    return token


def publish_policy(conn: Connection, policy: Policy, catalogue: FeeCatalogue) -> None:
    conn.execute(
        insert(policies),
        {
            "version": policy.version,
            "policy": json.dumps(policy_to_dict(policy)),
            "catalogue": json.dumps(catalogue_to_dict(catalogue)),
            "created_at": now_stamp(),
        },
    )
    ledger = Ledger(conn)
    ledger.note_change("policy", str(policy.version), policy_to_dict(policy))
    ledger.note_change("catalogue", str(catalogue.version), catalogue_to_dict(catalogue))
    ledger.flush(now_stamp())


def current_policy(conn: Connection) -> tuple[Policy, FeeCatalogue]:
    row = conn.execute(select(policies).order_by(policies.c.version.desc()).limit(1)).first()
    if row is None:
        return Policy(), FeeCatalogue()
    return policy_from_dict(json.loads(row.policy)), catalogue_from_dict(json.loads(row.catalogue))


def register_online(conn: Connection, record: dict[str, Any], pin: str) -> tuple[str, bool]:
    """Self-registration from the municipality's website: a new account, empty wallet, and
    whether it is a suspected duplicate (its civil or CR number already had an open account:
    kept and flagged, as a desk's registration is, for a supervisor to merge)."""
    first = first_holder(conn, record.get("civil_number"), record.get("cr_number"))
    while True:
        account = make_account_number(10**10 + secrets.randbelow(9 * 10**10))
        if (
            conn.execute(
                select(subscribers.c.account).where(subscribers.c.account == account)
            ).first()
            is None
        ):
            break
    values = {f: record.get(f) for f in SUBSCRIBER_FIELDS} | {"account": account}
    conn.execute(
        insert(subscribers),
        {
            **values,
            "pin_verifier": hash_pin(pin),
            "pin_failures": 0,
            "closed": False,
            "registered_at": now_stamp(),
            "registered_by": "online",
            "duplicate_of": first,
        },
    )
    ledger = Ledger(conn)
    ledger.lock([wallet(account)])
    ledger.note_change("subscriber", account, values)
    ledger.flush(now_stamp())
    return account, first is not None


def merge_subscribers(conn: Connection, duplicate: str, survivor: str, administrator: str) -> bool:
    """An administrator's merge at central, after checking the holder's ID: the same effect as
    a supervisor's ``subscribers_merged`` entry, recorded as ``admin:<name>`` on the closed
    account and its ledger transfer. False when the two were merged before."""
    at = now_stamp()
    by = f"admin:{administrator}"
    ledger = Ledger(conn)
    try:
        done = duplicates.merge(conn, ledger, duplicate, survivor, at=at, by=by, entry_id=by)
    except duplicates.MergeRefused as refused:
        raise ApiError(409, refused.code) from refused
    ledger.flush(at)
    return done


def bank_signature(secret: bytes, body: bytes) -> str:
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def bank_top_up(conn: Connection, secret: bytes, body: bytes, signature: str) -> dict[str, Any]:
    """The bank's callback for an online top-up: HMAC-signed, idempotent by bank reference.

    A top-up to a closed account is refused with 409 ``bank.account_closed`` and nothing is
    stored: the money stays with the bank, which returns it to the payer. A 4xx is final, so the
    bank does not deliver it again; a later delivery with the same reference is refused alike."""
    given = signature.strip().lower().encode("utf-8", "replace")
    if not hmac.compare_digest(bank_signature(secret, body).encode(), given):
        raise ApiError(401, "bank.bad_signature")
    try:
        data = json.loads(body)
        reference, account, amount = (
            str(data["bank_reference"]),
            str(data["account"]),
            data["amount"],
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiError(422, "request.invalid", reason="bank_reference, account, amount") from exc
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= 10**12:
        raise ApiError(422, "request.invalid", reason="amount in baisa, a positive integer")
    digest = hashlib.sha256(body).hexdigest()
    subscriber = conn.execute(
        select(subscribers.c.closed).where(subscribers.c.account == account)
    ).first()
    ledger = Ledger(conn)
    if subscriber is not None:
        ledger.lock([wallet(account)])  # first: two deliveries of one top-up wait in turn
    seen = conn.execute(
        select(bank_top_ups.c.body_hash, bank_top_ups.c.transfer_id).where(
            bank_top_ups.c.bank_reference == reference
        )
    ).first()
    if seen is not None:
        if seen.body_hash != digest:
            raise ApiError(409, "bank.conflict")
        return {"status": "duplicate", "bank_reference": reference}
    if subscriber is None:
        raise ApiError(404, "subscriber.not_found")
    if subscriber.closed:
        raise ApiError(409, "bank.account_closed")
    at = now_stamp()
    ledger.transfer(Transfer("bank_top_up", amount, BANK, wallet(account), f"bank:{reference}", at))
    (transfer_id,) = ledger.flush_transfers()
    conn.execute(
        insert(bank_top_ups),
        {
            "bank_reference": reference,
            "account": account,
            "amount": amount,
            "body_hash": digest,
            "transfer_id": transfer_id,
            "received_at": at,
        },
    )
    ledger.flush(at)
    return {
        "status": "applied",
        "bank_reference": reference,
        "balance": ledger.balance(wallet(account)),
    }
