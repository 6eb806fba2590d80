"""Amounts: parsing typed rials into integer baisa, formatting them back, and the limits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from erial_desk.domain.errors import ValidationError
from erial_desk.domain.money import (
    ABSOLUTE_MAX_BAISA,
    BAISA_PER_RIAL,
    check_amount,
    format_amount,
    format_plain,
    limit_params,
    parse_amount,
)

# The test's own digit tables, independent of the code under test.
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
TO_ARABIC_INDIC = str.maketrans("0123456789", ARABIC_INDIC)
TO_PERSIAN = str.maketrans("0123456789", PERSIAN)
FROM_ARABIC_INDIC = str.maketrans(ARABIC_INDIC, "0123456789")

AR_SUFFIX = " ر.ع."

amounts = st.integers(min_value=1, max_value=ABSOLUTE_MAX_BAISA)


def plain_text(baisa: int) -> str:
    """Rials with three decimals and no thousands separators: what a clerk types."""
    return f"{baisa // BAISA_PER_RIAL}.{baisa % BAISA_PER_RIAL:03d}"


def code_of(text: str, **limits: int) -> str:
    with pytest.raises(ValidationError) as err:
        parse_amount(text, **limits)
    return err.value.code


# --- accepted input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "baisa"),
    [
        ("12.5", 12_500),
        ("12.500", 12_500),
        ("12", 12_000),
        ("12.", 12_000),
        (".5", 500),
        ("0.250", 250),
        ("0.001", 1),
        ("007.010", 7_010),
        ("+3", 3_000),
        ("  12.5  ", 12_500),
        ("1 000", 1_000_000),
        ("12\u00a0500.5", 12_500_500),
        ("١٢٫٥", 12_500),
        ("١٢.٥", 12_500),
        ("۱۲٫۵", 12_500),
        ("۱۲.۵۰۰", 12_500),
        ("1٢.5", 12_500),
        ("12.5 OMR", 12_500),
        ("12.5OMR", 12_500),
        ("12.5 omr", 12_500),
        ("12.5 RO", 12_500),
        ("12.5 ro", 12_500),
        ("12.500 ر.ع.", 12_500),
        ("12.500 ر.ع", 12_500),
        ("١٢٫٥٠٠ ر.ع.", 12_500),
        ("1000000", ABSOLUTE_MAX_BAISA),
        ("1000000.000", ABSOLUTE_MAX_BAISA),
    ],
)
def test_parse_amount_accepts(text, baisa):
    result = parse_amount(text)
    assert result == baisa
    assert type(result) is int


def test_tenth_plus_two_tenths_is_exactly_three_tenths():
    # The float classic 0.1 + 0.2 != 0.3 cannot happen: amounts are integer baisa.
    total = parse_amount("0.1") + parse_amount("0.2")
    assert total == parse_amount("0.300") == 300
    assert format_amount(total) == "0.300 OMR"


# --- refused input --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\u00a0", "OMR", "ر.ع."])
def test_empty_amount(text):
    assert code_of(text) == "amount.empty"


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "12,5",  # a comma must never be read as 125 rials nor as 12.5
        "1,234.500",  # format_plain's thousands separators are refused on purpose
        "12٬500",
        "1.2.3",
        "..5",
        ".",
        "-",
        "+",
        "--5",
        "5-",
        "1e3",
        "0x10",
        "12 OMR 5",
        "OMR 12",
        "twelve",
        "12.5 USD",
        "½",
        "١٢a",
    ],
)
def test_invalid_amount(text):
    with pytest.raises(ValidationError) as err:
        parse_amount(text)
    assert err.value.code == "amount.invalid"
    assert err.value.params["text"] == text
    assert text in err.value.message("en")


@pytest.mark.parametrize("text", ["1.2345", "0.0001", "12.5000", "١٫٢٣٤٥", "1.23456789 OMR"])
def test_more_than_three_decimals(text):
    assert code_of(text) == "amount.too_many_decimals"


@pytest.mark.parametrize("text", ["-1", "-0.001", "-12.5 OMR", "- 5", "-١٢"])
def test_negative_amount(text):
    assert code_of(text) == "amount.negative"


@pytest.mark.parametrize("text", ["0", "0.000", "000", ".0", "0.", "-0", "٠٫٠٠٠", "0 OMR"])
def test_zero_amount(text):
    assert code_of(text) == "amount.zero"


@pytest.mark.parametrize("text", ["1000000.001", "1000001", "99999999999999999999", "١٠٠٠٠٠١"])
def test_over_the_absolute_limit(text):
    with pytest.raises(ValidationError) as err:
        parse_amount(text)
    assert err.value.code == "amount.over_limit"
    assert err.value.params["limit"] == "1,000,000.000 OMR"
    assert "1,000,000.000 OMR" in err.value.message("en")
    assert "1,000,000.000 ر.ع." in err.value.message("ar")


def test_over_a_policy_maximum_names_the_maximum_in_both_languages():
    with pytest.raises(ValidationError) as err:
        parse_amount("500.001", maximum=500_000)
    assert err.value.code == "amount.over_limit"
    assert "500.000 OMR" in err.value.message("en")
    assert "500.000 ر.ع." in err.value.message("ar")
    assert parse_amount("500", maximum=500_000) == 500_000


def test_below_a_policy_minimum_names_the_minimum_in_both_languages():
    with pytest.raises(ValidationError) as err:
        parse_amount("0.999", minimum=1_000)
    assert err.value.code == "amount.below_minimum"
    assert err.value.params["limit"] == "1.000 OMR"
    assert "1.000 OMR" in err.value.message("en")
    assert "1.000 ر.ع." in err.value.message("ar")
    assert parse_amount("1", minimum=1_000) == 1_000


def test_a_maximum_above_the_absolute_limit_does_not_raise_the_ceiling():
    assert code_of("1000000.001", maximum=2 * ABSOLUTE_MAX_BAISA) == "amount.over_limit"


def test_limit_params_name_the_limit_in_both_languages():
    assert limit_params(2_500) == {"limit": "2.500 OMR", "limit_ar": "2.500 ر.ع."}


# --- check_amount ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False, 1.0, 12.5, Decimal("12.5"), "12500", None])
def test_check_amount_refuses_anything_but_int(value):
    with pytest.raises(TypeError):
        check_amount(value)


@pytest.mark.parametrize("value", [True, 1.5, Decimal(1)])
def test_format_plain_refuses_anything_but_int(value):
    with pytest.raises(TypeError):
        format_plain(value)


@pytest.mark.parametrize(
    ("baisa", "limits", "code"),
    [
        (0, {}, "amount.zero"),
        (-1, {}, "amount.negative"),
        (ABSOLUTE_MAX_BAISA + 1, {}, "amount.over_limit"),
        (501, {"maximum": 500}, "amount.over_limit"),
        (99, {"minimum": 100}, "amount.below_minimum"),
    ],
)
def test_check_amount_refusals(baisa, limits, code):
    with pytest.raises(ValidationError) as err:
        check_amount(baisa, **limits)
    assert err.value.code == code


def test_check_amount_returns_the_amount_inside_the_limits():
    assert check_amount(1) == 1
    assert check_amount(ABSOLUTE_MAX_BAISA) == ABSOLUTE_MAX_BAISA
    assert check_amount(100, minimum=100, maximum=100) == 100


# --- formatting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baisa", "plain"),
    [
        (0, "0.000"),
        (1, "0.001"),
        (12_500, "12.500"),
        (1_234_500, "1,234.500"),
        (-1_500, "-1.500"),
        (-1, "-0.001"),
        (ABSOLUTE_MAX_BAISA, "1,000,000.000"),
    ],
)
def test_format_plain(baisa, plain):
    assert format_plain(baisa) == plain


def test_format_amount_in_both_languages():
    assert format_amount(12_500) == "12.500 OMR"
    assert format_amount(12_500, "en") == "12.500 OMR"
    assert format_amount(12_500, "ar") == "12.500 ر.ع."
    assert format_amount(12_500, "ar", arabic_digits=True) == "١٢٫٥٠٠ ر.ع."
    assert format_amount(1_234_500, "ar", arabic_digits=True) == "١٬٢٣٤٫٥٠٠ ر.ع."


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, derandomize=True)
@given(amounts)
def test_every_amount_parses_back_from_its_plain_text(baisa):
    text = plain_text(baisa)
    assert format_plain(baisa).replace(",", "") == text
    assert parse_amount(text) == baisa
    assert parse_amount(text.translate(TO_ARABIC_INDIC).replace(".", "٫")) == baisa
    assert parse_amount(text.translate(TO_ARABIC_INDIC)) == baisa
    assert parse_amount(text.translate(TO_PERSIAN).replace(".", "٫")) == baisa


@settings(max_examples=300, deadline=None, derandomize=True)
@given(amounts)
def test_format_amount_round_trips_in_english(baisa):
    shown = format_amount(baisa, "en")
    assert shown.endswith(" OMR")
    assert parse_amount(shown.removesuffix(" OMR").replace(",", "")) == baisa
    assert parse_amount(shown.replace(",", "")) == baisa


@settings(max_examples=300, deadline=None, derandomize=True)
@given(amounts, st.booleans())
def test_format_amount_round_trips_in_arabic(baisa, arabic_digits):
    shown = format_amount(baisa, "ar", arabic_digits=arabic_digits)
    assert shown.endswith(AR_SUFFIX)
    number = shown.removesuffix(AR_SUFFIX)
    if arabic_digits:
        assert not any(c in "0123456789.," for c in number)
        western = number.replace("٬", "").translate(FROM_ARABIC_INDIC).replace("٫", ".")
    else:
        western = number.replace(",", "")
    assert parse_amount(western) == baisa
    # The parser also takes the Arabic text itself once the thousands separators are gone.
    assert parse_amount(shown.replace("٬", "").replace(",", "")) == baisa


digit_strings = st.text(alphabet="0123456789", min_size=0, max_size=9)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(digit_strings, st.text(alphabet="0123456789", max_size=3), st.booleans())
def test_parse_agrees_with_exact_decimal_arithmetic(whole, frac, with_point):
    text = whole + ("." + frac if with_point else "")
    if not (whole or (with_point and frac)):
        return  # nothing numeric typed: covered by the invalid/empty tests
    expected = int(Decimal(text) * BAISA_PER_RIAL)
    if expected == 0:
        assert code_of(text) == "amount.zero"
    elif expected > ABSOLUTE_MAX_BAISA:
        assert code_of(text) == "amount.over_limit"
    else:
        assert parse_amount(text) == expected


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(alphabet="0123456789", min_size=1, max_size=6), st.integers(4, 8), st.data())
def test_four_or_more_decimals_are_always_refused(whole, places, data):
    frac = data.draw(st.text(alphabet="0123456789", min_size=places, max_size=places))
    assert code_of(f"{whole}.{frac}") == "amount.too_many_decimals"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.integers(1, ABSOLUTE_MAX_BAISA // 50), min_size=1, max_size=50))
def test_sum_of_parsed_amounts_equals_parse_of_the_sum(parts):
    total = sum(parse_amount(plain_text(b)) for b in parts)
    assert type(total) is int
    assert total == sum(parts)
    assert parse_amount(plain_text(total)) == total
    # Decimal arithmetic on the texts gives the same rials, exactly.
    assert sum(Decimal(plain_text(b)) for b in parts) * BAISA_PER_RIAL == total


@settings(max_examples=300, deadline=None, derandomize=True)
@given(amounts, amounts)
def test_difference_of_parsed_amounts_is_exact(a, b):
    difference = parse_amount(plain_text(a)) - parse_amount(plain_text(b))
    assert difference == a - b
    assert format_plain(difference).replace(",", "") == (
        ("-" if a < b else "") + plain_text(abs(a - b))
    )


@settings(max_examples=300, deadline=None, derandomize=True)
@given(amounts, st.integers(1, ABSOLUTE_MAX_BAISA), st.integers(1, ABSOLUTE_MAX_BAISA))
def test_limits_are_enforced_exactly(baisa, low, high):
    text = plain_text(baisa)
    if baisa > high:
        assert code_of(text, minimum=low, maximum=high) == "amount.over_limit"
    elif baisa < low:
        assert code_of(text, minimum=low, maximum=high) == "amount.below_minimum"
    else:
        assert parse_amount(text, minimum=low, maximum=high) == baisa


@settings(max_examples=500, deadline=None, derandomize=True)
@given(
    st.one_of(
        st.text(),
        st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩.٫,-+ OMRرع\u00a0e", max_size=20),
    )
)
def test_arbitrary_text_raises_only_validation_errors(text):
    try:
        result = parse_amount(text)
    except ValidationError as exc:
        assert exc.code.startswith("amount.")
    else:
        assert type(result) is int
        assert 1 <= result <= ABSOLUTE_MAX_BAISA
