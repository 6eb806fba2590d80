"""Text normalisation for subscriber search, so that a name is found however it was typed.

Clerks and customers spell the same Arabic name in several ways: with or without hamza on the
alef (أحمد / احمد), with ta marbuta or heh (فاطمة / فاطمه), alef maqsura or yeh at the end
(مصطفى / مصطفي), with or without harakat and tatweel, with Persian keyboard letters (ک, ی), and
with Arabic-Indic digits. The index and the query both go through ``normalise_for_search``, so
every spelling meets the same form. The folds are the usual ones of Arabic search engines (Lucene's
ArabicNormalizer does the same); they are deliberately lossy, since they only ever compare.

Choices:
- hamza carriers fold to their bare letter: أ إ آ ٱ -> ا, ؤ -> و, ئ -> ي (people type ي for ئ,
  e.g. هايل / هائل). A lone hamza ء is a letter of its own and stays; word-prefix matching already
  finds علاء from علا.
- ة -> ه and ى -> ي; the harakat, superscript alef and Quranic marks, tatweel, and the direction
  marks and joiners that keyboards insert are dropped.
- Latin is case-folded and loses its accents (José -> jose).
- An apostrophe inside a word is dropped (Sa'id -> said: transliterations mark the ain with
  one or not); every other punctuation mark or symbol separates words (Al-Balushi -> al balushi).
"""

from __future__ import annotations

import re
import unicodedata

from .digits import to_ascii_digits

_ALEF = "\u0627"
_HEH = "\u0647"
_YEH = "\u064a"
_WAW = "\u0648"
_KAF = "\u0643"

# Explicit folds; they win over the category rules below.
_FOLDS: dict[int, str | None] = {
    # alef with hamza above/below, with madda, wasla, and the rarer hamza/wavy-hamza forms
    **{ord(c): _ALEF for c in "\u0623\u0625\u0622\u0671\u0672\u0673\u0675"},
    ord("\u0629"): _HEH,  # ta marbuta
    ord("\u06c3"): _HEH,  # ta marbuta goal (Urdu keyboards)
    ord("\u06c0"): _HEH,  # heh with yeh above
    ord("\u06c1"): _HEH,  # heh goal
    ord("\u0649"): _YEH,  # alef maqsura
    ord("\u06cc"): _YEH,  # Farsi yeh
    ord("\u0626"): _YEH,  # yeh with hamza above
    ord("\u0624"): _WAW,  # waw with hamza above
    ord("\u0676"): _WAW,  # high hamza waw
    ord("\u06a9"): _KAF,  # keheh (Persian kaf)
    ord("\u0640"): None,  # tatweel
    # apostrophes and the letters used as such in transliterations: joined, not split
    **{ord(c): None for c in "'\u2018\u2019\u02bc\u02bb\u02be\u02bf`\u00b4"},
}

# Categories dropped without a trace: combining marks (harakat, accents after NFD), format
# characters (direction marks, joiners), lone surrogates (never typed; unencodable).
_DROP_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Cs"})
# Categories that separate words: punctuation, symbols, separators, control characters.
_SPACE_PREFIXES = ("P", "S", "Z")


class _FoldTable(dict[int, "str | int | None"]):
    """``str.translate`` table computed per code point on first use, then cached.

    Classifying every code point up front would cost a noticeable part of a second at import.
    """

    def __missing__(self, code: int) -> str | int | None:
        category = unicodedata.category(chr(code))
        value: str | int | None
        if category in _DROP_CATEGORIES:
            value = None
        elif category.startswith(_SPACE_PREFIXES) or category == "Cc":
            value = " "
        else:
            value = code  # unchanged
        self[code] = value
        return value


_TABLE = _FoldTable(_FOLDS.items())


def _fold(text: str) -> str:
    if not unicodedata.is_normalized("NFKC", text):
        # Presentation forms and ligatures (ﻷ, ﷲ, ﬁ), full-width letters, NBSP and the like.
        text = unicodedata.normalize("NFKC", text)
    text = to_ascii_digits(text.casefold()).translate(_TABLE)
    if not unicodedata.is_normalized("NFD", text):
        # Precomposed accented letters: decompose, drop the marks, compose what remains.
        text = unicodedata.normalize("NFD", text).translate(_TABLE)
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


# Text made only of these is left unchanged by folding: most names, once folded, are.
_SETTLED = re.compile("[a-z0-9 \u0621\u0627\u0628\u062a-\u063a\u0641-\u0648\u064a]*", re.ASCII)


def normalise_for_search(text: str) -> str:
    """The form under which names are indexed and queries compared; see the module docstring."""
    folded = _fold(text)
    if _SETTLED.fullmatch(folded):
        return folded
    # Case folding and NFKC do not always commute (a few letters fold to a sequence that NFKC
    # changes again); folding until nothing changes makes the result a fixed point, which the
    # index relies on. Real names settle in one pass; the loop is bounded regardless.
    for _ in range(3):
        again = _fold(folded)
        if again == folded:
            break
        folded = again
    return folded


# Arabic compound names are written both joined and apart (عبدالله / عبد الله); the definite
# article is often left out when a clerk types a family name (بلوشي for البلوشي), and its
# transliteration is written apart, hyphenated or joined (Al Balushi, Al-Balushi, Albalushi).
_ABD = "\u0639\u0628\u062f"  # عبد
_AL = "\u0627\u0644"  # ال
_ARABIC_WORD = re.compile("[\u0621-\u064a]+")


def _has_article(word: str) -> bool:
    # At least three letters after it: not الله (-> له), not short words that begin with ال.
    return word.startswith(_AL) and len(word) >= len(_AL) + 3


def _index_words(words: list[str]) -> list[str]:
    """The words of a name plus the other spellings a clerk may type for them."""
    out: list[str] = []
    for i, word in enumerate(words):
        out.append(word)
        if word == "al" and i + 1 < len(words):
            out.append(word + words[i + 1])  # Al Balushi -> also albalushi
        if not _ARABIC_WORD.fullmatch(word):
            continue
        if word == _ABD and i + 1 < len(words) and _ARABIC_WORD.fullmatch(words[i + 1]):
            out.append(word + words[i + 1])  # عبد الله -> also عبدالله
        elif word.startswith(_ABD) and len(word) > len(_ABD) + 1:
            out.append(_ABD)  # عبدالله -> also عبد + الله
            rest = word[len(_ABD) :]
            out.append(rest)
            if _has_article(rest):
                out.append(rest[len(_AL) :])
        if _has_article(word):
            out.append(word[len(_AL) :])  # البلوشي -> also بلوشي
    return out


def search_text_for(name_ar: str, name_en: str, authorised_person: str | None) -> str:
    """The value of ``subscribers.search_text``: every searchable word of the subscriber, once.

    Holds the normalised Arabic and English names and the authorised person of a company, plus
    the joined/split spellings of compound names and family names without their article.
    """
    words: list[str] = []
    for part in (name_ar, name_en, authorised_person):
        if part:
            words.extend(_index_words(normalise_for_search(part).split()))
    # Each word once, first occurrence first: a smaller index and a readable column.
    return " ".join(dict.fromkeys(words))
