from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from erial_desk.domain.arabic import search_text_for
from erial_desk.domain.errors import ValidationError
from erial_desk.domain.identifiers import make_account_number
from erial_desk.store import migrate
from erial_desk.store.engine import make_engine
from erial_desk.store.search import SubscriberRow, rebuild_search_index, search_subscribers

AHMED = make_account_number(10_000_000_001)
FATMA = make_account_number(10_000_000_002)
HINAI = make_account_number(10_000_000_003)
LAILA = make_account_number(10_000_000_004)
ABDULLAH = make_account_number(10_000_000_005)
MOHAMMED = make_account_number(10_000_000_006)

# account, kind, civil, cr, name_ar, name_en, mobile, authorised person
PEOPLE = [
    (AHMED, "individual", "12345678", None, "أحمد بن سالم البلوشي", "Ahmed bin Salim Al-Balushi",
     "+96891234567", None),
    (FATMA, "individual", "87654321", None, "فاطمة بنت علي الحارثي", "Fatma bint Ali Al Harthi",
     "+96871234567", None),
    (HINAI, "company", None, "1234567", "شركة الهنائي للتجارة", "Al Hinai Trading LLC",
     "+96899887766", "مصطفى بن خالد الهنائي"),
    # a civil number that is also someone's mobile number, digit for digit
    (LAILA, "individual", "99887766", None, "ليلى بنت يحيى الكندي", "Laila bint Yahya Al Kindi",
     "+96872223333", None),
    (ABDULLAH, "individual", "23456789", None, "عبد الله بن عيسى العبري",
     "Abdullah bin Issa Al Abri", "+96893334444", None),
    (MOHAMMED, "individual", "34567890", None, "مُحَمَّد بن عبدالله الرواحي",
     "Mohammed bin Abdullah Al Rawahi", "+96894445555", None),
]  # fmt: skip

_INSERT = (
    "INSERT INTO subscribers (account, kind, civil_number, cr_number, name_ar, name_en, mobile,"
    " email, authorised_person, search_text, registered_at, source)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, '2024-01-01T00:00:00.000000Z', 'desk')"
)


def insert(db: Path, rows: list[tuple]) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.executemany(_INSERT, [(*row, search_text_for(row[4], row[5], row[7])) for row in rows])
    conn.close()


def execute(db: Path, sql: str, params: tuple = ()) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(sql, params)
    conn.close()


Search = Callable[..., list[SubscriberRow]]


def _searcher(engine: Engine) -> Search:
    def search(query: str, **kwargs: int) -> list[SubscriberRow]:
        # A fresh read transaction per search, so that writes made in between are seen.
        with engine.connect() as conn:
            return search_subscribers(conn, query, **kwargs)

    return search


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "d.sqlite"
    migrate.upgrade(path)
    insert(path, PEOPLE)
    return path


@pytest.fixture
def engine(db: Path) -> Iterator[Engine]:
    engine = make_engine(db)
    yield engine
    engine.dispose()


@pytest.fixture
def search(engine: Engine) -> Search:
    return _searcher(engine)


def accounts(rows: list[SubscriberRow]) -> list[str]:
    return [row.account for row in rows]


def check_index(db: Path) -> None:
    """FTS5's own check that the index matches the content table row for row."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "INSERT INTO subscriber_search (subscriber_search, rank) VALUES ('integrity-check', 1)"
        )
    conn.close()


# --- identifiers -----------------------------------------------------------------------------


def test_account_number_returns_the_whole_row(search: Search) -> None:
    assert search(AHMED) == [
        SubscriberRow(
            account=AHMED,
            kind="individual",
            civil_number="12345678",
            cr_number=None,
            name_ar="أحمد بن سالم البلوشي",
            name_en="Ahmed bin Salim Al-Balushi",
            mobile="+96891234567",
            email=None,
            authorised_person=None,
        )
    ]


@pytest.mark.parametrize("typed", ["{a}", " {a} ", "{a4} {a4b} {a4c}", "{ar}"])
def test_account_number_typed_or_scanned(search: Search, typed: str) -> None:
    arabic = AHMED.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    query = typed.format(a=AHMED, a4=AHMED[:4], a4b=AHMED[4:8], a4c=AHMED[8:], ar=arabic)
    assert accounts(search(query)) == [AHMED]


def test_account_number_with_wrong_check_digit_finds_nothing(search: Search) -> None:
    wrong = AHMED[:-1] + str((int(AHMED[-1]) + 1) % 10)
    assert search(wrong) == []


@pytest.mark.parametrize(
    "typed", ["+96891234567", "+968 9123 4567", "00968 91234567", "968-9123-4567", "٩١٢٣٤٥٦٧"]
)
def test_mobile(search: Search, typed: str) -> None:
    assert accounts(search(typed)) == [AHMED]


def test_mobile_with_country_code_is_only_a_mobile(search: Search) -> None:
    # 99887766 is Laila's civil number and the company's mobile: +968 says which.
    assert accounts(search("+968 9988 7766")) == [HINAI]


def test_eight_digits_can_be_a_mobile_or_a_civil_number(search: Search) -> None:
    assert sorted(accounts(search("99887766"))) == sorted([HINAI, LAILA])
    assert accounts(search("99887766"))[0] == LAILA  # the identity number first


@pytest.mark.parametrize(
    ("typed", "account"),
    [("12345678", AHMED), ("8765 4321", FATMA), ("١٢٣٤٥٦٧", HINAI), ("1234567", HINAI)],
)
def test_civil_and_cr_numbers(search: Search, typed: str, account: str) -> None:
    assert accounts(search(typed)) == [account]


def test_numbers_match_exactly_not_by_prefix(search: Search) -> None:
    assert search("123456") == []
    assert search("123456789") == []


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "account"),
    [
        ("احمد", AHMED),  # أحمد typed without hamza
        ("أحمد", AHMED),
        ("أحمـــد", AHMED),  # tatweel
        ("أَحْمَد", AHMED),  # harakat
        ("فاطمه", FATMA),  # ta marbuta typed as heh
        ("ليلي", LAILA),  # alef maqsura typed as yeh
        ("محمد", MOHAMMED),  # stored with harakat
        ("بلوشي", AHMED),  # family name without its article
        ("عبدالله العبري", ABDULLAH),  # stored apart, typed joined
        ("عيسى عبد الله", ABDULLAH),
        ("مصطفي", HINAI),  # the company's authorised person
        ("للتجاره", HINAI),
        ("احم", AHMED),  # a prefix, as typed so far
        ("بلو", AHMED),
    ],
)
def test_arabic_names(search: Search, typed: str, account: str) -> None:
    assert accounts(search(typed)) == [account]


@pytest.mark.parametrize(
    ("typed", "account"),
    [
        ("ahmed", AHMED),
        ("AHMED", AHMED),
        ("Ahm", AHMED),
        ("al-balushi", AHMED),
        ("AlBalushi", AHMED),
        ("balu", AHMED),
        ("hinai trading", HINAI),
        ("Fatma Harthi", FATMA),
    ],
)
def test_english_names_ignore_case_and_punctuation(
    search: Search, typed: str, account: str
) -> None:
    assert accounts(search(typed)) == [account]


def test_all_words_must_match_in_any_order(search: Search) -> None:
    assert accounts(search("البلوشي احمد")) == [AHMED]
    assert accounts(search("salim ahmed")) == [AHMED]
    assert accounts(search("سالم بلوشي أحمد")) == [AHMED]
    assert search("ahmed harthi") == []
    assert search("احمد الحارثي") == []


def test_a_word_shared_by_several_names(search: Search) -> None:
    # عبدالله is Abdullah's own name and Mohammed's father's name.
    assert sorted(accounts(search("abdullah"))) == sorted([ABDULLAH, MOHAMMED])


def test_name_not_present(search: Search) -> None:
    assert search("zzyzx") == []
    assert search("خليفة") == []


@pytest.mark.parametrize(
    "typed",
    [
        "AND OR (",
        "ahmed AND",
        "NOT ahmed",
        "ahmed OR fatma",
        "NEAR(ahmed salim)",
        'ahmed"*',
        "ahmed*",
        "^ahmed",
        "-ahmed",
        "search_text:ahmed",
        "{search_text}: ahmed",
        "a' OR 1=1 --",
        "'; DROP TABLE subscribers; --",
        "ah%_%",
        "ahmed\x00salim",
        "\ud800ahmed",
        "(" * 50 + "ahmed",
        "ahmed " * 40,
    ],
)
def test_query_syntax_is_never_interpreted(search: Search, typed: str) -> None:
    rows = search(typed)
    assert all(isinstance(row, SubscriberRow) for row in rows)
    assert search(AHMED)  # the table is still there


def test_operator_words_are_plain_words(search: Search) -> None:
    assert search("ahmed OR fatma") == []  # "or" is a word that must also match
    assert accounts(search("ahmed*")) == [AHMED]


@pytest.mark.parametrize("typed", ["", " ", "a", "م", "7", "ـ", "َ", '"', "*", "( )", "a b"])
def test_too_short(search: Search, typed: str) -> None:
    with pytest.raises(ValidationError) as raised:
        search(typed)
    assert raised.value.code == "query.too_short"
    assert raised.value.params == {"min": 2}


def test_limit_and_order(db: Path, search: Search) -> None:
    many = [
        (
            make_account_number(10_000_000_100 + i),
            "individual",
            str(50_000_000 + i),
            None,
            f"سالم بن {name} الفارسي",
            f"Salim bin X{i} Al Farsi",
            None,
            None,
        )
        for i, name in enumerate(["خالد", "بدر", "ماجد", "أنور", "سعيد", "حمد"] * 5)
    ]
    insert(db, many)
    assert len(search("الفارسي")) == 20
    assert len(search("الفارسي", limit=5)) == 5
    assert len(search("farsi", limit=50)) == 30
    names = [row.name_ar for row in search("الفارسي", limit=50)]
    assert names == sorted(names)


def test_whole_words_and_first_names_rank_first(db: Path, search: Search) -> None:
    insert(
        db,
        [
            (make_account_number(10_000_000_200), "individual", "40000001", None,
             "آمنة بنت أحمد الكندي", "Amna bint Ahmed Al Kindi", None, None),
            (make_account_number(10_000_000_201), "individual", "40000002", None,
             "أحمدي بن سالم الكندي", "Ahmadi bin Salim Al Kindi", None, None),
        ],
    )  # fmt: skip
    rows = search("احمد")
    assert [row.name_ar for row in rows] == [
        "أحمد بن سالم البلوشي",  # whole word, first name
        "آمنة بنت أحمد الكندي",  # whole word
        "أحمدي بن سالم الكندي",  # prefix only
    ]


# --- index maintenance -----------------------------------------------------------------------


def test_update_reindexes_the_row(db: Path, search: Search) -> None:
    new_ar, new_en = "أحمد بن سالم الزدجالي", "Ahmed bin Salim Al Zadjali"
    execute(
        db,
        "UPDATE subscribers SET name_ar = ?, name_en = ?, search_text = ? WHERE account = ?",
        (new_ar, new_en, search_text_for(new_ar, new_en, None), AHMED),
    )
    assert search("البلوشي") == []
    assert search("balushi") == []
    assert accounts(search("الزدجالي")) == [AHMED]
    assert search("zadjali")[0].name_en == new_en
    check_index(db)


def test_update_of_other_columns_keeps_the_row_found(db: Path, search: Search) -> None:
    execute(db, "UPDATE subscribers SET email = 'a@example.om' WHERE account = ?", (AHMED,))
    assert search("البلوشي")[0].email == "a@example.om"
    check_index(db)


def test_upsert_reindexes_the_row(db: Path, search: Search) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            _INSERT + " ON CONFLICT(account) DO UPDATE SET name_en = excluded.name_en,"
            " search_text = excluded.search_text",
            (*PEOPLE[0][:5], "Ahmad Balushi", *PEOPLE[0][6:],
             search_text_for(PEOPLE[0][4], "Ahmad Balushi", None)),
        )  # fmt: skip
    conn.close()
    assert accounts(search("ahmad")) == [AHMED]
    assert search("salim ahmed") == []
    check_index(db)


def test_delete_removes_the_row(db: Path, search: Search) -> None:
    execute(db, "DELETE FROM subscribers WHERE account = ?", (FATMA,))
    assert search("فاطمه") == []
    assert search("fatma") == []
    check_index(db)


def test_rebuild_search_index(db: Path, engine: Engine, search: Search) -> None:
    with engine.begin() as conn:
        rebuild_search_index(conn)
    assert accounts(search("فاطمه")) == [FATMA]
    check_index(db)


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrate.MIGRATIONS))
    return cfg


def test_upgrade_indexes_subscribers_already_present(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite"
    migrate.upgrade(path, "0002")
    insert(path, PEOPLE)
    migrate.upgrade(path)
    assert migrate.current_revision(path) == migrate.head_revision()
    engine = make_engine(path)
    try:
        search = _searcher(engine)
        assert accounts(search("احمد")) == [AHMED]
        assert accounts(search("hinai")) == [HINAI]
    finally:
        engine.dispose()
    check_index(path)


def test_downgrade_drops_index_and_triggers(db: Path) -> None:
    cfg = _alembic_config()
    engine = make_engine(db)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0002")
    finally:
        engine.dispose()
    conn = sqlite3.connect(db)
    left = conn.execute(
        "SELECT name FROM sqlite_master WHERE name LIKE 'subscriber%search%'"
    ).fetchall()
    conn.execute("DELETE FROM subscribers WHERE account = ?", (AHMED,))  # no trigger left
    conn.close()
    assert left == []


# --- property: however a stored name is decorated, its plain spelling finds it ----------------

LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمنهوي"
DECORATIONS = "\u064e\u064f\u0650\u0651\u0652\u0640"
HAMZA_FORMS = {"ا": "أإآ", "ي": "ىئ", "ه": "ة", "و": "ؤ"}


@st.composite
def stored_and_typed(draw: st.DrawFn) -> tuple[str, str]:
    """(a name as stored, with hamza forms and harakat; the name as a clerk types it)."""
    words = draw(
        st.lists(st.text(alphabet=LETTERS + "".join(HAMZA_FORMS), min_size=2, max_size=7),
                 min_size=1, max_size=3)
    )  # fmt: skip
    stored = []
    for word in words:
        chars = []
        for ch in word:
            if ch in HAMZA_FORMS:
                ch = draw(st.sampled_from(ch + HAMZA_FORMS[ch]))
            chars.append(ch + draw(st.text(alphabet=DECORATIONS, max_size=1)))
        stored.append("".join(chars))
    return " ".join(stored), " ".join(reversed(words))


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Engine]]:
    path = tmp_path_factory.mktemp("search") / "d.sqlite"
    migrate.upgrade(path)
    engine = make_engine(path)
    yield path, engine
    engine.dispose()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=stored_and_typed(), number=st.integers(10**10, 10**11 - 1))
def test_plain_spelling_finds_decorated_name(
    shared_db: tuple[Path, Engine], names: tuple[str, str], number: int
) -> None:
    path, engine = shared_db
    stored, typed = names
    account = make_account_number(number)
    execute(path, "DELETE FROM subscribers")
    insert(path, [(account, "individual", None, None, stored, "X", None, None)])
    assert accounts(_searcher(engine)(typed)) == [account]
