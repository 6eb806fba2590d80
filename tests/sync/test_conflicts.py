"""Two terminals, offline, paying the same bill: central keeps the first payment to arrive and
turns the second into a flagged credit; no baisa is lost and the audit passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from erial_desk.domain.errors import JournalStopped
from erial_desk.domain.policy import PaymentMethod
from erial_desk.services import Desk

from .conftest import (
    CentralServer,
    assert_exactly_once,
    enrolled_desk,
    find_bill,
    start_shift,
    sync_until_done,
)
from .fault_proxy import FaultProxy

PARKING_CHARGE = 200


def _desk(central: CentralServer, proxy: FaultProxy, path: Path, office: str) -> Desk:
    desk = start_shift(enrolled_desk(central, path, office, url=proxy.url))
    desk.sync_once()
    return desk


def _audit_passes(central: CentralServer) -> None:
    checked = central.audit()
    assert checked.returncode == 0, checked.stdout
    assert "audit passed" in checked.stdout


def test_same_bill_paid_in_cash_at_two_offline_offices(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    (bill,) = central.open_bills(1, "parking")
    refunds_before = central.balance("refunds:MCT-BWR")
    with (
        _desk(central, proxy, tmp_path / "a", "MCT-HQ") as first,
        _desk(central, proxy, tmp_path / "b", "MCT-BWR") as second,
    ):
        at_first, at_second = find_bill(first, bill), find_bill(second, bill)
        proxy.down = True
        paid_first = first.pay_bill(at_first, PaymentMethod.CASH)
        paid_second = second.pay_bill(at_second, PaymentMethod.CASH)
        assert paid_first.status == paid_second.status == "pending"
        proxy.down = False
        assert sync_until_done(first).flagged == 0
        status = sync_until_done(second)
        assert status.flagged == 1 and status.waiting == 0
        (flagged,) = second.flagged_entries()
        assert flagged["entry_id"] == paid_second.entry_id
        assert flagged["reason"] == "bill already paid: the first payment stands, cash refund due"
        assert central.query("SELECT status, paid_by FROM bills WHERE bill_id = :b",
                             b=bill["bill_id"]) == [("paid", paid_first.entry_id)]  # fmt: skip
        # The second customer's cash is owed back to them at the second office.
        assert central.balance("refunds:MCT-BWR") == refunds_before + bill["amount"]
        assert central.ledger_sum() == 0
        assert_exactly_once(central, first)
        assert_exactly_once(central, second)
    _audit_passes(central)


def test_same_bill_paid_from_two_wallets_offline_second_is_not_charged(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    (bill,) = central.open_bills(1, "parking", 10_000)
    payer_one, payer_two = central.funded_accounts(2, minimum=20_000)
    one_before, two_before = central.wallet(payer_one), central.wallet(payer_two)
    with (
        _desk(central, proxy, tmp_path / "a", "MCT-HQ") as first,
        _desk(central, proxy, tmp_path / "b", "MCT-HQ") as second,
    ):
        at_first, at_second = find_bill(first, bill), find_bill(second, bill)
        proxy.down = True
        first.pay_bill(at_first, PaymentMethod.WALLET, account=payer_one, customer_pin="1234")
        late = second.pay_bill(
            at_second, PaymentMethod.WALLET, account=payer_two, customer_pin="1234"
        )
        proxy.down = False
        sync_until_done(first)
        assert sync_until_done(second).flagged == 1
        (flagged,) = second.flagged_entries()
        assert flagged["entry_id"] == late.entry_id
        assert flagged["reason"] == (
            "bill already paid: the first payment stands, the payer was not charged"
        )
        assert central.wallet(payer_one) == one_before - 10_000 - PARKING_CHARGE
        assert central.wallet(payer_two) == two_before
        # Both desks learn central's balances; the second one's pending debit is gone.
        assert second.known_balance(payer_two) == two_before
        assert first.known_balance(payer_one) == one_before - 10_200
        assert central.ledger_sum() == 0
        assert_exactly_once(central, first)
        assert_exactly_once(central, second)
    _audit_passes(central)


def test_first_to_reach_central_wins_whatever_the_time_at_the_counter(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    (bill,) = central.open_bills(1, "licence")
    payer = central.funded_accounts(1, minimum=1_000)[0]
    with (
        _desk(central, proxy, tmp_path / "a", "MCT-HQ") as early,
        _desk(central, proxy, tmp_path / "b", "CAFE-RUWI") as late,
    ):
        at_early, at_late = find_bill(early, bill), find_bill(late, bill)
        proxy.down = True
        cash = early.pay_bill(at_early, PaymentMethod.CASH)  # paid first, at the counter
        proxy.down = False
        # The café pays later but online, from its own wallet: central has it at once.
        online = late.pay_bill(at_late, PaymentMethod.OFFICE_WALLET)
        assert online.status == "confirmed"
        sync_until_done(late)
        status = sync_until_done(early)
        assert status.flagged == 1
        (flagged,) = early.flagged_entries()
        assert flagged["entry_id"] == cash.entry_id
        assert "the first payment stands, cash refund due" in str(flagged["reason"])
        assert central.query("SELECT paid_by FROM bills WHERE bill_id = :b",
                             b=bill["bill_id"]) == [(online.entry_id,)]  # fmt: skip
        assert central.ledger_sum() == 0
        assert_exactly_once(central, early)
        assert_exactly_once(central, late)
        assert payer  # the walk-in customer had no wallet: the café paid from its own
    _audit_passes(central)


def test_a_desk_restored_from_an_old_copy_writes_nothing_more_and_says_why(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    """A journal that lost entries central holds would reuse their sequence numbers: the desk
    appends nothing more, and says why, from the key store's record and from central's."""
    import sqlite3

    data = tmp_path / "desk"
    with _desk(central, proxy, data, "MCT-HQ") as desk:
        first = next(desk._journal.signed_entries()).entry_id
        backup = sqlite3.connect(tmp_path / "copy.sqlite")
        source = sqlite3.connect(data / "desk.sqlite")
        source.backup(backup)  # the copy holds the shift, synced
        source.close()
        backup.close()
        desk.record_reprint(first)
        desk.record_reprint(first)
        assert sync_until_done(desk).waiting == 0
    for suffix in ("-wal", "-shm"):
        (data / f"desk.sqlite{suffix}").unlink(missing_ok=True)
    (tmp_path / "copy.sqlite").replace(data / "desk.sqlite")
    from .conftest import reopen

    with reopen(data) as desk:
        desk.login("salim", "1111")
        with pytest.raises(JournalStopped) as stopped:
            desk.record_reprint(first)  # it would be sequence number 2 again
        assert stopped.value.code == "journal.behind_anchor"
        status = desk.sync_once()
        assert status.last_error == "journal.central_ahead" and status.waiting == 0
        assert status.rejected == 0 and desk.verify_journal() == (1, None)
