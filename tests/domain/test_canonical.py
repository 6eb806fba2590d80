"""Canonical JSON: byte-identical to RFC 8785 (the ``rfc8785`` package) on the journal's subset."""

from __future__ import annotations

from decimal import Decimal

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from erial_desk.domain.canonical import MAX_SAFE_INTEGER, canonical_bytes, parse, parse_canonical
from erial_desk.domain.entries import EntryType
from erial_desk.domain.errors import ValidationError

# Strings that stress the encoder: escapes, control characters, line separators, the last BMP
# characters, private use, astral characters (surrogate pairs in UTF-16) and non-Latin scripts.
SPECIAL_STRINGS = [
    "",
    '"',
    "\\",
    '\\"',
    "/",
    "\x00",
    "\x08\t\n\x0b\x0c\r",
    "\x1f",
    "\x7f",
    "\u0080",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffd",
    "\uffff",
    "\ue000",
    "😀",
    "𝄞",
    "\U0010ffff",
    "e-Rial ريال",
    "١٢٫٥٠٠ ر.ع.",
    "\u200f",
    "</script>",
]
SPECIAL_KEYS = ["😀", "\ue000", "\uffff", "\U00010000", "a", "A", "", "é", "ريال", "\x00", "€"]

# Any Unicode scalar value: every code point except the surrogates, which UTF-8 cannot hold.
scalars = st.characters(exclude_categories=("Cs",))
strings = st.one_of(st.text(alphabet=scalars), st.sampled_from(SPECIAL_STRINGS))
keys = st.one_of(st.text(alphabet=scalars, max_size=6), st.sampled_from(SPECIAL_KEYS))
safe_ints = st.one_of(
    st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER),
    st.sampled_from([0, -1, 1, MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, 2**31, -(2**31), 10**15]),
)
scalar_values = st.one_of(st.none(), st.booleans(), safe_ints, strings)
json_values = st.recursive(
    scalar_values,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(keys, children, max_size=6),
    ),
    max_leaves=30,
)


@settings(max_examples=600, deadline=None, derandomize=True)
@given(json_values)
def test_canonical_bytes_equal_rfc8785(value):
    assert canonical_bytes(value) == rfc8785.dumps(value)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.dictionaries(keys, safe_ints, min_size=2, max_size=12))
def test_key_order_equals_rfc8785_for_mixed_scripts(value):
    assert canonical_bytes(value) == rfc8785.dumps(value)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(json_values)
def test_parse_inverts_canonical_bytes(value):
    encoded = canonical_bytes(value)
    decoded = parse(encoded)
    assert decoded == value
    assert parse(encoded.decode("utf-8")) == value
    assert canonical_bytes(decoded) == encoded


def test_keys_sort_by_utf16_code_units_not_code_points():
    # U+1F600 is D83D DE00 in UTF-16, which sorts before U+E000; by code point it is after.
    value = {"\ue000": 1, "😀": 2, "a": 3}
    assert canonical_bytes(value) == '{"a":3,"😀":2,"\ue000":1}'.encode()
    assert canonical_bytes(value) == rfc8785.dumps(value)


def test_ascii_keys_sort_by_code_point():
    assert canonical_bytes({"b": 1, "B": 2, "a": 3, "": 4, "aa": 5}) == (
        b'{"":4,"B":2,"a":3,"aa":5,"b":1}'
    )


def test_encoding_is_compact_raw_utf8():
    value = {"name": "ريال", "list": [1, True, None, "x"], "nested": {"z": -5, "a": {}}}
    encoded = canonical_bytes(value)
    assert encoded == '{"list":[1,true,null,"x"],"name":"ريال","nested":{"a":{},"z":-5}}'.encode()
    assert b" " not in encoded and b"\\u" not in encoded


def test_escapes_follow_rfc8785():
    assert canonical_bytes('"\\\n\t\x00\x1f\x7f\u2028') == (
        b'"\\"\\\\\\n\\t\\u0000\\u001f\x7f\xe2\x80\xa8"'
    )


def test_tuples_encode_as_arrays_and_enums_as_their_values():
    assert canonical_bytes((1, 2, [3])) == b"[1,2,[3]]"
    assert canonical_bytes({"type": EntryType.TOP_UP}) == b'{"type":"top_up"}'


def test_largest_safe_integers_are_accepted():
    assert canonical_bytes(MAX_SAFE_INTEGER) == b"9007199254740991"
    assert canonical_bytes(-MAX_SAFE_INTEGER) == b"-9007199254740991"


@pytest.mark.parametrize(
    "value",
    [
        1.0,
        0.5,
        float("nan"),
        float("inf"),
        {"amount": 12.5},
        [1, 2, 3.0],
        MAX_SAFE_INTEGER + 1,
        -MAX_SAFE_INTEGER - 1,
        2**64,
        {"a": [{"b": 2**53}]},
        {1: "a"},
        {None: "a"},
        {("a",): 1},
        {"nested": {2: "b"}},
        "\ud800",
        "ok\udfffok",
        {"\ud83d": 1},
        ["\udc00"],
        b"bytes",
        {1, 2},
        Decimal("1.5"),
        object(),
    ],
    ids=repr,
)
def test_values_outside_the_subset_are_refused(value):
    with pytest.raises(ValidationError) as err:
        canonical_bytes(value)
    assert err.value.code == "encoding.unsupported"
    assert err.value.params["reason"]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.one_of(
        st.integers(min_value=MAX_SAFE_INTEGER + 1),
        st.integers(max_value=-MAX_SAFE_INTEGER - 1),
    )
)
def test_every_unsafe_integer_is_refused(value):
    with pytest.raises(ValidationError) as err:
        canonical_bytes({"amount": value})
    assert err.value.code == "encoding.unsupported"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_every_float_is_refused(value):
    with pytest.raises(ValidationError) as err:
        canonical_bytes([value])
    assert err.value.code == "encoding.unsupported"


@pytest.mark.parametrize(
    "text",
    [b"1.5", b"1e3", b"1E-2", b'{"amount":12.5}', b"[0.0]", b"NaN", b"Infinity", b"-Infinity"],
)
def test_parse_refuses_floats(text):
    with pytest.raises(ValidationError) as err:
        parse(text)
    assert err.value.code == "encoding.unsupported"


def test_parse_reads_integers_and_unicode():
    assert parse('{"a":[1,-2,true,null],"ر":"😀"}'.encode()) == {
        "a": [1, -2, True, None],
        "ر": "😀",
    }


@pytest.mark.parametrize("text", [b"", b"{", b"[1,]", b"\xff", b"{'a':1}"])
def test_parse_refuses_malformed_json(text):
    with pytest.raises(ValueError):
        parse(text)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(json_values)
def test_strict_parse_takes_back_every_canonical_encoding(value):
    encoded = canonical_bytes(value)
    assert canonical_bytes(parse_canonical(encoded)) == encoded


@pytest.mark.parametrize(
    "text,why",
    [
        ('{"a":1,"a":2}', "a key appears twice"),
        ('{"b":{"x":1,"x":1}}', "a key appears twice"),
        ('{"a": 1}', "not in canonical form"),
        ('{"b":1,"a":2}', "not in canonical form"),
        ('{"a":"\\u0041"}', "not in canonical form"),
        ('{"a":9007199254740992}', "integer out of range"),
        ('{"a":-18446744073709551617}', "integer out of range"),
    ],
)
def test_strict_parse_refuses_other_bytes_of_the_same_value(text, why):
    with pytest.raises(ValidationError) as refused:
        parse_canonical(text.encode())
    assert refused.value.params["reason"] == why
    assert parse(text.encode()) is not None  # the lenient parse would have taken it


def test_strict_parse_refuses_bytes_that_are_not_utf8_json():
    for data in (b"\xff", b"{", b""):
        with pytest.raises(ValueError):
            parse_canonical(data)
    with pytest.raises(ValidationError):
        parse_canonical(b"[1.0]")
