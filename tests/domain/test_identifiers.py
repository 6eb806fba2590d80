"""Identifiers: civil and CR numbers, mobiles, plates, account numbers and PINs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from erial_desk.domain.errors import ValidationError
from erial_desk.domain.identifiers import (
    ACCOUNT_LENGTH,
    PLATE_LETTERS,
    luhn_check_digit,
    make_account_number,
    normalise_account_number,
    normalise_civil_number,
    normalise_cr_number,
    normalise_mobile,
    normalise_pin,
    normalise_plate,
    plate_in_arabic,
)

TO_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
TATWEEL = "\u0640"


def code_of(func: Callable[[str], str], text: str) -> str:
    with pytest.raises(ValidationError) as err:
        func(text)
    return err.value.code


# --- civil and CR numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12345678", "12345678"),
        (" 12345678 ", "12345678"),
        ("1234 5678", "12345678"),
        ("1234-5678", "12345678"),
        ("١٢٣٤٥٦٧٨", "12345678"),
        ("۱۲۳۴۵۶۷۸", "12345678"),
        ("١٢٣٤ 5678", "12345678"),
        ("\u200f12345678\u200e", "12345678"),
        ("123456", "123456"),
        ("123456789", "123456789"),
        ("00123456", "00123456"),
    ],
)
def test_civil_number_accepted(text, expected):
    assert normalise_civil_number(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "12345", "1234567890", "1234567a", "12.345678", "١٢٣٤٥", "１２３４５６７８", "+12345678"],
)
def test_civil_number_refused(text):
    with pytest.raises(ValidationError) as err:
        normalise_civil_number(text)
    assert err.value.code == "civil_number.invalid"
    assert err.value.params == {"min": 6, "max": 9}
    assert "6-9" in err.value.message("en")


def test_civil_number_length_comes_from_the_argument():
    assert normalise_civil_number("1234", length=(4, 4)) == "1234"
    with pytest.raises(ValidationError) as err:
        normalise_civil_number("12345678", length=(4, 5))
    assert err.value.params == {"min": 4, "max": 5}
    assert "4" in err.value.message("ar") and "5" in err.value.message("ar")


def test_cr_number():
    assert normalise_cr_number("١٠٢٣٤٥٦") == "1023456"
    assert normalise_cr_number("1023 456") == "1023456"
    assert normalise_cr_number("12345678") == "12345678"
    for bad in ("12345", "123456789", "CR123456"):
        with pytest.raises(ValidationError) as err:
            normalise_cr_number(bad)
        assert err.value.code == "cr_number.invalid"
        assert err.value.params == {"min": 6, "max": 8}
    assert normalise_cr_number("123456789", length=(9, 10)) == "123456789"
    assert code_of(lambda t: normalise_cr_number(t, length=(9, 10)), "12345678") == (
        "cr_number.invalid"
    )


# --- mobile numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "91234567",
        "9123 4567",
        "+96891234567",
        "+968 9123 4567",
        "+968-9123-4567",
        "+(968) 91234567",
        "0096891234567",
        "00968 9123 4567",
        "96891234567",
        "968 9123 4567",
        "٩١٢٣٤٥٦٧",
        "+٩٦٨٩١٢٣٤٥٦٧",
        "٠٠٩٦٨ ٩١٢٣ ٤٥٦٧",
        "۹۱۲۳۴۵۶۷",
        "\u200e+968 91234567",
    ],
)
def test_mobile_to_e164(text):
    assert normalise_mobile(text) == "+96891234567"


def test_mobile_starting_with_seven():
    assert normalise_mobile("7123 4567") == "+96871234567"


def test_local_number_that_starts_with_968_is_not_mistaken_for_the_country_code():
    assert normalise_mobile("96812345") == "+96896812345"
    assert normalise_mobile("+96896812345") == "+96896812345"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "81234567",  # 8 digits not starting with 7 or 9
        "21234567",  # a landline
        "01234567",
        "9123456",  # 7 digits
        "912345678",  # 9 digits
        "+9689123456",
        "+968912345678",
        "+97150123456",  # UAE
        "0097150123456",
        "+14155550123",
        "+91234567",  # + without a country code
        "9123456a",
        "９１２３４５６７",  # full-width digits are not typed on the region's keyboards
        "+",
        "00968",
    ],
)
def test_mobile_refused(text):
    assert code_of(normalise_mobile, text) == "mobile.invalid"


# --- plates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12345 AB", "12345 AB"),
        ("12345AB", "12345 AB"),
        ("AB 12345", "12345 AB"),
        ("ab12345", "12345 AB"),
        ("12345 a b", "12345 AB"),
        ("12345-AB", "12345 AB"),
        ("A-B-12345", "12345 AB"),
        ("12345 أ ب", "12345 AB"),
        ("أب 12345", "12345 AB"),
        ("١٢٣٤٥ أ ب", "12345 AB"),
        ("12345 ا ب", "12345 AB"),
        ("12345 إ ب", "12345 AB"),
        ("12345 آ ب", "12345 AB"),
        ("12345 أـــب", "12345 AB"),
        ("1 A", "1 A"),
        ("007 D", "7 D"),
        ("123 ع", "123 E"),
        ("123 ة", "123 H"),
        ("123 ى", "123 Y"),
        ("123 ي", "123 Y"),
        ("\u200f12 ط و\u200e", "12 TW"),
    ],
)
def test_plate_normalised(text, expected):
    assert normalise_plate(text) == expected


def test_plate_typed_in_either_script_finds_the_same_canonical_form():
    assert normalise_plate("4567 م ر") == normalise_plate("4567 MR") == "4567 MR"
    assert normalise_plate("س 88") == normalise_plate("s88") == "88 S"


@pytest.mark.parametrize(
    ("text", "letter"),
    [("12345 X", "X"), ("12345 AC", "C"), ("12345 ث", "ث"), ("q 12", "q"), ("12/A", "/")],
)
def test_plate_unknown_letter(text, letter):
    with pytest.raises(ValidationError) as err:
        normalise_plate(text)
    assert err.value.code == "plate.unknown_letter"
    assert err.value.params["letter"] == letter
    assert letter in err.value.message("en") and letter in err.value.message("ar")


@pytest.mark.parametrize(
    "text",
    ["", "123456 A", "12 ABC", "12 أبت", "A12B", "12A3", "12345", "AB", "12 A 34", "١٢٣٤٥٦ أ"],
)
def test_plate_invalid(text):
    assert code_of(normalise_plate, text) == "plate.invalid"


def test_plate_letter_table_is_consistent():
    latins = [latin for latin, _, _ in PLATE_LETTERS]
    arabics = [arabic for _, arabic, _ in PLATE_LETTERS]
    assert len(set(latins)) == len(latins)
    assert len(set(arabics)) == len(arabics)
    for latin, arabic, variants in PLATE_LETTERS:
        assert len(latin) == 1 and latin.isascii() and latin.isupper()
        assert normalise_plate(f"1 {latin}") == f"1 {latin}"
        assert normalise_plate(f"1 {arabic}") == f"1 {latin}"
        for variant in variants.replace(TATWEEL, ""):
            assert normalise_plate(f"1 {variant}") == f"1 {latin}"


def test_plate_in_arabic():
    assert plate_in_arabic("12345 AB") == "12345 أ ب"
    assert plate_in_arabic("7 E") == "7 ع"


# One spelling of a plate letter: Latin in either case, the Arabic letter or one of its variants.
def _spellings(latin: str, arabic: str, variants: str) -> list[str]:
    return [latin, latin.lower(), arabic, *variants.replace(TATWEEL, "")]


letters = st.sampled_from(PLATE_LETTERS).flatmap(
    lambda row: st.tuples(st.just(row[0]), st.sampled_from(_spellings(*row)))
)
separators = st.sampled_from(["", " ", "  ", "-", " - ", "\u00a0", "\u200f", TATWEEL])


@st.composite
def typed_plates(draw: st.DrawFn) -> tuple[str, str]:
    """A plate as a clerk might type it, and its canonical form."""
    number = draw(st.integers(1, 99_999))
    chosen = draw(st.lists(letters, min_size=1, max_size=2))
    digits = str(number).zfill(draw(st.integers(len(str(number)), 5)))
    digits = digits.translate(draw(st.sampled_from([{}, TO_ARABIC_INDIC, TO_PERSIAN])))
    letters_text = draw(separators).join(spelling for _, spelling in chosen)
    sep = draw(separators)
    typed = digits + sep + letters_text if draw(st.booleans()) else letters_text + sep + digits
    canonical = f"{number} {''.join(latin for latin, _ in chosen)}"
    return draw(separators) + typed + draw(st.sampled_from(["", " ", "\u200e"])), canonical


@settings(max_examples=400, deadline=None, derandomize=True)
@given(typed_plates())
def test_any_typing_of_a_plate_gives_its_canonical_form(case):
    typed, canonical = case
    assert normalise_plate(typed) == canonical
    assert normalise_plate(plate_in_arabic(canonical)) == canonical
    assert normalise_plate(canonical) == canonical


# --- account numbers ------------------------------------------------------------------------

bodies = st.integers(10**10, 10**11 - 1)


def test_luhn_check_digit_known_values():
    # 7992739871 is the textbook Luhn example; its check digit is 3.
    assert luhn_check_digit("7992739871") == "3"
    assert make_account_number(10_000_000_000) == "100000000008"
    assert normalise_account_number("100000000008") == "100000000008"


@pytest.mark.parametrize("body", [10**10 - 1, 10**11, 0, -(10**10)])
def test_make_account_number_needs_an_eleven_digit_body(body):
    with pytest.raises(ValueError):
        make_account_number(body)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(bodies)
def test_account_number_round_trip(body):
    number = make_account_number(body)
    assert len(number) == ACCOUNT_LENGTH and number.isdigit()
    assert number[:-1] == str(body)
    assert normalise_account_number(number) == number
    spaced = " ".join(number[i : i + 4] for i in range(0, ACCOUNT_LENGTH, 4))
    assert normalise_account_number(spaced) == number
    assert normalise_account_number(number.translate(TO_ARABIC_INDIC)) == number
    assert normalise_account_number(f"{number[:6]}-{number[6:]}") == number


@settings(max_examples=100, deadline=None, derandomize=True)
@given(bodies)
def test_every_single_digit_substitution_is_detected(body):
    number = make_account_number(body)
    for position in range(ACCOUNT_LENGTH):
        for digit in "0123456789":
            if digit == number[position]:
                continue
            typo = number[:position] + digit + number[position + 1 :]
            assert code_of(normalise_account_number, typo) == "account.check_digit"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(bodies)
def test_adjacent_transpositions_are_detected_except_09_and_90(body):
    number = make_account_number(body)
    for i in range(ACCOUNT_LENGTH - 1):
        a, b = number[i], number[i + 1]
        if a == b:
            continue
        swapped = number[:i] + b + a + number[i + 2 :]
        if {a, b} == {"0", "9"}:
            assert normalise_account_number(swapped) == swapped  # Luhn's one blind spot
        else:
            assert code_of(normalise_account_number, swapped) == "account.check_digit"


def test_the_09_90_transposition_is_missed():
    number = make_account_number(12_345_098_765)
    swapped = number.replace("09", "90", 1)
    assert swapped != number
    assert normalise_account_number(swapped) == swapped


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12345678901",
        "1234567890123",
        "12345678901a",
        "ACCT12345678",
        "１２３４５６７８９０１２",
    ],
)
def test_account_number_malformed(text):
    with pytest.raises(ValidationError) as err:
        normalise_account_number(text)
    assert err.value.code == "account.invalid"
    assert err.value.params == {"length": ACCOUNT_LENGTH}
    assert "12" in err.value.message("en")


# --- PINs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", "1234"),
        ("123456", "123456"),
        (" 0000 ", "0000"),
        ("١٢٣٤", "1234"),
        ("۱۲۳۴۵", "12345"),
    ],
)
def test_pin_accepted(text, expected):
    assert normalise_pin(text) == expected


@pytest.mark.parametrize(
    "text", ["", "123", "1234567", "12a4", "12 34", "12.4", "１２３４", "-123"]
)
def test_pin_refused(text):
    with pytest.raises(ValidationError) as err:
        normalise_pin(text)
    assert err.value.code == "pin.invalid"
    assert err.value.params == {"min": 4, "max": 6}


def test_pin_length_comes_from_the_argument():
    assert normalise_pin("12345678", length=(8, 8)) == "12345678"
    assert code_of(lambda t: normalise_pin(t, length=(8, 8)), "123456") == "pin.invalid"


# --- properties common to every normaliser --------------------------------------------------

NORMALISERS: dict[str, Callable[[str], str]] = {
    "civil": normalise_civil_number,
    "cr": normalise_cr_number,
    "mobile": normalise_mobile,
    "plate": normalise_plate,
    "account": normalise_account_number,
    "pin": normalise_pin,
}

PLATE_ALPHABET = "0123456789٠١٢٣٤٥٦٧٨٩ -" + "".join(
    "".join(_spellings(*row)) for row in PLATE_LETTERS
)
likely_text = st.one_of(
    st.text(),
    st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹ +-()\u00a0\u200f", max_size=16),
    st.text(alphabet=PLATE_ALPHABET + "XCث/", max_size=9),
    bodies.map(make_account_number),
    st.integers(10_000_000, 99_999_999).map(lambda n: f"+968 {n}"),
)


@pytest.mark.parametrize("name", sorted(NORMALISERS))
@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=likely_text)
def test_normalisers_are_idempotent_and_raise_only_validation_errors(name, text):
    normalise = NORMALISERS[name]
    try:
        once = normalise(text)
    except ValidationError:
        return
    assert isinstance(once, str)
    assert normalise(once) == once
