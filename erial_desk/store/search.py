"""Subscriber search at the counter: by account, mobile, civil/CR number or a name fragment.

The query decides the path, and each path is one indexed SQL statement:
- 12 digits with a valid check digit: the account (primary key);
- a mobile number with its country code: the mobile (index);
- 8 digits starting with 7 or 9: mobile, civil or CR number (a plain 8-digit number can be any);
- other digit strings: civil or CR number (indexes);
- anything else: a name fragment, through the FTS5 index ``subscriber_search`` (migration 0003).

Name fragments are normalised like the indexed names (``erial_desk.domain.arabic``); every word
is a prefix and all must match, in any order. Words are quoted as FTS5 strings, so nothing typed
can act as FTS5 syntax. A broad fragment (``محمد``) can match a good part of the city: only the
first ``CANDIDATES`` matches in index (rowid) order are taken, and those are ordered by how
exactly they match (whole words; a name that begins with a typed word), then by name. A clerk
who sees a full page types one more word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Connection, TextClause, text

from erial_desk.domain.arabic import normalise_for_search
from erial_desk.domain.digits import strip_separators, to_ascii_digits
from erial_desk.domain.errors import ValidationError
from erial_desk.domain.identifiers import normalise_account_number, normalise_mobile

MIN_QUERY_LENGTH = 2
CANDIDATES = 200
"""Rows taken from the full-text index per name query and then ordered. Each is a row read from
``subscribers`` (a page apiece, scattered over the file): 200 keeps a broad query within a few
milliseconds on a million rows, and is ten pages of results for the clerk to narrow."""
MAX_WORDS = 8
"""Name words used; more do not narrow a name further and would only lengthen the statement."""


@dataclass(frozen=True, slots=True)
class SubscriberRow:
    account: str
    kind: str
    civil_number: str | None
    cr_number: str | None
    name_ar: str
    name_en: str
    mobile: str | None
    email: str | None
    authorised_person: str | None


_COLUMNS = (
    "s.account, s.kind, s.civil_number, s.cr_number, s.name_ar, s.name_en, s.mobile, s.email, "
    "s.authorised_person"
)

_BY_ACCOUNT = text(f"SELECT {_COLUMNS} FROM subscribers AS s WHERE s.account = :account")
_BY_MOBILE = text(
    f"SELECT {_COLUMNS} FROM subscribers AS s WHERE s.mobile = :mobile "
    "ORDER BY s.account LIMIT :limit"
)
_BY_NUMBER = text(
    f"SELECT {_COLUMNS} FROM subscribers AS s "
    "WHERE s.civil_number = :number OR s.cr_number = :number "
    "ORDER BY s.account LIMIT :limit"
)
_BY_NUMBER_OR_MOBILE = text(
    f"SELECT {_COLUMNS} FROM subscribers AS s "
    "WHERE s.civil_number = :number OR s.cr_number = :number OR s.mobile = :mobile "
    # an identity number typed in full is likelier than a mobile shared by a household
    "ORDER BY s.mobile = :mobile, s.account LIMIT :limit"
)

# Digits with the separators and the leading + that phone numbers and scanners bring.
_ID_LIKE = re.compile(r"\+?[0-9()]+")


def search_subscribers(conn: Connection, query: str, *, limit: int = 20) -> list[SubscriberRow]:
    """Subscribers matching ``query``, best first, at most ``limit``.

    Raises ``ValidationError("query.too_short")`` when the query has fewer than two characters
    (or, for names, no word of two letters) after normalisation.
    """
    compact = strip_separators(to_ascii_digits(query.strip()))
    if _ID_LIKE.fullmatch(compact) and any(ch.isdigit() for ch in compact):
        return _search_number(conn, compact, limit)
    return _search_name(conn, query, limit)


def _rows(
    conn: Connection, statement: TextClause, params: dict[str, object]
) -> list[SubscriberRow]:
    return [SubscriberRow(*row) for row in conn.execute(statement, params)]


def _search_number(conn: Connection, compact: str, limit: int) -> list[SubscriberRow]:
    digits = compact.replace("+", "").replace("(", "").replace(")", "")
    if len(digits) < MIN_QUERY_LENGTH:
        raise ValidationError("query.too_short", min=MIN_QUERY_LENGTH)
    try:
        account = normalise_account_number(digits)
    except ValidationError:
        pass
    else:
        return _rows(conn, _BY_ACCOUNT, {"account": account})[:limit]
    try:
        mobile = normalise_mobile(compact)
    except ValidationError:
        return _rows(conn, _BY_NUMBER, {"number": digits, "limit": limit})
    if len(digits) > 8:  # typed with +968 / 00968: only a mobile number
        return _rows(conn, _BY_MOBILE, {"mobile": mobile, "limit": limit})
    return _rows(conn, _BY_NUMBER_OR_MOBILE, {"number": digits, "mobile": mobile, "limit": limit})


def _fts_string(word: str) -> str:
    # An FTS5 string: any character but the double quote is literal inside, and "" is a quote.
    return '"' + word.replace('"', '""') + '"'


def _is_arabic(word: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in word)


def _indexable(word: str) -> bool:
    # A word the FTS5 tokenizer keeps (it drops marks and symbols, which normalising removed
    # already); a word it would drop entirely would turn the AND query into "no match".
    return any(unicodedata.category(ch)[0] in "LN" for ch in word)


def _search_name(conn: Connection, query: str, limit: int) -> list[SubscriberRow]:
    normalised = normalise_for_search(query)
    # One-letter words would not narrow a name and would read a large part of the index.
    words = [w for w in normalised.split() if len(w) >= MIN_QUERY_LENGTH and _indexable(w)]
    if not words:
        raise ValidationError("query.too_short", min=MIN_QUERY_LENGTH)
    words = list(dict.fromkeys(words))[:MAX_WORDS]
    params: dict[str, object] = {
        "match": " AND ".join(_fts_string(w) + "*" for w in words),
        "candidates": CANDIDATES,
        "limit": limit,
    }
    for i, word in enumerate(words):
        params[f"w{i}"] = word
        params[f"ws{i}"] = f" {word} "
    statement = _name_statement(len(words), arabic=_is_arabic(normalised))
    return _rows(conn, statement, params)


@lru_cache(maxsize=2 * MAX_WORDS)
def _name_statement(word_count: int, *, arabic: bool) -> TextClause:
    """Name search for ``word_count`` words: one statement per shape, built once."""
    words = range(word_count)
    # Rows where a typed word is a whole word (احمد, not احمدي) come first, then names that begin
    # with a typed word (محمد بن سالم before آمنة بنت محمد), then alphabetical order. The Arabic
    # name opens search_text, normalised; the English name is compared as stored, lower-cased.
    whole_words = " + ".join(f"(instr(' ' || s.search_text || ' ', :ws{i}) > 0)" for i in words)
    first = "s.search_text" if arabic else "lower(s.name_en)"
    begins = " OR ".join(f"instr({first}, :w{i}) = 1" for i in words)
    by_name = "s.name_ar" if arabic else "s.name_en COLLATE NOCASE"
    return text(
        f"SELECT {_COLUMNS} FROM subscribers AS s "
        "WHERE s.rowid IN (SELECT rowid FROM subscriber_search "
        "WHERE subscriber_search MATCH :match LIMIT :candidates) "
        f"ORDER BY {whole_words} DESC, ({begins}) DESC, {by_name}, s.account LIMIT :limit"
    )


def rebuild_search_index(conn: Connection) -> None:
    """Rebuild the full-text index from ``subscribers`` (after a VACUUM, or to repair it)."""
    conn.exec_driver_sql("INSERT INTO subscriber_search (subscriber_search) VALUES ('rebuild')")
