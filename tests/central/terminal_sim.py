"""A counter terminal as central sees it: a real signed journal (the desk's own Journal class on
a SQLite file) whose entries are pushed over HTTP. Payloads are built like the desk builds them,
PINs sealed to central's published key."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from erial_central.demo import MORE_OFFICES
from erial_desk.domain.chain import build_envelope, encode_envelope
from erial_desk.domain.clock import now_stamp
from erial_desk.domain.demo_records import OPERATORS
from erial_desk.domain.entries import (
    BillPaid,
    Payload,
    ShiftOpened,
    SubscriberRegistered,
    TopUp,
    Void,
)
from erial_desk.domain.identifiers import make_account_number
from erial_desk.domain.pins import seal_pin
from erial_desk.domain.policy import BillKind, FeeCatalogue, Role
from erial_desk.store import migrate
from erial_desk.store.engine import connect_raw
from erial_desk.store.journal import AppendedEntry, Journal, new_entry_id

CATALOGUE = FeeCatalogue()


def service_charge(kind: str) -> int:
    """The demo catalogue's service charge for a wallet payment of a bill of ``kind``."""
    return CATALOGUE.service_charge(BillKind(kind))


def office_staff(office_id: str) -> tuple[str, str]:
    """(a counter operator, a supervisor) of a seeded office, as central knows them."""
    for office in MORE_OFFICES:
        if office.office_id == office_id:
            base = office_id.split("-")[1].lower()
            return f"{base}.clerk", f"{base}.super"
    counter = next(o[0] for o in OPERATORS if o[1] == office_id and o[4] is not Role.SUPERVISOR)
    supervisor = next(o[0] for o in OPERATORS if o[1] == office_id and o[4] is Role.SUPERVISOR)
    return counter, supervisor


def random_account() -> str:
    return make_account_number(10**10 + int.from_bytes(os.urandom(5)) % (9 * 10**10))


def enrol_terminal(
    base_url: str, admin_token: str, office_id: str
) -> tuple[str, Ed25519PrivateKey, str]:
    """A new terminal slot at ``office_id``, enrolled with a fresh key: (id, key, API token)."""
    key = Ed25519PrivateKey.generate()
    terminal_id = new_entry_id()
    slot = requests.post(
        f"{base_url}/v1/admin/offices/{office_id}/terminals",
        headers={"Authorization": f"Bearer {admin_token}"},
        timeout=10,
    )
    slot.raise_for_status()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    enrolled = requests.post(
        f"{base_url}/v1/enrol",
        json={
            "code": slot.json()["enrolment_code"],
            "terminal_id": terminal_id,
            "public_key": public.hex(),
        },
        timeout=10,
    )
    enrolled.raise_for_status()
    return terminal_id, key, enrolled.json()["token"]


class TerminalSim:
    def __init__(self, base_url: str, admin_token: str, office_id: str, workdir: Path) -> None:
        self.base = base_url.rstrip("/")
        self.office_id = office_id
        self.operator, self.supervisor = office_staff(office_id)
        self.session = requests.Session()
        self.terminal_id, self.key, self.token = enrol_terminal(self.base, admin_token, office_id)
        self.session.headers["Authorization"] = f"Bearer {self.token}"
        self.sealing_key = base64.b64decode(
            self.session.get(f"{self.base}/v1/central-key", timeout=10).json()["sealing_public_key"]
        )
        workdir.mkdir(parents=True, exist_ok=True)
        path = workdir / f"{self.terminal_id}.sqlite"
        migrate.upgrade(path, "0001")
        public = self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        conn = connect_raw(path)
        conn.execute(
            "INSERT INTO terminal VALUES (?, ?, ?, 'memory', '2026-01-01')",
            (self.terminal_id, public, office_id),
        )
        conn.close()
        self.journal = Journal(path, self.terminal_id, self.key)
        self.shift = self.append(ShiftOpened(office_id, {"1000": 10}, 10_000)).entry_id
        self.pushed_to = 0

    def close(self) -> None:
        self.journal.close()
        self.session.close()

    # --- making entries --------------------------------------------------------------------

    def append(
        self, payload: Payload, entry_id: str | None = None, operator: str | None = None
    ) -> AppendedEntry:
        return self.journal.append(
            payload.TYPE.value,
            payload.to_payload(),
            operator=operator or self.operator,
            policy_version=1,
            catalogue_version=1,
            entry_id=entry_id,
        )

    def raw(
        self,
        entry_type: str,
        payload: dict[str, Any],
        operator: str | None = None,
        entry_id: str | None = None,
    ) -> AppendedEntry:
        """Any payload under any entry type, signed into the journal as a tampered PC would."""
        return self.journal.append(
            entry_type,
            payload,
            operator=operator or self.operator,
            policy_version=1,
            catalogue_version=1,
            entry_id=entry_id,
        )

    def register(self, pin: str = "1234", account: str | None = None) -> str:
        account = account or random_account()
        self.append(
            SubscriberRegistered(
                account=account,
                kind="individual",
                civil_number=account[:8],
                cr_number=None,
                name_ar="مشترك تجريبي",
                name_en="Test subscriber",
                mobile="+96891234567",
                email=None,
                authorised_person=None,
                sealed_pin=seal_pin(self.sealing_key, pin, account),
            )
        )
        return account

    def top_up(self, account: str, amount: int) -> AppendedEntry:
        return self.append(TopUp(self.shift, account, amount))

    def pay(
        self,
        bill: dict[str, Any],
        method: str,
        account: str | None = None,
        pin: str | None = None,
        charge: int | None = None,
        authorised: bool = False,
    ) -> AppendedEntry:
        """A bill payment entry; ``authorised`` asks central for the wallet debit first, as the
        desk does online. Wallet payments carry the catalogue's service charge by default."""
        if charge is None:
            charge = 0 if method == "cash" else service_charge(bill["kind"])
        entry_id = new_entry_id()
        sealed = seal_pin(self.sealing_key, pin, entry_id) if pin else None
        authorisation = balance = None
        status = "pending"
        if authorised:
            answer = self.debit(entry_id, account, bill["amount"] + charge, bill["bill_id"], sealed)
            answer.raise_for_status()
            authorisation, balance = answer.json()["reference"], answer.json()["balance_after"]
            status = "confirmed"
        return self.append(
            BillPaid(
                self.shift,
                bill["kind"],
                bill["bill_id"],
                bill["reference"],
                bill["amount"],
                charge,
                method,
                account,
                sealed,
                authorisation,
                balance,
                status,
            ),
            entry_id=entry_id,
        )

    def void(
        self, voids: str, authorisation: str | None = None, entry_id: str | None = None
    ) -> AppendedEntry:
        return self.append(
            Void(self.shift, voids, "test", self.supervisor, authorisation), entry_id
        )

    def forge(
        self,
        seq: int,
        prev: str,
        *,
        entry_type: str = "top_up",
        payload: dict[str, Any] | None = None,
        terminal_id: str | None = None,
        key: Ed25519PrivateKey | None = None,
        entry_id: str | None = None,
        operator: str | None = None,
    ) -> dict[str, Any]:
        """A signed wire entry made outside the journal: any place in any chain."""
        envelope = build_envelope(
            entry_id=entry_id or new_entry_id(),
            terminal_id=terminal_id or self.terminal_id,
            seq=seq,
            at=now_stamp(),
            entry_type=entry_type,
            operator=operator or self.operator,
            policy_version=1,
            catalogue_version=1,
            payload=payload if payload is not None else {},
            prev=prev,
        )
        body, digest = encode_envelope(envelope)
        signature = (key or self.key).sign(bytes.fromhex(digest))
        return {
            "seq": seq,
            "id": envelope["id"],
            "body": body.decode(),
            "hash": digest,
            "signature": signature.hex(),
        }

    # --- talking to central ----------------------------------------------------------------

    def wire(self, start: int = 1, end: int | None = None) -> list[dict[str, Any]]:
        out = []
        for e in self.journal.signed_entries(start):
            if end is not None and e.seq > end:
                break
            out.append(
                {
                    "seq": e.seq,
                    "id": e.entry_id,
                    "body": e.body.decode(),
                    "hash": e.hash,
                    "signature": e.signature.hex(),
                }
            )
        return out

    def push(
        self, entries: list[dict[str, Any]] | None = None, terminal_id: str | None = None
    ) -> requests.Response:
        """Push ``entries`` (default: everything not yet accepted) as this terminal."""
        if entries is None:
            entries = self.wire(self.pushed_to + 1)
        response = self.session.post(
            f"{self.base}/v1/journal",
            json={"terminal_id": terminal_id or self.terminal_id, "entries": entries},
            timeout=120,
        )
        if response.ok:
            self.pushed_to = max(self.pushed_to, response.json()["last_seq"])
        return response

    def sync(self) -> dict[str, dict[str, Any]]:
        """Push everything pending; results by entry id (the push must succeed)."""
        response = self.push()
        assert response.status_code == 200, response.text
        return {r["id"]: r for r in response.json()["results"]}

    def debit(
        self, entry_id: str, account: str | None, amount: int, bill_id: str, sealed: str | None
    ) -> requests.Response:
        return self.session.post(
            f"{self.base}/v1/wallet/debits",
            json={
                "entry_id": entry_id,
                "account": account,
                "amount": amount,
                "bill_id": bill_id,
                "sealed_pin": sealed,
            },
            timeout=60,
        )

    def debit_bill(
        self, bill: dict[str, Any], account: str | None, pin: str | None = "1234"
    ) -> requests.Response:
        """Ask central to debit a wallet for ``bill`` online (no journal entry is written)."""
        entry_id = new_entry_id()
        sealed = seal_pin(self.sealing_key, pin, entry_id) if pin else None
        amount = bill["amount"] + service_charge(bill["kind"])
        return self.debit(entry_id, account, amount, bill["bill_id"], sealed)

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(f"{self.base}{path}", params=params, timeout=60)

    def balance(self, account: str) -> int:
        response = self.get(f"/v1/subscribers/{account}/statement")
        assert response.status_code == 200, response.text
        return int(response.json()["balance"])
