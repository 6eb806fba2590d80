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
    # printing (the transaction is recorded whatever the printer does)
    "print.not_saved": (
        "The receipt could not be saved as a PDF either ({detail}). The transaction is recorded: "
        "print it later from the print queue.",
        "تعذر حفظ الإيصال بصيغة PDF أيضًا ({detail}). المعاملة مسجلة: "
        "اطبعها لاحقًا من قائمة الطباعة.",
    ),
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
        "Wrong operator or PIN. Type them again.",
        "اسم المشغل أو الرقم السري غير صحيح. أدخلهما مرة أخرى.",
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
        "Wrong wallet PIN. Ask the customer to type it again.",
        "الرقم السري للمحفظة غير صحيح. اطلب من العميل إدخاله مرة أخرى.",
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
        "The central server cannot be reached. The counter keeps working; entries wait here and "
        "are sent when the network is back. If this lasts, check the network cable or Wi-Fi, "
        "then call the municipality's IT team.",
        "تعذر الاتصال بالخادم المركزي. يستمر العمل على المحطة؛ تُحفظ القيود هنا وتُرسل عند عودة "
        "الشبكة. إذا استمر ذلك فتحقق من كابل الشبكة أو الواي فاي ثم اتصل بقسم تقنية المعلومات "
        "بالبلدية.",
    ),
    "central.refused": (
        "The central server refused the request: {reason} If it happens again, call the "
        "municipality's IT team.",
        "رفض الخادم المركزي الطلب: {reason_ar} إذا تكرر ذلك فاتصل بقسم تقنية المعلومات بالبلدية.",
    ),
    # A sync answer that is not central's (e.g. a café's Wi-Fi sign-in page) or not understood.
    "central.unexpected_answer": (
        "Something other than the central server answered ({reason}); the network may need a "
        "sign-in in a web browser. The counter keeps working and retries; if this lasts, call "
        "the municipality's IT team.",
        "أجاب طرف غير الخادم المركزي ({reason})؛ قد تحتاج الشبكة إلى تسجيل الدخول من متصفح "
        "الإنترنت. يستمر العمل على المحطة وتُعاد المحاولة؛ إذا استمر ذلك فاتصل بقسم تقنية "
        "المعلومات بالبلدية.",
    ),
    "central.untrusted_certificate": (
        "The central server's certificate is not trusted. Check the ca_bundle setting in "
        "settings.toml, or call the municipality's IT team.",
        "شهادة الخادم المركزي غير موثوقة. تحقق من الإعداد ca_bundle في settings.toml أو اتصل "
        "بقسم تقنية المعلومات بالبلدية.",
    ),
    "enrol.invalid_code": (
        "This enrolment code is not valid or was already used. Ask the municipality's IT team "
        "for a new code.",
        "رمز التسجيل هذا غير صالح أو استُخدم مسبقًا. اطلب رمزًا جديدًا من قسم تقنية المعلومات "
        "بالبلدية.",
    ),
    "sync.failed": (
        "Synchronisation stopped on an unexpected problem; it is written to the desk's log file "
        "and the desk tries again. If this lasts, send the log file to the municipality's IT "
        "team.",
        "توقفت المزامنة بسبب مشكلة غير متوقعة؛ سُجلت في ملف سجل المحطة وستُعاد المحاولة. إذا "
        "استمر ذلك فأرسل ملف السجل إلى قسم تقنية المعلومات بالبلدية.",
    ),
    "reference.unsigned": (
        "The {what} does not carry the central server's valid signature (it was changed after "
        "central signed it), so it is not used. Connect to the network and synchronise; if "
        "this stays, call the municipality's IT team.",
        "‏{what_ar}: لا تحمل توقيعًا صحيحًا من الخادم المركزي (تم تغييرها بعد توقيعها)، لذلك لا "
        "تُستخدم. اتصل بالشبكة وزامن المحطة؛ إذا استمر ذلك فاتصل بقسم تقنية المعلومات بالبلدية.",
    ),
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
    # the desk guards itself: key store, journal end, derived tables
    "config.no_os_keyring": (
        "This machine has no keyring service to keep the terminal's key ({backend} is not one)."
        " Use the encrypted key file instead: run 'erial-desk init --keyring encrypted-file' with"
        ' its passphrase in {variable} (or set keyring = "encrypted-file" in {settings}), or'
        " install a keyring service.",
        "لا توجد على هذا الجهاز خدمة مخزن مفاتيح لحفظ مفتاح المحطة ({backend} ليست منها)."
        " استخدم ملف المفاتيح المشفر بدلًا منها: شغّل 'erial-desk init --keyring encrypted-file'"
        ' مع عبارة المرور في {variable} (أو اضبط keyring = "encrypted-file" في {settings})،'
        " أو ثبّت خدمة مخزن المفاتيح.",
    ),
    "config.key_mismatch": (
        "The private key in the key store ({backend}) is not the key of this terminal's journal."
        " Nothing was sent to central. Call the office's IT: the data directory or the key store"
        " was replaced.",
        "المفتاح الخاص في مخزن المفاتيح ({backend}) ليس مفتاح سجل هذه المحطة. لم يُرسل شيء إلى"
        " الخادم المركزي. اتصل بقسم تقنية المعلومات في المكتب: تم استبدال مجلد البيانات أو مخزن"
        " المفاتيح.",
    ),
    "journal.central_ahead": (
        "This desk has stopped taking money: central already holds entry {central_seq} from this"
        " terminal, but this desk's journal {found} (entries were lost here, after a crash or"
        " from a restored copy). Do not reinstall or re-enrol the terminal; call the"
        " municipality's e-Rial support or the office's IT.",
        "توقفت هذه المحطة عن قبول المبالغ: الخادم المركزي يحتفظ بالقيد {central_seq} من هذه"
        " المحطة، لكن سجل المحطة {found_ar} (فُقدت قيود هنا بعد عطل أو من نسخة مستعادة). لا تعد"
        " تثبيت المحطة ولا تسجيلها؛ اتصل بدعم الريال الإلكتروني في البلدية أو بقسم تقنية"
        " المعلومات في المكتب.",
    ),
    "journal.behind_anchor": (
        "This desk has stopped taking money: the key store records entry {anchor_seq} of this"
        " terminal's journal, but the journal {found} (entries were lost, after a crash or from"
        " a restored copy). Call the municipality's e-Rial support or the office's IT.",
        "توقفت هذه المحطة عن قبول المبالغ: مخزن المفاتيح يسجل القيد {anchor_seq} من سجل هذه"
        " المحطة، لكن السجل {found_ar} (فُقدت قيود بعد عطل أو من نسخة مستعادة). اتصل بدعم"
        " الريال الإلكتروني في البلدية أو بقسم تقنية المعلومات في المكتب.",
    ),
    "shift.figures_differ": (
        "The shift's figures in the database differ from its journal ({figure}: journal {journal},"
        " database {database}). Nothing was recorded. Call the office's IT to run 'erial-desk"
        " verify-journal' and then 'erial-desk rebuild'.",
        "أرقام الوردية في قاعدة البيانات تختلف عن سجلها ({figure_ar}: السجل {journal_ar}، قاعدة"
        " البيانات {database_ar}). لم يُسجل شيء. اتصل بقسم تقنية المعلومات في المكتب لتشغيل"
        " 'erial-desk verify-journal' ثم 'erial-desk rebuild'.",
    ),
    "journal.unverified": (
        "The journal fails verification: {problem}. Nothing was rebuilt; call the office's IT"
        " ('erial-desk verify-journal' lists what is wrong).",
        "السجل لا يجتاز التحقق: {problem}. لم تتم إعادة البناء؛ اتصل بقسم تقنية المعلومات في"
        " المكتب (الأمر 'erial-desk verify-journal' يبين الخلل).",
    ),
}


# Messages whose words depend on a number: code -> (parameter, English forms, Arabic forms),
# each form keyed by its plural category (see ``plural_category``); the MESSAGES entry is the
# form for a value that is not a number.
PLURALS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    "login.failed": (
        "left",
        {
            "one": "Wrong operator or PIN. 1 attempt left.",
            "other": "Wrong operator or PIN. {left} attempts left.",
        },
        {
            "zero": "اسم المشغل أو الرقم السري غير صحيح. لم تبقَ أي محاولة.",
            "one": "اسم المشغل أو الرقم السري غير صحيح. بقيت محاولة واحدة.",
            "two": "اسم المشغل أو الرقم السري غير صحيح. بقيت محاولتان.",
            "few": "اسم المشغل أو الرقم السري غير صحيح. بقيت {left} محاولات.",
            "other": "اسم المشغل أو الرقم السري غير صحيح. بقيت {left} محاولة.",
        },
    ),
    "wallet.wrong_pin": (
        "left",
        {
            "one": "Wrong wallet PIN. 1 attempt left.",
            "other": "Wrong wallet PIN. {left} attempts left.",
        },
        {
            "zero": "الرقم السري للمحفظة غير صحيح. لم تبقَ أي محاولة.",
            "one": "الرقم السري للمحفظة غير صحيح. بقيت محاولة واحدة.",
            "two": "الرقم السري للمحفظة غير صحيح. بقيت محاولتان.",
            "few": "الرقم السري للمحفظة غير صحيح. بقيت {left} محاولات.",
            "other": "الرقم السري للمحفظة غير صحيح. بقيت {left} محاولة.",
        },
    ),
}


def plural_category(lang: str, count: int) -> str:
    """CLDR plural category of ``count``: English one/other; Arabic zero, one, two, few (3-10),
    many (11-99) and other, the last three read with the forms given (many as other)."""
    if lang != "ar":
        return "one" if count == 1 else "other"
    if count in (0, 1, 2):
        return ("zero", "one", "two")[count]
    return "few" if 3 <= count % 100 <= 10 else "other"


def _template(code: str, lang: str, params: dict[str, Any]) -> str:
    english, arabic = MESSAGES[code]
    if code in PLURALS:
        name, forms_en, forms_ar = PLURALS[code]
        value = str(params.get(name, ""))
        if value.isdigit():
            forms = forms_ar if lang == "ar" else forms_en
            return forms.get(plural_category(lang, int(value)), forms["other"])
    return arabic if lang == "ar" else english


class DeskError(Exception):
    """Base of every error the desk reports to a person. ``code`` is stable across releases."""

    def __init__(self, code: str, **params: Any) -> None:
        if code not in MESSAGES:
            raise KeyError(f"unknown error code {code!r}")
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        template = _template(self.code, lang, self.params)
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

    def __init__(self, code: str = "central.unreachable", **params: Any) -> None:
        super().__init__(code, **params)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_unavailable, (self.params, self.code))


def _rebuild_unavailable(
    params: dict[str, Any], code: str = "central.unreachable"
) -> CentralUnavailable:
    return CentralUnavailable(code, **params)


class JournalStopped(IntegrityError):
    """The desk takes no money: its journal lost entries that central or the key store knew of,
    or its derived tables disagree with the journal. Raised by every money action until an IT
    person resolves it."""
