"""Plain values the facade takes and returns: no Qt, no SQL rows, no ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from erial_desk.domain.policy import Role

if TYPE_CHECKING:
    from .sync_service import SyncStatus


@dataclass(frozen=True)
class OperatorSession:
    operator_id: str
    name_en: str
    name_ar: str
    role: Role
    office_id: str


@dataclass(frozen=True)
class Approval:
    """A supervisor's approval, given on the same terminal with their own PIN."""

    operator_id: str
    pin: str


@dataclass(frozen=True)
class RegistrationForm:
    """What the clerk types to register a subscriber (the customer types the PIN separately)."""

    kind: str  # individual / company
    name_ar: str
    name_en: str
    mobile: str
    civil_number: str | None = None  # individuals
    cr_number: str | None = None  # companies
    authorised_person: str | None = None  # companies
    email: str | None = None


@dataclass(frozen=True)
class TransactionResult:
    """A committed entry, with what a receipt needs to say about it."""

    entry_id: str
    seq: int
    receipt: str
    entry_type: str
    at: str
    amount: int
    service_charge: int = 0
    total: int = 0
    account: str | None = None
    balance_after: int | None = None
    status: str = "confirmed"  # confirmed by central, or pending sync


@dataclass(frozen=True)
class MethodTotals:
    count: int = 0
    amount: int = 0
    service_charge: int = 0


@dataclass(frozen=True)
class ShiftSummary:
    shift_id: str
    operator: str
    office_id: str
    opened_at: str
    closed_at: str | None
    float_total: int
    top_ups: MethodTotals
    bill_payments: dict[str, MethodTotals] = field(default_factory=dict)  # by payment method
    cash_drops: MethodTotals = MethodTotals()
    voids: MethodTotals = MethodTotals()
    expected_cash: int = 0
    counted_total: int | None = None
    variance: int | None = None
    close_approver: str | None = None


@dataclass(frozen=True)
class OpenShift:
    shift_id: str
    operator: str
    opened_at: str


@dataclass(frozen=True)
class CounterStatus:
    office_id: str
    office_name_en: str
    office_name_ar: str
    terminal_code: str
    operator: OperatorSession | None
    shift: OpenShift | None
    sync: SyncStatus
    print_waiting: int
    print_failed: int
    printer: str  # the connection kind: pdf, network, usb...


@dataclass(frozen=True)
class OperatorChoice:
    """An operator of this office, as the login screen lists them (no PIN hash)."""

    operator_id: str
    name_en: str
    name_ar: str
    role: str


@dataclass(frozen=True)
class DrawerFormula:
    """What the drawer should hold: float + cash in − cash out = expected."""

    shift_id: str
    float_total: int
    cash_in: int
    cash_out: int
    blind: bool = False  # the policy asks for a blind count: the screen hides what is expected

    @property
    def expected(self) -> int:
        return self.float_total + self.cash_in - self.cash_out
