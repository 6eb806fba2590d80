"""A customer's wallet PIN set anew at an internal office, after the clerk checked the ID.

Central alone holds wallet PINs, so the reset is online only: the customer types the new PIN on
their pad, the desk seals it to central's key bound to the account and this request, and central
checks the office and the operator again before it sets the PIN and lifts the wrong-PIN lock.
The desk then journals that it did so, as a change of the subscriber that carries no PIN.
"""

from __future__ import annotations

from erial_desk.domain.central import Central
from erial_desk.domain.deadline import Deadline, check
from erial_desk.domain.entries import SubscriberUpdated
from erial_desk.domain.identifiers import normalise_account_number, normalise_pin
from erial_desk.domain.pins import pin_reset_context, seal_pin
from erial_desk.domain.policy import Action
from erial_desk.store.journal import new_entry_id

from .central_calls import ask_central
from .parts import Guards, JournalWriter, Reference
from .results import TransactionResult
from .subscribers import SubscriberUseCases

# The journal's note of a reset: the field names what changed at central, never the PIN.
PIN_RESET_CHANGE = "wallet_pin_reset"


class CustomerPinReset:
    """``reset(account, pin)``: the facade's ``reset_customer_pin``."""

    def __init__(
        self,
        guards: Guards,
        writer: JournalWriter,
        reference: Reference,
        central: Central,
        subscribers: SubscriberUseCases,
    ) -> None:
        self._guards = guards
        self._writer = writer
        self._reference = reference
        self._central = central
        self._subscribers = subscribers

    def reset(
        self, account: str, new_pin: str, *, deadline: Deadline | None = None
    ) -> TransactionResult:
        """Set the PIN at central, then journal that it was done. The ``deadline`` can stop it
        until central is asked; that request is not cancelled (a PIN set at central with no
        note in the journal would be half done) and ends by its own timeout."""
        session = self._guards.allow(Action.RESET_CUSTOMER_PIN)
        account = normalise_account_number(account)
        pin = normalise_pin(new_pin, self._reference.policy.pin_length)
        request_id = new_entry_id()  # also the journal entry's id: one name for one reset
        sealing_key = self._subscribers.sealing_key(deadline)
        sealed = seal_pin(sealing_key, pin, pin_reset_context(account, request_id))
        check(deadline)
        ask_central(
            self._central,
            "POST",
            f"/v1/subscribers/{account}/pin",
            json={
                "request_id": request_id,
                "operator_id": session.operator_id,
                "sealed_pin": sealed,
            },
        )
        entry = self._writer.append(
            SubscriberUpdated(account, {PIN_RESET_CHANGE: "central"}), entry_id=request_id
        )
        return TransactionResult(
            entry.entry_id,
            entry.seq,
            self._writer.receipt(entry.seq),
            SubscriberUpdated.TYPE.value,
            entry.envelope["at"],
            0,
            account=account,
        )
