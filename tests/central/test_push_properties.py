"""Whatever a terminal signs, central answers without a server error, moves money only as the
rules say, and takes the terminal's next valid entry: random entry types, payloads that are a
desk's own with fields replaced by random values, random operators, and random bytes signed
as entries. Audit passes afterwards (here and when the module's server stops)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from erial_desk.domain.canonical import MAX_SAFE_INTEGER
from erial_desk.domain.policy import Policy
from erial_desk.store.journal import AppendedEntry

from .conftest import Central
from .pushing import ALLOWED, OTHER_OFFICE_OPERATOR, next_link, record_payloads, signed_raw
from .terminal_sim import TerminalSim

OFFICES = ("MCT-HQ", "CAFE-RUWI", "CAFE-SEEB")
POLICY = Policy()
TYPES = (
    "shift_opened",
    "cash_drop",
    "shift_closed",
    "subscriber_registered",
    "subscriber_updated",
    "top_up",
    "bill_paid",
    "void",
    "receipt_reprinted",
)

ints = st.one_of(
    st.integers(-3, 3),
    st.integers(0, 600_000),
    st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER),
    st.sampled_from([2**31, 2**32 + 1, MAX_SAFE_INTEGER]),
)
texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "\x00", "a\x00b", "x" * 5000, "٣٤٥", "parking", "cash", "wallet"]),
)
scalars = st.one_of(st.none(), st.booleans(), ints, texts)
values = st.one_of(
    scalars,
    st.dictionaries(st.text(max_size=6), scalars, max_size=3),
    st.lists(scalars, max_size=3),
)


class Terminals:
    """One terminal per office and a funded subscriber, shared by the examples."""

    def __init__(self, central: Central) -> None:
        self.central = central
        self.sims = {office: central.terminal(office) for office in OFFICES}
        hq = self.sims["MCT-HQ"]
        self.account = hq.register()
        hq.top_up(self.account, 100_000)
        for sim in self.sims.values():
            assert {r["status"] for r in sim.sync().values()} == {"applied"}

    def desk_payload(self, sim: TerminalSim, entry_type: str) -> dict[str, Any]:
        """A payload of ``entry_type`` as a desk writes it (a bill payment in cash)."""
        shift, account = sim.shift, self.account
        payloads = record_payloads(sim) | {
            "subscriber_registered": {
                "account": account,
                "kind": "individual",
                "civil_number": None,
                "cr_number": None,
                "name_ar": "أ",
                "name_en": "A",
                "mobile": "+96891234567",
                "email": None,
                "authorised_person": None,
                "sealed_pin": "",
            },
            "subscriber_updated": {"account": account, "changes": {"email": "a@example.com"}},
            "top_up": {"shift": shift, "account": account, "amount": 1000},
            "bill_paid": {
                "shift": shift,
                "bill_kind": "parking",
                "bill_id": "no-such-bill",
                "bill_reference": "PV1",
                "amount": 1000,
                "service_charge": 0,
                "method": "cash",
                "account": None,
                "sealed_pin": None,
                "authorisation": None,
                "balance_after": None,
                "status": "pending",
            },
            "void": {
                "shift": shift,
                "voids": sim.shift,
                "reason": "x",
                "approver": sim.supervisor,
                "authorisation": None,
            },
        }
        return payloads[entry_type]


@pytest.fixture(scope="module")
def terminals(central: Central) -> Terminals:
    return Terminals(central)


# One move: a desk payload with some fields replaced, a whole random payload, or random bytes.
moves = st.one_of(
    st.tuples(
        st.just("mutated"),
        st.sampled_from(TYPES),
        st.dictionaries(
            st.sampled_from(
                [
                    "account",
                    "amount",
                    "shift",
                    "method",
                    "bill_kind",
                    "service_charge",
                    "voids",
                    "entry",
                    "approver",
                    "changes",
                    "name_en",
                    "kind",
                    "variance",
                    "counts",
                    "office",
                    "bill_id",
                ]
            ),
            values,
            max_size=3,
        ),
        st.sampled_from(["own", "supervisor", "other_office", "nobody"]),
    ),
    st.tuples(
        st.just("random"),
        # Any type central can store (one holding NUL is no journal entry: rejected).
        st.one_of(st.sampled_from(TYPES), st.text(max_size=8).filter(lambda t: "\x00" not in t)),
        st.dictionaries(st.text(max_size=8), values, max_size=4),
        st.just("own"),
    ),
    st.tuples(st.just("bytes"), st.text(max_size=40), st.just({}), st.just("own")),
)


def may_apply(office_id: str, who: str, envelope: dict[str, Any]) -> bool:
    """An oracle of the main rules, written apart from central's: the office's own staff, an
    action its office type may do, and a top-up within the policy's limits."""
    p = envelope["payload"]
    kind = envelope["type"]
    if kind == "bill_paid":
        kind = f"pay_{p.get('method')}"
    if who not in ("own", "supervisor") or kind not in ALLOWED[office_id]:
        return False
    if kind == "top_up":
        amount = p.get("amount")
        return type(amount) is int and POLICY.top_up_min <= amount <= POLICY.top_up_max
    return True


def guarded_balances(central: Central) -> dict[str, int]:
    with central.engine.connect() as conn:
        return {
            r[0]: int(r[1])
            for r in conn.execute(text("SELECT account_id, balance FROM ledger_accounts"))
            if r[0].startswith(("wallet:", "owallet:"))
        }


def effect(envelope: dict[str, Any], office_id: str) -> dict[str, int]:
    """What an applied entry does to guarded balances, by the rules."""
    p = envelope["payload"]
    if envelope["type"] == "top_up":
        return {f"wallet:{p['account']}": p["amount"]}
    if envelope["type"] == "bill_paid" and p["method"] != "cash":
        payer = f"wallet:{p['account']}" if p["method"] == "wallet" else f"owallet:{office_id}"
        return {payer: -(p["amount"] + p["service_charge"])}
    return {}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(office_id=st.sampled_from(OFFICES), batch=st.lists(moves, min_size=1, max_size=5))
def test_random_signed_entries_never_break_central(
    central: Central, terminals: Terminals, office_id: str, batch: list
):
    sim = terminals.sims[office_id]
    left = sim.sync()  # anything an earlier example left unsent
    assert {r["status"] for r in left.values()} <= {"applied", "flagged"}, left
    before = guarded_balances(central)
    appended: list[tuple[AppendedEntry, str]] = []
    seq, _ = next_link(sim)  # every entry of the journal is pushed: central expects this one
    for _, body, _, _ in [move for move in batch if move[0] == "bytes"]:
        response = sim.push([signed_raw(sim, seq, f"raw-{seq}", body)])
        assert response.status_code in (200, 422), response.text
        if response.status_code == 200:
            assert response.json()["results"][0]["status"] == "rejected"
    for how, entry_type, fields, who in [move for move in batch if move[0] != "bytes"]:
        payload = (
            {**terminals.desk_payload(sim, entry_type), **fields}
            if how == "mutated"
            else dict(fields)
        )
        operator = {
            "own": sim.operator,
            "supervisor": sim.supervisor,
            "other_office": OTHER_OFFICE_OPERATOR[office_id],
        }.get(who, who)
        try:
            appended.append((sim.raw(entry_type, payload, operator), who))
        except Exception as exc:  # a value the desk's own encoder refuses is never signed
            assert "canonical" in str(exc) or "encoded" in str(exc), exc
    response = sim.push()
    assert response.status_code == 200, response.text
    answers = {r["id"]: r for r in response.json()["results"]}
    expected = dict(before)
    for entry, who in appended:
        answer = answers[entry.entry_id]
        assert answer["status"] in ("applied", "flagged"), answer
        if answer["status"] == "applied":
            assert may_apply(office_id, who, entry.envelope), entry.envelope
            for account_id, delta in effect(entry.envelope, office_id).items():
                expected[account_id] = expected.get(account_id, 0) + delta
    after = guarded_balances(central)
    assert {k: v for k, v in after.items() if v != before.get(k, 0)} == {
        k: v for k, v in expected.items() if v != before.get(k, 0)
    }, json.dumps([e.envelope for e, _ in appended], default=str)[:2000]
    # The terminal's next valid entry is taken.
    valid = sim.top_up(terminals.account, 1_000) if office_id != "CAFE-SEEB" else None
    shift = sim.raw("cash_drop", terminals.desk_payload(sim, "cash_drop"))
    results = sim.sync()
    assert {r["status"] for r in results.values()} <= {"applied", "duplicate"}, results
    assert results[shift.entry_id]["status"] == "applied", results
    if valid is not None:
        assert results[valid.entry_id]["status"] == "applied", results


def test_audit_passes_after_the_random_entries(central: Central, terminals: Terminals):
    done = central.cli("audit")
    assert done.returncode == 0, done.stdout
