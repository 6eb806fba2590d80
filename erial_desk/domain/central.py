"""What the desk needs from central, as plain records and one interface.

The sync layer's client of central implements ``Central``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .chain import SignedEntry
from .deadline import Deadline
from .policy import BillKind, FeeCatalogue, Office, Policy, Role


@dataclass(frozen=True)
class Bill:
    """A municipal bill as central holds it. The desk never computes a fee."""

    bill_id: str
    kind: BillKind
    reference: str  # violation, contract, licence or application number
    subject: str  # plate, civil number, CR number or application number it was found by
    description_en: str
    description_ar: str
    amount: int  # baisa
    status: str  # open / paid
    detail_en: str = ""  # e.g. building-permit application stage
    detail_ar: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form, as central sends it and the desk caches it."""
        return {**dataclasses.asdict(self), "kind": self.kind.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Bill:
        return cls(
            str(data["bill_id"]),
            BillKind(data["kind"]),
            str(data["reference"]),
            str(data["subject"]),
            str(data["description_en"]),
            str(data["description_ar"]),
            int(data["amount"]),
            str(data["status"]),
            str(data.get("detail_en") or ""),
            str(data.get("detail_ar") or ""),
        )


@dataclass(frozen=True)
class SubscriberRecord:
    """A subscriber as central's directory holds it (no PIN verifier, ever)."""

    account: str
    kind: str
    civil_number: str | None
    cr_number: str | None
    name_ar: str
    name_en: str
    mobile: str | None
    email: str | None
    authorised_person: str | None


@dataclass(frozen=True)
class OperatorRecord:
    operator_id: str
    office_id: str
    name_en: str
    name_ar: str
    role: Role
    pin_hash: str  # scrypt; operators log in offline, so their verifier does reach the desk
    active: bool = True
    signature: str = ""  # central's, over ``erial_desk.domain.reference.operator_data``


@dataclass(frozen=True)
class DebitRequest:
    """An online wallet debit: the entry id is the idempotency key at central."""

    entry_id: str
    terminal_id: str
    office_id: str
    account: str | None  # None: the office's own wallet
    amount: int  # bill amount + service charge, baisa
    bill_id: str | None
    sealed_pin: str | None


@dataclass(frozen=True)
class Authorisation:
    reference: str
    balance_after: int


@dataclass(frozen=True)
class PushResult:
    entry_id: str
    status: str  # applied, duplicate, flagged, rejected
    reason: str | None = None


class Central(Protocol):
    """Central as the services see it. Methods raise ``CentralUnavailable`` when unreachable."""

    def office(self, office_id: str) -> Office: ...

    def policy(self, office_id: str) -> tuple[Policy, FeeCatalogue]: ...

    def operators(self, office_id: str) -> list[OperatorRecord]: ...

    def sealing_key(self) -> bytes: ...

    def find_bills(self, kind: BillKind | None, key: str) -> list[Bill]: ...

    def authorise_debit(self, request: DebitRequest) -> Authorisation: ...

    def authorise_reversal(
        self, entry_id: str, voids: str, account: str | None, amount: int
    ) -> Authorisation | None: ...

    def cancel_debit(self, entry_id: str) -> str: ...

    def wallet_balance(self, account: str) -> int | None: ...

    def lookup_subscriber(self, account: str) -> SubscriberRecord | None: ...

    def push(self, entries: Sequence[SignedEntry]) -> list[PushResult]: ...

    def office_day(
        self, office_id: str, day: str, *, deadline: Deadline | None = None
    ) -> dict[str, Any]:
        """The office's day report: totals by service, method, clerk, terminal, hour; shifts."""
        ...
