"""Every error code the code raises speaks Arabic and English, with the same placeholders, and
the "attempts left" messages take the right plural form in each language."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from erial_central.errors import CENTRAL_MESSAGES, ApiError
from erial_desk.domain import errors
from erial_desk.domain.errors import MESSAGES, PLURALS, AuthError, DeskError
from erial_desk.domain.words import catalogue
from erial_desk.printing.queue import PRINT_ERRORS

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")


def _subclasses(cls: type) -> set[str]:
    return {sub.__name__ for sub in cls.__subclasses__()} | {
        name for sub in cls.__subclasses__() for name in _subclasses(sub)
    }


DESK_ERRORS = {"DeskError"} | _subclasses(DeskError)


def codes_in_source() -> dict[str, str]:
    """Each literal error code the code hands to an error (or names as ``code=``), with where."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "erial_desk").rglob("*.py")) + sorted(
        (ROOT / "erial_central").rglob("*.py")
    ):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            position = {"ApiError": 1, "PrintError": 0}.get(name or "")
            if name in DESK_ERRORS:
                position = 0
            args = list(node.args[position : position + 1]) if position is not None else []
            args += [k.value for k in node.keywords if k.arg == "code"]
            for arg in args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found[arg.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def sentences() -> dict[str, str]:
    """code -> English sentence, for every table of error codes."""
    table = {code: sentence for code, sentence in MESSAGES.items()}
    table.update(CENTRAL_MESSAGES)
    return table


def test_the_walk_finds_the_codes():
    found = codes_in_source()
    assert {
        "login.failed",
        "wallet.wrong_pin",
        "print.unavailable",
        "authorisation.conflict",
    } <= set(found)


def test_every_code_in_the_source_has_a_message():
    known = set(MESSAGES) | set(CENTRAL_MESSAGES) | set(PRINT_ERRORS)
    unknown = [f"{where}: {code}" for code, where in codes_in_source().items() if code not in known]
    assert unknown == []


@pytest.mark.parametrize("code", sorted(set(sentences()) | set(codes_in_source())))
def test_every_code_has_arabic_and_english_with_the_same_placeholders(code):
    if code in PRINT_ERRORS:
        return  # printed words: the printing catalogue test covers them
    english = sentences()[code]
    arabic = catalogue("ar").gettext(english)
    assert english.isascii() and english.strip()
    assert arabic != english and ARABIC_LETTER.search(arabic), f"{code} has no Arabic"
    assert set(PLACEHOLDER.findall(arabic)) == set(PLACEHOLDER.findall(english))


@pytest.mark.parametrize("code", sorted(PLURALS))
@pytest.mark.parametrize(
    ("left", "arabic"),
    [
        (0, "لم تبقَ أي محاولة."),
        (1, "بقيت محاولة واحدة."),
        (2, "بقيت محاولتان."),
        (3, "بقيت 3 محاولات."),
        (11, "بقيت 11 محاولة."),
        (100, "بقيت 100 محاولة."),
    ],
)
def test_attempts_left_in_arabic(code, left, arabic):
    message = AuthError(code, left=left).message("ar")
    assert message.endswith(" " + arabic)
    # The sentence before the count is the one of the error without a count.
    assert message.startswith(catalogue("ar").gettext(MESSAGES[code]).split(".")[0])


@pytest.mark.parametrize("code", sorted(PLURALS))
@pytest.mark.parametrize(
    ("left", "english"),
    [
        (0, "0 attempts left."),
        (1, "1 attempt left."),
        (2, "2 attempts left."),
        (11, "11 attempts left."),
    ],
)
def test_attempts_left_in_english(code, left, english):
    assert AuthError(code, left=left).message("en").endswith(" " + english)


def test_an_unknown_count_says_the_sentence_without_one():
    error = AuthError("wallet.wrong_pin", left="?")
    assert error.message("en") == MESSAGES["wallet.wrong_pin"]
    assert error.message("ar") == catalogue("ar").gettext(MESSAGES["wallet.wrong_pin"])


def test_central_says_the_desk_s_words_for_a_shared_code():
    body = ApiError(403, "wallet.wrong_pin", left=2).body()["error"]
    assert body["message"] == AuthError("wallet.wrong_pin", left=2).message("en")
    assert body["message_ar"].endswith("بقيت محاولتان.")
    assert ApiError(400, "push.too_large", limit=500).body()["error"]["message"] == (
        "Send at most 500 entries at once."
    )


def test_plural_category_is_gone():
    assert not hasattr(errors, "plural_category")
