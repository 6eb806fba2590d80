"""Journal entry types: denomination counts, payload round trips, receipt numbers."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from erial_desk.domain.canonical import MAX_SAFE_INTEGER, canonical_bytes, parse
from erial_desk.domain.entries import (
    PAYLOAD_TYPES,
    VOIDABLE,
    BillPaid,
    CashDrop,
    EntryType,
    Payload,
    ProblemResolved,
    ReceiptReprinted,
    ShiftClosed,
    ShiftOpened,
    SubscriberRegistered,
    SubscriberUpdated,
    TopUp,
    Void,
    counts_total,
    make_counts,
    payload_of,
    receipt_number,
    terminal_code,
)
from erial_desk.domain.errors import ValidationError
from erial_desk.domain.policy import DENOMINATIONS

# --- denomination counts --------------------------------------------------------------------


def test_make_counts_keeps_non_zero_counts_as_string_keys():
    counts = make_counts({20000: 2, 1000: 0, 500: 3, 5: 1})
    assert counts == {"20000": 2, "500": 3, "5": 1}
    assert counts_total(counts) == 40000 + 1500 + 5


def test_make_counts_of_nothing():
    assert make_counts({}) == {}
    assert make_counts({1000: 0}) == {}
    assert counts_total({}) == 0


@pytest.mark.parametrize("denomination", [2000, 200, 1, 0, -5000, 250, 100000, "5000", None])
def test_make_counts_refuses_non_omani_denominations(denomination):
    with pytest.raises(ValidationError) as err:
        make_counts({denomination: 1})
    assert err.value.code == "denomination.invalid"
    assert err.value.params["value"] == denomination
    assert str(denomination) in err.value.message("en")


def test_make_counts_refuses_float_denominations():
    with pytest.raises(ValidationError):
        make_counts({5000.0: 1})


@pytest.mark.parametrize("count", [-1, -100, 1.0, 0.5, True, "3", None])
def test_make_counts_refuses_bad_counts(count):
    with pytest.raises(ValidationError) as err:
        make_counts({1000: count})
    assert err.value.code == "count.invalid"


counts_in = st.dictionaries(st.sampled_from(DENOMINATIONS), st.integers(0, 10_000))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(counts_in)
def test_counts_total_is_the_value_of_the_drawer(counts):
    journal_form = make_counts(counts)
    assert counts_total(journal_form) == sum(d * n for d, n in counts.items())
    assert all(n > 0 for n in journal_form.values())
    assert {int(d) for d in journal_form} == {d for d, n in counts.items() if n}
    assert parse(canonical_bytes(journal_form)) == journal_form


# --- payloads -------------------------------------------------------------------------------

EXAMPLES: list[Payload] = [
    ShiftOpened(office="MCT-HQ", float_counts={"20000": 2, "1000": 5}, float_total=45000),
    CashDrop(shift="s-1", counts={"50000": 3}, amount=150000, approver="aisha"),
    ShiftClosed(
        shift="s-1",
        counted={"20000": 2},
        counted_total=40000,
        expected=40500,
        variance=-500,
        approver=None,
    ),
    SubscriberRegistered(
        account="100000000008",
        kind="individual",
        civil_number="12345678",
        cr_number=None,
        name_ar="سالم بن علي",
        name_en="Salim bin Ali",
        mobile="+96891234567",
        email=None,
        authorised_person=None,
        sealed_pin="c2VhbGVk",
    ),
    SubscriberUpdated(account="100000000008", changes={"mobile": "+96871234567", "email": None}),
    TopUp(shift="s-1", account="100000000008", amount=5000),
    BillPaid(
        shift="s-1",
        bill_kind="parking",
        bill_id="PV-1",
        bill_reference="V-2025-0001",
        amount=10000,
        service_charge=200,
        method="wallet",
        account="100000000008",
        sealed_pin="c2VhbGVk",
        authorisation="AUTH-1",
        balance_after=4800,
        status="confirmed",
    ),
    Void(
        shift="s-1",
        voids="0190a3c2-0000-7000-8000-000000000001",
        reason="typo",
        approver="aisha",
        authorisation=None,
    ),
    ReceiptReprinted(entry="0190a3c2-0000-7000-8000-000000000001", receipt="ABCD5678-0000001"),
    ProblemResolved(
        entry="0190a3c2-0000-7000-8000-000000000001",
        resolution="refund_paid",
        note="paid back at the counter",
        approver="aisha",
    ),
]


def test_examples_cover_every_entry_type():
    assert {type(p) for p in EXAMPLES} == set(PAYLOAD_TYPES.values())
    assert set(PAYLOAD_TYPES) == set(EntryType)
    for entry_type, cls in PAYLOAD_TYPES.items():
        assert cls.TYPE is entry_type


@pytest.mark.parametrize("payload", EXAMPLES, ids=lambda p: type(p).__name__)
def test_payload_round_trip(payload):
    data = payload.to_payload()
    assert isinstance(data, dict)
    assert set(data) == {f.name for f in dataclasses.fields(payload)}
    assert "TYPE" not in data
    assert type(payload).from_payload(data) == payload
    assert payload_of(str(payload.TYPE), data) == payload
    # Through the journal's bytes and back.
    encoded = canonical_bytes(data)
    assert payload_of(payload.TYPE.value, parse(encoded)) == payload


@pytest.mark.parametrize("payload", EXAMPLES, ids=lambda p: type(p).__name__)
def test_unknown_fields_from_a_newer_release_are_ignored(payload):
    data = payload.to_payload() | {"added_in_a_later_version": 1}
    assert payload_of(payload.TYPE, data) == payload


def test_to_payload_is_a_copy():
    payload = ShiftOpened(office="MCT-HQ", float_counts={"1000": 1}, float_total=1000)
    data = payload.to_payload()
    data["float_counts"]["1000"] = 99
    assert payload.float_counts == {"1000": 1}


def test_payload_of_unknown_type():
    with pytest.raises(ValueError):
        payload_of("refund", {})


def test_voidable_entries():
    assert VOIDABLE == {EntryType.TOP_UP, EntryType.BILL_PAID}


# Strategies for payload fields, by their annotation (payload modules use string annotations).
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
json_ints = st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
counts_out = counts_in.map(make_counts)
FIELD_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "str": texts,
    "str | None": st.none() | texts,
    "int": json_ints,
    "int | None": st.none() | json_ints,
    "Counts": counts_out,
    "dict[str, str | None]": st.dictionaries(texts, st.none() | texts, max_size=5),
}


def payloads_of(cls: type[Payload]) -> st.SearchStrategy[Payload]:
    fields = {f.name: FIELD_STRATEGIES[str(f.type)] for f in dataclasses.fields(cls)}
    return st.builds(cls, **fields)


any_payload = st.sampled_from(sorted(PAYLOAD_TYPES.values(), key=lambda c: c.__name__)).flatmap(
    payloads_of
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(any_payload)
def test_every_payload_is_canonical_encodable_and_round_trips(payload):
    encoded = canonical_bytes(payload.to_payload())
    assert payload_of(payload.TYPE, parse(encoded)) == payload
    assert canonical_bytes(payload_of(payload.TYPE, parse(encoded)).to_payload()) == encoded


# --- receipt numbers ------------------------------------------------------------------------


def test_terminal_code():
    assert terminal_code("0190a3c2-7b1e-7c3d-9f00-1234abcd5678") == "ABCD5678"
    assert terminal_code("0190a3c27b1e7c3d9f001234abcd5678") == "ABCD5678"


def test_receipt_number():
    assert receipt_number("ABCD5678", 1) == "ABCD5678-0000001"
    assert receipt_number("ABCD5678", 1234567) == "ABCD5678-1234567"
    assert receipt_number("ABCD5678", 12345678) == "ABCD5678-12345678"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.uuids(), st.integers(1, 9_999_999))
def test_receipt_numbers_are_fixed_width_and_unique_per_terminal(terminal, seq):
    code = terminal_code(str(terminal))
    assert len(code) == 8 and code == code.upper()
    assert all(c in "0123456789ABCDEF" for c in code)
    number = receipt_number(code, seq)
    assert len(number) == 16
    prefix, digits = number.split("-")
    assert prefix == code and int(digits) == seq
