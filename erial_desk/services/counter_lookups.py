"""Reads at central the counter makes while a customer waits: a payment made on the website by
its reference (follow-up), and whether an ID already has an account (before the customer chooses
a PIN at registration)."""

from __future__ import annotations

from typing import Any

from erial_desk.domain.central import Central
from erial_desk.domain.deadline import Deadline
from erial_desk.domain.errors import (
    CentralError,
    CentralUnavailable,
    NotFoundError,
)
from erial_desk.domain.identifiers import normalise_civil_number, normalise_cr_number
from erial_desk.domain.policy import Action

from .central_calls import ask_central
from .counter_reads import TransactionLine
from .parts import Guards, Reference
from .results import RegistrationForm
from .subscribers import SubscriberUseCases, refuse_existing

NOT_FOUND = "entry.not_found"


class CounterLookups:
    """The facade's ``online_payment`` and ``check_new_subscriber``."""

    def __init__(
        self,
        guards: Guards,
        reference: Reference,
        central: Central,
        subscribers: SubscriberUseCases,
    ) -> None:
        self._guards = guards
        self._reference = reference
        self._central = central
        self._subscribers = subscribers

    def online_payment(
        self, reference: str, *, deadline: Deadline | None = None
    ) -> TransactionLine:
        """A payment made online, as the follow-up lists it (central's answer: confirmed)."""
        self._guards.allow(Action.INQUIRE)
        try:
            found: dict[str, Any] = ask_central(
                self._central,
                "GET",
                f"/v1/online-payments/{reference.strip()}",
                deadline=deadline,
            )
        except CentralError as exc:
            if exc.code == NOT_FOUND:  # central's refusals keep their codes, not their kinds
                raise NotFoundError(NOT_FOUND) from None
            raise
        return TransactionLine(
            entry_id="",  # no entry of this desk: nothing here to print a copy of
            receipt=str(found["reference"]),
            entry_type=str(found["kind"]),
            at=str(found["at"]),
            account=str(found["account"]),
            method=None,
            bill_kind=None,
            bill_reference=None,
            amount=int(found["amount"]),
            service_charge=0,
            status=str(found["status"]),
            central=str(found["status"]),
            voided_by=None,
            shift_id="",
            operator=None,
        )

    def check_new_subscriber(
        self, form: RegistrationForm, *, deadline: Deadline | None = None
    ) -> None:
        """Refuse an ID that already has an account, before the customer is asked for a PIN:
        from the local directory always, and from central when it answers (offline the local
        directory decides, as ``register_subscriber`` does; central flags a duplicate that
        slips through). The refusal names the existing account when the office may see it
        (``params["account"]``), for the screen to open it instead."""
        session = self._guards.allow(Action.REGISTER_SUBSCRIBER)
        policy = self._reference.policy
        company = form.kind == "company"
        field = "cr_number" if company else "civil_number"
        if company:
            number = normalise_cr_number(form.cr_number or "", policy.cr_number_length)
        else:
            number = normalise_civil_number(form.civil_number or "", policy.civil_number_length)
        self._subscribers.refuse_duplicate(field, number)
        try:
            answer = ask_central(
                self._central,
                "GET",
                "/v1/registered-ids",
                params={field: number, "operator_id": session.operator_id},
                deadline=deadline,
            )
        except (CentralUnavailable, CentralError):
            return
        if answer.get("registered") is True:
            account = answer.get("account")
            refuse_existing(field, account if isinstance(account, str) else None)
