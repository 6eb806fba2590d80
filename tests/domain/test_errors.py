"""The error catalogue: every code speaks both languages; errors survive pickling."""

from __future__ import annotations

import pickle
import re
import string

import pytest

from erial_desk.domain import errors
from erial_desk.domain.errors import (
    MESSAGES,
    CentralUnavailable,
    DeskError,
    PolicyError,
    ValidationError,
)
from erial_desk.domain.words import catalogue


def texts(code: str) -> tuple[str, str]:
    """The English sentence of ``code`` and its Arabic template in the catalogue."""
    return MESSAGES[code], catalogue("ar").gettext(MESSAGES[code])


ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(all_subclasses(sub))
    return found


# Errors are raised from the domain; subclasses defined elsewhere (tests, other layers) do not
# belong to this catalogue's contract.
ERROR_CLASSES = [DeskError] + [
    cls for cls in all_subclasses(DeskError) if cls.__module__ == errors.__name__
]


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_code_has_english_and_arabic(code):
    assert CODE.match(code)
    english, arabic = texts(code)
    assert english.strip() and arabic.strip()
    assert english.isascii(), "the English text is plain ASCII"
    assert ARABIC_LETTER.search(arabic)
    assert english != arabic


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_arabic_placeholders_are_what_the_english_one_receives(code):
    english, arabic = texts(code)
    # The Arabic names the same values; an ``x_ar`` parameter replaces ``x`` when it is filled.
    assert placeholders(arabic) == placeholders(english)


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_message_renders_with_its_parameters(code):
    english, arabic = texts(code)
    params = {name: f"<{name}>" for name in placeholders(english) | placeholders(arabic)}
    error = DeskError(code, **params)
    for lang in ("en", "ar"):
        text = error.message(lang)
        assert "{" not in text and "}" not in text
    assert str(error) == error.message("en")
    for name in placeholders(english):
        assert f"<{name}>" in error.message("en")


def test_arabic_message_falls_back_to_the_plain_value():
    error = ValidationError("amount.over_limit", limit="500.000 OMR")
    assert "500.000 OMR" in error.message("ar")
    error = ValidationError("amount.over_limit", limit="500.000 OMR", limit_ar="٥٠٠ ر.ع.")
    assert "٥٠٠ ر.ع." in error.message("ar")
    assert "500.000 OMR" not in error.message("ar")
    assert "500.000 OMR" in error.message("en")


def test_unknown_language_means_english():
    error = ValidationError("amount.zero")
    assert error.message("fr") == MESSAGES["amount.zero"]


def test_missing_parameter_does_not_hide_the_error():
    error = ValidationError("pin.invalid")
    assert error.message("en") == MESSAGES["pin.invalid"]


WITH_CODE = [c for c in ERROR_CLASSES if c is not CentralUnavailable]  # it fixes its own code


@pytest.mark.parametrize("cls", WITH_CODE, ids=lambda c: c.__name__)
def test_unknown_code_raises_key_error(cls):
    with pytest.raises(KeyError):
        cls("no.such_code")


def test_error_tree():
    for cls in ERROR_CLASSES:
        assert issubclass(cls, Exception)
    names = {cls.__name__ for cls in ERROR_CLASSES}
    assert {
        "ValidationError",
        "PolicyError",
        "AuthError",
        "StateError",
        "NotFoundError",
        "IntegrityError",
        "ConfigError",
        "CentralError",
        "CentralUnavailable",
    } <= names
    assert issubclass(CentralUnavailable, errors.CentralError)
    assert CentralUnavailable().code == "central.unreachable"


def round_trip(error: DeskError) -> DeskError:
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        copy = pickle.loads(pickle.dumps(error, protocol=protocol))
        assert type(copy) is type(error)
        assert copy.code == error.code
        assert copy.params == error.params
        assert str(copy) == str(error)
        assert copy.message("ar") == error.message("ar")
    return copy


@pytest.mark.parametrize("cls", WITH_CODE, ids=lambda c: c.__name__)
def test_errors_pickle_with_code_and_params(cls):
    error = cls("amount.over_limit", limit="500.000 OMR", limit_ar="500.000 ر.ع.")
    copy = round_trip(error)
    assert copy.params == {"limit": "500.000 OMR", "limit_ar": "500.000 ر.ع."}


def test_policy_error_pickles():
    error = PolicyError("role.not_allowed", role="clerk", role_ar="موظف", action="approve")
    round_trip(error)


def test_central_unavailable_pickles():
    round_trip(CentralUnavailable(detail="timeout"))
