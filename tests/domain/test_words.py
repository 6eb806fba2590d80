"""The words catalogue: every sentence the code uses has Arabic and English, with the same
placeholders, and counts take the right plural form."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from erial_desk.domain.words import FSI, PDI, text, translations_dir

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Calls that take an English sentence: N_(s), text(lang, s), plural(lang, s, p, n), and the
# window's t(s) and tn(s, p, n). A plural is found by its singular.
SENTENCE_ARGS = {"N_": (0,), "Nn_": (0,), "text": (1,), "plural": (1,), "t": (0,), "tn": (0,)}


def catalogue(language: str):
    with (translations_dir() / language / "LC_MESSAGES" / "erial.po").open("rb") as po:
        return read_po(po, locale=language)


def sentences_in_source() -> dict[str, str]:
    """Every sentence handed to the catalogue functions in the code, with where it is."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "erial_desk").rglob("*.py")) + sorted(
        (ROOT / "erial_central").rglob("*.py")
    ):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            for index in SENTENCE_ARGS.get(name or "", ()):
                if index < len(node.args):
                    arg = node.args[index]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found[arg.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_sentence_in_the_code_has_arabic():
    arabic = catalogue("ar")
    missing = [
        f"{where}: {sentence!r}"
        for sentence, where in sentences_in_source().items()
        if sentence not in arabic or not arabic[sentence].string
    ]
    assert missing == [], "sentences without Arabic:\n" + "\n".join(missing)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_translations_keep_the_placeholders(language):
    wrong = []
    for message in catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            # A plural form may leave the number out ("one attempt"); nothing else may differ.
            have = set(PLACEHOLDER.findall(string))
            if string and not (have <= wanted and wanted - have <= {"count"}):
                wrong.append(f"{ids[0]!r} -> {string!r}")
    assert wrong == []


# Counts in Arabic (six forms) and English: the "attempts left" errors, in test_error_words.py.


def test_left_to_right_values_are_isolated_in_arabic_only():
    sentence = "Plate {plate} was looked up."
    template = sentence  # not in the catalogue: its English id is used in both languages
    assert text("en", template, plate="12345 AB") == "Plate 12345 AB was looked up."
    assert text("ar", template, plate="12345 AB") == f"Plate {FSI}12345 AB{PDI} was looked up."
    assert text("ar", template, plate="١٢ ب") == "Plate ١٢ ب was looked up."


def test_every_entry_type_and_method_has_one_name_in_each_language():
    from erial_desk.domain.entries import EntryType
    from erial_desk.domain.labels import entry_label, method_label
    from erial_desk.domain.policy import PaymentMethod

    for language in ("ar", "en"):
        names = [entry_label(kind, language) for kind in EntryType]
        assert len(set(names)) == len(names)
        assert all(names)
        assert len({method_label(m, language) for m in PaymentMethod}) == len(PaymentMethod)
    assert entry_label("top_up", "ar") == "شحن نقدي"
    assert method_label("wallet", "en") == "e-Rial wallet"


# Modules whose words are all in the catalogue: an Arabic literal there is a word kept twice.
# (policy.py keeps the default fee catalogue's service names: reference data central signs.)
CATALOGUED = [
    "erial_desk/printing",
    "erial_desk/domain/errors.py",
    "erial_desk/domain/labels.py",
    "erial_desk/domain/offline.py",
    "erial_desk/domain/reference.py",
    "erial_central/errors.py",
    "erial_central/records.py",
]
ARABIC = re.compile("[\u0600-\u06ff]")


def test_catalogued_modules_hold_no_arabic_of_their_own():
    found = []
    for place in CATALOGUED:
        path = ROOT / place
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            tree = ast.parse(file.read_text(encoding="utf-8"))
            docstrings = {
                id(node.value)
                for node in ast.walk(tree)
                if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            }
            found += [
                f"{file.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and ARABIC.search(node.value)
            ]
    assert found == []


def test_one_name_per_thing_on_receipts_statements_and_central_pages():
    from erial_desk.domain.labels import entry_label, transfer_label, void_label
    from erial_desk.printing import texts

    for language in ("ar", "en"):
        assert transfer_label("top_up", language) == entry_label("top_up", language)
        assert transfer_label("bill", language) == entry_label("bill_paid", language)
        names = {transfer_label(k, language) for k in ("bank_top_up", "charge", "reversal")}
        assert len(names) == 3 and all(names)
    assert texts.entry_name("top_up").pick("en") == "Cash top-up"
    assert texts.entry_name("top_up").pick("ar") == entry_label("top_up", "ar")
    assert texts.method_name("cash").pick("ar") == "نقدًا"
    assert void_label("Parking fine", "en") == "Void: Parking fine"
    assert void_label("مخالفة مواقف", "ar") == "إلغاء: مخالفة مواقف"
    # A kind this version does not know is shown as it is, never dropped.
    assert entry_label("future_kind", "ar") == "future_kind"
    assert transfer_label("future_kind", "en") == "future_kind"
