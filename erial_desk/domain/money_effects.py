"""What an entry does to money: the one rule that the desk's shift figures and balances,
receipts and statements, and central's ledger all follow.

Three purses can move: the subscriber's wallet, the office's cash drawer, and the office's own
e-Rial wallet (external offices pay walk-in customers' bills from it). A void undoes exactly what
the entry it voids did. Entries that move no money (shifts opening and closing, registrations,
reprints) have no effect; a shift's opening float is counted into the drawer by the shift
itself, not by an entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .entries import EntryType
from .policy import PaymentMethod


@dataclass(frozen=True)
class MoneyEffect:
    """Baisa in (+) or out (-) of each purse."""

    wallet: int = 0  # the subscriber's wallet named by the entry's account
    cash: int = 0  # the office's drawer
    office_wallet: int = 0  # the office's own e-Rial wallet

    def reversed(self) -> MoneyEffect:
        return MoneyEffect(-self.wallet, -self.cash, -self.office_wallet)

    @property
    def moves_money(self) -> bool:
        return bool(self.wallet or self.cash or self.office_wallet)


NO_EFFECT = MoneyEffect()


def money_effect(entry_type: str, payload: Mapping[str, Any]) -> MoneyEffect:
    """The effect of an entry other than a void (see ``void_effect``)."""
    kind = EntryType(entry_type)
    if kind is EntryType.TOP_UP:
        return MoneyEffect(wallet=payload["amount"], cash=payload["amount"])
    if kind is EntryType.CASH_DROP:
        return MoneyEffect(cash=-payload["amount"])
    if kind is EntryType.BILL_PAID:
        total = payload["amount"] + payload["service_charge"]
        method = PaymentMethod(payload["method"])
        if method is PaymentMethod.WALLET:
            return MoneyEffect(wallet=-total)
        if method is PaymentMethod.OFFICE_WALLET:
            return MoneyEffect(office_wallet=-total)
        return MoneyEffect(cash=total)
    if kind is EntryType.VOID:
        raise ValueError("a void's effect depends on the entry it voids: use void_effect")
    return NO_EFFECT


def void_effect(voided_type: str, voided_payload: Mapping[str, Any]) -> MoneyEffect:
    """A void gives back exactly what the voided entry moved."""
    return money_effect(voided_type, voided_payload).reversed()
