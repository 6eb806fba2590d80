"""The change feed behind a cursor, and the read side the desk asks online: policy, bills."""

from __future__ import annotations

import threading

import pytest

from erial_desk.domain.identifiers import normalise_plate

from .conftest import Central
from .terminal_sim import TerminalSim


def pull_all(sim: TerminalSim, cursor: int = 0, limit: int = 1000) -> tuple[list[dict], int]:
    changes: list[dict] = []
    while True:
        response = sim.get("/v1/feed", cursor=cursor, limit=limit)
        assert response.status_code == 200, response.text
        page = response.json()
        changes += page["changes"]
        assert page["cursor"] >= cursor
        cursor = page["cursor"]
        if not page["more"]:
            return changes, cursor


def test_paging_gives_the_same_changes_as_one_read(terminal: TerminalSim):
    whole, end = pull_all(terminal, limit=10000)
    paged, paged_end = pull_all(terminal, limit=37)
    assert [c["seq"] for c in paged] == [c["seq"] for c in whole]
    assert paged == whole
    assert paged_end == end
    seqs = [c["seq"] for c in whole]
    assert seqs == sorted(set(seqs))
    # Nothing new: the cursor stays and the page is empty.
    again = terminal.get("/v1/feed", cursor=end).json()
    assert (again["changes"], again["cursor"], again["more"]) == ([], end, False)


def test_policy_catalogue_and_own_operators(terminal: TerminalSim):
    changes, _ = pull_all(terminal)
    kinds = {c["kind"] for c in changes}
    assert {"policy", "catalogue", "operator", "subscriber", "balance"} <= kinds
    operators = {c["key"]: c["data"] for c in changes if c["kind"] == "operator"}
    assert set(operators) == {"salim", "aisha"}
    assert operators["salim"]["role"] == "clerk"
    assert operators["salim"]["pin_hash"].startswith("scrypt$")
    (catalogue,) = [c["data"] for c in changes if c["kind"] == "catalogue"]
    assert catalogue["version"] == 1
    policy = terminal.get("/v1/policy").json()
    assert policy["office"]["office_id"] == "MCT-HQ"
    assert policy["office"]["office_type"] == "internal"
    assert policy["catalogue"] == catalogue


def test_operator_added_later_reaches_only_its_office(central: Central):
    bawshar, hq = central.terminal("MCT-BWR"), central.terminal("MCT-HQ")
    _, bawshar_cursor = pull_all(bawshar)
    _, hq_cursor = pull_all(hq)
    done = central.cli(
        "operator",
        "add",
        "feed.clerk",
        "--office",
        "MCT-BWR",
        "--role",
        "clerk",
        "--name-en",
        "Feed clerk",
        "--name-ar",
        "موظف",
        input="2468\n",  # the PIN on standard input, never on the command line
    )
    assert done.returncode == 0, done.stderr
    new, _ = pull_all(bawshar, bawshar_cursor)
    assert [(c["kind"], c["key"]) for c in new] == [("operator", "feed.clerk")]
    assert pull_all(hq, hq_cursor)[0] == []


def test_balances_follow_the_pushes(terminal: TerminalSim, subscriber: str):
    _, cursor = pull_all(terminal)
    terminal.top_up(subscriber, 4_000)
    terminal.sync()
    terminal.top_up(subscriber, 6_000)
    terminal.sync()
    changes, _ = pull_all(terminal, cursor)
    balances = [c["data"]["balance"] for c in changes if c["kind"] == "balance"]
    assert balances == [4_000, 10_000]
    assert all(c["key"] == subscriber for c in changes)


def test_no_change_is_skipped_while_terminals_push(central: Central):
    """A reader pulling with its cursor while others commit ends with every change there is."""
    reader = central.terminal("MCT-HQ")
    _, cursor = pull_all(reader)
    start = cursor
    writers = [central.terminal("MCT-HQ") for _ in range(4)]
    accounts = [w.register() for w in writers]
    for w in writers:
        w.sync()
    seen: list[dict] = []
    errors: list[BaseException] = []

    def write(sim: TerminalSim, account: str) -> None:
        try:
            for _ in range(15):
                sim.top_up(account, 1_000)
                assert sim.push().status_code == 200
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=pair) for pair in zip(writers, accounts, strict=True)
    ]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        page, cursor = pull_all(reader, cursor, limit=7)
        seen += page
    for t in threads:
        t.join()
    assert not errors, errors
    page, cursor = pull_all(reader, cursor)
    seen += page
    everything, _ = pull_all(reader)
    assert seen == [c for c in everything if c["seq"] > start]
    for account in accounts:
        last = [
            c["data"]["balance"] for c in seen if c["kind"] == "balance" and c["key"] == account
        ]
        assert last[-1] == 15_000


@pytest.mark.parametrize(
    "typed",
    ["12345 AB", "12345ab", "AB 12345", "١٢٣٤٥ أ ب", "أب ١٢٣٤٥"],
)
def test_bills_by_plate_in_either_script(terminal: TerminalSim, typed: str):
    key = normalise_plate(typed)
    assert key == "12345 AB"
    bills = terminal.get("/v1/bills", key=key).json()["bills"]
    assert bills and {b["subject"] for b in bills} == {"12345 AB"}
    assert {b["kind"] for b in bills} == {"parking"}


def test_bills_by_each_key(terminal: TerminalSim):
    def find(key: str, kind: str | None = None) -> list[dict]:
        params = {"key": key} | ({"kind": kind} if kind else {})
        response = terminal.get("/v1/bills", **params)
        assert response.status_code == 200, response.text
        return response.json()["bills"]

    (lease,) = find("LC5000")
    assert lease["kind"] == "lease"
    assert lease["bill_id"] in {b["bill_id"] for b in find(lease["subject"], "lease")}
    (licence,) = find("LI7100")
    assert licence["kind"] == "licence"
    assert licence["bill_id"] in {b["bill_id"] for b in find(licence["subject"], "licence")}
    (permit,) = find("bp20260400")
    assert permit["kind"] == "building_permit"
    assert permit["detail_en"] and permit["detail_ar"]
    assert find("LC5000", "parking") == []
    assert find("NO-SUCH-BILL") == []
