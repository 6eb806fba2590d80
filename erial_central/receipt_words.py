"""The receipt check page's sentences: each state's verdict, explanation and colour, and what a
customer is told about a reversed entry. English is the message id; the Arabic is in the words
catalogue, like every sentence a person reads."""

from __future__ import annotations

from dataclasses import dataclass

from erial_desk.domain.words import N_

from .receipt_check import Reason, State


@dataclass(frozen=True)
class Verdict:
    title: str
    explanation: str
    tone: str  # the stylesheet's colour and icon: good, review, bad, void, wait


VERDICTS: dict[State, Verdict] = {
    State.CONFIRMED: Verdict(
        N_("Genuine receipt, confirmed"),
        N_("The municipality's central ledger has received this transaction and confirmed it."),
        "good",
    ),
    State.UNDER_REVIEW: Verdict(
        N_("Received, under review"),
        N_(
            "The municipality has received this transaction and recorded it, and is checking"
            " it. You do not need to do anything unless the office contacts you."
        ),
        "review",
    ),
    State.NOT_VALID: Verdict(
        N_("Not valid: this transaction was reversed"),
        N_("The municipality did not accept this transaction, so it has no effect."),
        "bad",
    ),
    State.VOIDED: Verdict(
        N_("Cancelled: this receipt was voided"),
        N_("The office cancelled this transaction with a void slip, and it has no effect."),
        "void",
    ),
    State.VOID_SLIP: Verdict(
        N_("Genuine void slip"),
        N_("This slip cancels an earlier receipt; the municipality has recorded it."),
        "void",
    ),
    State.NOT_RECEIVED: Verdict(
        N_("Not received yet"),
        N_(
            "The municipality has not received this receipt from the office yet. Offices send"
            " their receipts when their connection allows."
        ),
        "wait",
    ),
    State.NO_MATCH: Verdict(
        N_("Does not match our records"),
        N_(
            "This receipt does not match the municipality's records: it may have been altered"
            " or copied wrongly. Do not rely on it."
        ),
        "bad",
    ),
}

# Why a reversed entry has no effect, as its customer may read it (never a PIN or a wallet's
# state), and what to do about it.
REASONS: dict[Reason, str] = {
    Reason.CASH_DUE_BACK: N_("The office was not allowed to accept this transaction."),
    Reason.ALREADY_PAID: N_("This bill had already been paid by an earlier payment, which stands."),
    Reason.WALLET_NOT_CONFIRMED: N_("The payment from the e-Rial wallet could not be confirmed."),
    Reason.NOT_ACCEPTED: N_("This transaction broke one of the municipality's rules."),
}
CASH_DUE_BACK = N_(
    "The cash you paid is due back to you: take this receipt to the office that issued it."
)
WALLET_NOT_CHARGED = N_("Nothing was taken from the wallet for it, or it was returned.")
BILL_STILL_DUE = N_("The bill is still due: please pay it again.")
ASK_OFFICE = N_("Please ask at the office that issued it.")

# Not received yet.
ISSUED_AT = N_("Issued at")
CHECK_AGAIN = N_("Please check again later.")
LATE = N_(
    "It should have arrived by now: please ask the office that issued it, or report it below."
)

# Links between a void slip and the receipt it cancels.
SEE_VOID_SLIP = N_("See the void slip that cancelled it")
SEE_CANCELLED = N_("See the receipt it cancels")

PAGE_TITLE = N_("Receipt check")
SERVICE = N_("Service")
PLATE = N_("Plate")
REPORT = N_(
    "To report a false receipt, call the municipality on {phone} or visit any municipality office."
)
