"""Refusals of the central API: a stable code, an HTTP status, English and Arabic messages.

The sentences are in the desk's words catalogue. Codes shared with the desk (wallet.*, bill.*,
subscriber.*) reuse the desk's messages so the counter shows the same words whichever side
refused.
"""

from __future__ import annotations

from typing import Any

from erial_desk.domain.errors import MESSAGES as DESK_MESSAGES
from erial_desk.domain.errors import error_message
from erial_desk.domain.words import N_, text

CENTRAL_MESSAGES: dict[str, str] = {
    "auth.missing": N_("A credential is required."),
    "auth.invalid": N_("The credential is not valid."),
    "auth.revoked": N_("This terminal's access was revoked."),
    "auth.forbidden": N_("This credential may not do that."),
    "enrol.invalid_code": N_("The enrolment code is not valid or was already used."),
    "enrol.terminal_exists": N_("This terminal id or key is already enrolled."),
    "enrol.bad_key": N_("The public key is not an Ed25519 key."),
    "push.wrong_terminal": N_("A terminal may push only its own journal."),
    "push.too_large": N_("Send at most {limit} entries at once."),
    "bank.bad_signature": N_("The bank's signature does not verify."),
    "bank.conflict": N_("This bank reference was already used for another top-up."),
    "authorisation.conflict": N_("This entry id was already authorised with other values."),
    "authorisation.cancelled": N_("This payment was cancelled by the terminal that asked for it."),
    "authorisation.confirmed": N_(
        "This payment's journal entry has arrived; it can no longer be cancelled."
    ),
    "authorisation.amount": N_("The amount does not match the bill and its service charge."),
    "reversal.not_synced": N_("The top-up to reverse has not reached central yet."),
    "office.not_found": N_("No such office."),
    "terminal.not_found": N_("No such terminal."),
    "request.invalid": N_("The request is not valid: {reason}."),
    "request.too_large": N_("The request is too large: at most {limit} bytes here."),
    "request.not_found": N_("There is nothing at this address."),
    "request.method": N_("This address does not accept that method."),
    "server.busy": N_("Central is busy; please try again."),
    "server.error": N_("Central could not complete the request; it has been logged."),
    "bank.account_closed": N_(
        "This e-Rial account is closed: the top-up was not applied; return it to the payer."
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

    def message(self, lang: str) -> str:
        sentence = CENTRAL_MESSAGES.get(self.code)
        if sentence is not None:
            return text(lang, sentence, **self.params)
        if self.code in DESK_MESSAGES:
            return error_message(self.code, lang, self.params)
        return self.code

    def body(self) -> dict[str, Any]:
        english, arabic = self.message("en"), self.message("ar")
        return {
            "error": {
                "code": self.code,
                "message": english,
                "message_ar": arabic,
                "params": {k: str(v) for k, v in self.params.items()},
            }
        }
