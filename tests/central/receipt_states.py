"""Receipts in every state the receipt check page tells apart, made with real entries pushed to
a real central: the page's tests and its browser tests read the same receipts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from erial_desk.domain.clock import stamp
from erial_desk.domain.demo_records import OPERATORS
from erial_desk.domain.entries import receipt_number, receipt_qr, terminal_code
from erial_desk.domain.money import format_plain
from erial_desk.store.journal import AppendedEntry

from .conftest import Central
from .terminal_sim import TerminalSim, random_account


@dataclass(frozen=True)
class Made:
    """A receipt as its QR code names it, and what the test knows of it."""

    url: str
    receipt: str
    state: str
    facts: dict[str, Any]


@dataclass(frozen=True)
class States:
    receipts: dict[str, Made]
    # What no page may show: accounts, civil numbers, the subscribers' and the operators' names
    # (and their ids), a balance.
    private: tuple[str, ...]


def qr_of(central: Central, sim: TerminalSim, entry: AppendedEntry, at: str | None = None) -> str:
    receipt = receipt_number(terminal_code(sim.terminal_id), entry.seq)
    return receipt_qr(central.base_url, receipt, entry.signed.hash, at or entry.envelope["at"])


def made(central: Central, sim: TerminalSim, entry: AppendedEntry, state: str, **facts) -> Made:
    receipt = receipt_number(terminal_code(sim.terminal_id), entry.seq)
    return Made(qr_of(central, sim, entry), receipt, state, facts)


def make_states(central: Central) -> States:
    """One receipt per state (and per reason a reversed one gives), keyed by a short name."""
    sim = central.terminal("MCT-HQ")
    account = sim.register()
    top_up = sim.top_up(account, 12_500)
    poor = sim.register()
    sim.top_up(poor, 1_000)
    poorer = sim.register()
    sim.top_up(poorer, 1_000)
    first = sim.sync()
    assert all(r["status"] == "applied" for r in first.values()), first

    parking = central.bills.take("parking")
    paid = sim.pay(parking, "wallet", account, pin="1234", authorised=True)
    cancelled = sim.top_up(account, 2_000)
    void = sim.void(cancelled.entry_id)
    lease = central.bills.take("lease")
    wrong_pin = sim.pay(lease, "wallet", account, pin="0000")  # offline, found wrong at sync
    stranger = sim.top_up(random_account(), 4_000)  # an account central does not know
    other = central.bills.take("licence")
    below_zero = sim.pay(other, "wallet", poor, pin="1234")  # offline, beyond the balance
    permit = central.bills.take("building_permit")
    reviewed = sim.pay(permit, "wallet", poorer, pin="1234")  # beyond the balance, then voided
    sim.void(reviewed.entry_id)
    results = sim.sync()
    assert results[paid.entry_id]["status"] == "applied", results[paid.entry_id]
    assert results[wrong_pin.entry_id]["status"] == "flagged", results[wrong_pin.entry_id]
    assert results[stranger.entry_id]["status"] == "flagged", results[stranger.entry_id]
    assert results[below_zero.entry_id]["status"] == "flagged", results[below_zero.entry_id]
    assert results[reviewed.entry_id]["status"] == "flagged", results[reviewed.entry_id]

    pending = sim.top_up(account, 3_000)  # written at the counter, not pushed yet
    forged = made(central, sim, top_up, "no_match")
    forged_url = forged.url.replace(f"h={top_up.signed.hash}", "h=" + "0" * 64)

    quiet = central.terminal("MCT-HQ")  # a counter that has been offline for days
    late = quiet.top_up(account, 1_500)
    three_days_ago = stamp(datetime.now(UTC) - timedelta(days=3))

    receipts = {
        "confirmed_top_up": made(central, sim, top_up, "confirmed", amount="12.500"),
        "confirmed_bill": made(
            central,
            sim,
            paid,
            "confirmed",
            amount=parking["amount"],
            reference=parking["reference"],
            plate=parking["subject"],
        ),
        "under_review": made(central, sim, below_zero, "under_review", amount=other["amount"]),
        "reversed_wallet": made(
            central, sim, wrong_pin, "not_valid", reason="wallet_not_confirmed"
        ),
        "reversed_cash": made(central, sim, stranger, "not_valid", reason="cash_due_back"),
        "voided": made(central, sim, cancelled, "voided"),
        "void_slip": made(central, sim, void, "void_slip"),
        "voided_after_review": made(central, sim, reviewed, "voided"),
        "not_received": made(central, sim, pending, "not_received", check_again=True),
        "not_received_late": Made(
            qr_of(central, quiet, late, three_days_ago),
            receipt_number(terminal_code(quiet.terminal_id), late.seq),
            "not_received",
            {"check_again": False},
        ),
        "no_match": Made(forged_url, forged.receipt, "no_match", {}),
    }
    private = (
        account,
        poor,
        account[:8],  # the civil numbers TerminalSim.register gives
        poor[:8],
        "Test subscriber",
        "مشترك تجريبي",
        *[
            name
            for operator_id, _office, name_en, name_ar, *_ in OPERATORS
            if operator_id in (sim.operator, sim.supervisor)
            for name in (operator_id, name_en, name_ar)
        ],
        format_plain(paid.envelope["payload"]["balance_after"]),  # printed on the paper only
    )
    return States(receipts, private)
