"""Suspected duplicate accounts, for the supervisor of an internal office: central lists the
accounts registered a second time for one civil or CR number (each with the first account and
both balances); after checking the holder's ID the supervisor merges the duplicate into the
first account with one journal entry, which central applies (the balance moves, the duplicate
closes and points to the survivor; later entries naming it land on the survivor).

A composed use case: given the guards (who is logged in, may they), the journal writer, the
office and policy in force, central, and the push that sends what this desk wrote first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from erial_desk.domain.central import Central
from erial_desk.domain.deadline import Deadline, check
from erial_desk.domain.entries import SubscribersMerged
from erial_desk.domain.errors import CentralError, CentralUnavailable, StateError
from erial_desk.domain.policy import check_may_merge, may_merge_subscribers

from .central_calls import ask_central
from .parts import Guards, JournalWriter, Reference
from .results import OperatorSession


@dataclass(frozen=True)
class AccountHolder:
    """One of the two accounts as the supervisor compares them."""

    account: str
    name_en: str
    name_ar: str
    civil_number: str | None
    cr_number: str | None
    mobile: str | None
    registered_at: str
    registered_by: str
    balance: int

    @classmethod
    def of(cls, data: dict[str, Any]) -> AccountHolder:
        return cls(
            account=str(data["account"]),
            name_en=str(data.get("name_en") or ""),
            name_ar=str(data.get("name_ar") or ""),
            civil_number=data.get("civil_number"),
            cr_number=data.get("cr_number"),
            mobile=data.get("mobile"),
            registered_at=str(data.get("registered_at") or ""),
            registered_by=str(data.get("registered_by") or ""),
            balance=int(data.get("balance") or 0),
        )


@dataclass(frozen=True)
class SuspectedDuplicate:
    duplicate: AccountHolder  # registered second: merged away
    first: AccountHolder  # the account that stays

    @property
    def total(self) -> int:
        """What the surviving account holds once merged (baisa)."""
        return self.duplicate.balance + self.first.balance


class DuplicateUseCases:
    """The facade's ``may_merge_duplicates``, ``suspected_duplicates`` and ``merge_duplicate``."""

    def __init__(
        self,
        guards: Guards,
        writer: JournalWriter,
        reference: Reference,
        central: Central,
        push: Callable[[], object],
    ) -> None:
        self._guards = guards
        self._writer = writer
        self._reference = reference
        self._central = central
        self._push = push

    def _require(self) -> OperatorSession:
        session = self._guards.operator()
        check_may_merge(self._reference.policy, self._reference.office, session.role)
        return session

    def may_merge_duplicates(self) -> bool:
        """Whether the console shows the duplicates page to the logged-in operator."""
        session = self._guards.operator()
        return may_merge_subscribers(self._reference.policy, self._reference.office, session.role)

    def suspected_duplicates(self, *, deadline: Deadline | None = None) -> list[SuspectedDuplicate]:
        """Central's list, oldest first, once this desk has sent what it wrote (its own
        registrations and merges included). Needs central: the list is central's."""
        self._require()
        try:
            self._push()
        except (CentralUnavailable, CentralError):
            pass  # central answers the list with what it has
        check(deadline)
        data = ask_central(self._central, "GET", "/v1/duplicates", deadline=deadline)
        return [
            SuspectedDuplicate(AccountHolder.of(row), AccountHolder.of(row["first"]))
            for row in data["duplicates"]
        ]

    def merge_duplicate(self, duplicate: str, survivor: str, *, id_checked: bool) -> str:
        """Merge ``duplicate`` into ``survivor``: one journal entry, signed and approved by the
        logged-in supervisor, sent with the next sync. Returns the entry's id."""
        session = self._require()
        if not id_checked:
            raise StateError("merge.id_not_checked")
        if duplicate == survivor:
            raise StateError("merge.same_account")
        entry = self._writer.append(
            SubscribersMerged(duplicate, survivor, True, session.operator_id)
        )
        return entry.entry_id
