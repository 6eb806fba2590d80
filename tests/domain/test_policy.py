"""Policy: DESIGN.md's table of what each office type and role may do."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from erial_desk.domain.canonical import canonical_bytes, parse
from erial_desk.domain.errors import PolicyError
from erial_desk.domain.money import BAISA_PER_RIAL
from erial_desk.domain.policy import (
    ACTION_NAMES,
    DENOMINATIONS,
    ROLE_NAMES,
    Action,
    BillKind,
    FeeCatalogue,
    Office,
    OfficeType,
    PaymentMethod,
    Policy,
    Role,
    check_allowed,
    entry_action,
    needs_close_approval,
    walk_in_method,
)
from erial_desk.domain.words import text

ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")

POLICY = Policy()
INTERNAL = Office("MCT-HQ", "Muscat HQ", "المقر الرئيسي", OfficeType.INTERNAL)
CAFE = Office("CAFE-RUWI", "Ruwi Café", "مقهى روي", OfficeType.EXTERNAL, top_up_authorised=True)
CAFE_NO_TOP_UP = Office(
    "CAFE-SEEB", "Seeb Café", "مقهى السيب", OfficeType.EXTERNAL, top_up_authorised=False
)

# Who works at a counter of each office type.
COUNTER_ROLE = {OfficeType.INTERNAL: Role.CLERK, OfficeType.EXTERNAL: Role.OPERATOR}

# DESIGN.md's table (and the seed) for an authorised office: (internal, external).
TABLE: dict[Action, tuple[bool, bool]] = {
    Action.REGISTER_SUBSCRIBER: (True, False),
    Action.UPDATE_SUBSCRIBER: (True, False),
    Action.TOP_UP: (True, True),  # external only where authorised: see the tests below
    Action.PAY_FROM_WALLET: (True, True),
    Action.PAY_CASH: (True, False),
    Action.PAY_FROM_OFFICE_WALLET: (False, True),
    Action.INQUIRE: (True, True),
    Action.VOID: (True, True),
    Action.CASH_DROP: (True, True),
    Action.OPEN_SHIFT: (True, True),
    Action.CLOSE_SHIFT: (True, True),
    Action.APPROVE: (True, True),
    Action.RESET_CUSTOMER_PIN: (True, False),  # after an ID check at a municipal counter
}


def refusal(office: Office, role: Role, action: Action, policy: Policy = POLICY) -> PolicyError:
    with pytest.raises(PolicyError) as err:
        check_allowed(policy, office, role, action)
    return err.value


def test_table_covers_every_action():
    assert set(TABLE) == set(Action) == set(ACTION_NAMES)


@pytest.mark.parametrize("office", [INTERNAL, CAFE], ids=["internal", "external"])
@pytest.mark.parametrize("action", list(Action), ids=str)
def test_office_type_table(office, action):
    allowed = TABLE[action][0 if office.office_type is OfficeType.INTERNAL else 1]
    role = Role.SUPERVISOR  # a supervisor may do everything the office may
    if allowed:
        check_allowed(POLICY, office, role, action)
    else:
        error = refusal(office, role, action)
        assert error.code == "policy.not_allowed"
        name_en = ACTION_NAMES[action]
        name_ar = text("ar", name_en)
        assert name_en in error.message("en")
        assert name_ar in error.message("ar")


def test_registration_is_internal_only():
    check_allowed(POLICY, INTERNAL, Role.CLERK, Action.REGISTER_SUBSCRIBER)
    error = refusal(CAFE, Role.OPERATOR, Action.REGISTER_SUBSCRIBER)
    assert error.code == "policy.not_allowed"
    assert error.params["office_type"] == "external"
    assert error.params["office_type_ar"] == "خارجي"
    assert "register subscribers" in error.message("en")
    arabic = error.message("ar")
    assert "خارجي" in arabic and "تسجيل المشتركين" in arabic
    assert "register" not in arabic and "external" not in arabic


def test_walk_in_cash_is_internal_only():
    check_allowed(POLICY, INTERNAL, Role.CLERK, Action.PAY_CASH)
    assert refusal(CAFE, Role.OPERATOR, Action.PAY_CASH).code == "policy.not_allowed"


def test_office_wallet_is_external_only():
    check_allowed(POLICY, CAFE, Role.OPERATOR, Action.PAY_FROM_OFFICE_WALLET)
    error = refusal(INTERNAL, Role.CLERK, Action.PAY_FROM_OFFICE_WALLET)
    assert error.code == "policy.not_allowed"
    assert "داخلي" in error.message("ar")


def test_top_up_at_an_external_office_needs_the_municipality_s_authorisation():
    check_allowed(POLICY, CAFE, Role.OPERATOR, Action.TOP_UP)
    for role in Role:
        error = refusal(CAFE_NO_TOP_UP, role, Action.TOP_UP)
        assert error.code == "policy.not_allowed"
        assert "شحن الرصيد نقدًا" in error.message("ar")
    # The missing authorisation concerns top-ups only.
    check_allowed(POLICY, CAFE_NO_TOP_UP, Role.OPERATOR, Action.PAY_FROM_WALLET)
    check_allowed(POLICY, CAFE_NO_TOP_UP, Role.OPERATOR, Action.PAY_FROM_OFFICE_WALLET)


@pytest.mark.parametrize("office", [INTERNAL, CAFE], ids=["internal", "external"])
def test_only_supervisors_approve(office):
    check_allowed(POLICY, office, Role.SUPERVISOR, Action.APPROVE)
    for role in (Role.CLERK, Role.OPERATOR):
        error = refusal(office, role, Action.APPROVE)
        assert error.code == "role.not_allowed"
        role_en = ROLE_NAMES[role]
        role_ar = text("ar", role_en)
        assert role_en in error.message("en")
        arabic = error.message("ar")
        assert role_ar in arabic and "الموافقة" in arabic
        assert ARABIC_LETTER.search(arabic)
        assert role_en not in arabic


@pytest.mark.parametrize("office", [INTERNAL, CAFE], ids=["internal", "external"])
@pytest.mark.parametrize("action", [a for a in Action if a is not Action.APPROVE], ids=str)
def test_counter_roles_do_every_allowed_action_but_approve(office, action):
    if not TABLE[action][0 if office.office_type is OfficeType.INTERNAL else 1]:
        return
    check_allowed(POLICY, office, COUNTER_ROLE[office.office_type], action)


def test_office_type_is_checked_before_role():
    # An operator trying to register at a café hears about the office, not about their role.
    assert refusal(CAFE, Role.OPERATOR, Action.REGISTER_SUBSCRIBER).code == "policy.not_allowed"


def test_policy_from_central_can_change_permissions_and_roles():
    permissions = dict(POLICY.permissions)
    permissions[Action.REGISTER_SUBSCRIBER] = frozenset(OfficeType)
    roles = dict(POLICY.roles)
    roles[Action.VOID] = frozenset({Role.SUPERVISOR})
    policy = dataclasses.replace(POLICY, version=2, permissions=permissions, roles=roles)
    check_allowed(policy, CAFE, Role.OPERATOR, Action.REGISTER_SUBSCRIBER)
    assert refusal(CAFE, Role.OPERATOR, Action.VOID, policy).code == "role.not_allowed"
    # The default policy is untouched.
    assert refusal(CAFE, Role.OPERATOR, Action.REGISTER_SUBSCRIBER).code == "policy.not_allowed"
    check_allowed(POLICY, CAFE, Role.OPERATOR, Action.VOID)


def test_an_action_missing_from_the_policy_is_refused():
    permissions = {a: v for a, v in POLICY.permissions.items() if a is not Action.INQUIRE}
    roles = {a: v for a, v in POLICY.roles.items() if a is not Action.CASH_DROP}
    policy = dataclasses.replace(POLICY, permissions=permissions, roles=roles)
    assert refusal(INTERNAL, Role.CLERK, Action.INQUIRE, policy).code == "policy.not_allowed"
    assert refusal(INTERNAL, Role.CLERK, Action.CASH_DROP, policy).code == "role.not_allowed"


def test_default_policies_do_not_share_their_tables():
    assert Policy().permissions is not Policy().permissions
    assert Policy().roles is not Policy().roles


def test_walk_in_method_follows_the_table():
    assert walk_in_method(INTERNAL) is PaymentMethod.CASH
    assert walk_in_method(CAFE) is PaymentMethod.OFFICE_WALLET
    assert walk_in_method(CAFE_NO_TOP_UP) is PaymentMethod.OFFICE_WALLET
    # ...and each walk-in method is exactly the one the office type may use.
    check_allowed(POLICY, INTERNAL, Role.CLERK, Action.PAY_CASH)
    check_allowed(POLICY, CAFE, Role.OPERATOR, Action.PAY_FROM_OFFICE_WALLET)


def test_default_limits_are_integer_baisa_and_consistent():
    money_fields = [
        "top_up_min",
        "top_up_max",
        "payment_max",
        "cash_drop_max",
        "shift_variance_tolerance",
        "offline_transaction_cap",
        "offline_daily_cap_per_wallet",
    ]
    for name in money_fields:
        value = getattr(POLICY, name)
        assert type(value) is int and value > 0, name
    assert POLICY.top_up_min < POLICY.top_up_max
    assert POLICY.offline_transaction_cap <= POLICY.offline_daily_cap_per_wallet
    assert POLICY.pin_length == (4, 6)


def test_fee_catalogue_has_a_service_charge_for_every_bill_kind():
    catalogue = FeeCatalogue()
    for kind in BillKind:
        charge = catalogue.service_charge(kind)
        assert type(charge) is int and 0 < charge < BAISA_PER_RIAL
        service = catalogue.services[kind]
        assert service.kind is kind
        assert service.name_en and ARABIC_LETTER.search(service.name_ar)


def test_denominations_are_the_omani_notes_and_coins():
    assert DENOMINATIONS == (50000, 20000, 10000, 5000, 1000, 500, 100, 50, 25, 10, 5)
    assert list(DENOMINATIONS) == sorted(DENOMINATIONS, reverse=True)


def test_every_name_has_both_languages():
    for names in (ACTION_NAMES, ROLE_NAMES):
        for english in names.values():
            arabic = text("ar", english)
            assert english.isascii() and english
            assert ARABIC_LETTER.search(arabic)


# --- the published form of policy and catalogue ---------------------------------------------

office_sets = st.frozensets(st.sampled_from(list(OfficeType)))
role_sets = st.frozensets(st.sampled_from(list(Role)))
baisa = st.integers(0, 10**9)
policies = st.builds(
    Policy,
    version=st.integers(1, 10**6),
    top_up_min=baisa,
    top_up_max=baisa,
    payment_max=baisa,
    offline_transaction_cap=baisa,
    civil_number_length=st.tuples(st.integers(1, 9), st.integers(9, 12)),
    permissions=st.fixed_dictionaries({a: office_sets for a in Action}),
    roles=st.fixed_dictionaries({a: role_sets for a in Action}),
)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(policies)
def test_policy_round_trips_through_its_published_form(policy):
    from erial_desk.domain.policy import policy_from_dict, policy_to_dict

    published = canonical_bytes(policy_to_dict(policy))
    assert policy_from_dict(parse(published)) == policy


def test_policy_from_a_newer_central_keeps_what_it_knows():
    from erial_desk.domain.policy import policy_from_dict, policy_to_dict

    data = policy_to_dict(POLICY) | {"a_rule_from_the_future": 1}
    assert policy_from_dict(data) == POLICY


def test_catalogue_round_trips_through_its_published_form():
    from erial_desk.domain.policy import catalogue_from_dict, catalogue_to_dict

    catalogue = FeeCatalogue(version=7)
    published = canonical_bytes(catalogue_to_dict(catalogue))
    assert catalogue_from_dict(parse(published)) == catalogue


def test_every_entry_type_records_one_action():
    from erial_desk.domain.entries import EntryType

    for entry_type in EntryType:
        if entry_type is EntryType.BILL_PAID:
            continue
        action = entry_action(entry_type.value)
        assert action is None or action in ACTION_NAMES
    assert entry_action("bill_paid", "cash") is Action.PAY_CASH
    assert entry_action("bill_paid", "wallet") is Action.PAY_FROM_WALLET
    assert entry_action("bill_paid", "office_wallet") is Action.PAY_FROM_OFFICE_WALLET
    assert entry_action("receipt_reprinted") is None


def test_service_charge_applies_to_e_rial_payments_only():
    catalogue = FeeCatalogue()
    for kind in BillKind:
        assert catalogue.charge_for(kind, PaymentMethod.CASH) == 0
        for method in (PaymentMethod.WALLET, PaymentMethod.OFFICE_WALLET):
            assert catalogue.charge_for(kind, method) == catalogue.service_charge(kind) > 0


def test_a_close_beyond_the_tolerance_needs_approval():
    tolerance = POLICY.shift_variance_tolerance
    assert not needs_close_approval(POLICY, tolerance)
    assert not needs_close_approval(POLICY, -tolerance)
    assert needs_close_approval(POLICY, tolerance + 1)
    assert needs_close_approval(POLICY, -tolerance - 1)
