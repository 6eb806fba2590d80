"""Slow calls given up: a wallet payment cancelled or out of time while central holds its debit
leaves no half-done state. The entry is journaled whole or not at all, and a debit the desk gave
up on is cancelled at central by the next sync. Central is made slow by the fault proxy."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from erial_desk.domain.deadline import Deadline
from erial_desk.domain.errors import Cancelled, DeskError
from erial_desk.domain.policy import PaymentMethod
from erial_desk.services import Desk

from .conftest import (
    CentralServer,
    assert_exactly_once,
    enrolled_desk,
    eventually,
    find_bill,
    journal_entries,
    start_shift,
    sync_until_done,
)
from .fault_proxy import Fault, FaultProxy

DEBITS = "/v1/wallet/debits"


def _desk(central: CentralServer, proxy: FaultProxy, path: Path) -> Desk:
    desk = start_shift(enrolled_desk(central, path, url=proxy.url))
    desk.sync_once()
    return desk


def _parking_bill(central: CentralServer, desk: Desk) -> tuple[Any, int]:
    """An open parking fine found at the counter, and what a wallet pays for it."""
    (wanted,) = central.open_bills(1, "parking")
    bill = find_bill(desk, wanted)
    return bill, bill.amount + desk.catalogue.charge_for(bill.kind, PaymentMethod.WALLET)


def _paid_bills(desk: Desk) -> list[str]:
    return [e["id"] for e in journal_entries(desk) if e["type"] == "bill_paid"]


def _bill_status(central: CentralServer, bill_id: str) -> str:
    ((status,),) = central.query("SELECT status FROM bills WHERE bill_id = :b", b=bill_id)
    return str(status)


def _pay_in_thread(desk: Desk, bill: Any, account: str, deadline: Deadline) -> list[Any]:
    """``pay_bill`` on another thread, as the window's runner calls it; its outcome, once done."""
    outcome: list[Any] = []

    def pay() -> None:
        try:
            outcome.append(
                desk.pay_bill(
                    bill,
                    PaymentMethod.WALLET,
                    account=account,
                    customer_pin="1234",
                    deadline=deadline,
                )
            )
        except DeskError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=pay)
    worker.start()
    return [worker, outcome]


def test_a_payment_cancelled_while_central_holds_the_debit_is_undone_at_sync(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    (account,) = central.funded_accounts(1)
    balance = central.wallet(account)
    with _desk(central, proxy, tmp_path / "desk") as desk:
        bill, total = _parking_bill(central, desk)
        before = desk._journal.last()
        proxy.plan(DEBITS, [Fault("hold", then="pass")])
        deadline = Deadline()
        worker, outcome = _pay_in_thread(desk, bill, account, deadline)
        assert proxy.held.wait(10), "the debit never reached the proxy"
        deadline.cancel()  # the clerk gives up while central has not answered
        worker.join(10)
        assert not worker.is_alive(), "the payment did not stop when cancelled"
        (refused,) = outcome
        assert isinstance(refused, Cancelled)
        assert desk._journal.last() == before, "nothing journaled"
        # The request the desk gave up on reaches central after all, which takes the money.
        proxy.release.set()
        assert eventually(lambda: any(s.status for s in proxy.requests_to(DEBITS)))
        assert central.wallet(account) == balance - total
        sync_until_done(desk)  # the sync round cancels the debit no entry will confirm
        assert central.wallet(account) == balance
        assert _bill_status(central, bill.bill_id) == "open"
        assert _paid_bills(desk) == []
        assert_exactly_once(central, desk)


def test_a_payment_out_of_time_is_journaled_whole_or_not_at_all(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    (account,) = central.funded_accounts(1)
    balance = central.wallet(account)
    with _desk(central, proxy, tmp_path / "desk") as desk:
        bill, total = _parking_bill(central, desk)
        proxy.plan(DEBITS, [Fault("hold", then="pass"), Fault("hold", then="pass")])
        worker, outcome = _pay_in_thread(desk, bill, account, Deadline(0.5))
        worker.join(30)
        assert not worker.is_alive(), "the payment outlived its deadline"
        (result,) = outcome
        # Out of time counts as central unreachable: the offline policy decided.
        journaled = _paid_bills(desk)
        if isinstance(result, DeskError):
            assert result.code == "offline.not_allowed" and journaled == []
        else:
            assert result.status == "pending" and journaled == [result.entry_id]
        proxy.release.set()  # the held debit reaches central only now
        assert eventually(lambda: any(s.status for s in proxy.requests_to(DEBITS)))
        sync_until_done(desk)
        expected = balance - total if journaled else balance
        assert central.wallet(account) == expected
        assert _bill_status(central, bill.bill_id) == ("paid" if journaled else "open")
        assert_exactly_once(central, desk)


@pytest.mark.parametrize("cancel_before", [True, False])
def test_a_cancelled_sync_round_leaves_each_step_whole(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path, cancel_before: bool
):
    with _desk(central, proxy, tmp_path / "desk") as desk:
        desk.top_up(central.funded_accounts(1)[0], 5_000)
        deadline = Deadline()
        if cancel_before:
            deadline.cancel()
            with pytest.raises(Cancelled):
                desk.sync_once(deadline=deadline)
            assert desk.sync_status().waiting == 1, "nothing was sent"
        else:
            proxy.plan("/v1/journal", [Fault("hold", then="pass")])
            done: list[Any] = []
            worker = threading.Thread(
                target=lambda: done.append(_outcome(desk.sync_once, deadline))
            )
            worker.start()
            assert proxy.held.wait(10)
            deadline.cancel()
            worker.join(10)
            assert isinstance(done[0], Cancelled)
            proxy.release.set()  # central takes the batch the desk stopped waiting for
            assert eventually(lambda: any(s.status for s in proxy.requests_to("/v1/journal")))
        sync_until_done(desk)  # sent again, answered "duplicate" where central had it
        assert desk.sync_status().waiting == 0
        assert_exactly_once(central, desk)


def _outcome(call: Any, deadline: Deadline) -> Any:
    try:
        return call(deadline=deadline)
    except DeskError as exc:
        return exc
