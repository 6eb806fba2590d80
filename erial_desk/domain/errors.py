"""The error tree shared by every layer.

Every error carries a stable ``code`` (used by the UI, logs, the sync protocol and tests) and the
parameters of its message. Messages exist in Arabic and English and take ``{name}`` placeholders.

    DeskError
    ├── ValidationError   bad input typed by a clerk or a customer (amount, identifier, PIN)
    ├── PolicyError       an action the policy or the operator's role does not allow
    ├── AuthError         login, PIN, lockout, approval failures
    ├── StateError        the action does not fit the current state (no open shift, bill paid…)
    ├── NotFoundError     a subscriber, bill or entry that does not exist
    ├── IntegrityError    the journal or the database is damaged
    ├── ConfigError       the installation is incomplete (no keyring backend, no terminal key…)
    └── CentralError      the central server refused or cannot be reached
"""

from __future__ import annotations

from typing import Any

# code -> (English, Arabic). Placeholders are {name}; never build messages with f-strings.
MESSAGES: dict[str, tuple[str, str]] = {
    # amounts
    "amount.empty": ("Enter an amount.", "أدخل المبلغ."),
    "amount.invalid": (
        "'{text}' is not an amount: use digits and one decimal point.",
        "‏'{text}' ليس مبلغًا: استخدم الأرقام وفاصلة عشرية واحدة.",
    ),
    "amount.too_many_decimals": (
        "An amount has at most three decimals (baisa).",
        "المبلغ لا يتجاوز ثلاث خانات عشرية (بيسة).",
    ),
    "amount.negative": ("The amount cannot be negative.", "لا يمكن أن يكون المبلغ سالبًا."),
    "amount.zero": ("The amount must be more than zero.", "يجب أن يكون المبلغ أكبر من صفر."),
    "amount.below_minimum": (
        "The amount is below the minimum of {limit}.",
        "المبلغ أقل من الحد الأدنى {limit_ar}.",
    ),
    "amount.over_limit": (
        "The amount is over the limit of {limit}.",
        "المبلغ يتجاوز الحد الأقصى {limit_ar}.",
    ),
    # identifiers
    "civil_number.invalid": (
        "A civil number has {min}-{max} digits.",
        "الرقم المدني يتكون من {min} إلى {max} أرقام.",
    ),
    "cr_number.invalid": (
        "A commercial registration number has {min}-{max} digits.",
        "رقم السجل التجاري يتكون من {min} إلى {max} أرقام.",
    ),
    "mobile.invalid": (
        "An Omani mobile number has 8 digits and starts with 7 or 9.",
        "رقم الهاتف النقال العماني يتكون من 8 أرقام ويبدأ بـ 7 أو 9.",
    ),
    "plate.invalid": (
        "A plate is 1 to 5 digits and one or two letters, for example 12345 AB.",
        "رقم اللوحة من 1 إلى 5 أرقام وحرف أو حرفين، مثل 12345 أ ب.",
    ),
    "plate.unknown_letter": (
        "'{letter}' is not a plate letter.",
        "‏'{letter}' ليس من حروف اللوحات.",
    ),
    "account.invalid": (
        "An e-Rial account number has {length} digits.",
        "رقم حساب الريال الإلكتروني يتكون من {length} رقمًا.",
    ),
    "account.check_digit": (
        "This account number is mistyped (check digit does not match).",
        "رقم الحساب غير صحيح (رقم التحقق لا يطابق).",
    ),
    "pin.invalid": (
        "A PIN has {min} to {max} digits.",
        "الرقم السري يتكون من {min} إلى {max} أرقام.",
    ),
    "name.required": ("Enter the name in Arabic and English.", "أدخل الاسم بالعربية والإنجليزية."),
    "denomination.invalid": (
        "{value} is not an Omani note or coin.",
        "‏{value} ليست من فئات العملة العمانية.",
    ),
    "count.invalid": ("A count cannot be negative.", "لا يمكن أن يكون العدد سالبًا."),
    "reason.required": ("Enter a reason.", "أدخل السبب."),
    "query.too_short": (
        "Type at least {min} characters to search.",
        "اكتب {min} أحرف على الأقل للبحث.",
    ),
    # policy and roles
    "policy.not_allowed": (
        "An {office_type} office cannot {action}.",
        "لا يسمح لمكتب {office_type_ar} بـ {action_ar}.",
    ),
    "role.not_allowed": (
        "Your role ({role}) cannot {action}.",
        "دورك ({role_ar}) لا يسمح بـ {action_ar}.",
    ),
    "float.exceeded": (
        "This top-up would pass the office's top-up float of {limit}.",
        "هذا الشحن يتجاوز حد الشحن المسموح للمكتب {limit_ar}.",
    ),
    # authentication
    "login.failed": (
        "Wrong operator or PIN. {left} attempts left.",
        "اسم المشغل أو الرقم السري غير صحيح. المحاولات المتبقية: {left}.",
    ),
    "login.locked": (
        "This operator is locked after repeated wrong PINs. Try again after {until} or ask a "
        "supervisor.",
        "تم إيقاف هذا المشغل بعد محاولات خاطئة متكررة. حاول بعد {until} أو راجع المشرف.",
    ),
    "login.inactive": ("This operator is disabled.", "هذا المشغل موقوف."),
    "login.wrong_office": (
        "This operator does not belong to this office.",
        "هذا المشغل لا يتبع هذا المكتب.",
    ),
    "login.required": ("Log in first.", "سجّل الدخول أولًا."),
    "approval.invalid": (
        "Supervisor approval failed: wrong supervisor or PIN.",
        "فشلت موافقة المشرف: المشرف أو الرقم السري غير صحيح.",
    ),
    "approval.required": (
        "This needs a supervisor's approval.",
        "هذا الإجراء يحتاج موافقة المشرف.",
    ),
    "wallet.wrong_pin": (
        "Wrong wallet PIN. {left} attempts left.",
        "الرقم السري للمحفظة غير صحيح. المحاولات المتبقية: {left}.",
    ),
    "wallet.locked": (
        "Wallet payments are locked after repeated wrong PINs. An internal office can reset "
        "the PIN.",
        "تم إيقاف الدفع من المحفظة بعد محاولات خاطئة متكررة. يمكن إعادة تعيين الرقم السري في "
        "مكتب داخلي.",
    ),
    "wallet.insufficient": (
        "Not enough balance: {balance} available, {needed} needed.",
        "الرصيد غير كافٍ: المتاح {balance_ar} والمطلوب {needed_ar}.",
    ),
    "wallet.closed": ("This e-Rial account is closed.", "حساب الريال الإلكتروني هذا مغلق."),
    # Central's answers to an office that has not served the subscriber: nothing of the wallet.
    "wallet.refused": (
        "The wallet cannot pay: check the account number and the PIN, or ask at a municipality"
        " office.",
        "لا يمكن الدفع من المحفظة: تحقق من رقم الحساب والرقم السري، أو راجع أحد مكاتب البلدية.",
    ),
    "wallet.short": (
        "The wallet's balance does not cover {needed}.",
        "رصيد المحفظة لا يغطي {needed_ar}.",
    ),
    # state
    "shift.none_open": ("Open a shift first.", "افتح المناوبة أولًا."),
    "shift.already_open": (
        "A shift is already open on this terminal.",
        "توجد مناوبة مفتوحة على هذه المحطة.",
    ),
    "shift.not_yours": (
        "The open shift belongs to another operator.",
        "المناوبة المفتوحة تخص مشغلًا آخر.",
    ),
    "shift.variance": (
        "The count differs from the expected cash by {variance}; a supervisor must approve.",
        "يختلف العد عن النقد المتوقع بمقدار {variance_ar}؛ يلزم موافقة المشرف.",
    ),
    "cash.insufficient": (
        "The drawer holds {expected}; a drop of {amount} is more than that.",
        "الدرج يحتوي على {expected_ar}؛ والإيداع {amount_ar} أكبر من ذلك.",
    ),
    "bill.already_paid": ("This bill is already paid.", "هذه الفاتورة مدفوعة مسبقًا."),
    "bill.amount_mismatch": (
        "The bill amount changed; look it up again.",
        "تغير مبلغ الفاتورة؛ ابحث عنها مرة أخرى.",
    ),
    "void.other_shift": (
        "Only a transaction of the open shift can be voided.",
        "يمكن إلغاء معاملات المناوبة المفتوحة فقط.",
    ),
    "void.already_voided": ("This transaction is already voided.", "هذه المعاملة ملغاة مسبقًا."),
    "void.not_voidable": (
        "This kind of entry cannot be voided.",
        "لا يمكن إلغاء هذا النوع من القيود.",
    ),
    "subscriber.exists": (
        "A subscriber with this {field} already exists.",
        "يوجد مشترك مسجل بهذا {field_ar}.",
    ),
    # lookups
    "subscriber.not_found": ("No subscriber found.", "لم يتم العثور على مشترك."),
    "bill.not_found": ("No bill found.", "لم يتم العثور على فاتورة."),
    "entry.not_found": ("No such transaction.", "لا توجد معاملة بهذا الرقم."),
    "operator.not_found": ("No such operator.", "لا يوجد مشغل بهذا الاسم."),
    # integrity and configuration
    "journal.broken": (
        "The journal is damaged at entry {seq}: {reason}.",
        "السجل تالف عند القيد {seq}: {reason}.",
    ),
    "journal.append_only": (
        "Journal entries cannot be changed or deleted.",
        "لا يمكن تعديل قيود السجل أو حذفها.",
    ),
    "encoding.unsupported": (
        "Value cannot be encoded canonically: {reason}.",
        "لا يمكن ترميز القيمة: {reason}.",
    ),
    "config.no_keyring": (
        'No secure key store is available on this machine. Set keyring = "encrypted-file" in '
        "{settings} (a passphrase-protected key file) or install a keyring service.",
        'لا يوجد مخزن مفاتيح آمن على هذا الجهاز. اضبط keyring = "encrypted-file" في {settings} '
        "(ملف مفاتيح محمي بعبارة مرور) أو ثبّت خدمة مخزن المفاتيح.",
    ),
    "config.no_passphrase": (
        "The encrypted key file needs its passphrase in {variable}.",
        "ملف المفاتيح المشفر يحتاج إلى عبارة المرور في {variable}.",
    ),
    "config.wrong_passphrase": (
        "The passphrase does not open the encrypted key file.",
        "عبارة المرور لا تفتح ملف المفاتيح المشفر.",
    ),
    "config.not_initialised": (
        "{path} is not an e-Rial Desk data directory; run 'erial-desk init' first.",
        "‏{path} ليس مجلد بيانات؛ شغّل 'erial-desk init' أولًا.",
    ),
    "config.already_initialised": (
        "{path} already holds a terminal; its key is never replaced.",
        "‏{path} يحتوي على محطة مسبقًا؛ لا يتم استبدال مفتاحها.",
    ),
    "config.key_missing": (
        "The terminal's private key is not in the key store ({backend}).",
        "المفتاح الخاص للمحطة غير موجود في مخزن المفاتيح ({backend}).",
    ),
    "config.invalid_setting": (
        "Setting {name} is invalid: {reason}.",
        "الإعداد {name} غير صالح: {reason}.",
    ),
    # central
    "central.unreachable": (
        "The central server cannot be reached.",
        "تعذر الاتصال بالخادم المركزي.",
    ),
    "central.refused": ("The central server refused: {reason}.", "رفض الخادم المركزي: {reason}."),
    "sync.revoked": (
        "Central revoked this terminal's access. Its journal is kept; call the municipality's IT "
        "team.",
        "ألغى الخادم المركزي صلاحية هذه المحطة. السجل محفوظ؛ اتصل بقسم تقنية المعلومات بالبلدية.",
    ),
    "sync.not_enrolled": (
        "This terminal is not enrolled with central: run 'erial-desk enroll'.",
        "هذه المحطة غير مسجلة لدى الخادم المركزي: شغّل 'erial-desk enroll'.",
    ),
    "sync.wrong_office": (
        "The enrolment code is for office {office}, but this terminal was set up for {mine}.",
        "رمز التسجيل للمكتب {office}، لكن هذه المحطة مُعدة للمكتب {mine}.",
    ),
    "sync.never_synced": (
        "Central cannot be reached and this terminal has never synchronised with it.",
        "تعذر الوصول إلى الخادم المركزي ولم تتم مزامنة هذه المحطة معه من قبل.",
    ),
    "offline.not_allowed": (
        "Offline wallet payment refused: {rule}.",
        "رُفض الدفع من المحفظة دون اتصال: {rule_ar}.",
    ),
}


class DeskError(Exception):
    """Base of every error the desk reports to a person. ``code`` is stable across releases."""

    def __init__(self, code: str, **params: Any) -> None:
        if code not in MESSAGES:
            raise KeyError(f"unknown error code {code!r}")
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        english, arabic = MESSAGES[self.code]
        template = arabic if lang == "ar" else english
        values = dict(self.params)
        # Arabic templates may name an *_ar variant; fall back to the plain value.
        for key, value in self.params.items():
            values.setdefault(f"{key}_ar", value)
        try:
            return template.format(**values)
        except (KeyError, IndexError):
            return template

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.code, self.params))


def _rebuild(cls: type[DeskError], code: str, params: dict[str, Any]) -> DeskError:
    return cls(code, **params)


class ValidationError(DeskError):
    """Input typed at the counter does not follow a rule; the message names the rule."""


class PolicyError(DeskError):
    """The office type, its authorisations or the operator's role do not allow the action."""


class AuthError(DeskError):
    """Login, PIN, lockout or supervisor approval failed."""


class StateError(DeskError):
    """The action does not fit the current state of the shift, bill or transaction."""


class NotFoundError(DeskError):
    """A subscriber, bill, operator or entry that does not exist."""


class IntegrityError(DeskError):
    """The journal or the database is damaged or was tampered with."""


class ConfigError(DeskError):
    """The installation is incomplete or a setting is wrong."""


class CentralError(DeskError):
    """The central server refused the request or cannot be reached."""


class CentralUnavailable(CentralError):
    """Central cannot be reached now; the offline policy decides what may continue."""

    def __init__(self, **params: Any) -> None:
        super().__init__("central.unreachable", **params)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_unavailable, (self.params,))


def _rebuild_unavailable(params: dict[str, Any]) -> CentralUnavailable:
    return CentralUnavailable(**params)
