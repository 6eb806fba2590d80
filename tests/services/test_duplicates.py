"""One person, one account, at the counter: a registration of a known ID is refused with the
existing account named (from the local directory, or from central for another counter's), and
a supervisor of an internal office lists suspected duplicates and merges one; through the
``Desk`` facade, against the embedded central, desks going offline by stopping it."""

from __future__ import annotations

from pathlib import Path

import pytest

from erial_central.audit import audit
from erial_central.db import make_engine
from erial_desk.domain.demo_records import OPERATORS
from erial_desk.domain.errors import PolicyError, StateError
from erial_desk.domain.policy import BillKind, PaymentMethod
from erial_desk.services import RegistrationForm
from erial_desk.services.supervisor import NEEDS_MERGE, needed
from tests.conftest import central_of_test, make_desk

from .test_payments import register

DEMO_PINS = {o[0]: o[5] for o in OPERATORS}


def form(civil: str) -> RegistrationForm:
    return RegistrationForm("individual", "اسم", "Name", "91234567", civil_number=civil)


def test_a_known_id_is_refused_with_its_account_named(clerk_desk, tmp_path: Path):
    other = make_desk(tmp_path / "bawshar", "MCT-BWR")  # enrolled (and synced) before
    try:
        account = register(clerk_desk, civil="45678901")
        with pytest.raises(StateError) as err:  # from this counter's own directory
            clerk_desk.check_new_subscriber(form("45678901"))
        assert (err.value.code, err.value.params["account"]) == ("subscriber.exists", account)
        other.login("yousuf", DEMO_PINS["yousuf"])
        assert not other.find_subscribers("45678901")  # has not heard of it yet
        with pytest.raises(StateError) as err:  # central knows, and names it
            other.check_new_subscriber(form("45678901"))
        assert err.value.params["account"] == account
        other.check_new_subscriber(form("56789012"))  # a new ID: nothing said
    finally:
        other.close()


def open_counter(path: Path, office_id: str, clerk: str):
    desk = make_desk(path, office_id)
    desk._central._sleep = lambda _seconds: None  # no pause between retries of a closed port
    desk.login(clerk, DEMO_PINS[clerk])
    desk.open_shift({})
    return desk


def as_supervisor(desk, supervisor: str) -> None:
    desk.logout()
    desk.login(supervisor, DEMO_PINS[supervisor])


def test_two_offline_registrations_are_merged_by_a_supervisor(tmp_path: Path):
    central = central_of_test()
    hq = open_counter(tmp_path / "hq", "MCT-HQ", "salim")
    bawshar = open_counter(tmp_path / "bwr", "MCT-BWR", "yousuf")
    cafe = make_desk(tmp_path / "cafe", "CAFE-RUWI")
    try:
        central.stop()  # both counters offline: neither can know of the other's registration
        first = register(hq, civil="67890123", pin="4321")
        hq.top_up(first, 7_000)
        duplicate = register(bawshar, civil="67890123", pin="2468")
        bawshar.top_up(duplicate, 5_000)
        central.start()
        assert hq.push_pending() == 2 and bawshar.push_pending() == 2
        (problem,) = bawshar.flagged_entries()
        assert (problem["state"], problem["type"]) == ("flagged", "subscriber_registered")
        assert needed(str(problem["reason"])) == NEEDS_MERGE  # the console says what to do
        # Clerks and cafés do not see the list; the office's supervisor does.
        assert not hq.may_merge_duplicates()
        with pytest.raises(PolicyError):
            hq.suspected_duplicates()
        cafe.login("noora", DEMO_PINS["noora"])
        assert not cafe.may_merge_duplicates()
        with pytest.raises(PolicyError):
            cafe.merge_duplicate(duplicate, first, id_checked=True)
        as_supervisor(hq, "aisha")
        assert hq.may_merge_duplicates()
        (found,) = [d for d in hq.suspected_duplicates() if d.duplicate.account == duplicate]
        assert found.first.account == first
        assert (found.first.balance, found.duplicate.balance, found.total) == (7_000, 5_000, 12_000)
        with pytest.raises(StateError) as err:
            hq.merge_duplicate(duplicate, first, id_checked=False)
        assert err.value.code == "merge.id_not_checked"

        # Bawshar, offline again, still knows only the duplicate; Aisha merges meanwhile.
        bill = bawshar.find_bills(BillKind.PARKING, "777MM")[2]
        central.stop()
        late = bawshar.top_up(duplicate, 3_000)
        paid = bawshar.pay_bill(bill, PaymentMethod.WALLET, account=duplicate, customer_pin="2468")
        assert (late.status, paid.status) == ("pending", "pending")
        central.start()
        hq.merge_duplicate(duplicate, first, id_checked=True)
        hq.push_pending()  # sent at commit already, as the sync worker would
        assert hq.outbox_counts().get("pending", 0) == 0
        assert hq._central.wallet_balance(first) == 12_000
        assert not [d for d in hq.suspected_duplicates() if d.duplicate.account == duplicate]
        assert bawshar.push_pending() == 2
        assert bawshar.outbox_counts().get("flagged") == 1  # the registration alone
        assert hq._central.wallet_balance(first) == 12_000 + 3_000 - paid.total
        engine = make_engine(central.database_url)
        try:
            with engine.connect() as conn:
                assert audit(conn).problems == []
        finally:
            engine.dispose()
    finally:
        for desk in (hq, bawshar, cafe):
            desk.close()
