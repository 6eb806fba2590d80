"""Helpers of the push-rule tests: the effect of an entry, read straight from central's
database (balances, bills, the office's directory) and through the terminal's feed, and raw
signed bodies a desk's encoder would never write."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import text

from erial_desk.domain.chain import build_envelope
from erial_desk.domain.clock import now_stamp
from erial_desk.store.journal import new_entry_id

from .conftest import Central
from .terminal_sim import TerminalSim

# What each office may do, written out from the design's table (not read from the code):
# internal counters do everything but pay from an office wallet; external offices never
# register, update subscribers or take cash for bills, and top up only where authorised.
EVERYWHERE = {
    "shift_opened",
    "cash_drop",
    "shift_closed",
    "pay_wallet",
    "void",
    "receipt_reprinted",
}
ALLOWED = {
    "MCT-HQ": EVERYWHERE | {"subscriber_registered", "subscriber_updated", "top_up", "pay_cash"},
    "CAFE-RUWI": EVERYWHERE | {"top_up", "pay_office_wallet"},  # external, may top up
    "CAFE-SEEB": EVERYWHERE | {"pay_office_wallet"},  # external, may not top up
}

# An operator of another office, for each office of the matrix.
OTHER_OFFICE_OPERATOR = {"MCT-HQ": "khalid", "CAFE-RUWI": "salim", "CAFE-SEEB": "noora"}


def record_payloads(sim: TerminalSim) -> dict[str, dict[str, Any]]:
    """Payloads of the entries that move no money, as the terminal's desk writes them."""
    return {
        "shift_opened": {"office": sim.office_id, "float_counts": {"1000": 1}, "float_total": 1000},
        "cash_drop": {
            "shift": sim.shift,
            "counts": {"1000": 1},
            "amount": 1000,
            "approver": sim.supervisor,
        },
        "shift_closed": {
            "shift": sim.shift,
            "counted": {},
            "counted_total": 0,
            "expected": 0,
            "variance": 0,
            "approver": None,
        },
        "receipt_reprinted": {"entry": sim.shift, "receipt": "R-1"},
    }


def posted(central: Central, account_id: str) -> int:
    """Sum of the postings of a ledger account (any account, guarded or not)."""
    with central.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT COALESCE(SUM(amount), 0) FROM postings WHERE account_id = :a"),
                {"a": account_id},
            ).scalar()
        )


def wallet(central: Central, account: str) -> int:
    return posted(central, f"wallet:{account}")


def bill_state(central: Central, bill_id: str) -> tuple[str, str | None]:
    with central.engine.connect() as conn:
        row = conn.execute(
            text("SELECT status, paid_by FROM bills WHERE bill_id = :b"), {"b": bill_id}
        ).one()
    return row[0], row[1]


def served(central: Central, office_id: str, account: str) -> bool:
    """The account is in the office's directory (an external office sees it)."""
    with central.engine.connect() as conn:
        return (
            conn.execute(
                text("SELECT 1 FROM office_subscribers WHERE office_id = :o AND account = :a"),
                {"o": office_id, "a": account},
            ).first()
            is not None
        )


def in_feed(sim: TerminalSim, account: str) -> bool:
    """The terminal's feed carries the subscriber's record or balance."""
    changes = sim.get("/v1/feed", limit=10000).json()["changes"]
    return any(c["kind"] in ("subscriber", "balance") and c["key"] == account for c in changes)


def stored(central: Central, entry_id: str) -> Any:
    """Central's own row of an entry (status, reason, rule), or None."""
    with central.engine.connect() as conn:
        return conn.execute(
            text("SELECT status, reason, rule FROM entries WHERE entry_id = :e"), {"e": entry_id}
        ).first()


def subscriber_row(central: Central, account: str) -> Any:
    with central.engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT name_en, mobile, email, pin_failures, closed FROM subscribers"
                " WHERE account = :a"
            ),
            {"a": account},
        ).first()


def results(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.text
    return {r["id"]: r for r in response.json()["results"]}


def next_link(sim: TerminalSim) -> tuple[int, str]:
    """(seq, previous hash) of the next entry of a terminal whose journal is all pushed."""
    seq, prev = sim.journal.last()
    return seq + 1, prev


def envelope(
    sim: TerminalSim, seq: int, prev: str, entry_type: str, payload: dict[str, Any]
) -> dict[str, Any]:
    return build_envelope(
        entry_id=new_entry_id(),
        terminal_id=sim.terminal_id,
        seq=seq,
        at=now_stamp(),
        entry_type=entry_type,
        operator=sim.operator,
        policy_version=1,
        catalogue_version=1,
        payload=payload,
        prev=prev,
    )


def signed_raw(sim: TerminalSim, seq: int, entry_id: str, body: str) -> dict[str, Any]:
    """A wire entry with exactly ``body`` as its bytes, hashed and signed by the terminal."""
    digest = hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
    return {
        "seq": seq,
        "id": entry_id,
        "body": body,
        "hash": digest,
        "signature": sim.key.sign(bytes.fromhex(digest)).hex(),
    }
