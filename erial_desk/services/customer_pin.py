"""A customer's wallet PIN set anew at an internal office, after the clerk checked the ID.

Central alone holds wallet PINs, so the reset is online only: the customer types the new PIN on
their pad, the desk seals it to central's key bound to the account and this request, and central
checks the office and the operator again before it sets the PIN and lifts the wrong-PIN lock.
The desk then journals that it did so, as a change of the subscriber that carries no PIN.
"""

from __future__ import annotations

from erial_desk.domain.entries import SubscriberUpdated
from erial_desk.domain.identifiers import normalise_account_number, normalise_pin
from erial_desk.domain.pins import pin_reset_context, seal_pin
from erial_desk.domain.policy import Action
from erial_desk.store.journal import new_entry_id

from .base import DeskBase
from .central_calls import ask_central
from .results import TransactionResult

# The journal's note of a reset: the field names what changed at central, never the PIN.
PIN_RESET_CHANGE = "wallet_pin_reset"


class CustomerPinReset:
    """``reset(account, pin)`` for the desk it is given (the facade delegates here)."""

    def __init__(self, desk: DeskBase) -> None:
        self.desk = desk

    def reset(self, account: str, new_pin: str) -> TransactionResult:
        desk = self.desk
        session = desk._allow(Action.RESET_CUSTOMER_PIN)
        account = normalise_account_number(account)
        pin = normalise_pin(new_pin, desk.policy.pin_length)
        request_id = new_entry_id()  # also the journal entry's id: one name for one reset
        sealed = seal_pin(desk._sealing(), pin, pin_reset_context(account, request_id))
        ask_central(
            desk.central,
            "POST",
            f"/v1/subscribers/{account}/pin",
            json={
                "request_id": request_id,
                "operator_id": session.operator_id,
                "sealed_pin": sealed,
            },
        )
        entry = desk._append(
            SubscriberUpdated(account, {PIN_RESET_CHANGE: "central"}), entry_id=request_id
        )
        desk._after_commit()
        return TransactionResult(
            entry.entry_id,
            entry.seq,
            desk._receipt(entry.seq),
            SubscriberUpdated.TYPE.value,
            entry.envelope["at"],
            0,
            account=account,
        )
