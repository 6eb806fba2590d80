"""A supervisor locks, unlocks and resets the PIN of an operator of their office at central; the
change reaches the office's terminals by the feed and is kept in central's record."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from erial_central.models import operator_actions
from erial_desk.domain.pins import verify_pin
from erial_desk.store.journal import new_entry_id

from .conftest import Central
from .operator_calls import office_feed, operator_action, operator_row

PIN = "4444"  # the seeded PIN of the directorates' extra operators


def _record(central: Central, request_id: str) -> tuple[str, str, str, str]:
    with central.engine.connect() as conn:
        row = conn.execute(
            select(
                operator_actions.c.supervisor_id,
                operator_actions.c.operator_id,
                operator_actions.c.action,
                operator_actions.c.outcome,
            ).where(operator_actions.c.request_id == request_id)
        ).one()
    return tuple(row)  # type: ignore[return-value]


def test_lock_unlock_and_reset_reach_the_office_by_the_feed(central: Central):
    sim = central.terminal("MCT-SEEB")
    other_terminal = central.terminal("MCT-SEEB")
    assert operator_row(other_terminal, "seeb.clerk")["active"] is True
    request_id = new_entry_id()
    response = operator_action(sim, "seeb.clerk", "lock", "seeb.super", PIN, request_id=request_id)
    assert response.status_code == 200, response.text
    assert response.json() == {"operator_id": "seeb.clerk", "action": "lock", "active": False}
    assert operator_row(other_terminal, "seeb.clerk")["active"] is False
    assert _record(central, request_id) == ("seeb.super", "seeb.clerk", "lock", "done")

    response = operator_action(sim, "seeb.clerk", "unlock", "seeb.super", PIN)
    assert response.status_code == 200, response.text
    assert operator_row(other_terminal, "seeb.clerk")["active"] is True

    response = operator_action(sim, "seeb.clerk", "reset_pin", "seeb.super", PIN, new_pin="86420")
    assert response.status_code == 200, response.text
    pin_hash = str(operator_row(other_terminal, "seeb.clerk")["pin_hash"])
    assert verify_pin("86420", pin_hash) and not verify_pin(PIN, pin_hash)
    # Another office sees none of it.
    mutrah = central.terminal("MCT-MUTRAH")
    assert not [
        c for c in office_feed(mutrah) if c["kind"] == "operator" and c["key"] == "seeb.clerk"
    ]


def test_a_new_pin_must_be_a_pin_sealed_for_it(central: Central):
    sim = central.terminal("MCT-SEEB")
    before = operator_row(sim, "seeb.clerk")["pin_hash"]
    missing = operator_action(sim, "seeb.clerk", "reset_pin", "seeb.super", PIN)
    assert (missing.status_code, missing.json()["error"]["code"]) == (422, "request.invalid")
    short = operator_action(sim, "seeb.clerk", "reset_pin", "seeb.super", PIN, new_pin="12")
    assert (short.status_code, short.json()["error"]["code"]) == (422, "pin.invalid")
    assert operator_row(sim, "seeb.clerk")["pin_hash"] == before


def test_wrong_supervisor_pins_lock_the_supervisor_out_at_central(central: Central):
    sim = central.terminal("MCT-MUTRAH")
    codes = []
    for _ in range(6):
        response = operator_action(sim, "mutrah.clerk", "lock", "mutrah.super", "0000")
        codes.append(response.json()["error"]["code"])
    assert codes == ["approval.invalid"] * 5 + ["login.locked"]
    # Locked out: even the right PIN does not act until the lockout ends.
    right = operator_action(sim, "mutrah.clerk", "lock", "mutrah.super", PIN)
    assert right.json()["error"]["code"] == "login.locked"
    assert operator_row(sim, "mutrah.clerk")["active"] is True


def test_one_request_sent_twice_at_once_acts_once(central: Central):
    sim = central.terminal("MCT-SEEB")
    request_id = new_entry_id()
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(
                lambda _: operator_action(
                    sim, "seeb.clerk", "lock", "seeb.super", PIN, request_id=request_id
                ),
                range(2),
            )
        )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 409)
    assert refused.json()["error"]["code"] == "request.invalid"
    assert _record(central, request_id)[3] == "done"
    done = operator_action(sim, "seeb.clerk", "unlock", "seeb.super", PIN)
    assert done.status_code == 200, done.text
