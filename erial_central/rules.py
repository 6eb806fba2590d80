"""The one rule check every pushed entry passes before it has any effect, and audit again after.

A terminal's key signs whatever its PC is told to sign, so central applies an entry only when
the municipality's rules allow it: the payload is well formed and bounded; the operator is an
active operator of the terminal's office whose role and office type may do the action (the
policy table the desk itself uses); amounts are within the policy's limits; the service charge
is the catalogue's and the bill's kind and amount are central's own bill's; a wallet payment
meets a wallet that is open and not locked, with the right PIN; a void or a reprint names an
entry of the same terminal; an approval names an active supervisor of the office.

An entry that breaks a rule stays in the chain, is flagged with a stable code and moves no
money (``effects.flag_breach``). What the terminal is told never says more than the desk could
know already: breaches about a wallet's PIN or state answer with one generic reason.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from erial_desk.domain.entries import PAYLOAD_TYPES, VOIDABLE, EntryType, Resolution
from erial_desk.domain.errors import PolicyError, ValidationError
from erial_desk.domain.money import check_amount
from erial_desk.domain.policy import (
    Action,
    BillKind,
    FeeCatalogue,
    Office,
    PaymentMethod,
    Policy,
    Role,
    check_allowed,
    entry_action,
    may_merge_subscribers,
    needs_close_approval,
)

# Longest text central stores from an entry; identifiers are far shorter, names and reasons
# a few hundred characters, sealed PINs about a hundred.
MAX_TEXT = 1000
MAX_ID = 64
_ID_FIELDS = frozenset(
    {"shift", "bill_id", "voids", "entry", "account", "approver", "office", "duplicate", "survivor"}
)
_METHODS = {m.value for m in PaymentMethod}
_BILL_KINDS = {k.value for k in BillKind}
_SUBSCRIBER_KINDS = {"individual", "company"}
_RESOLUTIONS = {r.value for r in Resolution}
_REQUIRED_NAMES = ("name_ar", "name_en")

# Breaches about a wallet's PIN or state: the terminal hears only that the payment could not
# be confirmed, so pushing guesses teaches it nothing the online debit would not.
PRIVATE_RULES = frozenset({"rule.wrong_pin", "rule.wallet_locked", "rule.wallet_closed"})
WALLET_REFUSED = "rule.wallet_refused"
WALLET_REFUSED_REASON = "the wallet payment could not be confirmed: the payer was not charged"


@dataclass(frozen=True)
class Breach:
    code: str  # stable: rule.*
    reason: str  # for central's records and the office's supervisor

    def stored(self) -> str:
        return f"{self.reason}: not applied"

    def answer(self) -> tuple[str, str]:
        """(code, reason) as the terminal is told."""
        return answer_for(self.code, self.stored())


def answer_for(code: str | None, reason: str | None) -> tuple[str, str]:
    """What a terminal is told of a flag central recorded with ``code`` and ``reason``."""
    if code in PRIVATE_RULES:
        return WALLET_REFUSED, f"{WALLET_REFUSED_REASON}: not applied"
    return code or "", reason or ""


@dataclass(frozen=True)
class Staff:
    office_id: str
    role: str
    active: bool


@dataclass(frozen=True)
class Earlier:
    """An entry that a void or a reprint names."""

    terminal_id: str
    office_id: str
    entry_type: str
    voided_by: str | None


@dataclass(frozen=True)
class CentralBill:
    kind: str
    amount: int


@dataclass(frozen=True)
class WalletState:
    closed: bool
    pin_failures: int
    exists: bool = True


class Facts(Protocol):
    """What the check reads: at push time the batch in progress, at audit the stored data."""

    @property
    def terminal_id(self) -> str: ...

    @property
    def office(self) -> Office: ...

    @property
    def policy(self) -> Policy: ...

    @property
    def catalogue(self) -> FeeCatalogue: ...

    def staff(self, operator_id: str) -> Staff | None: ...

    def earlier(self, entry_id: str) -> Earlier | None: ...

    def central_bill(self, bill_id: str) -> CentralBill | None: ...

    def confirmed_online(self, entry_id: str) -> bool: ...

    def wallet_state(self, account: str) -> WalletState | None:
        """None when the state then cannot be known any more (audit)."""
        ...

    def wallet_pin_ok(self, account: str, sealed_pin: str | None, entry_id: str) -> bool:
        """Verify the sealed PIN and count a failure toward the wallet's lockout."""
        ...


# --- the payload's shape ------------------------------------------------------------------------


def text_ok(value: Any, limit: int = MAX_TEXT) -> bool:
    # PostgreSQL text cannot hold NUL; anything longer than the limit is no real entry.
    return isinstance(value, str) and len(value) <= limit and "\x00" not in value


def _int_ok(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _counts_ok(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and len(value) <= 32
        and all(text_ok(k, 16) and _int_ok(v) and v >= 0 for k, v in value.items())
    )


def _changes_ok(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and len(value) <= 16
        and all(
            text_ok(k, MAX_ID) and (v is None or text_ok(v, MAX_TEXT)) for k, v in value.items()
        )
    )


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _never(_value: Any) -> bool:
    return False


def _value_check(name: str, annotation: str) -> Callable[[Any], bool]:
    """The check of one payload field, made once from its declared type (every entry of every
    push runs it)."""
    kind = annotation.removesuffix(" | None")
    check: Callable[[Any], bool]
    if kind == "str":
        check = functools.partial(text_ok, limit=MAX_ID if name in _ID_FIELDS else MAX_TEXT)
    else:
        check = {
            "int": _int_ok,
            "bool": _is_bool,
            "Counts": _counts_ok,
            "dict[str, str | None]": _changes_ok,
        }.get(kind, _never)
    if annotation.endswith("| None"):
        return lambda value: value is None or check(value)
    return check  # each refuses None


# Each entry type's fields, with the check of each.
_FIELD_CHECKS: dict[str, tuple[tuple[str, Callable[[Any], bool]], ...]] = {
    entry_type.value: tuple(
        (f.name, _value_check(f.name, str(f.type))) for f in dataclasses.fields(cls)
    )
    for entry_type, cls in PAYLOAD_TYPES.items()
}
_FIELD_NAMES: dict[str, frozenset[str]] = {
    entry_type: frozenset(name for name, _ in checks)
    for entry_type, checks in _FIELD_CHECKS.items()
}
# Fields a payload may lack: those added later with a default (entries journaled before them).
_REQUIRED_FIELDS: dict[str, set[str]] = {
    entry_type.value: {
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    for entry_type, cls in PAYLOAD_TYPES.items()
}


def payload_problem(env: dict[str, Any]) -> str | None:
    """Why a signed entry's payload cannot be applied at all, or None: a field missing, of the
    wrong type or unbounded. Such an entry stays in the chain, flagged with no effect."""
    entry_type = env["type"]
    checks = _FIELD_CHECKS.get(entry_type)
    if checks is None:
        return f"unknown entry type {entry_type}"
    p = env["payload"]
    malformed = f"malformed {entry_type} entry"
    if not _REQUIRED_FIELDS[entry_type] <= p.keys():
        return malformed
    for name, check in checks:
        if name in p and not check(p[name]):
            return malformed
    if entry_type == EntryType.TOP_UP:
        valid = p["amount"] >= 1
    elif entry_type == EntryType.BILL_PAID:
        valid = (
            p["bill_kind"] in _BILL_KINDS
            and p["amount"] >= 1
            and p["service_charge"] >= 0
            and p["method"] in _METHODS
            and (p["method"] != "wallet" or p["account"] is not None)
        )
    elif entry_type == EntryType.SUBSCRIBER_REGISTERED:
        valid = p["kind"] in _SUBSCRIBER_KINDS and all(p[f] for f in _REQUIRED_NAMES)
    elif entry_type == EntryType.SUBSCRIBER_UPDATED:
        valid = all(p["changes"][f] for f in _REQUIRED_NAMES if f in p["changes"])
    elif entry_type == EntryType.PROBLEM_RESOLVED:
        valid = p["resolution"] in _RESOLUTIONS and (
            p["resolution"] != Resolution.WRITTEN_OFF or bool(p["note"].strip())
        )
    elif entry_type == EntryType.SUBSCRIBERS_MERGED:
        valid = p["id_checked"] is True and p["duplicate"] != p["survivor"]
    elif entry_type in (EntryType.CASH_DROP, EntryType.SHIFT_OPENED, EntryType.SHIFT_CLOSED):
        valid = all(
            p[f] >= 0
            for f in ("amount", "float_total", "counted_total")
            if f in _FIELD_NAMES[entry_type]
        )
    else:
        valid = True
    return None if valid else malformed


# --- the rules ------------------------------------------------------------------------------


def check(facts: Facts, env: dict[str, Any]) -> Breach | None:
    """The first rule ``env`` breaks, or None when central may apply it."""
    problem = payload_problem(env)
    if problem is not None:
        return Breach("rule.malformed", problem)
    return check_well_formed(facts, env)


def check_well_formed(facts: Facts, env: dict[str, Any]) -> Breach | None:
    """``check`` for an entry whose payload already passed ``payload_problem``."""
    p = env["payload"]
    action = entry_action(env["type"], p.get("method"))
    breach = _operator_breach(facts, env.get("operator"), action)
    if breach is not None:
        return breach
    return _CHECKS.get(env["type"], _no_more)(facts, env)


def _operator_breach(facts: Facts, operator_id: str | None, action: Action | None) -> Breach | None:
    staff = facts.staff(operator_id) if operator_id else None
    if staff is None or staff.office_id != facts.office.office_id or not staff.active:
        return Breach("rule.unknown_operator", "the operator is not an active operator here")
    if action is None:
        return None
    try:
        check_allowed(facts.policy, facts.office, Role(staff.role), action)
    except ValueError:
        return Breach("rule.role_not_allowed", f"unknown role {staff.role}")
    except PolicyError as exc:
        code = "rule.role_not_allowed" if exc.code == "role.not_allowed" else "rule.not_allowed"
        return Breach(code, exc.message("en").rstrip("."))
    return None


def _approval_breach(facts: Facts, approver: str | None) -> Breach | None:
    """An approval must name an active supervisor of this office."""
    staff = facts.staff(approver) if approver else None
    confirmed = False
    if staff is not None and staff.active and staff.office_id == facts.office.office_id:
        try:
            check_allowed(facts.policy, facts.office, Role(staff.role), Action.APPROVE)
            confirmed = True
        except (ValueError, PolicyError):
            pass
    return (
        None if confirmed else Breach("rule.approval_unconfirmed", "approval cannot be confirmed")
    )


def _limit_breach(amount: int, minimum: int | None, maximum: int) -> Breach | None:
    try:
        check_amount(amount, minimum=minimum, maximum=maximum)
    except ValidationError as exc:
        return Breach("rule.amount_limit", exc.message("en").rstrip("."))
    return None


def _no_more(facts: Facts, env: dict[str, Any]) -> Breach | None:
    return None


def _shift_opened(facts: Facts, env: dict[str, Any]) -> Breach | None:
    if env["payload"]["office"] != facts.office.office_id:
        return Breach("rule.wrong_office", "the shift names another office")
    return None


def _cash_drop(facts: Facts, env: dict[str, Any]) -> Breach | None:
    p = env["payload"]
    return _limit_breach(p["amount"], None, facts.policy.cash_drop_max) or _approval_breach(
        facts, p["approver"]
    )


def _shift_closed(facts: Facts, env: dict[str, Any]) -> Breach | None:
    p = env["payload"]
    if p["approver"] is None and not needs_close_approval(facts.policy, p["variance"]):
        return None
    return _approval_breach(facts, p["approver"])


def _top_up(facts: Facts, env: dict[str, Any]) -> Breach | None:
    p = env["payload"]
    return _limit_breach(p["amount"], facts.policy.top_up_min, facts.policy.top_up_max)


def _bill_paid(facts: Facts, env: dict[str, Any]) -> Breach | None:
    p = env["payload"]
    bill = facts.central_bill(p["bill_id"])
    if bill is not None:
        if p["bill_kind"] != bill.kind:
            return Breach("rule.bill_kind", f"the bill is a {bill.kind} bill")
        if p["amount"] != bill.amount:
            return Breach("rule.bill_amount", "the amount is not the bill's")
    limit = _limit_breach(p["amount"], None, facts.policy.payment_max)
    if limit is not None:
        return limit
    method = PaymentMethod(p["method"])
    charge = facts.catalogue.charge_for(BillKind(p["bill_kind"]), method)
    if p["service_charge"] != charge:
        return Breach("rule.service_charge", "the service charge is not the catalogue's")
    if method is not PaymentMethod.WALLET or facts.confirmed_online(env["id"]):
        return None  # an online debit was checked, PIN and all, when the desk asked
    state = facts.wallet_state(p["account"])
    if state is None:
        return None
    if not state.exists:
        return Breach("rule.unknown_account", "no such wallet")
    if state.closed:
        return Breach("rule.wallet_closed", "the wallet is closed")
    if state.pin_failures >= facts.policy.wallet_pin_attempts:
        return Breach("rule.wallet_locked", "the wallet is locked after wrong PINs")
    if not facts.wallet_pin_ok(p["account"], p["sealed_pin"], env["id"]):
        return Breach("rule.wrong_pin", "wrong PIN found at sync")
    return None


def _owned(facts: Facts, entry_id: str, what: str) -> tuple[Earlier | None, Breach | None]:
    """The entry a void or reprint names, when this terminal made it."""
    earlier = facts.earlier(entry_id)
    if earlier is None:
        return None, Breach(f"rule.{what}_unknown", f"the entry to {what} is unknown at central")
    if earlier.office_id != facts.office.office_id:
        return None, Breach(f"rule.cross_office_{what}", f"the entry to {what} is another office's")
    if earlier.terminal_id != facts.terminal_id:
        return None, Breach(
            f"rule.other_terminal_{what}", f"the entry to {what} is another terminal's"
        )
    return earlier, None


def _void(facts: Facts, env: dict[str, Any]) -> Breach | None:
    p = env["payload"]
    earlier, breach = _owned(facts, p["voids"], "void")
    if breach is not None or earlier is None:
        return breach
    if earlier.entry_type not in VOIDABLE:
        return Breach("rule.not_voidable", "only top-ups and bill payments can be voided")
    if earlier.voided_by not in (None, env["id"]):
        return Breach("rule.already_voided", "the entry was voided before")
    return _approval_breach(facts, p["approver"])


def _receipt_reprinted(facts: Facts, env: dict[str, Any]) -> Breach | None:
    return _owned(facts, env["payload"]["entry"], "reprint")[1]


def _problem_resolved(facts: Facts, env: dict[str, Any]) -> Breach | None:
    """A resolution names an entry of this office that central flagged or rejected, and the
    supervisor who resolved it is the operator who signed it in."""
    p = env["payload"]
    earlier = facts.earlier(p["entry"])
    if earlier is None or earlier.office_id != facts.office.office_id:
        return Breach("rule.resolution_unknown", "the entry resolved is not this office's")
    if p["approver"] != env.get("operator"):
        return Breach("rule.approval_unconfirmed", "approval cannot be confirmed")
    return _approval_breach(facts, p["approver"])


def _subscribers_merged(facts: Facts, env: dict[str, Any]) -> Breach | None:
    """A merge is a supervisor's own act at an internal office, which sees every subscriber (so
    both accounts): a café's PC cannot move one person's money into another account."""
    p = env["payload"]
    staff = facts.staff(env.get("operator") or "")
    role = Role(staff.role) if staff is not None else Role.CLERK  # checked before: active staff
    if not may_merge_subscribers(facts.policy, facts.office, role):
        return Breach("rule.not_allowed", "only a supervisor of an internal office merges accounts")
    if p["approver"] != env.get("operator"):
        return Breach("rule.approval_unconfirmed", "approval cannot be confirmed")
    return _approval_breach(facts, p["approver"])


_CHECKS = {
    EntryType.SHIFT_OPENED: _shift_opened,
    EntryType.CASH_DROP: _cash_drop,
    EntryType.SHIFT_CLOSED: _shift_closed,
    EntryType.TOP_UP: _top_up,
    EntryType.BILL_PAID: _bill_paid,
    EntryType.VOID: _void,
    EntryType.RECEIPT_REPRINTED: _receipt_reprinted,
    EntryType.PROBLEM_RESOLVED: _problem_resolved,
    EntryType.SUBSCRIBERS_MERGED: _subscribers_merged,
}
