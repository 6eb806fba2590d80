from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erial_desk.domain.arabic import normalise_for_search, search_text_for

HARAKAT = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"
TATWEEL = "\u0640"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # hamza forms of alef, alef wasla
        ("أحمد", "احمد"),
        ("إبراهيم", "ابراهيم"),
        ("آمنة", "امنه"),
        ("ٱلله", "الله"),
        # ta marbuta, alef maqsura
        ("فاطمة", "فاطمه"),
        ("مصطفى", "مصطفي"),
        ("ليلى", "ليلي"),
        # hamza on waw and yeh; a lone hamza stays
        ("مؤمن", "مومن"),
        ("هائل", "هايل"),
        ("علاء", "علاء"),
        # harakat, shadda, superscript alef, tatweel
        ("مُحَمَّد", "محمد"),
        ("هٰذا", "هذا"),
        ("ســـالـم", "سالم"),
        ("سَعِيدٌ", "سعيد"),
        # Persian keyboard letters
        ("کريم", "كريم"),
        ("علی", "علي"),
        # presentation forms and ligatures
        ("\ufefb", "لا"),
        ("\ufe8d\ufeee\ufedf", "اول"),  # isolated alef, final waw, initial lam
        # digits
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("۱۲۳", "123"),
        # Latin: case, accents, apostrophes, punctuation
        ("Mohammed", "mohammed"),
        ("AL-BALUSHI", "al balushi"),
        ("Sa'id", "said"),
        ("Sa\u2019id", "said"),
        ("José Müller", "jose muller"),
        ("Straße", "strasse"),
        ("Al Hinai Trading & Contracting L.L.C.", "al hinai trading contracting l l c"),
        # whitespace, direction marks, Arabic punctuation
        ("  أحمد\t\n سالم  ", "احمد سالم"),
        ("\u200fأحمد\u200e", "احمد"),
        ("سالم، علي؛ خالد؟", "سالم علي خالد"),
        ("a\u00a0b", "a b"),
        ("", ""),
        ("   ", ""),
        ('"*()', ""),
    ],
)
def test_normalise_for_search(typed: str, expected: str) -> None:
    assert normalise_for_search(typed) == expected


def test_spellings_of_one_name_meet() -> None:
    spellings = ["أَحْمَد", "احمد", "أحمـــد", "إحمد", "آحمد", "ٱحمد", "ﺃﺣﻤﺪ"]
    assert {normalise_for_search(s) for s in spellings} == {"احمد"}


def test_search_text_holds_both_names_and_authorised_person() -> None:
    text = search_text_for("شركة الهنائي للتجارة", "Al Hinai Trading LLC", "مصطفى بن خالد")
    words = text.split()
    for word in ("شركه", "الهنايي", "للتجاره", "al", "hinai", "trading", "llc", "مصطفي", "خالد"):
        assert word in words


def test_search_text_without_authorised_person() -> None:
    assert search_text_for("فاطمة", "Fatma", None) == "فاطمه fatma"


def test_search_text_adds_spellings_clerks_type() -> None:
    words = search_text_for("عبدالله بن عبد الرحمن البلوشي", "Abdullah Al-Balushi", None).split()
    assert "عبد" in words and "الله" in words  # عبدالله typed apart
    assert "عبدالرحمن" in words  # عبد الرحمن typed joined
    assert "بلوشي" in words and "رحمن" in words  # without the article
    assert "له" not in words  # الله keeps its article
    assert "albalushi" in words  # Al-Balushi typed joined


def test_search_text_lists_each_word_once() -> None:
    text = search_text_for("سالم بن سالم", "Salim bin Salim", None)
    assert text == "سالم بن salim bin"


ARABIC_LETTERS = "ءابتثجحخدذرزسشصضطظعغفقكلمنهويأإآؤئةى"
arabic_words = st.text(alphabet=ARABIC_LETTERS, min_size=1, max_size=8)


@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise_for_search(text)
    assert normalise_for_search(once) == once


@given(st.text())
def test_normalise_output_is_tidy(text: str) -> None:
    out = normalise_for_search(text)
    assert out == out.strip()
    assert "  " not in out
    assert not set(out) & set("أإآٱةىؤئ" + HARAKAT + TATWEEL + "٠١٢٣٤٥٦٧٨٩\"'*()")
    out.encode("utf-8")  # nothing unencodable reaches SQLite


@given(st.lists(arabic_words, min_size=1, max_size=4), st.data())
def test_diacritics_and_tatweel_do_not_matter(words: list[str], data: st.DataObject) -> None:
    plain = " ".join(words)
    decorated = "".join(
        ch + data.draw(st.text(alphabet=HARAKAT + TATWEEL, max_size=2)) for ch in plain
    )
    assert normalise_for_search(decorated) == normalise_for_search(plain)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz -'", max_size=30))
def test_latin_case_does_not_matter(text: str) -> None:
    assert normalise_for_search(text.upper()) == normalise_for_search(text)


@given(st.text(), st.text(), st.none() | st.text())
def test_search_text_is_normalised(name_ar: str, name_en: str, person: str | None) -> None:
    text = search_text_for(name_ar, name_en, person)
    assert normalise_for_search(text) == text
    assert len(text.split()) == len(set(text.split()))
