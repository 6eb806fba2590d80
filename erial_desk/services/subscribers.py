"""Registering, updating and finding subscribers."""

from __future__ import annotations

import dataclasses
import secrets
from typing import NoReturn

from sqlalchemy import text

from erial_desk.domain.deadline import Deadline, check
from erial_desk.domain.entries import EntryType, SubscriberRegistered, SubscriberUpdated
from erial_desk.domain.errors import NotFoundError, StateError, ValidationError
from erial_desk.domain.identifiers import (
    make_account_number,
    normalise_account_number,
    normalise_civil_number,
    normalise_cr_number,
    normalise_mobile,
    normalise_pin,
)
from erial_desk.domain.pins import seal_pin
from erial_desk.domain.policy import Action
from erial_desk.store.search import SubscriberRow, search_subscribers
from erial_desk.sync.client import CentralClient

from .parts import Guards, JournalWriter, Reader, Reference
from .results import RegistrationForm, TransactionResult

FIELD_NAMES = {
    "civil_number": ("civil number", "الرقم المدني"),
    "cr_number": ("commercial registration number", "رقم السجل التجاري"),
}


def _clean_optional(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def refuse_existing(field: str, account: str | None) -> NoReturn:
    """The refusal of a registration whose ID (``field``) already has ``account`` (None: an
    account this office may not see)."""
    name_en, name_ar = FIELD_NAMES[field]
    raise StateError("subscriber.exists", field=name_en, field_ar=name_ar, account=account)


class SubscriberUseCases:
    """Registering, updating and finding subscribers, and what this desk knows of a wallet."""

    def __init__(
        self,
        guards: Guards,
        reader: Reader,
        writer: JournalWriter,
        reference: Reference,
        central: CentralClient,
    ) -> None:
        self._guards = guards
        self._reader = reader
        self._writer = writer
        self._reference = reference
        self._central = central

    def register_subscriber(
        self, form: RegistrationForm, customer_pin: str, *, deadline: Deadline | None = None
    ) -> TransactionResult:
        """Open an e-Rial account. The customer types the PIN; it is sealed for central at once."""
        self._guards.allow(Action.REGISTER_SUBSCRIBER)
        policy = self._reference.policy
        name_ar, name_en = form.name_ar.strip(), form.name_en.strip()
        if not name_ar or not name_en:
            raise ValidationError("name.required")
        mobile = normalise_mobile(form.mobile)
        civil = cr = person = None
        if form.kind == "individual":
            civil = normalise_civil_number(form.civil_number or "", policy.civil_number_length)
            self.refuse_duplicate("civil_number", civil)
        elif form.kind == "company":
            cr = normalise_cr_number(form.cr_number or "", policy.cr_number_length)
            self.refuse_duplicate("cr_number", cr)
            person = _clean_optional(form.authorised_person)
            if person is None:
                raise ValidationError("name.required")
        else:
            raise ValidationError("name.required")
        pin = normalise_pin(customer_pin, policy.pin_length)
        account = self._new_account_number()
        payload = SubscriberRegistered(
            account=account,
            kind=form.kind,
            civil_number=civil,
            cr_number=cr,
            name_ar=name_ar,
            name_en=name_en,
            mobile=mobile,
            email=_clean_optional(form.email),
            authorised_person=person,
            sealed_pin=seal_pin(self.sealing_key(deadline), pin, account),
        )
        entry = self._writer.append(payload)
        return TransactionResult(
            entry.entry_id,
            entry.seq,
            self._writer.receipt(entry.seq),
            payload.TYPE,
            entry.envelope["at"],
            0,
            account=account,
            balance_after=0,
        )

    def sealing_key(self, deadline: Deadline | None = None) -> bytes:
        """Central's public key for sealed PINs (kept once fetched: sealing works offline)."""
        if self._reference.sealing_key is None:
            self._reference.sealing_key = self._central.sealing_key(deadline=deadline)
        return self._reference.sealing_key

    def refuse_duplicate(self, field: str, value: str) -> None:
        """Refuse an ID the local directory already holds; the refusal names the account
        (``params["account"]``), which the registration screen offers to open."""
        with self._reader.connect() as conn:
            exists = conn.execute(
                text(f"SELECT account FROM subscribers WHERE {field} = :v LIMIT 1"),  # noqa: S608
                {"v": value},
            ).fetchone()
        if exists:
            refuse_existing(field, str(exists[0]))

    def _new_account_number(self) -> str:
        # Random 11-digit body: numbers reveal nothing and need no coordination between desks;
        # central refuses the rare collision, and the local directory is checked here first.
        with self._reader.connect() as conn:
            while True:
                account = make_account_number(10**10 + secrets.randbelow(9 * 10**10))
                taken = conn.execute(
                    text("SELECT 1 FROM subscribers WHERE account = :a"), {"a": account}
                ).fetchone()
                if not taken:
                    return account

    def update_subscriber(self, account: str, **changes: str | None) -> TransactionResult:
        """Change a subscriber's mobile, e-mail, names or authorised person."""
        self._guards.allow(Action.UPDATE_SUBSCRIBER)
        account = normalise_account_number(account)
        self.subscriber(account)
        clean: dict[str, str | None] = {}
        for name, value in changes.items():
            if name == "mobile":
                clean[name] = normalise_mobile(value or "")
            elif name in ("email", "authorised_person"):
                clean[name] = _clean_optional(value)
            elif name in ("name_ar", "name_en"):
                if not (value or "").strip():
                    raise ValidationError("name.required")
                clean[name] = (value or "").strip()
            else:
                raise ValidationError("name.required")
        entry = self._writer.append(SubscriberUpdated(account, clean))
        return TransactionResult(
            entry.entry_id,
            entry.seq,
            self._writer.receipt(entry.seq),
            EntryType.SUBSCRIBER_UPDATED,
            entry.envelope["at"],
            0,
            account=account,
        )

    def find_subscribers(self, query: str, limit: int = 20) -> list[SubscriberRow]:
        """Search by account, civil/CR number, mobile or a fragment of an Arabic/English name."""
        self._guards.allow(Action.INQUIRE)
        with self._reader.connect() as conn:
            return search_subscribers(conn, query, limit=limit)

    def subscriber(self, account: str, *, deadline: Deadline | None = None) -> SubscriberRow:
        """A subscriber by account number: from the local directory, else asked of central
        (an external office holds only the subscribers it has served)."""
        account = normalise_account_number(account)
        with self._reader.connect() as conn:
            rows = search_subscribers(conn, account, limit=1)
        if rows:
            return rows[0]
        check(deadline)
        record = self._central.lookup_subscriber(account, deadline=deadline)
        if record is None:
            raise NotFoundError("subscriber.not_found")
        return SubscriberRow(**dataclasses.asdict(record))

    def known_balance(self, account: str) -> int | None:
        """The wallet balance last reported by central, less debits still pending here."""
        with self._reader.connect() as conn:
            row = conn.execute(
                text("SELECT balance, pending_debits FROM wallets WHERE account = :a"),
                {"a": account},
            ).fetchone()
        if row is None or row[0] is None:
            return None
        return int(row[0]) - int(row[1])
