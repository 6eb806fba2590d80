"""The error tree shared by every layer.

Every error carries a stable ``code`` (used by the UI, logs, the sync protocol and tests) and the
parameters of its message. The message is an English sentence in the words catalogue
(``words.py``), its Arabic in the catalogue's Arabic file; both take ``{name}`` placeholders.

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

from .words import LANGUAGES, N_, Nn_, plural, text

# code -> English sentence. Placeholders are {name}; never build messages with f-strings. A
# parameter ``x_ar`` given beside ``x`` is what the Arabic sentence shows for ``{x}``.
MESSAGES: dict[str, str] = {
    # printing (the transaction is recorded whatever the printer does)
    "print.not_saved": N_(
        "The receipt could not be saved as a PDF either ({detail}). The transaction is recorded: "
        "print it later from the print queue."
    ),
    # amounts
    "amount.empty": N_("Enter an amount."),
    "amount.invalid": N_("'{text}' is not an amount: use digits and one decimal point."),
    "amount.too_many_decimals": N_("An amount has at most three decimals (baisa)."),
    "amount.negative": N_("The amount cannot be negative."),
    "amount.zero": N_("The amount must be more than zero."),
    "amount.below_minimum": N_("The amount is below the minimum of {limit}."),
    "amount.over_limit": N_("The amount is over the limit of {limit}."),
    # identifiers
    "civil_number.invalid": N_("A civil number has {min}-{max} digits."),
    "cr_number.invalid": N_("A commercial registration number has {min}-{max} digits."),
    "mobile.invalid": N_("An Omani mobile number has 8 digits and starts with 7 or 9."),
    "plate.invalid": N_("A plate is 1 to 5 digits and one or two letters, for example 12345 AB."),
    "plate.unknown_letter": N_("'{letter}' is not a plate letter."),
    "account.invalid": N_("An e-Rial account number has {length} digits."),
    "account.check_digit": N_("This account number is mistyped (check digit does not match)."),
    "pin.invalid": N_("A PIN has {min} to {max} digits."),
    "name.required": N_("Enter the name in Arabic and English."),
    "denomination.invalid": N_("{value} is not an Omani note or coin."),
    "count.invalid": N_("A count cannot be negative."),
    "reason.required": N_("Enter a reason."),
    "reason.too_long": N_("A reason has at most {max} characters."),
    "query.too_short": N_("Type at least {min} characters to search."),
    # policy and roles
    "policy.not_allowed": N_("An {office_type} office cannot {action}."),
    "role.not_allowed": N_("Your role ({role}) cannot {action}."),
    "float.exceeded": N_("This top-up would pass the office's top-up float of {limit}."),
    # authentication
    "login.failed": N_("Wrong operator or PIN. Type them again."),
    "login.locked": N_(
        "This operator is locked after repeated wrong PINs. Try again after {until} or ask a "
        "supervisor."
    ),
    "login.inactive": N_("This operator is disabled."),
    "login.wrong_office": N_("This operator does not belong to this office."),
    "login.required": N_("Log in first."),
    "approval.invalid": N_("Supervisor approval failed: wrong supervisor or PIN."),
    "approval.required": N_("This needs a supervisor's approval."),
    "wallet.wrong_pin": N_("Wrong wallet PIN. Ask the customer to type it again."),
    "wallet.locked": N_(
        "Wallet payments are locked after repeated wrong PINs. An internal office can reset "
        "the PIN."
    ),
    "wallet.insufficient": N_("Not enough balance: {balance} available, {needed} needed."),
    "wallet.closed": N_("This e-Rial account is closed."),
    # Central's answers to an office that has not served the subscriber: nothing of the wallet.
    "wallet.refused": N_(
        "The wallet cannot pay: check the account number and the PIN, or ask at a municipality"
        " office."
    ),
    "wallet.short": N_("The wallet's balance does not cover {needed}."),
    # state
    "shift.none_open": N_("Open a shift first."),
    "shift.already_open": N_("A shift is already open on this terminal."),
    "shift.not_yours": N_("The open shift belongs to another operator."),
    "resolution.reason_required": N_("Say why the amount is written off."),
    "shift.variance": N_(
        "The count differs from the expected cash by {variance}; a supervisor must approve."
    ),
    "cash.insufficient": N_("The drawer holds {expected}; a drop of {amount} is more than that."),
    "bill.already_paid": N_("This bill is already paid."),
    "bill.amount_mismatch": N_("The bill amount changed; look it up again."),
    "void.other_shift": N_("Only a transaction of the open shift can be voided."),
    "void.already_voided": N_("This transaction is already voided."),
    "void.not_voidable": N_("This kind of entry cannot be voided."),
    "subscriber.exists": N_("A subscriber with this {field} already exists."),
    "merge.same_account": N_("An account cannot be merged into itself."),
    "merge.unknown_account": N_("An account to merge is not known at central."),
    "merge.closed": N_("One of the two accounts is already closed or merged."),
    "merge.not_same_holder": N_("The two accounts do not share a civil or CR number."),
    "merge.id_not_checked": N_("Check the holder's ID card or CR certificate before merging."),
    # lookups
    "subscriber.not_found": N_("No subscriber found."),
    "bill.not_found": N_("No bill found."),
    "entry.not_found": N_("No such transaction."),
    "operator.not_found": N_("No such operator."),
    "operator.own": N_(
        "A supervisor cannot lock, unlock or reset their own PIN; ask another supervisor."
    ),
    # integrity and configuration
    "journal.broken": N_("The journal is damaged at entry {seq}: {reason}."),
    "journal.append_only": N_("Journal entries cannot be changed or deleted."),
    "encoding.unsupported": N_("Value cannot be encoded canonically: {reason}."),
    "config.no_keyring": N_(
        'No secure key store is available on this machine. Set keyring = "encrypted-file" in '
        "{settings} (a passphrase-protected key file) or install a keyring service."
    ),
    "config.no_passphrase": N_("The encrypted key file needs its passphrase in {variable}."),
    "config.wrong_passphrase": N_("The passphrase does not open the encrypted key file."),
    "config.not_initialised": N_(
        "{path} is not an e-Rial Desk data directory; run 'erial-desk init' first."
    ),
    "config.already_initialised": N_("{path} already holds a terminal; its key is never replaced."),
    "config.key_missing": N_("The terminal's private key is not in the key store ({backend})."),
    "config.invalid_setting": N_("Setting {name} is invalid: {reason}."),
    # central
    "central.unreachable": N_(
        "The central server cannot be reached. The counter keeps working; entries wait here and "
        "are sent when the network is back. If this lasts, check the network cable or Wi-Fi, "
        "then call the municipality's IT team."
    ),
    "central.refused": N_(
        "The central server refused the request: {reason} If it happens again, call the "
        "municipality's IT team."
    ),
    # A sync answer that is not central's (e.g. a café's Wi-Fi sign-in page) or not understood.
    "central.unexpected_answer": N_(
        "Something other than the central server answered ({reason}); the network may need a "
        "sign-in in a web browser. The counter keeps working and retries; if this lasts, call "
        "the municipality's IT team."
    ),
    # The clerk (or the window, at its deadline) gave up waiting for a slow call.
    "operation.cancelled": N_(
        "Cancelled: nothing was recorded at this counter. A wallet charge already sent to the "
        "central server is undone automatically at the next sync."
    ),
    "central.untrusted_certificate": N_(
        "The central server's certificate is not trusted. Check the ca_bundle setting in "
        "settings.toml, or call the municipality's IT team."
    ),
    "enrol.invalid_code": N_(
        "This enrolment code is not valid or was already used. Ask the municipality's IT team "
        "for a new code."
    ),
    "sync.failed": N_(
        "Synchronisation stopped on an unexpected problem; it is written to the desk's log file "
        "and the desk tries again. If this lasts, send the log file to the municipality's IT "
        "team."
    ),
    "reference.unsigned": N_(
        "The {what} does not carry the central server's valid signature (it was changed after "
        "central signed it), so it is not used. Connect to the network and synchronise; if "
        "this stays, call the municipality's IT team."
    ),
    "sync.revoked": N_(
        "Central revoked this terminal's access. Its journal is kept; call the municipality's IT "
        "team."
    ),
    "sync.not_enrolled": N_("This terminal is not enrolled with central: run 'erial-desk enroll'."),
    "sync.wrong_office": N_(
        "The enrolment code is for office {office}, but this terminal was set up for {mine}."
    ),
    "sync.never_synced": N_(
        "Central cannot be reached and this terminal has never synchronised with it."
    ),
    "offline.not_allowed": N_("Offline wallet payment refused: {rule}."),
    # the desk guards itself: key store, journal end, derived tables
    "config.no_os_keyring": N_(
        "This machine has no keyring service to keep the terminal's key ({backend} is not one)."
        " Use the encrypted key file instead: run 'erial-desk init --keyring encrypted-file' with"
        ' its passphrase in {variable} (or set keyring = "encrypted-file" in {settings}), or'
        " install a keyring service."
    ),
    "config.key_mismatch": N_(
        "The private key in the key store ({backend}) is not the key of this terminal's journal."
        " Nothing was sent to central. Call the office's IT: the data directory or the key store"
        " was replaced."
    ),
    "journal.central_ahead": N_(
        "This desk has stopped taking money: central already holds entry {central_seq} from this"
        " terminal, but this desk's journal {found} (entries were lost here, after a crash or"
        " from a restored copy). Do not reinstall or re-enrol the terminal; call the"
        " municipality's e-Rial support or the office's IT."
    ),
    "journal.behind_anchor": N_(
        "This desk has stopped taking money: the key store records entry {anchor_seq} of this"
        " terminal's journal, but the journal {found} (entries were lost, after a crash or from"
        " a restored copy). Call the municipality's e-Rial support or the office's IT."
    ),
    "shift.figures_differ": N_(
        "The shift's figures in the database differ from its journal ({figure}: journal {journal},"
        " database {database}). Nothing was recorded. Call the office's IT to run 'erial-desk"
        " verify-journal' and then 'erial-desk rebuild'."
    ),
    # upgrades of the database by a new version (see store.migrate)
    "upgrade.failed": N_(
        "This version of e-Rial Desk could not upgrade the terminal's database, so it does not"
        " start. The database was left as it was; a copy made before the upgrade is kept at"
        " {backup}. Install the previous version again and call the municipality's IT team."
    ),
    "upgrade.no_copy": N_(
        "Before upgrading the terminal's database this version of e-Rial Desk copies it, but the"
        " copy could not be written in {folder} (the disk may be full). Nothing was changed."
        " Free some disk space and start the desk again, or call the municipality's IT team."
    ),
    "upgrade.unverified": N_(
        "After the upgrade the terminal's journal did not verify, so the upgrade was undone and"
        " e-Rial Desk does not start. The database was left as it was; a copy made before the"
        " upgrade is kept at {backup}. Install the previous version again and call the"
        " municipality's IT team."
    ),
    # the bundle for office PCs carries no central server
    "demo.not_bundled": N_(
        "The demo and the walkthrough need the central server, which the installed e-Rial Desk"
        " does not include. Run them from the source code ('make demo')."
    ),
    "journal.unverified": N_(
        "The journal fails verification: {problem}. Nothing was rebuilt; call the office's IT"
        " ('erial-desk verify-journal' lists what is wrong)."
    ),
}


# Messages whose words depend on a count: code -> (parameter, singular and plural sentences).
# The MESSAGES sentence is for a parameter that is not a count (the count is unknown).
PLURALS: dict[str, tuple[str, tuple[str, str]]] = {
    "login.failed": (
        "left",
        Nn_(
            "Wrong operator or PIN. {count} attempt left.",
            "Wrong operator or PIN. {count} attempts left.",
        ),
    ),
    "wallet.wrong_pin": (
        "left",
        Nn_("Wrong wallet PIN. {count} attempt left.", "Wrong wallet PIN. {count} attempts left."),
    ),
}


def error_message(code: str, lang: str, params: dict[str, Any]) -> str:
    """The sentence of error ``code`` in ``lang`` (English for a language the desk does not
    speak), its parameters filled: the one rendering of an error, at the desk and at central."""
    lang = lang if lang in LANGUAGES else "en"
    if code in PLURALS:
        name, (singular, plural_form) = PLURALS[code]
        value = str(params.get(name, ""))
        if value.isdigit():
            return plural(lang, singular, plural_form, int(value), **params)
    return text(lang, MESSAGES[code], **params)


class DeskError(Exception):
    """Base of every error the desk reports to a person. ``code`` is stable across releases."""

    def __init__(self, code: str, **params: Any) -> None:
        if code not in MESSAGES:
            raise KeyError(f"unknown error code {code!r}")
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        return error_message(self.code, lang, self.params)

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


class Cancelled(DeskError):
    """A slow call was cancelled before it finished (see ``domain.deadline``): whatever it was
    doing left no half-done state; nothing was journaled."""

    def __init__(self, code: str = "operation.cancelled", **params: Any) -> None:
        super().__init__(code, **params)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_cancelled, (self.params, self.code))


def _rebuild_cancelled(params: dict[str, Any], code: str = "operation.cancelled") -> Cancelled:
    return Cancelled(code, **params)
