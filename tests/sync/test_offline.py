"""The offline policy, one rule at a time, against a real central that the fault proxy takes away;
cash always accepted offline; receipts confirmed or pending; PINs sealed; bills cached with their
age; and a desk clock set back that does not change the order central applies entries in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from erial_desk.domain.errors import PolicyError
from erial_desk.domain.money import format_amount
from erial_desk.domain.policy import BillKind, PaymentMethod
from erial_desk.services import Desk

from .conftest import (
    CentralServer,
    assert_exactly_once,
    enrolled_desk,
    find_bill,
    journal_entries,
    start_shift,
    sync_until_done,
)
from .fault_proxy import FaultProxy

WALLET = PaymentMethod.WALLET
PARKING_CHARGE = 200  # the demo catalogue's service charge on a parking fine


def _desk(central: CentralServer, proxy: FaultProxy, path: Path, office: str = "MCT-HQ") -> Desk:
    desk = start_shift(enrolled_desk(central, path, office, url=proxy.url))
    desk.sync_once()
    return desk


def _account_with_balance(central: CentralServer, low: int, high: int) -> tuple[str, int]:
    """A seeded subscriber (PIN 1234) whose wallet holds between ``low`` and ``high`` baisa."""
    for (account,) in central.query(
        "SELECT s.account FROM ledger_accounts a JOIN subscribers s"
        " ON a.account_id = 'wallet:' || s.account WHERE s.registered_by = 'demo'"
        " AND a.balance BETWEEN :l AND :h ORDER BY s.account",
        l=low,
        h=high,
    ):
        if account not in central._used_accounts:
            central._used_accounts.add(account)
            return account, central.wallet(account)
    raise AssertionError("no such subscriber left")


def _parking(central: CentralServer, desk: Desk, *amounts: int) -> list[Any]:
    """Parking fines of these amounts, looked up at the counter while online."""
    found = []
    for amount in amounts:
        (bill,) = central.open_bills(1, "parking", amount)
        found.append(find_bill(desk, bill))
    return found


def _refused_rule(desk: Desk, bill: Any, account: str) -> str:
    before = desk._journal.last()
    with pytest.raises(PolicyError) as err:
        desk.pay_bill(bill, WALLET, account=account, customer_pin="1234")
    assert err.value.code == "offline.not_allowed"
    assert desk._journal.last() == before, "a refused payment writes nothing"
    return str(err.value.params["rule"])


# --- the caps, one by one -------------------------------------------------------------------


def test_offline_cap_per_payment(central: CentralServer, proxy: FaultProxy, tmp_path: Path):
    account, _balance = _account_with_balance(central, 60_000, 99_000)
    with _desk(central, proxy, tmp_path / "desk") as desk:
        fifteen, twenty = _parking(central, desk, 15_000, 20_000)
        proxy.down = True
        rule = _refused_rule(desk, twenty, account)  # 20.200 > 20.000
        assert rule.startswith("over the offline limit per payment of 20.000")
        paid = desk.pay_bill(fifteen, WALLET, account=account, customer_pin="1234")
        assert (paid.status, paid.total) == ("pending", 15_000 + PARKING_CHARGE)
        proxy.down = False
        sync_until_done(desk)
        assert_exactly_once(central, desk)


def test_offline_daily_cap_per_wallet(central: CentralServer, proxy: FaultProxy, tmp_path: Path):
    account, _ = _account_with_balance(central, 60_000, 99_000)
    other, _ = _account_with_balance(central, 10_000, 99_000)
    with _desk(central, proxy, tmp_path / "desk") as desk:
        bills = _parking(central, desk, 15_000, 15_000, 15_000, 5_000, 5_000, 5_000)
        proxy.down = True
        for bill in bills[:3]:
            desk.pay_bill(bill, WALLET, account=account, customer_pin="1234")  # 45.600 in all
        rule = _refused_rule(desk, bills[3], account)  # 45.600 + 5.200 > 50.000
        assert rule.startswith("over the daily offline limit of this wallet, 50.000")
        # The cap is per wallet: another customer still pays.
        desk.pay_bill(bills[4], WALLET, account=other, customer_pin="1234")
        proxy.down = False
        sync_until_done(desk)
        # Synced or not, today's offline debits still count against the wallet's daily cap.
        proxy.down = True
        rule = _refused_rule(desk, bills[5], account)
        assert rule.startswith("over the daily offline limit")
        proxy.down = False
        sync_until_done(desk)
        assert_exactly_once(central, desk)


def test_offline_last_known_balance_minus_pending_debits(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    account, balance = _account_with_balance(central, 11_000, 15_000)
    with _desk(central, proxy, tmp_path / "desk") as desk:
        assert desk.known_balance(account) == balance  # from the feed
        five, ten = _parking(central, desk, 5_000, 10_000)
        proxy.down = True
        desk.pay_bill(five, WALLET, account=account, customer_pin="1234")
        left = balance - 5_200
        assert desk.known_balance(account) == left
        rule = _refused_rule(desk, ten, account)  # 10.200 > what is left
        assert rule == f"the last known balance allows {format_amount(left)}"
        proxy.down = False
        sync_until_done(desk)
        assert central.wallet(account) == left
        assert desk.known_balance(account) == left


def test_offline_balance_unknown_at_this_desk(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    # An external office holds only the subscribers it has served: this one it never has.
    account, _ = _account_with_balance(central, 30_000, 99_000)
    with _desk(central, proxy, tmp_path / "cafe", "CAFE-RUWI") as desk:
        (five,) = _parking(central, desk, 5_000)
        assert desk.known_balance(account) is None
        proxy.down = True
        rule = _refused_rule(desk, five, account)
        assert rule == "the wallet's balance is not known at this desk"


def test_offline_balance_too_old(central: CentralServer, proxy: FaultProxy, tmp_path: Path):
    account, _ = _account_with_balance(central, 30_000, 99_000)
    with _desk(central, proxy, tmp_path / "desk") as desk:
        five, ten = _parking(central, desk, 5_000, 10_000)
        proxy.down = True
        # The last balance central sent is 25 hours old (the cache of the wallets table is
        # aged directly: the feed's own time stamps are central's).
        old = (datetime.now(UTC) - timedelta(hours=25)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        conn = desk._journal.raw_connection()
        with desk._journal.lock:
            conn.execute("UPDATE wallets SET balance_at = ? WHERE account = ?", (old, account))
        assert _refused_rule(desk, five, account) == "the last known balance is too old"
        fresh = (datetime.now(UTC) - timedelta(hours=23)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with desk._journal.lock:
            conn.execute("UPDATE wallets SET balance_at = ? WHERE account = ?", (fresh, account))
        assert desk.pay_bill(ten, WALLET, account=account, customer_pin="1234").status == "pending"
        proxy.down = False
        sync_until_done(desk)
        assert_exactly_once(central, desk)


# --- cash, receipts, PINs ---------------------------------------------------------------------


def test_cash_is_always_accepted_offline_and_receipts_say_pending_then_confirmed(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    account, balance = _account_with_balance(central, 1_000, 99_000)
    (lease,) = central.open_bills(1, "lease")
    with _desk(central, proxy, tmp_path / "desk") as desk:
        big = find_bill(desk, lease)
        cash_before = central.balance("cash:MCT-HQ")
        proxy.down = True
        top_up = desk.top_up(account, 300_000)  # far beyond any offline wallet cap
        bill = desk.pay_bill(big, PaymentMethod.CASH)
        assert (top_up.status, bill.status) == ("pending", "pending")
        assert desk.known_balance(account) == balance + 300_000
        proxy.down = False
        sync_until_done(desk)
        assert (
            desk._reader.central_state(top_up.seq)
            == desk._reader.central_state(bill.seq)
            == "confirmed"
        )
        assert central.wallet(account) == balance + 300_000
        # The office's cash account is where the money came from: it moves by minus the cash.
        assert central.balance("cash:MCT-HQ") == cash_before - 300_000 - big.amount
        # Online, a wallet payment waits for central's answer: confirmed, with the balance.
        (five,) = _parking(central, desk, 5_000)
        paid = desk.pay_bill(five, WALLET, account=account, customer_pin="1234")
        assert (paid.status, paid.balance_after) == ("confirmed", balance + 300_000 - 5_200)
        assert central.wallet(account) == balance + 300_000 - 5_200
        sync_until_done(desk)
        assert_exactly_once(central, desk)


def test_wallet_answer_lost_falls_back_to_offline_and_debits_once(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    account, balance = _account_with_balance(central, 30_000, 99_000)
    with _desk(central, proxy, tmp_path / "desk") as desk:
        (ten,) = _parking(central, desk, 10_000)
        # Central debits the wallet, but neither answer (first try and retry) comes back.
        proxy.plan("/v1/wallet/debits", ["drop_response", "drop_response"])
        paid = desk.pay_bill(ten, WALLET, account=account, customer_pin="1234")
        assert paid.status == "pending"  # the offline policy took it; central already has it
        assert central.wallet(account) == balance - 10_200
        sync_until_done(desk)
        assert central.wallet(account) == balance - 10_200, "debited once, not twice"
        assert desk.known_balance(account) == balance - 10_200
        assert_exactly_once(central, desk)


def test_wrong_pin_offline_is_not_charged_and_flagged_at_sync(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    account, balance = _account_with_balance(central, 30_000, 99_000)
    with _desk(central, proxy, tmp_path / "desk") as desk:
        (five,) = _parking(central, desk, 5_000)
        proxy.down = True
        paid = desk.pay_bill(five, WALLET, account=account, customer_pin="9876")
        assert paid.status == "pending"  # the desk cannot check a PIN
        (entry,) = [e for e in journal_entries(desk) if e["id"] == paid.entry_id]
        sealed = entry["payload"]["sealed_pin"]
        assert sealed and "9876" not in sealed
        proxy.down = False
        status = sync_until_done(desk)
        assert status.flagged == 1
        (flagged,) = desk.flagged_entries()
        assert flagged["entry_id"] == paid.entry_id
        # The desk is told only that the payment could not be confirmed, never that the PIN
        # was wrong; central keeps the precise reason, and the guess counts toward the lockout.
        assert flagged["reason"] == (
            "the wallet payment could not be confirmed: the payer was not charged: not applied"
        )
        assert central.query(
            "SELECT reason, rule FROM entries WHERE entry_id = :e", e=paid.entry_id
        ) == [("wrong PIN found at sync: not applied", "rule.wrong_pin")]
        assert central.query(
            "SELECT pin_failures FROM subscribers WHERE account = :a", a=account
        ) == [(1,)]
        assert central.wallet(account) == balance
        assert central.query("SELECT status FROM bills WHERE bill_id = :b", b=five.bill_id) == [
            ("open",)
        ]
        # No customer PIN verifier anywhere at the desk: only operators' own PIN hashes.
        conn = desk._journal.raw_connection()
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            if table in ("operators", "journal"):
                continue
            for row in conn.execute(f"SELECT * FROM {table}"):  # noqa: S608 - names from schema
                assert not any(isinstance(v, str) and "scrypt$" in v for v in row), table
        assert_exactly_once(central, desk)


def test_known_balance_stays_down_when_the_pull_after_the_push_fails(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    account, balance = _account_with_balance(central, 30_000, 99_000)
    with _desk(central, proxy, tmp_path / "desk") as desk:
        (ten,) = _parking(central, desk, 10_000)
        proxy.down = True
        desk.pay_bill(ten, WALLET, account=account, customer_pin="1234")
        assert desk.known_balance(account) == balance - 10_200
        proxy.down = False
        # The push is acknowledged, then the network goes before the feed brings the balance.
        proxy.plan("/v1/feed", ["reset"] * 4)
        status = desk.sync_once()
        assert status.waiting == 0 and status.last_error == "central.unreachable"
        assert desk.known_balance(account) == balance - 10_200, "the debit is not forgotten"
        sync_until_done(desk)
        assert desk.known_balance(account) == central.wallet(account) == balance - 10_200


# --- bills kept for offline use ---------------------------------------------------------------


def test_bills_are_cached_for_offline_use_with_their_age(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    with _desk(central, proxy, tmp_path / "desk") as desk:
        (bill,) = central.open_bills(1, "parking")
        online = desk.find_bills(BillKind.PARKING, bill["key"])
        assert desk.bills_cached_at is None
        proxy.down = True
        offline = desk.find_bills(BillKind.PARKING, bill["key"])
        assert offline == online and desk.bills_cached_at is not None
        assert desk.bills_cached_at <= datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        target = [b for b in offline if b.bill_id == bill["bill_id"]][0]
        desk.pay_bill(target, PaymentMethod.CASH)
        again = desk.find_bills(BillKind.PARKING, bill["key"])
        assert [b.status for b in again if b.bill_id == bill["bill_id"]] == ["paid"]
        (other,) = central.open_bills(1, "licence")
        from erial_desk.domain.errors import CentralUnavailable

        with pytest.raises(CentralUnavailable):
            desk.find_bills(BillKind.LICENCE, other["key"])  # never looked up: nothing kept
        proxy.down = False
        sync_until_done(desk)
        assert_exactly_once(central, desk)


# --- the desk's clock -------------------------------------------------------------------------


def test_a_clock_set_back_does_not_change_the_order_central_applies(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    # Less than the payment: only the top-up made before it (in sequence) covers it.
    account, balance = _account_with_balance(central, 1_000, 4_000)
    with _desk(central, proxy, tmp_path / "desk") as desk:
        (five,) = _parking(central, desk, 5_000)
        proxy.down = True
        top_up = desk.top_up(account, 10_000)  # at the right time
        desk._journal._clock = lambda: "2020-01-01T00:00:00.000000Z"  # then the clock goes back
        paid = desk.pay_bill(five, WALLET, account=account, customer_pin="1234")
        assert paid.at < top_up.at and paid.seq == top_up.seq + 1
        reprint = desk.record_reprint(paid.entry_id)
        proxy.down = False
        sync_until_done(desk)
        rows = central.entries_of(desk.terminal_id)
        assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
        by_id = {r[1]: r for r in rows}
        # Applied in sequence order: the top-up came first, so the payment was covered.
        assert by_id[top_up.entry_id][4] == "applied"
        assert by_id[paid.entry_id][4] == "applied", by_id[paid.entry_id]
        assert by_id[reprint.entry_id][4] == "applied"
        assert central.wallet(account) == balance + 10_000 - 5_200
        assert desk.verify_journal()[1] is None
        assert_exactly_once(central, desk)


def test_a_rebuild_offline_keeps_the_balances_and_sync_confirms_them(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    account, balance = _account_with_balance(central, 30_000, 99_000)
    with _desk(central, proxy, tmp_path / "desk") as desk:
        (five,) = _parking(central, desk, 5_000)
        proxy.down = True
        desk.pay_bill(five, WALLET, account=account, customer_pin="1234")
        known = desk.known_balance(account)
        assert desk.rebuild() == 2
        # Central's last word with this desk's payment since: kept, though central is away.
        assert desk.known_balance(account) == known == balance - 5_200
        proxy.down = False
        sync_until_done(desk)
        assert desk.known_balance(account) == central.wallet(account) == balance - 5_200
        assert_exactly_once(central, desk)


def test_a_debit_refused_offline_after_its_answer_was_lost_is_not_charged(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    account, balance = _account_with_balance(central, 30_000, 99_000)
    with _desk(central, proxy, tmp_path / "desk") as desk:
        (twenty,) = _parking(central, desk, 20_000)  # 20.200: over the offline cap per payment
        proxy.plan("/v1/wallet/debits", ["drop_response", "drop_response"])
        with pytest.raises(PolicyError):
            desk.pay_bill(twenty, WALLET, account=account, customer_pin="1234")
        sync_until_done(desk)
        assert central.wallet(account) == balance, "charged with no receipt"
