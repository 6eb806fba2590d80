"""What documents are built from besides journal entries: plain values the facade reads from
its store (names, sync status, shift figures, statement lines). No Qt, no database."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .model import Bi


@dataclass(frozen=True)
class Context:
    """What a document needs beyond its entry."""

    office: Bi
    terminal: str  # terminal code, as in receipt numbers
    operator: Bi | None
    language: str = "ar"
    verify_url: str = ""
    entry_hash: str = ""
    receipt: str | None = None  # receipt number of the entry printed
    shift: str | None = None  # printable label of the shift (its opening receipt number)
    copy: bool = False
    printed_at: str | None = None  # UTC time of this print (shown on copies and reports)
    sync_status: str | None = None  # confirmed / pending, where the receipt says it
    subscriber: Bi | None = None  # the wallet holder's name, when the directory knows it
    balance_after: int | None = None
    service: Bi | None = None  # name of the municipal service a bill belongs to
    voided: VoidedEntry | None = None
    approver: Bi | None = None


@dataclass(frozen=True)
class VoidedEntry:
    receipt: str
    entry_type: str
    amount: int
    service_charge: int
    method: str | None


@dataclass(frozen=True)
class Totals:
    count: int = 0
    amount: int = 0
    service_charge: int = 0


@dataclass(frozen=True)
class ShiftLine:
    """One transaction of a shift, for the A4 report's listing."""

    at: str
    receipt: str
    entry_type: str
    method: str | None
    reference: str | None
    amount: int
    service_charge: int
    voided: bool


@dataclass(frozen=True)
class ShiftFigures:
    """A shift's totals, as the facade's shift summary gives them."""

    opened_at: str
    closed_at: str | None
    float_total: int
    top_ups: Totals
    bills: dict[str, Totals]  # by payment method
    cash_drops: Totals
    voids: Totals
    expected_cash: int
    counted_total: int | None = None
    variance: int | None = None
    counted: dict[str, int] = dataclasses.field(default_factory=dict)  # denomination -> count
    lines: tuple[ShiftLine, ...] = ()  # every transaction, for the shift report


@dataclass(frozen=True)
class StatementLine:
    at: str
    receipt: str
    entry_type: str
    description: Bi
    amount: int  # signed effect on the wallet, baisa
    status: str | None
    voided: bool


@dataclass(frozen=True)
class SubscriberInfo:
    account: str
    name: Bi
    kind: str
    civil_number: str | None
    cr_number: str | None
    mobile: str | None
    balance: int | None  # last balance known here, pending debits taken off
