"""Demo offices, operators and municipal bills: the seed of the demo central.

Names and places are Muscat-like; numbers are made up. Operator PINs are printed by the demo
walkthrough so a newcomer can log in; they are demo values only.
"""

from __future__ import annotations

from functools import cache

from erial_desk.domain.central import Bill
from erial_desk.domain.pins import hash_pin
from erial_desk.domain.policy import BillKind, Office, OfficeType, Role

OFFICES: tuple[Office, ...] = (
    Office(
        "MCT-HQ",
        "Muscat Municipality HQ counter",
        "مكتب خدمات بلدية مسقط الرئيسي",
        OfficeType.INTERNAL,
    ),
    Office(
        "MCT-BWR",
        "Bawshar Directorate counter",
        "مكتب خدمات المديرية العامة ببوشر",
        OfficeType.INTERNAL,
    ),
    Office(
        "CAFE-RUWI",
        "Ruwi Net Café",
        "مقهى روي للإنترنت",
        OfficeType.EXTERNAL,
        top_up_authorised=True,
        top_up_float_limit=1_000_000,
    ),
    Office(
        "CAFE-SEEB",
        "Seeb Services Centre",
        "مركز خدمات السيب",
        OfficeType.EXTERNAL,
        top_up_authorised=False,
    ),
)

# (operator id, office, English name, Arabic name, role, demo PIN)
OPERATORS: tuple[tuple[str, str, str, str, Role, str], ...] = (
    ("salim", "MCT-HQ", "Salim Al Balushi", "سالم البلوشي", Role.CLERK, "1111"),
    ("aisha", "MCT-HQ", "Aisha Al Harthi", "عائشة الحارثية", Role.SUPERVISOR, "9999"),
    ("yousuf", "MCT-BWR", "Yousuf Al Rawahi", "يوسف الرواحي", Role.CLERK, "1212"),
    ("maryam", "MCT-BWR", "Maryam Al Hinai", "مريم الهنائية", Role.SUPERVISOR, "9898"),
    ("khalid", "CAFE-RUWI", "Khalid Al Amri", "خالد العامري", Role.OPERATOR, "2222"),
    ("noora", "CAFE-RUWI", "Noora Al Said", "نورة السعيدية", Role.SUPERVISOR, "8888"),
    ("hamad", "CAFE-SEEB", "Hamad Al Kindi", "حمد الكندي", Role.OPERATOR, "3333"),
    ("zainab", "CAFE-SEEB", "Zainab Al Lawati", "زينب اللواتية", Role.SUPERVISOR, "7777"),
)


@cache
def operator_pin_hashes() -> dict[str, str]:
    """Slow hashes of the demo PINs, made once per process (scrypt is slow on purpose)."""
    return {op_id: hash_pin(pin) for op_id, _, _, _, _, pin in OPERATORS}


OFFICE_WALLET_OPENING = 200_000  # baisa in each external office's own wallet at the demo start


def bills() -> list[Bill]:
    result: list[Bill] = []
    plates = ["12345 AB", "4521 R", "777 MM", "30219 SD", "8 A", "60412 KH"]
    for i, plate in enumerate(plates):
        for j in range(1 + i % 3):
            amount = (5 + 5 * ((i + j) % 4)) * 1000
            result.append(
                Bill(
                    bill_id=f"PV-{2026_11_00 + i * 10 + j}",
                    kind=BillKind.PARKING,
                    reference=f"PV{2026_11_00 + i * 10 + j}",
                    subject=plate,
                    description_en=f"Parking violation, Ruwi, plate {plate}",
                    description_ar=f"مخالفة مواقف، روي، لوحة {plate}",
                    amount=amount,
                    status="open",
                )
            )
    for i, civil in enumerate(["12345678", "8765432", "11223344"]):
        result.append(
            Bill(
                bill_id=f"LC-{5000 + i}",
                kind=BillKind.LEASE,
                reference=f"LC{5000 + i}",
                subject=civil,
                description_en=f"Lease contract renewal fee, contract LC{5000 + i}",
                description_ar=f"رسوم تجديد عقد إيجار رقم LC{5000 + i}",
                amount=36_000 + i * 12_500,
                status="open",
            )
        )
    for i, cr in enumerate(["1029384", "1122334"]):
        result.append(
            Bill(
                bill_id=f"LI-{7100 + i}",
                kind=BillKind.LICENCE,
                reference=f"LI{7100 + i}",
                subject=cr,
                description_en=f"Municipal licence renewal, licence LI{7100 + i}",
                description_ar=f"تجديد ترخيص بلدي رقم LI{7100 + i}",
                amount=50_000 + i * 25_000,
                status="open",
            )
        )
    stages = [
        ("Under technical review", "قيد المراجعة الفنية"),
        ("Approved, fee due", "معتمد، الرسوم مستحقة"),
        ("Site inspection scheduled", "تم تحديد موعد المعاينة"),
    ]
    for i, (stage_en, stage_ar) in enumerate(stages):
        result.append(
            Bill(
                bill_id=f"BP-{2026_0400 + i}",
                kind=BillKind.BUILDING_PERMIT,
                reference=f"BP{2026_0400 + i}",
                subject=f"BP{2026_0400 + i}",
                description_en=f"Building permit fee, application BP{2026_0400 + i}",
                description_ar=f"رسوم رخصة بناء، طلب رقم BP{2026_0400 + i}",
                amount=120_000 + i * 40_000,
                status="open",
                detail_en=stage_en,
                detail_ar=stage_ar,
            )
        )
    return result
