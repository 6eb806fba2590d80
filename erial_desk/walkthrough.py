"""A scripted counter day, printed step by step in Arabic and English.

It runs against the real central, embedded in this process with its demo data. A clerk at an
internal office registers a subscriber, takes a top-up, pays bills by wallet and in cash, is
refused a wrong PIN, voids a top-up with the supervisor's approval, drops cash, closes the
shift, and the journal verifies.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from erial_desk.demo_central import EmbeddedCentral
from erial_desk.domain.errors import DeskError
from erial_desk.domain.money import format_amount
from erial_desk.domain.policy import DENOMINATIONS, BillKind, PaymentMethod
from erial_desk.services import Approval, RegistrationForm, ShiftSummary
from erial_desk.sync.credentials import PASSPHRASE_VARIABLE

T = TypeVar("T")


def _say(en: str, ar: str) -> None:
    print(f"\n▶ {en}\n  {ar}")


def _money(baisa: int) -> str:
    return f"{format_amount(baisa)} / {format_amount(baisa, 'ar')}"


def _expect_refusal(action: Callable[[], T]) -> None:
    try:
        action()
    except DeskError as exc:
        print(f"  refused: {exc.message('en')}\n  رفض: {exc.message('ar')}")
    else:
        raise AssertionError("the walkthrough expected a refusal")


def _print_summary(summary: ShiftSummary) -> None:
    print(f"  float {_money(summary.float_total)}")
    print(f"  top-ups: {summary.top_ups.count} = {_money(summary.top_ups.amount)}")
    for method, totals in sorted(summary.bill_payments.items()):
        print(
            f"  bills by {method}: {totals.count} = {_money(totals.amount)}"
            f" + service charges {_money(totals.service_charge)}"
        )
    print(f"  cash drops: {_money(summary.cash_drops.amount)}; voids: {summary.voids.count}")
    print(f"  expected cash in drawer: {_money(summary.expected_cash)}")
    if summary.counted_total is not None and summary.variance is not None:
        print(f"  counted {_money(summary.counted_total)}, variance {_money(summary.variance)}")


def _count_for(amount: int) -> dict[int, int]:
    """Notes and coins making up ``amount``, largest first, as a drawer would be counted."""
    counts: dict[int, int] = {}
    for denomination in DENOMINATIONS:
        counts[denomination], amount = divmod(amount, denomination)
    return counts


DEMO_PASSPHRASE = "demo passphrase, not for production"


def run_walkthrough(keep: Path | None) -> int:
    chosen = os.environ.get(PASSPHRASE_VARIABLE)
    if not chosen:
        # The demo chooses the encrypted key file explicitly, with a demo passphrase.
        os.environ[PASSPHRASE_VARIABLE] = DEMO_PASSPHRASE
    if keep is not None:
        # Central lives only for the walkthrough; the kept journal verifies without it.
        with tempfile.TemporaryDirectory(prefix="erial-central-demo-") as tmp:
            with EmbeddedCentral(Path(tmp)) as central:
                code = _walk(central, keep)
        # The kept folder's key file opens only with the passphrase: say which one (never
        # one the user chose: that is theirs to remember, not to see printed).
        print(
            f"\nThe demo's data is kept in {keep}; its terminal key is in the encrypted key file."
        )
        if chosen:
            print(f"To open it again, set {PASSPHRASE_VARIABLE} to the passphrase you gave.")
        else:
            print(
                f"To open it again, set {PASSPHRASE_VARIABLE} to the demo passphrase, e.g.\n"
                f"  {PASSPHRASE_VARIABLE}='{DEMO_PASSPHRASE}' erial-desk --data-dir {keep}"
                " verify-journal"
            )
        return code
    with tempfile.TemporaryDirectory(prefix="erial-desk-demo-") as tmp:
        with EmbeddedCentral(Path(tmp) / "central") as central:
            code = _walk(central, Path(tmp) / "desk")
    print(
        "\nThe demo's data and printouts were in a temporary folder, now removed;"
        " 'erial-desk walkthrough --keep DIR' keeps them."
    )
    return code


def _walk(central: EmbeddedCentral, data_dir: Path) -> int:
    _say(
        f"Central runs on {central.base_url}, with its demo data",
        "الخادم المركزي يعمل على هذا الجهاز ببياناته التجريبية",
    )
    _say("A new terminal at Muscat Municipality HQ counter", "محطة جديدة في مكتب خدمات بلدية مسقط")
    desk = central.enrolled_desk(data_dir, "MCT-HQ", keyring="encrypted-file")
    with desk:
        print(
            f"  terminal {desk.terminal_id} enrolled, key in the encrypted key file,"
            f" data in {data_dir}"
        )

        _say("Clerk Salim logs in (demo PIN 1111)", "الموظف سالم يسجل الدخول")
        _expect_refusal(lambda: desk.login("salim", "0000"))
        operator = desk.login("salim", "1111")
        print(f"  welcome {operator.name_en} / {operator.name_ar} ({operator.role})")

        _say("Open the shift with a float of 46.000 OMR", "فتح المناوبة برصيد افتتاحي")
        desk.open_shift({20000: 2, 1000: 5, 500: 2})

        _say(
            "Register a subscriber; the customer types PIN 4321",
            "تسجيل مشترك؛ العميل يدخل رقمه السري",
        )
        form = RegistrationForm(
            kind="individual",
            name_ar="أحمد بن سالم البلوشي",
            name_en="Ahmed Salim Al Balushi",
            mobile="٩١٢٣ ٤٥٦٧",
            civil_number="١٢٣٤٥٦٧٨",
        )
        registered = desk.register_subscriber(form, "4321")
        account = registered.account or ""
        print(f"  account number {account}")
        _expect_refusal(lambda: desk.register_subscriber(form, "4321"))

        _say("Find the subscriber by a name fragment typed without hamza", "البحث بجزء من الاسم")
        for row in desk.find_subscribers("احمد البلوشي"):
            print(f"  {row.account}  {row.name_ar} / {row.name_en}  {row.mobile}")

        _say("Cash top-up of ٢٠٫٥٠٠ typed in Arabic digits", "شحن نقدي بالأرقام العربية")
        _expect_refusal(lambda: desk.top_up(account, "20.5005"))
        topup = desk.top_up(account, "٢٠٫٥٠٠")
        print(
            f"  receipt {topup.receipt}: {_money(topup.amount)},"
            f" balance {_money(topup.balance_after or 0)}"
        )
        # The counter never waits for the network: the registration and the top-up are
        # journaled here and sent by a sync round, which the wallet payment below relies on.
        _say("The sync round sends both to central", "جولة المزامنة ترسلهما إلى المركز")
        desk.sync_once()

        _say(
            "Parking violations of plate 777 MM, typed in Arabic", "مخالفات المواقف للوحة بالعربية"
        )
        bills = desk.find_bills(BillKind.PARKING, "٧٧٧ م م")
        for bill in bills:
            print(
                f"  {bill.reference}: {bill.description_en}  {_money(bill.amount)} [{bill.status}]"
            )

        _say("Pay the first from the wallet: a wrong PIN, then the right one", "الدفع من المحفظة")
        _expect_refusal(
            lambda: desk.pay_bill(
                bills[0], PaymentMethod.WALLET, account=account, customer_pin="1111"
            )
        )
        paid = desk.pay_bill(bills[0], PaymentMethod.WALLET, account=account, customer_pin="4321")
        print(
            f"  receipt {paid.receipt}: {_money(paid.amount)} + service charge"
            f" {_money(paid.service_charge)} = {_money(paid.total)}; balance"
            f" {_money(paid.balance_after or 0)} [{paid.status}]"
        )
        _expect_refusal(
            lambda: desk.pay_bill(
                bills[0], PaymentMethod.WALLET, account=account, customer_pin="4321"
            )
        )

        _say("A walk-in customer pays the second in cash", "عميل غير مشترك يدفع نقدًا")
        cash = desk.pay_bill(bills[1], PaymentMethod.CASH)
        print(f"  receipt {cash.receipt}: {_money(cash.total)} [{cash.status}]")

        _say(
            "A top-up typed wrong is voided with supervisor Aisha's PIN",
            "إلغاء شحن بموافقة المشرفة",
        )
        wrong = desk.top_up(account, 50_000)
        _expect_refusal(lambda: desk.void(wrong.entry_id, "typed 50 instead of 5", None))
        void = desk.void(wrong.entry_id, "typed 50 instead of 5", Approval("aisha", "9999"))
        print(f"  void receipt {void.receipt} reverses {wrong.receipt}")

        _say("Cash drop of 40.000 OMR to the safe", "إيداع نقدي في الخزنة")
        desk.cash_drop({20000: 2}, Approval("aisha", "9999"), "Too much cash in the drawer")

        _say("Mid-shift X report", "تقرير منتصف المناوبة")
        _print_summary(desk.shift_summary())

        _say("Close the shift: the drawer is counted", "إغلاق المناوبة وعد الدرج")
        expected = desk.shift_summary().expected_cash
        print(f"  expected {_money(expected)}; the count is 1.000 OMR short")
        counted = _count_for(expected - 1000)
        _expect_refusal(lambda: desk.close_shift(counted))
        closed = desk.close_shift(counted, Approval("aisha", "9999"))
        _say("Z report", "تقرير الإغلاق")
        _print_summary(closed)

        _say(
            "Receipts go to the printer after each commit (here: PDF files, no thermal printer)",
            "تُطبع الإيصالات بعد حفظ كل معاملة (هنا: ملفات PDF لعدم وجود طابعة حرارية)",
        )
        jobs = desk.print_pending()
        printed = [job for job in jobs if job.state == "printed"]
        print(f"  {len(printed)} of {len(jobs)} documents printed")
        if printed:
            print(f"  the last one: {printed[-1].output}")
        totals = desk.shift_totals_pdf()
        print(f"  Z report as A4 PDF: {totals}")

        _say("Verify the signed journal and export it", "التحقق من السجل الموقع وتصديره")
        checked, broken = desk.verify_journal()
        print(f"  {checked} entries verified; broken: {broken}")
        out = io.StringIO()
        print(f"  {desk.export_journal(out)} entries exported as JSON lines")

        _say("Send the journal to central", "إرسال السجل إلى المركز")
        desk.sync_once()
        counts = desk.outbox_counts()
        print(
            f"  sent to central and applied: {counts.get('applied', 0)};"
            f" waiting: {counts.get('pending', 0)}"
        )
        return 0 if broken is None else 3
