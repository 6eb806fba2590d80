"""Policy and fee catalogue: versioned values that come from central.

Every journal entry records the policy and catalogue versions it was made under. The defaults
here follow the seed document and serve the demo until central sends its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .entry_types import EntryType
from .errors import PolicyError
from .money import BAISA_PER_RIAL
from .words import N_, text


class OfficeType(StrEnum):
    INTERNAL = "internal"  # a counter in one of the municipality's directorates
    EXTERNAL = "external"  # an authorised internet café or centre


class Role(StrEnum):
    CLERK = "clerk"  # municipal employee at an internal office
    OPERATOR = "operator"  # staff of an external office
    SUPERVISOR = "supervisor"


class Action(StrEnum):
    REGISTER_SUBSCRIBER = "register_subscriber"
    UPDATE_SUBSCRIBER = "update_subscriber"
    TOP_UP = "top_up"
    PAY_FROM_WALLET = "pay_from_wallet"
    PAY_CASH = "pay_cash"  # walk-in customer, cash into the office cash account
    PAY_FROM_OFFICE_WALLET = "pay_from_office_wallet"  # walk-in customer at an external office
    INQUIRE = "inquire"
    VOID = "void"
    CASH_DROP = "cash_drop"
    OPEN_SHIFT = "open_shift"
    CLOSE_SHIFT = "close_shift"
    APPROVE = "approve"
    # Sets a new wallet PIN chosen by the customer and lifts the wrong-PIN lock, after an ID check.
    RESET_CUSTOMER_PIN = "reset_customer_pin"


# English names, in the words catalogue; the Arabic is looked up where a refusal is made.
ACTION_NAMES: dict[Action, str] = {
    Action.REGISTER_SUBSCRIBER: N_("register subscribers"),
    Action.UPDATE_SUBSCRIBER: N_("update subscribers"),
    Action.TOP_UP: N_("take cash top-ups"),
    Action.PAY_FROM_WALLET: N_("pay from a wallet"),
    Action.PAY_CASH: N_("take cash for a bill"),
    Action.PAY_FROM_OFFICE_WALLET: N_("pay from the office wallet"),
    Action.INQUIRE: N_("make inquiries"),
    Action.VOID: N_("void transactions"),
    Action.CASH_DROP: N_("record cash drops"),
    Action.OPEN_SHIFT: N_("open a shift"),
    Action.CLOSE_SHIFT: N_("close a shift"),
    Action.APPROVE: N_("approve"),
    Action.RESET_CUSTOMER_PIN: N_("reset a customer's wallet PIN"),
}
OFFICE_TYPE_NAMES: dict[OfficeType, str] = {
    OfficeType.INTERNAL: N_("internal"),
    OfficeType.EXTERNAL: N_("external"),
}
ROLE_NAMES: dict[Role, str] = {
    Role.CLERK: N_("clerk"),
    Role.OPERATOR: N_("operator"),
    Role.SUPERVISOR: N_("supervisor"),
}


class BillKind(StrEnum):
    PARKING = "parking"  # parking violation, found by plate
    LEASE = "lease"  # lease-contract registration/renewal fee, by contract or civil number
    LICENCE = "licence"  # municipal licence renewal fee, by licence or CR number
    BUILDING_PERMIT = "building_permit"  # building-permit fee, by application number


class PaymentMethod(StrEnum):
    WALLET = "wallet"  # the subscriber's e-Rial wallet, customer PIN, service charge added
    CASH = "cash"  # walk-in customer at an internal office
    OFFICE_WALLET = "office_wallet"  # walk-in customer at an external office


# Omani notes and coins, in baisa: the denominations a drawer is counted in.
DENOMINATIONS: tuple[int, ...] = (50000, 20000, 10000, 5000, 1000, 500, 100, 50, 25, 10, 5)


def _default_permissions() -> dict[Action, frozenset[OfficeType]]:
    both = frozenset(OfficeType)
    internal = frozenset({OfficeType.INTERNAL})
    return {
        Action.REGISTER_SUBSCRIBER: internal,
        Action.UPDATE_SUBSCRIBER: internal,
        # External offices top up only where the municipality authorised them (Office record).
        Action.TOP_UP: both,
        Action.PAY_FROM_WALLET: both,
        Action.PAY_CASH: internal,
        Action.PAY_FROM_OFFICE_WALLET: frozenset({OfficeType.EXTERNAL}),
        Action.INQUIRE: both,
        Action.VOID: both,
        Action.CASH_DROP: both,
        Action.OPEN_SHIFT: both,
        Action.CLOSE_SHIFT: both,
        Action.APPROVE: both,
        Action.RESET_CUSTOMER_PIN: internal,
    }


def _default_roles() -> dict[Action, frozenset[Role]]:
    counter = frozenset(Role)
    supervisor = frozenset({Role.SUPERVISOR})
    return {action: (supervisor if action is Action.APPROVE else counter) for action in Action}


@dataclass(frozen=True)
class Policy:
    """Limits and permissions, versioned by central."""

    version: int = 1
    top_up_min: int = 1 * BAISA_PER_RIAL
    top_up_max: int = 500 * BAISA_PER_RIAL
    payment_max: int = 2000 * BAISA_PER_RIAL
    cash_drop_max: int = 10000 * BAISA_PER_RIAL
    shift_variance_tolerance: int = 500  # baisa; beyond this a supervisor approves the close
    operator_pin_attempts: int = 5
    operator_lockout_minutes: int = 15
    wallet_pin_attempts: int = 3
    civil_number_length: tuple[int, int] = (6, 9)
    cr_number_length: tuple[int, int] = (6, 8)
    pin_length: tuple[int, int] = (4, 6)
    # Offline wallet debits, as card terminals' floor limits.
    offline_transaction_cap: int = 20 * BAISA_PER_RIAL
    offline_daily_cap_per_wallet: int = 50 * BAISA_PER_RIAL
    offline_balance_max_age_hours: int = 24
    idle_lock_minutes: int = 5  # a counter left alone this long locks its screen
    blind_close: bool = False  # the clerk counts the drawer without seeing the expected cash
    # Central reverses an online debit that no journal entry confirmed after this long.
    unconfirmed_debit_hours: int = 48
    permissions: dict[Action, frozenset[OfficeType]] = field(default_factory=_default_permissions)
    roles: dict[Action, frozenset[Role]] = field(default_factory=_default_roles)


@dataclass(frozen=True)
class Service:
    """A municipal service whose bills the desk collects."""

    kind: BillKind
    name_en: str
    name_ar: str
    service_charge: int  # baisa, fixed, added to every payment made from an e-Rial wallet


def _default_services() -> dict[BillKind, Service]:
    return {
        BillKind.PARKING: Service(BillKind.PARKING, "Parking violation", "مخالفة مواقف", 200),
        BillKind.LEASE: Service(BillKind.LEASE, "Lease contract fee", "رسوم عقد إيجار", 300),
        BillKind.LICENCE: Service(BillKind.LICENCE, "Licence renewal fee", "رسوم تجديد ترخيص", 300),
        BillKind.BUILDING_PERMIT: Service(
            BillKind.BUILDING_PERMIT, "Building permit fee", "رسوم رخصة بناء", 500
        ),
    }


@dataclass(frozen=True)
class FeeCatalogue:
    """Services and their fixed service charges, versioned by central."""

    version: int = 1
    services: dict[BillKind, Service] = field(default_factory=_default_services)

    def service_charge(self, kind: BillKind) -> int:
        return self.services[kind].service_charge

    def charge_for(self, kind: BillKind, method: PaymentMethod) -> int:
        """The service charge of a payment: the fixed charge applies to every payment made with
        e-Rial (a wallet or the office's wallet), none to cash (seed document)."""
        return 0 if method is PaymentMethod.CASH else self.service_charge(kind)


@dataclass(frozen=True)
class Office:
    """An authorised office. External offices top up only when authorised, within a float."""

    office_id: str
    name_en: str
    name_ar: str
    office_type: OfficeType
    top_up_authorised: bool = True
    top_up_float_limit: int | None = None  # baisa per shift; None means no office-level limit


def check_allowed(policy: Policy, office: Office, role: Role, action: Action) -> None:
    """Raise ``PolicyError`` when the office type or the operator's role forbids ``action``."""
    external = office.office_type is OfficeType.EXTERNAL
    if office.office_type not in policy.permissions.get(action, frozenset()) or (
        action is Action.TOP_UP and external and not office.top_up_authorised
    ):
        type_en = OFFICE_TYPE_NAMES[office.office_type]
        raise PolicyError(
            "policy.not_allowed",
            office_type=type_en,
            office_type_ar=text("ar", type_en),
            **_action_names(action),
        )
    if role not in policy.roles.get(action, frozenset()):
        role_en = ROLE_NAMES[role]
        raise PolicyError(
            "role.not_allowed", role=role_en, role_ar=text("ar", role_en), **_action_names(action)
        )


def _action_names(action: Action) -> dict[str, str]:
    # Looked up only for a refusal: central checks every entry of every push against this.
    name_en = ACTION_NAMES[action]
    return {"action": name_en, "action_ar": text("ar", name_en)}


def is_allowed(policy: Policy, office: Office, role: Role, action: Action) -> bool:
    """Whether ``check_allowed`` lets ``role`` at ``office`` do ``action``: screens show or hide
    an action by it, services refuse with ``check_allowed``'s sentence."""
    try:
        check_allowed(policy, office, role, action)
    except PolicyError:
        return False
    return True


# The supervisor console (shift review, office reports, approvals, sync problems) belongs to
# whoever may approve: one action, so the console and the approvals never disagree.
CONSOLE_ACTION = Action.APPROVE


MERGE_ACTION_NAME = N_("merge duplicate accounts")


def check_may_merge(policy: Policy, office: Office, role: Role) -> None:
    """Merging a duplicate account needs the whole register in view: only a supervisor (whoever
    may approve) of an internal office, which sees every subscriber. Raises ``PolicyError``."""
    check_allowed(policy, office, role, Action.APPROVE)
    if office.office_type is not OfficeType.INTERNAL:
        type_en = OFFICE_TYPE_NAMES[office.office_type]
        raise PolicyError(
            "policy.not_allowed",
            office_type=type_en,
            office_type_ar=text("ar", type_en),
            action=MERGE_ACTION_NAME,
            action_ar=text("ar", MERGE_ACTION_NAME),
        )


def may_merge_subscribers(policy: Policy, office: Office, role: Role) -> bool:
    """Whether ``check_may_merge`` lets ``role`` at ``office`` merge accounts."""
    try:
        check_may_merge(policy, office, role)
    except PolicyError:
        return False
    return True


def permission_table(
    policy: Policy, office: Office | None = None
) -> dict[tuple[Role, OfficeType, Action], bool]:
    """Every role x office type x action and whether the policy allows it. ``office``: the
    office whose own authorisations (an external office's top-ups) apply to its type."""
    table: dict[tuple[Role, OfficeType, Action], bool] = {}
    for office_type in OfficeType:
        if office is not None and office.office_type is office_type:
            subject = office
        else:
            subject = Office("", "", "", office_type)
        for role in Role:
            for action in Action:
                table[(role, office_type, action)] = is_allowed(policy, subject, role, action)
    return table


PAYMENT_ACTIONS: dict[PaymentMethod, Action] = {
    PaymentMethod.WALLET: Action.PAY_FROM_WALLET,
    PaymentMethod.CASH: Action.PAY_CASH,
    PaymentMethod.OFFICE_WALLET: Action.PAY_FROM_OFFICE_WALLET,
}

# The action each journal entry type records (bill payments: by method, in PAYMENT_ACTIONS).
# A reprint is no action of its own: any operator of the office may print a copy.
ENTRY_ACTIONS: dict[str, Action | None] = {
    EntryType.SHIFT_OPENED: Action.OPEN_SHIFT,
    EntryType.CASH_DROP: Action.CASH_DROP,
    EntryType.SHIFT_CLOSED: Action.CLOSE_SHIFT,
    EntryType.SUBSCRIBER_REGISTERED: Action.REGISTER_SUBSCRIBER,
    EntryType.SUBSCRIBER_UPDATED: Action.UPDATE_SUBSCRIBER,
    EntryType.TOP_UP: Action.TOP_UP,
    EntryType.VOID: Action.VOID,
    EntryType.RECEIPT_REPRINTED: None,
    EntryType.PROBLEM_RESOLVED: Action.APPROVE,  # only a supervisor resolves a sync problem
    EntryType.SUBSCRIBERS_MERGED: Action.APPROVE,  # a supervisor, at an internal office only
}


def entry_action(entry_type: str, method: str | None = None) -> Action | None:
    """The action a journal entry of ``entry_type`` (a bill payment: by ``method``) records."""
    if entry_type == EntryType.BILL_PAID:
        return PAYMENT_ACTIONS[PaymentMethod(method or "")]
    return ENTRY_ACTIONS[entry_type]


def needs_close_approval(policy: Policy, variance: int) -> bool:
    """A shift closed with a variance beyond the tolerance needs a supervisor's approval."""
    return abs(variance) > policy.shift_variance_tolerance


def walk_in_method(office: Office) -> PaymentMethod:
    """How a walk-in customer's bill is paid at this office (DESIGN.md's table)."""
    if office.office_type is OfficeType.INTERNAL:
        return PaymentMethod.CASH
    return PaymentMethod.OFFICE_WALLET


def policy_to_dict(policy: Policy) -> dict[str, object]:
    """Plain JSON-able form, as central publishes it in the change feed."""
    data: dict[str, object] = {}
    for name in Policy.__dataclass_fields__:
        value = getattr(policy, name)
        if name in ("permissions", "roles"):
            value = {
                action.value: sorted(str(v) for v in allowed) for action, allowed in value.items()
            }
        elif isinstance(value, tuple):
            value = list(value)
        data[name] = value
    return data


def policy_from_dict(data: dict[str, object]) -> Policy:
    values: dict[str, object] = {}
    for name, value in data.items():
        if name not in Policy.__dataclass_fields__:
            continue  # a newer central may send more; this desk keeps what it knows
        if name == "permissions":
            assert isinstance(value, dict)
            value = {Action(k): frozenset(OfficeType(v) for v in vs) for k, vs in value.items()}
        elif name == "roles":
            assert isinstance(value, dict)
            value = {Action(k): frozenset(Role(v) for v in vs) for k, vs in value.items()}
        elif isinstance(value, list):
            value = tuple(value)
        values[name] = value
    return Policy(**values)  # type: ignore[arg-type]


def catalogue_to_dict(catalogue: FeeCatalogue) -> dict[str, object]:
    return {
        "version": catalogue.version,
        "services": {
            kind.value: {
                "name_en": s.name_en,
                "name_ar": s.name_ar,
                "service_charge": s.service_charge,
            }
            for kind, s in catalogue.services.items()
        },
    }


def catalogue_from_dict(data: dict[str, object]) -> FeeCatalogue:
    services = data["services"]
    assert isinstance(services, dict)
    version = data["version"]
    assert isinstance(version, int)
    return FeeCatalogue(
        version=version,
        services={
            BillKind(kind): Service(BillKind(kind), s["name_en"], s["name_ar"], s["service_charge"])
            for kind, s in services.items()
        },
    )


def office_to_dict(office: Office) -> dict[str, object]:
    """Plain JSON-able form, as central sends it and the desk keeps it for offline use."""
    return {
        "office_id": office.office_id,
        "name_en": office.name_en,
        "name_ar": office.name_ar,
        "office_type": office.office_type.value,
        "top_up_authorised": office.top_up_authorised,
        "top_up_float_limit": office.top_up_float_limit,
    }


def office_from_dict(data: dict[str, Any]) -> Office:
    limit = data.get("top_up_float_limit")
    return Office(
        str(data["office_id"]),
        str(data["name_en"]),
        str(data["name_ar"]),
        OfficeType(data["office_type"]),
        bool(data["top_up_authorised"]),
        None if limit is None else int(limit),
    )
