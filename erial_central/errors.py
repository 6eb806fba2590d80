"""Refusals of the central API: a stable code, an HTTP status, English and Arabic messages.

Codes shared with the desk (wallet.*, bill.*, subscriber.*) reuse the desk's catalogue so the
counter shows the same words whichever side refused.
"""

from __future__ import annotations

from typing import Any

from erial_desk.domain.errors import MESSAGES as DESK_MESSAGES

CENTRAL_MESSAGES: dict[str, tuple[str, str]] = {
    "auth.missing": ("A credential is required.", "يلزم تقديم بيانات الاعتماد."),
    "auth.invalid": ("The credential is not valid.", "بيانات الاعتماد غير صالحة."),
    "auth.revoked": ("This terminal's access was revoked.", "تم إلغاء صلاحية هذه المحطة."),
    "auth.forbidden": (
        "This credential may not do that.",
        "بيانات الاعتماد هذه لا تسمح بهذا الإجراء.",
    ),
    "enrol.invalid_code": (
        "The enrolment code is not valid or was already used.",
        "رمز التسجيل غير صالح أو مستخدم مسبقًا.",
    ),
    "enrol.terminal_exists": (
        "This terminal id or key is already enrolled.",
        "هذه المحطة أو مفتاحها مسجلة مسبقًا.",
    ),
    "enrol.bad_key": ("The public key is not an Ed25519 key.", "المفتاح العام غير صالح."),
    "push.wrong_terminal": (
        "A terminal may push only its own journal.",
        "يمكن للمحطة إرسال سجلها فقط.",
    ),
    "push.too_large": ("Send at most {limit} entries at once.", "أرسل {limit} قيدًا كحد أقصى."),
    "bank.bad_signature": ("The bank's signature does not verify.", "توقيع البنك غير صحيح."),
    "bank.conflict": (
        "This bank reference was already used for another top-up.",
        "هذا المرجع البنكي مستخدم لعملية أخرى.",
    ),
    "authorisation.conflict": (
        "This entry id was already authorised with other values.",
        "تم اعتماد هذا القيد مسبقًا بقيم مختلفة.",
    ),
    "authorisation.cancelled": (
        "This payment was cancelled by the terminal that asked for it.",
        "ألغت المحطة التي طلبت هذه الدفعة الطلب.",
    ),
    "authorisation.confirmed": (
        "This payment's journal entry has arrived; it can no longer be cancelled.",
        "وصل قيد هذه الدفعة إلى السجل؛ لا يمكن إلغاؤها الآن.",
    ),
    "authorisation.amount": (
        "The amount does not match the bill and its service charge.",
        "المبلغ لا يطابق الفاتورة ورسوم الخدمة.",
    ),
    "reversal.not_synced": (
        "The top-up to reverse has not reached central yet.",
        "عملية الشحن المراد إلغاؤها لم تصل إلى الخادم المركزي بعد.",
    ),
    "office.not_found": ("No such office.", "لا يوجد مكتب بهذا الرمز."),
    "terminal.not_found": ("No such terminal.", "لا توجد محطة بهذا المعرف."),
    "request.invalid": ("The request is not valid: {reason}.", "الطلب غير صالح: {reason}."),
    "request.too_large": (
        "The request is too large: at most {limit} bytes here.",
        "الطلب كبير جدًا: الحد الأقصى هنا {limit} بايت.",
    ),
    "request.not_found": ("There is nothing at this address.", "لا يوجد شيء في هذا العنوان."),
    "request.method": (
        "This address does not accept that method.",
        "هذا العنوان لا يقبل هذه الطريقة.",
    ),
    "server.busy": (
        "Central is busy; please try again.",
        "الخادم المركزي مشغول؛ يرجى المحاولة مرة أخرى.",
    ),
    "server.error": (
        "Central could not complete the request; it has been logged.",
        "تعذر على الخادم المركزي إكمال الطلب؛ تم تسجيل ذلك.",
    ),
    "bank.account_closed": (
        "This e-Rial account is closed: the top-up was not applied; return it to the payer.",
        "حساب الريال الإلكتروني هذا مغلق: لم تُطبّق عملية الشحن؛ أعيدوا المبلغ إلى الدافع.",
    ),
}

# Framework refusals (no route, wrong method, unreadable or oversized body) by HTTP status.
_STATUS_CODES = {404: "request.not_found", 405: "request.method", 413: "request.too_large"}


def error_code_for_status(status: int, detail: str) -> tuple[str, dict[str, Any]]:
    """The stable code (and its parameters) of a refusal the framework made itself."""
    if status in _STATUS_CODES:
        params = {"limit": detail} if status == 413 else {}
        return _STATUS_CODES[status], params
    return "request.invalid", {"reason": detail.rstrip(".").lower() or "unreadable"}


class ApiError(Exception):
    def __init__(self, status: int, code: str, **params: Any) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.params = params

    def body(self) -> dict[str, Any]:
        english, arabic = CENTRAL_MESSAGES.get(code := self.code) or DESK_MESSAGES.get(
            code, (code, code)
        )
        values = {**{f"{k}_ar": v for k, v in self.params.items()}, **self.params}
        try:
            english, arabic = english.format(**values), arabic.format(**values)
        except (KeyError, IndexError):
            pass
        return {
            "error": {
                "code": self.code,
                "message": english,
                "message_ar": arabic,
                "params": {k: str(v) for k, v in self.params.items()},
            }
        }
