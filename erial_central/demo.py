"""Demo data for central: Muscat-like offices, operators of each role, subscribers with Arabic and
English names, and municipal bills of every kind. ``generate_subscribers`` makes large volumes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, insert, select

from erial_desk.domain import demo_records
from erial_desk.domain.clock import now_stamp
from erial_desk.domain.identifiers import PLATE_LETTERS, make_account_number
from erial_desk.domain.pins import hash_pin
from erial_desk.domain.policy import FeeCatalogue, Office, OfficeType, Policy, Role

from . import admin
from .ledger import BANK, Ledger, Transfer, wallet
from .models import bills, offices, subscribers

MORE_OFFICES = (
    Office(
        "MCT-SEEB",
        "Seeb Directorate counter",
        "مكتب خدمات المديرية العامة بالسيب",
        OfficeType.INTERNAL,
    ),
    Office(
        "MCT-MUTRAH",
        "Mutrah Directorate counter",
        "مكتب خدمات المديرية العامة بمطرح",
        OfficeType.INTERNAL,
    ),
    Office(
        "CAFE-KHUWAIR",
        "Al Khuwair Net Centre",
        "مركز الخوير للإنترنت",
        OfficeType.EXTERNAL,
        top_up_authorised=True,
        top_up_float_limit=500_000,
    ),
)

MALE = [
    "محمد",
    "أحمد",
    "سالم",
    "خالد",
    "سعيد",
    "علي",
    "حمد",
    "يوسف",
    "عبدالله",
    "ناصر",
    "سيف",
    "مازن",
]
MALE_EN = [
    "Mohammed",
    "Ahmed",
    "Salim",
    "Khalid",
    "Saeed",
    "Ali",
    "Hamad",
    "Yousuf",
    "Abdullah",
    "Nasser",
    "Saif",
    "Mazin",
]
FEMALE = ["فاطمة", "عائشة", "مريم", "زينب", "نورة", "خديجة", "أسماء", "هدى", "سلمى", "ليلى"]
FEMALE_EN = [
    "Fatma",
    "Aisha",
    "Maryam",
    "Zainab",
    "Noora",
    "Khadija",
    "Asma",
    "Huda",
    "Salma",
    "Laila",
]
FAMILY = [
    "البلوشي",
    "الحارثي",
    "الرواحي",
    "الهنائي",
    "العامري",
    "السعيدي",
    "الكندي",
    "اللواتي",
    "الشكيلي",
    "المعمري",
    "البوسعيدي",
    "الغافري",
    "الزدجالي",
    "الفارسي",
]
FAMILY_EN = [
    "Al Balushi",
    "Al Harthi",
    "Al Rawahi",
    "Al Hinai",
    "Al Amri",
    "Al Saidi",
    "Al Kindi",
    "Al Lawati",
    "Al Shukaili",
    "Al Maamari",
    "Al Busaidi",
    "Al Ghafri",
    "Al Zadjali",
    "Al Farsi",
]
COMPANY = [
    ("مؤسسة {f} للتجارة", "{f} Trading"),
    ("شركة {f} للمقاولات", "{f} Contracting"),
    ("مطعم {f}", "{f} Restaurant"),
]


def generate_subscribers(count: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """Subscriber records (no PIN verifier) with Omani-style names; deterministic by seed."""
    rng = random.Random(seed)
    used: set[str] = set()
    for i in range(count):
        family = rng.randrange(len(FAMILY))
        while True:
            account = make_account_number(10**10 + rng.randrange(9 * 10**10))
            if account not in used:
                used.add(account)
                break
        if rng.random() < 0.1:
            ar, en = rng.choice(COMPANY)
            yield {
                "account": account,
                "kind": "company",
                "civil_number": None,
                "cr_number": str(1_000_000 + i),
                "name_ar": ar.format(f=FAMILY[family][2:]),
                "name_en": en.format(f=FAMILY_EN[family][3:]),
                "mobile": f"+9689{rng.randrange(10**7):07d}",
                "email": None,
                "authorised_person": f"{MALE[i % len(MALE)]} {FAMILY[family]}",
            }
            continue
        female = rng.random() < 0.45
        first = rng.randrange(len(FEMALE if female else MALE))
        father = rng.randrange(len(MALE))
        name_ar = (
            (FEMALE if female else MALE)[first] + (" بنت " if female else " بن ") + MALE[father]
        )
        name_en = (FEMALE_EN if female else MALE_EN)[first] + " " + MALE_EN[father]
        yield {
            "account": account,
            "kind": "individual",
            "civil_number": str(10_000_000 + i),
            "cr_number": None,
            "name_ar": f"{name_ar} {FAMILY[family]}",
            "name_en": f"{name_en} {FAMILY_EN[family]}",
            "mobile": f"+968{rng.choice('79')}{rng.randrange(10**7):07d}",
            "email": None,
            "authorised_person": None,
        }


def generate_bills(rng: random.Random, count: int) -> Iterator[dict[str, Any]]:
    stages = [
        ("Under technical review", "قيد المراجعة الفنية"),
        ("Approved, fee due", "معتمد، الرسوم مستحقة"),
        ("Site inspection scheduled", "تم تحديد موعد المعاينة"),
    ]
    for i in range(count):
        kind = ("parking", "parking", "lease", "licence", "building_permit")[i % 5]
        if kind == "parking":
            letters = "".join(rng.choice(PLATE_LETTERS)[0] for _ in range(rng.choice((1, 2))))
            subject = f"{rng.randrange(1, 99999)} {letters}"
            ref = f"PV{300000 + i}"
            yield _bill(
                ref,
                kind,
                subject,
                f"Parking violation, plate {subject}",
                f"مخالفة مواقف، لوحة {subject}",
                rng.choice((5, 10, 15, 20)) * 1000,
            )
        elif kind == "lease":
            ref = f"LC{300000 + i}"
            yield _bill(
                ref,
                kind,
                str(10_000_000 + i % 2000),
                f"Lease contract fee {ref}",
                f"رسوم عقد إيجار {ref}",
                rng.randrange(20, 200) * 1000,
            )
        elif kind == "licence":
            ref = f"LI{300000 + i}"
            yield _bill(
                ref,
                kind,
                str(1_000_000 + i % 2000),
                f"Licence renewal {ref}",
                f"تجديد ترخيص {ref}",
                rng.randrange(30, 300) * 1000,
            )
        else:
            ref = f"BP{300000 + i}"
            en, ar = stages[i % 3]
            yield _bill(
                ref,
                kind,
                ref,
                f"Building permit fee, application {ref}",
                f"رسوم رخصة بناء، طلب {ref}",
                rng.randrange(50, 500) * 1000,
                en,
                ar,
            )


def _bill(
    ref: str,
    kind: str,
    subject: str,
    en: str,
    ar: str,
    amount: int,
    detail_en: str = "",
    detail_ar: str = "",
) -> dict[str, Any]:
    return {
        "bill_id": ref.replace("PV", "PV-")
        .replace("LC", "LC-")
        .replace("LI", "LI-")
        .replace("BP", "BP-"),
        "kind": kind,
        "reference": ref,
        "subject": subject,
        "description_en": en,
        "description_ar": ar,
        "amount": amount,
        "status": "open",
        "detail_en": detail_en,
        "detail_ar": detail_ar,
    }


def is_seeded(conn: Connection) -> bool:
    """Whether the demo offices are already in the database (seeding twice would clash)."""
    first = demo_records.OFFICES[0].office_id
    return (
        conn.execute(select(offices.c.office_id).where(offices.c.office_id == first)).first()
        is not None
    )


def seed_demo(conn: Connection, subscribers_count: int = 2000, bills_count: int = 3000) -> None:
    """Offices, operators (demo PINs as in the desk's demo records), subscribers, bills."""
    admin.publish_policy(conn, Policy(), FeeCatalogue())
    for office in demo_records.OFFICES + MORE_OFFICES:
        opening = demo_records.OFFICE_WALLET_OPENING if office.office_type == "external" else 0
        admin.add_office(conn, office, opening)
    hashes = demo_records.operator_pin_hashes()
    for op_id, office_id, name_en, name_ar, role, _pin in demo_records.OPERATORS:
        admin.add_operator(conn, op_id, office_id, name_en, name_ar, role, pin_hash=hashes[op_id])
    extra_pin = hash_pin("4444")
    for office in MORE_OFFICES:
        role = Role.CLERK if office.office_type == "internal" else Role.OPERATOR
        base = office.office_id.split("-")[1].lower()
        admin.add_operator(
            conn,
            f"{base}.clerk",
            office.office_id,
            f"{base.title()} clerk",
            "موظف الخدمة",
            role,
            pin_hash=extra_pin,
        )
        admin.add_operator(
            conn,
            f"{base}.super",
            office.office_id,
            f"{base.title()} supervisor",
            "المشرف",
            Role.SUPERVISOR,
            pin_hash=extra_pin,
        )
    rng = random.Random(11)
    verifier = hash_pin("1234")  # every demo subscriber's wallet PIN is 1234
    ledger = Ledger(conn)
    rows = []
    for record in generate_subscribers(subscribers_count):
        rows.append(
            {
                **record,
                "pin_verifier": verifier,
                "pin_failures": 0,
                "closed": False,
                "registered_at": now_stamp(),
                "registered_by": "demo",
            }
        )
        ledger.note_change("subscriber", record["account"], record)
    conn.execute(insert(subscribers), rows)
    ledger.lock(wallet(r["account"]) for r in rows)
    for record in rows[: subscribers_count // 2]:
        amount = rng.randrange(1, 100) * 1000
        ledger.transfer(
            Transfer("bank_top_up", amount, BANK, wallet(record["account"]), None, now_stamp())
        )
    ledger.flush(now_stamp())
    conn.execute(insert(bills), [dict(b) for b in demo_records_bills()])
    conn.execute(insert(bills), list(generate_bills(rng, bills_count)))


def demo_records_bills() -> Iterator[dict[str, Any]]:
    for bill in demo_records.bills():
        yield {
            "bill_id": bill.bill_id,
            "kind": bill.kind.value,
            "reference": bill.reference,
            "subject": bill.subject,
            "description_en": bill.description_en,
            "description_ar": bill.description_ar,
            "amount": bill.amount,
            "status": bill.status,
            "detail_en": bill.detail_en,
            "detail_ar": bill.detail_ar,
        }
