"""One document of every type, built from journal envelopes as the desk writes them."""

from __future__ import annotations

from erial_desk.domain.central import Bill
from erial_desk.domain.chain import build_envelope
from erial_desk.domain.entries import receipt_number
from erial_desk.domain.policy import BillKind, FeeCatalogue
from erial_desk.printing import documents as d
from erial_desk.printing import inputs
from erial_desk.printing.model import Bi, Document, DocumentKind
from erial_desk.services.supervisor import ClerkDay, Figures, OfficeDay, ShiftReview
from erial_desk.services.supervisor_exports import day_report

TERMINAL = "0190a1b2-c3d4-7e5f-8a9b-7f3a21bc0d1e"
CODE = "BC0D1E00"
SHIFT_ID = "0190a1b2-0000-7000-8000-000000000001"
ACCOUNT = "123456789015"
HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
VERIFY = "https://erial.muscat.example"
AT = "2026-11-03T06:05:12.123456Z"


def envelope(entry_type: str, payload: dict, seq: int = 12) -> dict:
    return build_envelope(
        entry_id=f"0190a1b2-0000-7000-8000-{seq:012d}",
        terminal_id=TERMINAL,
        seq=seq,
        at=AT,
        entry_type=entry_type,
        operator="salim",
        policy_version=1,
        catalogue_version=1,
        payload=payload,
        prev="0" * 64,
    )


def context(lang: str, seq: int = 12, **extra) -> inputs.Context:
    values = dict(
        office=Bi("مكتب خدمات بلدية مسقط الرئيسي", "Muscat Municipality HQ counter"),
        terminal=CODE,
        operator=Bi("سالم البلوشي", "Salim Al Balushi"),
        language=lang,
        verify_url=VERIFY,
        entry_hash=HASH,
        receipt=receipt_number(CODE, seq),
        shift=receipt_number(CODE, 1),
        printed_at="2026-11-03T07:30:00.000000Z",
    )
    values.update(extra)
    return inputs.Context(**values)


SUBSCRIBER = Bi("أحمد بن سالم البلوشي", "Ahmed Salim Al Balushi")

TOP_UP = {"shift": SHIFT_ID, "account": ACCOUNT, "amount": 20_500}
BILL_PAID = {
    "shift": SHIFT_ID,
    "bill_kind": "parking",
    "bill_id": "PV-202611020",
    "bill_reference": "PV202611020",
    "amount": 15_000,
    "service_charge": 200,
    "method": "wallet",
    "account": ACCOUNT,
    "sealed_pin": "c2VhbGVk",
    "authorisation": "AU-7781",
    "balance_after": 5_300,
    "status": "confirmed",
}
CASH_BILL = dict(
    BILL_PAID,
    method="cash",
    account=None,
    service_charge=0,
    sealed_pin=None,
    authorisation=None,
    balance_after=None,
    status="pending",
)
REGISTERED = {
    "account": ACCOUNT,
    "kind": "individual",
    "civil_number": "12345678",
    "cr_number": None,
    "name_ar": "أحمد بن سالم البلوشي",
    "name_en": "Ahmed Salim Al Balushi",
    "mobile": "+96891234567",
    "email": None,
    "authorised_person": None,
    "sealed_pin": "c2VhbGVk",
}
VOID = {
    "shift": SHIFT_ID,
    "voids": "0190a1b2-0000-7000-8000-000000000009",
    "reason": "typed 50 instead of 5",
    "approver": "aisha",
    "authorisation": "RV-1",
}
CLOSED = {
    "shift": SHIFT_ID,
    "counted": {"20000": 1, "1000": 4, "500": 1},
    "counted_total": 24_500,
    "expected": 25_500,
    "variance": -1_000,
    "approver": "aisha",
}
PERMIT = Bill(
    bill_id="BP-20260401",
    kind=BillKind.BUILDING_PERMIT,
    reference="BP20260401",
    subject="BP20260401",
    description_en="Building permit fee, application BP20260401",
    description_ar="رسوم رخصة بناء، طلب رقم BP20260401",
    amount=160_000,
    status="open",
    detail_en="Approved, fee due",
    detail_ar="معتمد، الرسوم مستحقة",
)


def figures(lines: int = 6, closed: bool = True) -> inputs.ShiftFigures:
    kinds = [
        ("top_up", "cash", None, 20_500, 0),
        ("bill_paid", "wallet", "PV202611020", 15_000, 200),
        ("bill_paid", "cash", "PV202611021", 10_000, 0),
        ("void", "cash", None, 50_000, 0),
        ("cash_drop", "cash", None, 40_000, 0),
        ("bill_paid", "wallet", "LC5001", 48_500, 300),
    ]
    listing = tuple(
        inputs.ShiftLine(
            at=AT,
            receipt=receipt_number(CODE, 2 + i),
            entry_type=kinds[i % len(kinds)][0],
            method=kinds[i % len(kinds)][1],
            reference=kinds[i % len(kinds)][2],
            amount=kinds[i % len(kinds)][3],
            service_charge=kinds[i % len(kinds)][4],
            voided=i % len(kinds) == 0 and i < len(kinds),
        )
        for i in range(lines)
    )
    return inputs.ShiftFigures(
        opened_at="2026-11-03T04:00:00.000000Z",
        closed_at="2026-11-03T12:00:00.000000Z" if closed else None,
        float_total=46_000,
        top_ups=inputs.Totals(1, 20_500),
        bills={"cash": inputs.Totals(1, 10_000), "wallet": inputs.Totals(2, 63_500, 500)},
        cash_drops=inputs.Totals(1, 40_000),
        voids=inputs.Totals(1, 50_000),
        expected_cash=25_500 if closed else 36_500,
        counted_total=24_500 if closed else None,
        variance=-1_000 if closed else None,
        lines=listing,
    )


def statement_lines() -> list[inputs.StatementLine]:
    return [
        inputs.StatementLine(
            AT,
            receipt_number(CODE, 3),
            "top_up",
            Bi("شحن رصيد", "Top-up"),
            20_500,
            "confirmed",
            False,
        ),
        inputs.StatementLine(
            AT,
            receipt_number(CODE, 4),
            "bill_paid",
            Bi("مخالفة مواقف PV202611020", "Parking violation PV202611020"),
            -15_200,
            "confirmed",
            False,
        ),
        inputs.StatementLine(
            AT, receipt_number(CODE, 7), "top_up", Bi("شحن رصيد", "Top-up"), 50_000, "pending", True
        ),
    ]


def office_day() -> OfficeDay:
    """An office's day as the supervisor's console has it: two clerks, one closed shift."""
    top_ups, bills = Figures(12, 240_000), Figures(9, 185_500, 1_800)
    closed = ShiftReview(
        "shift-1", "terminal-1", "salim", AT, AT, 30_000, top_ups, {"cash": Figures(5, 95_500)},
        {"parking": Figures(5, 95_500)}, 0, 1, Figures(1, 100_000), 335_500, 100_000, 265_000,
        -500, None, True,
    )  # fmt: skip
    return OfficeDay(
        office_id="MCT-HQ",
        day=AT[:10],
        top_ups=top_ups,
        bill_payments=bills,
        cash_drops=Figures(1, 100_000),
        by_service={"parking": Figures(5, 95_500), "lease": Figures(4, 90_000, 1_800)},
        by_method={"cash": Figures(5, 95_500), "wallet": Figures(4, 90_000, 1_800)},
        by_clerk={"salim": ClerkDay(top_ups, Figures(5, 95_500), 100_000)},
        by_terminal={"terminal-1": 427_300},
        by_hour={"08": 120_000, "09": 307_300},
        voids=1,
        refunds_due=0,
        flagged=0,
        shifts=[closed],
    )


def all_documents(lang: str, *, copy: bool = False) -> dict[str, Document]:
    """Every document type in one interface language."""
    subscriber = dict(subscriber=SUBSCRIBER)

    def ctx(**extra) -> inputs.Context:
        return context(lang, copy=copy, **extra)

    docs = {
        "top_up": d.top_up_receipt(
            envelope("top_up", TOP_UP),
            ctx(sync_status="confirmed", balance_after=25_800, **subscriber),
        ),
        "bill_wallet": d.bill_receipt(
            envelope("bill_paid", BILL_PAID),
            ctx(
                sync_status="confirmed",
                service=Bi("مخالفة مواقف", "Parking violation"),
                **subscriber,
            ),
        ),
        "bill_cash": d.bill_receipt(
            envelope("bill_paid", CASH_BILL),
            ctx(sync_status="pending", service=Bi("مخالفة مواقف", "Parking violation")),
        ),
        "welcome": d.welcome_slip(envelope("subscriber_registered", REGISTERED), ctx()),
        "void": d.void_slip(
            envelope("void", VOID),
            ctx(
                sync_status="pending",
                voided=inputs.VoidedEntry(receipt_number(CODE, 9), "top_up", 50_000, 0, "cash"),
                approver=Bi("عائشة الحارثية", "Aisha Al Harthi"),
            ),
        ),
        "statement": d.statement(
            inputs.SubscriberInfo(
                ACCOUNT, SUBSCRIBER, "individual", "12345678", None, "+96891234567", 25_800
            ),
            statement_lines(),
            ctx(),
        ),
        "permit_slip": d.permit_slip(PERMIT, ctx()),
        "x_report": d.x_report(ctx(), figures(closed=False)),
        "z_report": d.z_report(
            envelope("shift_closed", CLOSED, seq=40),
            ctx(seq=40, approver=Bi("عائشة الحارثية", "Aisha Al Harthi")),
            figures(),
        ),
        "shift_report": d.shift_report(ctx(), figures()),
        "day_report": day_report(
            office_day(),
            office=Bi("مكتب خدمات بلدية مسقط الرئيسي", "Muscat Municipality HQ counter"),
            terminal=CODE,
            language=lang,
            printed_at=AT,
            catalogue=FeeCatalogue(),
        ),
        "test_page": d.test_page(
            [(Bi("الاتصال", "Connection"), "pdf"), (Bi("طراز الطابعة", "Printer profile"), "80mm")],
            ctx(),
        ),
    }
    assert {doc.kind for doc in docs.values()} == set(DocumentKind)
    return docs
