"""The words printed on receipts and documents, in Arabic and English, in one place."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from erial_desk.domain.money import format_amount

from .model import Bi

# Oman keeps UTC+4 all year (no daylight saving): a fixed offset needs no time-zone database,
# which a Windows desk may lack.
MUSCAT = timezone(timedelta(hours=4), "GST")


_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def is_rtl(text: str) -> bool:
    """Whether a text holds right-to-left letters (Arabic): it is then set right to left."""
    return _RTL.search(text) is not None


def local_time(at: str | None = None) -> str:
    """A journal time (UTC, ISO 8601 with Z) as printed: Muscat local time to the second."""
    moment = datetime.now(UTC) if at is None else datetime.fromisoformat(at.replace("Z", "+00:00"))
    return moment.astimezone(MUSCAT).strftime("%Y-%m-%d %H:%M:%S")


# --- header ---------------------------------------------------------------------------------
RECEIPT_NO = Bi("رقم الإيصال", "Receipt no.")
DATE_TIME = Bi("التاريخ", "Date")
PRINTED_AT = Bi("وقت الطباعة", "Printed at")
OFFICE = Bi("المكتب", "Office")
TERMINAL = Bi("المحطة", "Terminal")
OPERATOR = Bi("الموظف", "Operator")
SHIFT = Bi("المناوبة", "Shift")
REPRINTED = Bi("أعيدت طباعته", "Reprinted")

# --- titles ---------------------------------------------------------------------------------
TITLE_TOP_UP = Bi("إيصال شحن رصيد", "Top-up receipt")
TITLE_BILL = Bi("إيصال سداد فاتورة", "Bill payment receipt")
TITLE_WELCOME = Bi("أهلًا بكم في الريال الإلكتروني", "Welcome to e-Rial")
TITLE_VOID = Bi("إشعار إلغاء معاملة", "Void slip")
TITLE_STATEMENT = Bi("كشف حساب مشترك", "Subscriber statement")
TITLE_PERMIT = Bi("متابعة طلب رخصة بناء", "Building permit tracking")
TITLE_X = Bi("تقرير منتصف المناوبة (X)", "Mid-shift report (X)")
TITLE_Z = Bi("تقرير إغلاق المناوبة (Z)", "Shift close report (Z)")
TITLE_SHIFT = Bi("تقرير معاملات المناوبة", "Shift transactions report")
TITLE_TEST = Bi("صفحة اختبار الطابعة", "Printer test page")

# --- fields ---------------------------------------------------------------------------------
ACCOUNT = Bi("رقم الحساب", "Account no.")
SUBSCRIBER = Bi("المشترك", "Subscriber")
KIND = Bi("نوع الاشتراك", "Subscriber type")
CIVIL_NUMBER = Bi("الرقم المدني", "Civil number")
CR_NUMBER = Bi("السجل التجاري", "CR number")
AUTHORISED_PERSON = Bi("المفوض بالتوقيع", "Authorised person")
MOBILE = Bi("الهاتف النقال", "Mobile")
EMAIL = Bi("البريد الإلكتروني", "E-mail")
TOP_UP_AMOUNT = Bi("مبلغ الشحن", "Top-up amount")
BALANCE_AFTER = Bi("الرصيد بعد العملية", "Balance after")
BALANCE_KNOWN = Bi("الرصيد المعروف", "Known balance")
BILL = Bi("الفاتورة", "Bill")
REFERENCE = Bi("المرجع", "Reference")
BILL_AMOUNT = Bi("مبلغ الفاتورة", "Bill amount")
SERVICE_CHARGE = Bi("رسوم الخدمة", "Service charge")
TOTAL = Bi("الإجمالي", "Total")
METHOD = Bi("طريقة الدفع", "Payment method")
STATUS = Bi("الحالة", "Status")
AUTHORISATION = Bi("رقم التفويض", "Authorisation")
VOIDED_RECEIPT = Bi("الإيصال الملغى", "Voided receipt")
VOIDED_TYPE = Bi("نوع المعاملة", "Transaction")
REFUND = Bi("المبلغ المسترد", "Amount reversed")
REASON = Bi("السبب", "Reason")
APPROVED_BY = Bi("بموافقة", "Approved by")
APPLICATION = Bi("رقم الطلب", "Application no.")
STAGE = Bi("مرحلة الطلب", "Stage")
FEE = Bi("الرسوم", "Fee")
FEE_STATUS = Bi("حالة الرسوم", "Fee status")
DESCRIPTION = Bi("البيان", "Description")

METHODS: dict[str, Bi] = {
    "cash": Bi("نقدًا", "Cash"),
    "wallet": Bi("محفظة الريال الإلكتروني", "e-Rial wallet"),
    "office_wallet": Bi("محفظة المكتب", "Office wallet"),
}
SYNC_STATUSES: dict[str, Bi] = {
    "confirmed": Bi("مؤكدة من النظام المركزي", "Confirmed by central"),
    "pending": Bi("بانتظار المزامنة", "Pending sync"),
}
SUBSCRIBER_KINDS: dict[str, Bi] = {
    "individual": Bi("فرد", "Individual"),
    "company": Bi("شركة", "Company"),
}
ENTRY_NAMES: dict[str, Bi] = {
    "top_up": Bi("شحن رصيد", "Top-up"),
    "bill_paid": Bi("سداد فاتورة", "Bill payment"),
    "void": Bi("إلغاء", "Void"),
    "cash_drop": Bi("إيداع نقدي", "Cash drop"),
}
BILL_STATUSES: dict[str, Bi] = {
    "open": Bi("مستحقة", "Due"),
    "paid": Bi("مدفوعة", "Paid"),
}

# --- QR captions and notes ------------------------------------------------------------------
QR_VERIFY = Bi("امسح الرمز للتحقق من الإيصال", "Scan to verify this receipt")
QR_ACCOUNT = Bi("رمز رقم حسابك", "Your account number")
QR_APPLICATION = Bi("رمز رقم الطلب", "Application number")
QR_TEST = Bi("رمز تجريبي: عنوان التحقق من الإيصالات", "Test code: the receipt verification address")
WELCOME_NOTE = Bi(
    "احتفظ برقم حسابك. لا تُطلع أحدًا على رقمك السري، ولا حتى موظفي البلدية.",
    "Keep your account number. Never tell anyone your PIN, not even municipal staff.",
)
PERMIT_NOTE = Bi(
    "تابع طلبك في أي مكتب خدمات بهذا الرقم.",
    "Follow your application at any service office with this number.",
)
STATEMENT_NOTE = Bi(
    "المعاملات المسجلة على هذه المحطة. الكشف الكامل متاح لدى النظام المركزي.",
    "Transactions recorded at this terminal. Central holds the full statement.",
)
VOIDED_MARK = Bi("ملغاة", "voided")
THANKS = Bi("شكرًا لكم", "Thank you")

# --- shift reports --------------------------------------------------------------------------
OPENED = Bi("فتح المناوبة", "Opened")
CLOSED = Bi("إغلاق المناوبة", "Closed")
FLOAT = Bi("الرصيد الافتتاحي", "Opening float")
TOTALS = Bi("الإجماليات", "Totals")
TOP_UPS = Bi("الشحن", "Top-ups")
BILLS_BY = Bi("سداد الفواتير", "Bill payments")
CHARGES = Bi("رسوم الخدمة", "Service charges")
CASH_DROPS = Bi("الإيداعات النقدية", "Cash drops")
VOIDS = Bi("الإلغاءات", "Voids")
EXPECTED_CASH = Bi("النقد المتوقع في الدرج", "Expected cash in drawer")
COUNTED = Bi("النقد المعدود", "Counted cash")
VARIANCE = Bi("الفرق", "Variance")
DRAWER_COUNT = Bi("عد الدرج", "Drawer count")
TRANSACTIONS = Bi("المعاملات", "Transactions")
TIME = Bi("الوقت", "Time")
TYPE = Bi("النوع", "Type")

# --- test page ------------------------------------------------------------------------------
CONNECTION = Bi("الاتصال", "Connection")
TARGET = Bi("الوجهة", "Target")
PROFILE = Bi("طراز الطابعة", "Printer profile")
WIDTH = Bi("العرض", "Width")
CUTTER = Bi("القاطع", "Cutter")
LANGUAGE = Bi("لغة الواجهة", "Interface language")
SAMPLE = Bi(
    "هذا نص عربي للتأكد من اتصال الحروف واتجاه الكتابة من اليمين إلى اليسار.",
    "This English line checks the Latin letters and the digits 0123456789.",
)
YES_NO = {True: Bi("نعم", "yes"), False: Bi("لا", "no")}


def count_label(label: Bi, count: int) -> Bi:
    """``Top-ups (3)``: a label with how many transactions it sums."""
    return Bi(f"{label.ar} ({count})", f"{label.en} ({count})")


# Isolates keep a number left-to-right inside Arabic text: without them the bidi algorithm
# moves a minus sign to the right of the digits ("1.000-").
LRI, PDI = "\u2066", "\u2069"


def amount_parts(baisa: int, lang: str) -> tuple[str, str]:
    """The number and the currency of ``format_amount``: ``("12.500", "ر.ع.")``."""
    number, _, unit = format_amount(baisa, lang).partition(" ")
    return number, unit


def amount_text(baisa: int, lang: str) -> str:
    """An amount as drawn by a renderer that applies the bidi algorithm itself (Qt)."""
    if lang != "ar":
        return format_amount(baisa, lang)
    number, unit = amount_parts(baisa, lang)
    return f"{LRI}{number}{PDI} {unit}"
