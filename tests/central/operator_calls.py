"""A terminal's call to lock, unlock or reset the PIN of an operator, as the desk makes it."""

from __future__ import annotations

from typing import Any

import requests

from erial_desk.domain.pins import operator_action_context, operator_new_pin_context, seal_pin
from erial_desk.store.journal import new_entry_id

from .terminal_sim import TerminalSim


def operator_action(
    sim: TerminalSim,
    target: str,
    action: str,
    supervisor: str,
    pin: str,
    new_pin: str | None = None,
    request_id: str | None = None,
) -> requests.Response:
    request_id = request_id or new_entry_id()
    body: dict[str, object] = {
        "request_id": request_id,
        "action": action,
        "supervisor_id": supervisor,
        "sealed_supervisor_pin": seal_pin(
            sim.sealing_key, pin, operator_action_context(action, target, request_id)
        ),
    }
    if new_pin is not None:
        body["sealed_new_pin"] = seal_pin(
            sim.sealing_key, new_pin, operator_new_pin_context(target, request_id)
        )
    return sim.session.post(f"{sim.base}/v1/operators/{target}/actions", json=body, timeout=60)


def operator_row(sim: TerminalSim, operator_id: str) -> dict[str, object]:
    """The office's newest feed row of ``operator_id``, as a terminal of the office pulls it."""
    rows = [
        c["data"] for c in office_feed(sim) if c["kind"] == "operator" and c["key"] == operator_id
    ]
    assert rows, operator_id
    return rows[-1]


def office_feed(sim: TerminalSim) -> list[dict[str, Any]]:
    """Every change the terminal's office may see, page by page as a desk pulls them."""
    cursor, changes = 0, []
    while True:
        page = sim.get("/v1/feed", cursor=cursor, limit=10000).json()
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return changes
