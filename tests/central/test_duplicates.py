"""One person, one account, at central: a second registration of a civil number is kept as a
suspected duplicate (money taken for it is never lost), listed for an internal office and the
administrator, and merged by a supervisor's entry or an administrator's action; entries that
arrive later for the merged account land on the survivor. The module's audit (conftest) checks
that no two open accounts share a number unless flagged and that a merged account holds nothing.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import requests
from sqlalchemy import text

from erial_central.audit import audit

from .conftest import Central
from .pushing import posted
from .terminal_sim import TerminalSim, service_charge

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "duplicates"


def civil_number() -> str:
    return str(50_000_000 + secrets.randbelow(10**7))


def statuses(results: dict[str, dict[str, object]]) -> dict[str, object]:
    return {entry_id: r["status"] for entry_id, r in results.items()}


def offline_pair(central: Central, number: str) -> tuple[TerminalSim, TerminalSim, str, str]:
    """Two internal counters, offline, each register the holder of ``number`` and take a cash
    top-up for the new account; then both sync, Seeb first. (first, second account)."""
    seeb, mutrah = central.terminal("MCT-SEEB"), central.terminal("MCT-MUTRAH")
    first = seeb.register(civil_number=number, pin="1111")
    seeb.top_up(first, 7_000)
    second = mutrah.register(civil_number=number, pin="2222")
    mutrah.top_up(second, 5_000)
    assert set(statuses(seeb.sync()).values()) == {"applied"}
    answered = mutrah.sync()
    registration, top_up = sorted(answered.values(), key=lambda r: r["seq"])[-2:]
    assert registration["status"] == "flagged"
    assert first in registration["reason"]  # linked to the first account
    assert top_up["status"] == "applied"  # money taken for the duplicate is kept
    return seeb, mutrah, first, second


def listed(central: Central, sim: TerminalSim) -> dict[str, dict[str, object]]:
    response = sim.get("/v1/duplicates")
    assert response.status_code == 200, response.text
    return {d["account"]: d for d in response.json()["duplicates"]}


def audit_problems(central: Central) -> list[str]:
    with central.engine.connect() as conn:
        return audit(conn).problems


def save_statement(central: Central, name: str, account: str) -> dict[str, object]:
    statement = central.lookup.get(f"/v1/subscribers/{account}/statement").json()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    lines = [f"Statement of {statement['account']} ({central.backend})"]
    if statement.get("merged"):
        lines.append(f"with the history of merged accounts {', '.join(statement['merged'])}")
    for line in statement["lines"]:
        lines.append(
            f"{line['at']}  {line['description_en']:<28} {line['wallet_of']}"
            f" {line['amount']:>9} {line['balance']:>9}"
        )
    lines.append(f"balance {statement['balance']}")
    (ARTEFACTS / f"{name}-{central.backend}.txt").write_text("\n".join(lines) + "\n")
    (ARTEFACTS / f"{name}-{central.backend}.json").write_text(
        json.dumps(statement, ensure_ascii=False, indent=1)
    )
    return statement


def test_offline_registrations_of_one_person_are_flagged_then_merged(central: Central):
    number = civil_number()
    seeb, mutrah, first, second = offline_pair(central, number)
    assert posted(central, f"wallet:{first}") == 7_000
    assert posted(central, f"wallet:{second}") == 5_000
    assert audit_problems(central) == []  # flagged: allowed to share the number

    # Listed for internal offices and the administrator; a café may not ask.
    found = listed(central, seeb)[second]
    assert found["first"]["account"] == first
    assert (found["balance"], found["first"]["balance"]) == (5_000, 7_000)
    assert central.terminal("CAFE-RUWI").get("/v1/duplicates").status_code == 403
    admin_list = requests.get(
        central.url("/v1/admin/duplicates"), headers=central.admin_headers, timeout=30
    ).json()["duplicates"]
    assert second in {d["account"] for d in admin_list}
    before = save_statement(central, "before-merge", first)
    assert before["balance"] == 7_000

    merge = seeb.merge(second, first)
    assert seeb.sync()[merge.entry_id]["status"] == "applied"
    assert posted(central, f"wallet:{first}") == 12_000
    assert posted(central, f"wallet:{second}") == 0
    assert second not in listed(central, seeb)
    again = seeb.merge(second, first)  # idempotent: nothing moves twice
    assert seeb.sync()[again.entry_id]["status"] == "applied"
    assert posted(central, f"wallet:{first}") == 12_000

    # The duplicate's number leads to the survivor; its statement shows both histories.
    record = seeb.get(f"/v1/subscribers/{second}").json()
    assert record["account"] == first
    after = save_statement(central, "after-merge", second)
    assert after["account"] == first and after["merged"] == [second]
    assert after["balance"] == 12_000
    assert {line["wallet_of"] for line in after["lines"]} == {first, second}
    assert [line["kind"] for line in after["lines"]].count("top_up") == 2
    assert audit_problems(central) == []


def test_entries_made_offline_after_a_merge_land_on_the_survivor(central: Central):
    number = civil_number()
    seeb, mutrah, first, second = offline_pair(central, number)
    # Mutrah, offline, still knows only the duplicate: it takes a top-up and a wallet payment
    # (PIN of the duplicate) while Seeb's supervisor merges the two at central.
    bill = central.bills.take("parking")
    late_top_up = mutrah.top_up(second, 3_000)
    late_payment = mutrah.pay(bill, "wallet", account=second, pin="2222")
    merge = seeb.merge(second, first)
    assert seeb.sync()[merge.entry_id]["status"] == "applied"
    total = 7_000 + 5_000
    assert posted(central, f"wallet:{first}") == total

    answered = mutrah.sync()
    for entry in (late_top_up, late_payment):
        assert answered[entry.entry_id]["status"] == "applied", answered[entry.entry_id]
    expected = total + 3_000 - bill["amount"] - service_charge(bill["kind"])
    assert posted(central, f"wallet:{first}") == expected  # nothing lost, nothing doubled
    assert posted(central, f"wallet:{second}") == 0
    # Pushing the same entries again changes nothing.
    again = mutrah.push(mutrah.wire(late_top_up.seq, late_payment.seq))
    assert again.status_code == 200
    assert posted(central, f"wallet:{first}") == expected
    assert audit_problems(central) == []


def test_the_website_registration_of_a_known_number_is_a_suspected_duplicate(central: Central):
    hq = central.terminal("MCT-HQ")
    number = civil_number()
    first = hq.register(civil_number=number)
    hq.sync()
    website = {"Authorization": f"Bearer {central.website_token}"}
    answer = requests.post(
        central.url("/v1/online/registrations"),
        json={
            "kind": "individual",
            "name_ar": "مشترك",
            "name_en": "Subscriber",
            "mobile": "91234567",
            "civil_number": number,
            "pin": "4321",
        },
        headers=website,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["suspected_duplicate"] is True
    online = answer.json()["account"]
    assert listed(central, hq)[online]["first"]["account"] == first


def test_an_administrator_merges_at_central_once(central: Central):
    number = civil_number()
    _seeb, _mutrah, first, second = offline_pair(central, number)
    body = {"duplicate": second, "survivor": first, "id_checked": False}
    url = central.url("/v1/admin/subscribers/merge")
    unchecked = requests.post(url, json=body, headers=central.admin_headers, timeout=30)
    assert unchecked.status_code == 422
    assert unchecked.json()["error"]["code"] == "merge.id_not_checked"
    body["id_checked"] = True
    done = requests.post(url, json=body, headers=central.admin_headers, timeout=30)
    assert done.status_code == 200, done.text
    assert done.json()["merged"] is True
    again = requests.post(url, json=body, headers=central.admin_headers, timeout=30)
    assert again.json()["merged"] is False
    assert posted(central, f"wallet:{first}") == 12_000
    backwards = {"duplicate": first, "survivor": second, "id_checked": True}
    refused = requests.post(url, json=backwards, headers=central.admin_headers, timeout=30)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "merge.closed"


def test_the_command_lists_and_merges(central: Central):
    number = civil_number()
    _seeb, _mutrah, first, second = offline_pair(central, number)
    shown = central.cli("subscriber", "duplicates")
    assert shown.returncode == 0, shown.stderr
    assert f"{second} (" in shown.stdout and f"duplicates {first}" in shown.stdout
    unchecked = central.cli("subscriber", "merge", second, first, "--by", "amal")
    assert unchecked.returncode != 0  # --id-checked is required
    done = central.cli("subscriber", "merge", second, first, "--by", "amal", "--id-checked")
    assert done.returncode == 0, done.stderr
    assert f"account {second} merged into {first}" in done.stdout
    with central.engine.connect() as conn:
        by = conn.execute(
            text("SELECT merged_by FROM subscribers WHERE account = :a"), {"a": second}
        ).scalar()
    assert by == "admin:amal"


def test_a_void_arriving_after_the_merge_is_taken_over_by_the_survivor(central: Central):
    number = civil_number()
    seeb, mutrah = central.terminal("MCT-SEEB"), central.terminal("MCT-MUTRAH")
    first = seeb.register(civil_number=number)
    seeb.top_up(first, 7_000)
    seeb.sync()
    second = mutrah.register(civil_number=number)
    keyed_twice = mutrah.top_up(second, 5_000)
    mutrah.sync()
    merge = seeb.merge(second, first)
    assert seeb.sync()[merge.entry_id]["status"] == "applied"
    assert posted(central, f"wallet:{first}") == 12_000
    void = mutrah.void(keyed_twice.entry_id)  # the Mutrah counter had not heard of the merge
    assert mutrah.sync()[void.entry_id]["status"] == "applied"
    assert posted(central, f"wallet:{first}") == 7_000  # the top-up undone, on the survivor
    assert posted(central, f"wallet:{second}") == 0
    assert audit_problems(central) == []
