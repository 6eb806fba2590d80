"""``python -m bench search [--rows N] [--queries N] [--rebuild]``: subscriber search on N rows.

Builds (once; reused while its inputs are unchanged) a desk database under ``bench/out/`` with N
generated subscribers (default 1,000,000): Omani names in Arabic, with and without hamza and with
ta marbuta written either way, their English transliterations, ~10% companies with CR numbers,
civil numbers, mobiles and valid account numbers. Then times ``search_subscribers`` per query
kind: Arabic and English name fragments, two-word fragments in either order, a variant spelling
typed by the clerk (احمد for أحمد), exact account, civil number and mobile.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from itertools import accumulate
from pathlib import Path

from bench.common import OUT, Metric, median, percentile, report
from erial_desk.domain.arabic import search_text_for
from erial_desk.domain.digits import to_arabic_indic
from erial_desk.domain.identifiers import make_account_number
from erial_desk.store import migrate
from erial_desk.store.engine import make_engine
from erial_desk.store.search import search_subscribers

TARGET_MS = 20.0
SEED = 20240601
BATCH = 50_000

# (Arabic as usually written, English). Weights roughly follow how common the names are.
MALE = [
    ("محمد", "Mohammed", 12),
    ("أحمد", "Ahmed", 6),
    ("سالم", "Salim", 6),
    ("سعيد", "Said", 5),
    ("خالد", "Khalid", 4),
    ("علي", "Ali", 5),
    ("عبدالله", "Abdullah", 5),
    ("عبد الرحمن", "Abdulrahman", 2),
    ("عبدالعزيز", "Abdulaziz", 2),
    ("حمد", "Hamad", 3),
    ("ناصر", "Nasser", 4),
    ("سيف", "Saif", 4),
    ("سليمان", "Sulaiman", 3),
    ("يوسف", "Yousuf", 3),
    ("إبراهيم", "Ibrahim", 3),
    ("حمود", "Hamood", 2),
    ("راشد", "Rashid", 3),
    ("مبارك", "Mubarak", 2),
    ("سعود", "Saud", 2),
    ("فهد", "Fahad", 2),
    ("هلال", "Hilal", 2),
    ("زاهر", "Zaher", 1),
    ("مصطفى", "Mustafa", 1),
    ("عيسى", "Issa", 2),
    ("موسى", "Musa", 1),
    ("يحيى", "Yahya", 2),
    ("طلال", "Talal", 1),
    ("بدر", "Badr", 2),
    ("مازن", "Mazin", 1),
    ("أنور", "Anwar", 1),
    ("إسماعيل", "Ismail", 1),
    ("حمدان", "Hamdan", 1),
    ("جمعة", "Juma", 2),
    ("خميس", "Khamis", 2),
    ("سلطان", "Sultan", 2),
    ("ماجد", "Majid", 2),
    ("هيثم", "Haitham", 1),
    ("أسعد", "Asaad", 1),
    ("عامر", "Amer", 1),
    ("مرهون", "Marhoon", 1),
    ("شبيب", "Shabib", 1),
    ("حارب", "Harib", 1),
    ("نبهان", "Nabhan", 1),
    ("قيس", "Qais", 1),
    ("مالك", "Malik", 1),
    ("عمر", "Omar", 2),
    ("حسن", "Hassan", 2),
    ("حسين", "Hussain", 1),
    ("مهنا", "Muhanna", 1),
    ("بلال", "Bilal", 1),
]
FEMALE = [
    ("فاطمة", "Fatma", 8),
    ("مريم", "Maryam", 6),
    ("عائشة", "Aisha", 5),
    ("خديجة", "Khadija", 4),
    ("زينب", "Zainab", 3),
    ("شيخة", "Shaikha", 3),
    ("موزة", "Moza", 3),
    ("أمل", "Amal", 2),
    ("نورة", "Noora", 3),
    ("ليلى", "Laila", 2),
    ("سلمى", "Salma", 2),
    ("هدى", "Huda", 2),
    ("رقية", "Ruqaya", 1),
    ("بشرى", "Bushra", 1),
    ("منى", "Muna", 2),
    ("أسماء", "Asma", 2),
    ("آمنة", "Amna", 2),
    ("حليمة", "Halima", 1),
    ("سمية", "Sumaya", 1),
    ("وفاء", "Wafa", 1),
    ("ريم", "Reem", 2),
    ("عزة", "Azza", 1),
    ("ثريا", "Thuraya", 1),
    ("بثينة", "Buthaina", 1),
    ("جوخة", "Jokha", 1),
    ("رحمة", "Rahma", 1),
    ("سعاد", "Suad", 1),
    ("نعيمة", "Naima", 1),
    ("أميرة", "Amira", 1),
    ("هاجر", "Hajar", 1),
]
FAMILIES = [
    ("البلوشي", "Al Balushi", 8),
    ("الحارثي", "Al Harthi", 4),
    ("الهنائي", "Al Hinai", 3),
    ("الكندي", "Al Kindi", 3),
    ("البوسعيدي", "Al Busaidi", 3),
    ("الرواحي", "Al Rawahi", 3),
    ("المعمري", "Al Maamari", 3),
    ("الشكيلي", "Al Shukaili", 2),
    ("الغافري", "Al Ghafri", 2),
    ("العبري", "Al Abri", 3),
    ("السيابي", "Al Siyabi", 2),
    ("الريامي", "Al Riyami", 2),
    ("الحبسي", "Al Habsi", 2),
    ("الفارسي", "Al Farsi", 2),
    ("الزدجالي", "Al Zadjali", 2),
    ("اللواتي", "Al Lawati", 2),
    ("المعولي", "Al Mawali", 2),
    ("الوهيبي", "Al Wahaibi", 2),
    ("الجابري", "Al Jabri", 2),
    ("العامري", "Al Amri", 3),
    ("البطاشي", "Al Battashi", 2),
    ("السعدي", "Al Saadi", 3),
    ("المقبالي", "Al Maqbali", 2),
    ("الكلباني", "Al Kalbani", 2),
    ("العلوي", "Al Alawi", 2),
    ("الراشدي", "Al Rashdi", 2),
    ("الحضرمي", "Al Hadhrami", 1),
    ("المحروقي", "Al Mahrouqi", 2),
    ("الهاشمي", "Al Hashmi", 2),
    ("البادي", "Al Badi", 2),
    ("النعماني", "Al Nomani", 1),
    ("الإسماعيلي", "Al Ismaili", 2),
    ("الخروصي", "Al Kharusi", 2),
    ("الندابي", "Al Nadabi", 1),
    ("اليحيائي", "Al Yahyai", 1),
    ("الشيدي", "Al Shidi", 1),
    ("الصوافي", "Al Sawafi", 1),
    ("العجمي", "Al Ajmi", 1),
    ("الرحبي", "Al Rahbi", 1),
    ("الشحي", "Al Shehhi", 2),
    ("المنذري", "Al Mundhiri", 2),
    ("الجهوري", "Al Jahwari", 1),
    ("الحوسني", "Al Hosni", 2),
    ("العريمي", "Al Araimi", 2),
    ("الشعيلي", "Al Shuaili", 1),
    ("المسكري", "Al Maskari", 1),
    ("التوبي", "Al Toobi", 1),
    ("الذهلي", "Al Dhuhli", 1),
    ("الفليتي", "Al Fulaiti", 1),
    ("المشايخي", "Al Mashaikhi", 1),
]
COMPANY_FORMS = [
    ("شركة", "Company", "ش.م.م", "LLC"),
    ("مؤسسة", "Establishment", "", ""),
    ("مجموعة", "Group", "ش.م.ع.م", "SAOC"),
]
ACTIVITIES = [
    ("للتجارة", "Trading"),
    ("للتجارة والمقاولات", "Trading & Contracting"),
    ("للخدمات", "Services"),
    ("للاستثمار", "Investment"),
    ("للنقليات", "Transport"),
    ("للمقاولات الهندسية", "Engineering Contracting"),
    ("للأغذية", "Foodstuff"),
    ("للسفر والسياحة", "Travel & Tourism"),
]

# Spellings that both occur in the records: hamza dropped, ta marbuta written as heh.
_LOOSE = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي"})


class Picker:
    """Weighted choice from one of the name lists, with pre-computed cumulative weights."""

    def __init__(self, rnd: random.Random, items: list[tuple[str, str, int]]) -> None:
        self.rnd = rnd
        self.items = [(ar, en) for ar, en, _ in items]
        self.cum_weights = list(accumulate(w for _, _, w in items))

    def pick(self) -> tuple[str, str]:
        return self.rnd.choices(self.items, cum_weights=self.cum_weights)[0]


def _spell(rnd: random.Random, arabic: str) -> str:
    # A third of the records were typed without hamza / with heh for ta marbuta.
    return arabic.translate(_LOOSE) if rnd.random() < 0.33 else arabic


def _person(
    rnd: random.Random, male: Picker, female: Picker, family: Picker
) -> tuple[str, str, str]:
    """(name_ar, name_en, family name in English)."""
    is_male = rnd.random() < 0.6
    first_ar, first_en = (male if is_male else female).pick()
    father_ar, father_en = male.pick()
    fam_ar, fam_en = family.pick()
    link_ar, link_en = ("بن", "bin") if is_male else ("بنت", "bint")
    parts_ar = [_spell(rnd, first_ar), link_ar, _spell(rnd, father_ar)]
    parts_en = [first_en, link_en, father_en]
    if rnd.random() < 0.5:
        grand_ar, grand_en = male.pick()
        parts_ar += ["بن", _spell(rnd, grand_ar)]
        parts_en += ["bin", grand_en]
    parts_ar.append(fam_ar)
    parts_en.append(fam_en if rnd.random() < 0.8 else fam_en.replace("Al ", "Al-"))
    return " ".join(parts_ar), " ".join(parts_en), fam_en


Row = tuple[str, str, str | None, str | None, str, str, str, str | None, str | None, str, str]


def generate(rows: int, seed: int = SEED) -> Iterator[Row]:
    """Subscriber rows in the column order of ``_INSERT``, accounts ascending."""
    rnd = random.Random(seed)
    male, female, family = Picker(rnd, MALE), Picker(rnd, FEMALE), Picker(rnd, FAMILIES)
    civil = rnd.sample(range(10_000_000, 100_000_000), rows)
    cr = rnd.sample(range(1_000_000, 10_000_000), rows)
    mobiles = rnd.sample(range(0, 20_000_000), rows)
    for i in range(rows):
        account = make_account_number(10**10 + 1_000 + i)
        m = mobiles[i]
        mobile = f"+968{9 if m < 10_000_000 else 7}{m % 10_000_000:07d}"
        at = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T08:00:00.000000Z"
        if rnd.random() < 0.1:
            owner_ar, _, fam_en = _person(rnd, male, female, family)
            form_ar, form_en, suffix_ar, suffix_en = rnd.choice(COMPANY_FORMS)
            act_ar, act_en = rnd.choice(ACTIVITIES)
            fam_ar = owner_ar.split()[-1]
            name_ar = " ".join(p for p in (form_ar, fam_ar, act_ar, suffix_ar) if p)
            name_en = " ".join(p for p in (fam_en, act_en, suffix_en or form_en) if p)
            yield (
                account,
                "company",
                None,
                str(cr[i]),
                name_ar,
                name_en,
                mobile,
                None,
                owner_ar,
                search_text_for(name_ar, name_en, owner_ar),
                at,
            )
        else:
            name_ar, name_en, _ = _person(rnd, male, female, family)
            email = f"user{i}@example.om" if rnd.random() < 0.3 else None
            yield (
                account,
                "individual",
                str(civil[i]),
                None,
                name_ar,
                name_en,
                mobile,
                email,
                None,
                search_text_for(name_ar, name_en, None),
                at,
            )


_INSERT = (
    "INSERT INTO subscribers (account, kind, civil_number, cr_number, name_ar, name_en, mobile,"
    " email, authorised_person, search_text, registered_at, source)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'central')"
)


def _insert(conn: sqlite3.Connection, batch: list[Row]) -> None:
    conn.execute("BEGIN")
    conn.executemany(_INSERT, batch)
    conn.execute("COMMIT")


def _fingerprint(rows: int) -> str:
    """Changes whenever an input of the built database changes: generator, migrations, folds."""
    digest = hashlib.sha256(str(rows).encode())
    root = Path(__file__).resolve().parent.parent / "erial_desk"
    sources = [Path(__file__), root / "domain" / "arabic.py"]
    sources += sorted((root / "store" / "migrations" / "versions").glob("*.py"))
    for source in sources:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:10]


def build(path: Path, rows: int) -> float:
    """Create the database at ``path`` (through a temporary file); seconds taken."""
    started = time.perf_counter()
    tmp = path.with_suffix(".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    migrate.upgrade(tmp)
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        # A throw-away file: durability buys nothing while loading it.
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-400000")
        # Through the migration's triggers, in batches, as a desk fills from the change feed:
        # the index is built incrementally, like the one searched at a counter.
        batch: list[Row] = []
        for row in generate(rows):
            batch.append(row)
            if len(batch) == BATCH:
                _insert(conn, batch)
                batch.clear()
        _insert(conn, batch)
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    tmp.rename(path)
    return time.perf_counter() - started


def _complete(path: Path, rows: int) -> bool:
    if not path.exists() or migrate.current_revision(path) != migrate.head_revision():
        return False
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM subscribers").fetchone()[0] == rows
    finally:
        conn.close()


# --- queries ---------------------------------------------------------------------------------

Sample = tuple[str, str, str | None, str | None, str, str, str]


def _samples(path: Path, count: int, rnd: random.Random) -> list[Sample]:
    conn = sqlite3.connect(path)
    try:
        total = conn.execute("SELECT max(rowid) FROM subscribers").fetchone()[0]
        rowids = rnd.sample(range(1, total + 1), min(count, total))
        return [
            conn.execute(
                "SELECT account, kind, civil_number, cr_number, name_ar, name_en, mobile "
                "FROM subscribers WHERE rowid = ?",
                (r,),
            ).fetchone()
            for r in rowids
        ]
    finally:
        conn.close()


def _variant(word: str) -> str:
    """The spelling a clerk types for a stored word: no hamza, heh for ta marbuta, etc."""
    return word.translate(_LOOSE)


def _arabic_words(s: Sample) -> list[str]:
    # Name words only: not the link words, not abbreviations such as ش.م.م
    return [w for w in s[4].split() if w not in ("بن", "بنت") and "." not in w]


def _arabic_fragment(rnd: random.Random, s: Sample) -> str:
    words = _arabic_words(s)
    word = rnd.choice(words)
    if rnd.random() < 0.4 and len(word) > 4:
        word = word[: rnd.randint(3, len(word) - 1)]  # a prefix, as typed so far
    return word


def _english_words(s: Sample) -> list[str]:
    return [w for w in s[5].replace("-", " ").split() if w.isalpha()]


def _english_fragment(rnd: random.Random, s: Sample) -> str:
    words = [w for w in _english_words(s) if w.lower() not in ("bin", "bint", "al")]
    word = rnd.choice(words)
    if rnd.random() < 0.4 and len(word) > 4:
        word = word[: rnd.randint(3, len(word) - 1)]
    return rnd.choice((word.lower(), word, word.upper()))


def _variant_fragment(rnd: random.Random, s: Sample) -> str:
    words = _arabic_words(s)
    with_hamza = [w for w in words if _variant(w) != w]
    return _variant(rnd.choice(with_hamza or words))


def _two_words(rnd: random.Random, s: Sample) -> str:
    if rnd.random() < 0.5:
        words = _arabic_words(s)
    else:
        words = [w for w in _english_words(s) if w.lower() not in ("bin", "bint", "al")]
    first, last = words[0], words[-1]
    return f"{last} {first}" if rnd.random() < 0.5 else f"{first} {last}"


def _mobile_query(rnd: random.Random, s: Sample) -> str:
    local = s[6][4:]
    style = rnd.randrange(4)
    if style == 0:
        return s[6]
    if style == 1:
        return f"{local[:4]} {local[4:]}"
    if style == 2:
        return f"00968 {local}"
    return to_arabic_indic(local)


def _id_number(s: Sample) -> str:
    return s[2] or s[3] or ""


def _account_query(rnd: random.Random, s: Sample) -> str:
    return to_arabic_indic(s[0]) if rnd.random() < 0.2 else s[0]


NAME_KINDS: dict[str, Callable[[random.Random, Sample], str]] = {
    "arabic_name": _arabic_fragment,
    "english_name": _english_fragment,
    "typed_variant": _variant_fragment,
    "two_words": _two_words,
}
ID_KINDS: dict[str, Callable[[random.Random, Sample], str]] = {
    "account": _account_query,
    "civil_cr": lambda rnd, s: _id_number(s),
    "mobile": _mobile_query,
}


def run_queries(path: Path, per_kind: int) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Milliseconds per query by kind, and how many queries of each kind found nothing."""
    rnd = random.Random(SEED + 1)
    kinds = {**NAME_KINDS, **ID_KINDS}
    samples = _samples(path, per_kind * len(kinds), rnd)
    plan = [
        (kind, make(rnd, samples[i * len(kinds) + k]))
        for k, (kind, make) in enumerate(kinds.items())
        for i in range(per_kind)
    ]
    rnd.shuffle(plan)  # interleaved, as at a counter
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    empty = dict.fromkeys(kinds, 0)
    engine = make_engine(path)
    try:
        with engine.connect() as conn:
            for _, query in plan[:50]:  # warm-up: statement cache, first pages
                search_subscribers(conn, query)
            for kind, query in plan:
                started = time.perf_counter()
                found = search_subscribers(conn, query)
                times[kind].append((time.perf_counter() - started) * 1000)
                if not found:
                    empty[kind] += 1
    finally:
        engine.dispose()
    return times, empty


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench search")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500, help="queries per kind")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    args = parser.parse_args(argv)

    path = OUT / f"search-{args.rows}-{_fingerprint(args.rows)}.sqlite"
    OUT.mkdir(parents=True, exist_ok=True)
    build_s: float | None = None
    if args.rebuild or not _complete(path, args.rows):
        for old in OUT.glob("search-*"):
            old.unlink()
        print(f"building {args.rows:,} subscribers in {path.name} ...", flush=True)
        build_s = build(path, args.rows)
    else:
        print(f"reusing {path.name}")
    conn = sqlite3.connect(path)
    count = conn.execute("SELECT count(*) FROM subscribers").fetchone()[0]
    conn.close()
    print(f"subscribers: {count:,}")

    times, empty = run_queries(path, args.queries)
    names = [t for kind in NAME_KINDS for t in times[kind]]
    ids = [t for kind in ID_KINDS for t in times[kind]]
    metrics = [
        Metric("name_fragment_p95", percentile(names, 95), "ms", TARGET_MS),
        Metric("name_fragment_median", median(names), "ms"),
        Metric("exact_id_p95", percentile(ids, 95), "ms", TARGET_MS),
        Metric("exact_id_median", median(ids), "ms"),
    ]
    for kind in (*NAME_KINDS, *ID_KINDS):
        metrics.append(Metric(f"{kind}_p95", percentile(times[kind], 95), "ms", TARGET_MS))
    for kind in (*NAME_KINDS, *ID_KINDS):
        metrics.append(Metric(f"{kind}_not_found", empty[kind], "queries", 0))
    metrics.append(Metric("rows", count, "rows"))
    if build_s is not None:
        metrics.append(Metric("build_time", build_s, "s"))
    report("search", metrics)
    return 0
