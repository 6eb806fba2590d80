"""The offline rule for wallet debits, as card terminals apply floor limits.

When central cannot be reached, a wallet payment may still go through inside four bounds: the
per-transaction cap, the per-wallet daily offline cap, the last known balance minus the debits
still pending at this desk, and the age of that balance. Central settles it at sync.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import PolicyError
from .money import check_amount, format_amount
from .policy import Policy
from .words import N_, text


@dataclass(frozen=True)
class OfflineWalletState:
    known_balance: int | None  # last balance central reported; None when never known here
    balance_age_hours: float | None
    pending_debits: int  # debits made at this desk and not yet confirmed
    offline_today: int  # offline debits from this wallet today at this desk


def check_offline_debit(policy: Policy, amount: int, wallet: OfflineWalletState) -> None:
    """Raise ``PolicyError('offline.not_allowed')`` naming the first rule the debit breaks."""
    check_amount(amount)
    if amount > policy.offline_transaction_cap:
        _refuse(
            N_("over the offline limit per payment of {limit}"),
            policy.offline_transaction_cap,
        )
    if wallet.offline_today + amount > policy.offline_daily_cap_per_wallet:
        _refuse(
            N_("over the daily offline limit of this wallet, {limit}"),
            policy.offline_daily_cap_per_wallet,
        )
    if wallet.known_balance is None or wallet.balance_age_hours is None:
        _refuse(N_("the wallet's balance is not known at this desk"))
    assert wallet.known_balance is not None and wallet.balance_age_hours is not None
    if wallet.balance_age_hours > policy.offline_balance_max_age_hours:
        _refuse(N_("the last known balance is too old"))
    available = wallet.known_balance - wallet.pending_debits
    if amount > available:
        _refuse(N_("the last known balance allows {limit}"), max(available, 0))


def _refuse(rule: str, limit: int = 0) -> None:
    """Refuse, naming the broken ``rule`` (a catalogue sentence) in both languages."""
    words = {"limit": format_amount(limit), "limit_ar": format_amount(limit, "ar")}
    raise PolicyError(
        "offline.not_allowed", rule=text("en", rule, **words), rule_ar=text("ar", rule, **words)
    )
