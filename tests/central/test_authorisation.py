"""Who may do what: a terminal's token acts only for that terminal and its office, admin
functions need the admin credential, the website's credential only registers subscribers.
Every refusal is a 4xx with a stable error code and a message in both languages."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import text

from erial_desk.domain.entries import BillPaid
from erial_desk.domain.pins import seal_pin
from erial_desk.store.journal import AppendedEntry, new_entry_id

from .conftest import Central
from .pushing import (
    ALLOWED,
    OTHER_OFFICE_OPERATOR,
    bill_state,
    posted,
    record_payloads,
    served,
    subscriber_row,
)
from .terminal_sim import TerminalSim, random_account, service_charge

# Terminal endpoints: (method, path, JSON body).
TERMINAL_ENDPOINTS = [
    ("GET", "/v1/feed", None),
    ("GET", "/v1/policy", None),
    ("GET", "/v1/bills?key=PV300000", None),
    ("GET", "/v1/subscribers/100000000008", None),
    ("GET", "/v1/subscribers/100000000008/statement", None),
    ("GET", "/v1/offices/MCT-HQ/totals", None),
    ("GET", "/v1/offices/MCT-HQ/day", None),
    ("GET", "/v1/offices/MCT-HQ/shifts", None),
    ("GET", "/v1/offices/MCT-HQ/settlement?from=2026-03-01&to=2026-03-31", None),
    ("GET", "/v1/terminal", None),
    ("POST", "/v1/journal", {"terminal_id": "x", "entries": []}),
    (
        "POST",
        "/v1/wallet/debits",
        {"entry_id": "e", "account": None, "amount": 1, "bill_id": "b", "sealed_pin": None},
    ),
    (
        "POST",
        "/v1/wallet/reversals",
        {"entry_id": "e", "voids": "v", "account": "100000000008", "amount": 1},
    ),
    (
        "POST",
        "/v1/subscribers/100000000008/pin",
        {"request_id": "r-0000000", "operator_id": "x", "sealed_pin": "x"},
    ),
    ("GET", "/v1/online-payments/BNK-1", None),
    ("GET", "/v1/registered-ids?civil_number=12345678&operator_id=x", None),
]
ADMIN_ENDPOINTS = [
    ("POST", "/v1/admin/offices/MCT-HQ/terminals", None),
    ("POST", "/v1/admin/terminals/nobody/revoke", None),
    ("GET", "/v1/admin/offices/MCT-HQ/totals", None),
    ("GET", "/v1/admin/offices/CAFE-RUWI/settlement?from=2026-03-01&to=2026-03-31", None),
]
REGISTRATION = {
    "kind": "individual",
    "name_ar": "مشترك",
    "name_en": "Subscriber",
    "mobile": "91234567",
    "civil_number": "23456789",
    "pin": "4321",
}
WEBSITE_ENDPOINTS = [("POST", "/v1/online/registrations", REGISTRATION)]


def call(central: Central, method: str, path: str, body, token: str | None, raw=None):
    headers = {}
    if raw is not None:
        headers["Authorization"] = raw
    elif token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(method, central.url(path), json=body, headers=headers, timeout=30)


def refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] and error["message_ar"] and error["message"] != code


ALL = TERMINAL_ENDPOINTS + ADMIN_ENDPOINTS + WEBSITE_ENDPOINTS


@pytest.mark.parametrize("method,path,body", ALL)
def test_no_credential(central: Central, method, path, body):
    refused(call(central, method, path, body, None), 401, "auth.missing")
    refused(call(central, method, path, body, None, raw="Basic abc"), 401, "auth.missing")


@pytest.mark.parametrize("method,path,body", ALL)
def test_unknown_credential(central: Central, method, path, body):
    refused(call(central, method, path, body, "et_not-a-real-token"), 401, "auth.invalid")


@pytest.mark.parametrize("method,path,body", TERMINAL_ENDPOINTS + WEBSITE_ENDPOINTS)
def test_admin_credential_is_not_a_terminal_or_the_website(central: Central, method, path, body):
    response = call(central, method, path, body, central.admin_token)
    if path.startswith("/v1/online/"):
        refused(response, 403, "auth.forbidden")
    else:
        refused(response, 401, "auth.invalid")


@pytest.mark.parametrize("method,path,body", ADMIN_ENDPOINTS + WEBSITE_ENDPOINTS)
def test_terminal_token_has_no_admin_or_website_rights(
    central: Central, terminal: TerminalSim, method, path, body
):
    refused(call(central, method, path, body, terminal.token), 401, "auth.invalid")


@pytest.mark.parametrize("method,path,body", ADMIN_ENDPOINTS)
def test_website_credential_is_not_admin(central: Central, method, path, body):
    refused(call(central, method, path, body, central.website_token), 403, "auth.forbidden")


@pytest.mark.parametrize("method,path,body", TERMINAL_ENDPOINTS)
def test_website_credential_is_not_a_terminal(central: Central, method, path, body):
    refused(call(central, method, path, body, central.website_token), 401, "auth.invalid")


def test_a_terminal_reads_only_its_own_record(central: Central, terminal: TerminalSim):
    """GET /v1/terminal answers the calling terminal's key and chain end, never another's: the
    path names no terminal, so a café PC can learn nothing of other counters from it."""
    other = central.terminal()
    other.sync()
    mine = terminal.get("/v1/terminal")
    assert mine.status_code == 200, mine.text
    assert mine.json()["terminal_id"] == terminal.terminal_id
    assert mine.json()["last_seq"] == 0
    theirs = other.get("/v1/terminal").json()
    assert theirs["terminal_id"] == other.terminal_id and theirs["last_seq"] >= 1
    assert mine.json()["public_key"] != theirs["public_key"]


def test_terminal_cannot_push_as_another(central: Central, terminal: TerminalSim):
    other = central.terminal()
    response = terminal.push(other.wire(1), terminal_id=other.terminal_id)
    refused(response, 403, "push.wrong_terminal")
    # Nothing of the other terminal's chain was taken: it pushes its own entries itself.
    assert {r["status"] for r in other.sync().values()} == {"applied"}


def test_terminal_reads_only_its_own_office_totals(central: Central):
    cafe = central.terminal("CAFE-RUWI")
    assert cafe.get("/v1/offices/CAFE-RUWI/totals").status_code == 200
    refused(cafe.get("/v1/offices/MCT-HQ/totals"), 403, "auth.forbidden")
    refused(cafe.get("/v1/offices/NO-SUCH/totals"), 403, "auth.forbidden")


def test_terminal_reads_only_its_own_office_reports(central: Central):
    """A café's terminal reads its own day, shifts and settlement; another office's figures,
    even of an office that exists, are refused the same way as an unknown office's."""
    cafe = central.terminal("CAFE-RUWI")
    month = {"from": "2026-03-01", "to": "2026-03-31"}
    for office, status in (("CAFE-RUWI", 200), ("CAFE-SEEB", 403), ("MCT-HQ", 403), ("NO", 403)):
        for path, params in (("day", {}), ("shifts", {}), ("settlement", month)):
            response = cafe.get(f"/v1/offices/{office}/{path}", **params)
            if status == 200:
                assert response.status_code == 200, response.text
            else:
                refused(response, 403, "auth.forbidden")
    admin = central.url("/v1/admin/offices/NO-SUCH/settlement")
    response = requests.get(admin, params=month, headers=central.admin_headers, timeout=30)
    refused(response, 404, "office.not_found")


def test_terminal_sees_only_its_own_office_operators(central: Central):
    cafe = central.terminal("CAFE-RUWI")
    changes = cafe.get("/v1/feed", limit=10000).json()["changes"]
    offices = {c["data"]["office_id"] for c in changes if c["kind"] == "operator"}
    assert offices == {"CAFE-RUWI"}


def test_terminal_cannot_reverse_another_terminals_top_up(central: Central, terminal, subscriber):
    top_up = terminal.top_up(subscriber, 5_000)
    terminal.sync()
    other = central.terminal()
    body = {
        "entry_id": new_entry_id(),
        "voids": top_up.entry_id,
        "account": subscriber,
        "amount": 5_000,
    }
    response = other.session.post(other.base + "/v1/wallet/reversals", json=body, timeout=30)
    refused(response, 422, "void.not_voidable")
    assert terminal.balance(subscriber) == 5_000


def test_revoked_terminal_is_refused(central: Central):
    sim = central.terminal()
    assert sim.get("/v1/policy").status_code == 200
    done = requests.post(
        central.url(f"/v1/admin/terminals/{sim.terminal_id}/revoke"),
        headers=central.admin_headers,
        timeout=30,
    )
    assert done.status_code == 200
    refused(sim.get("/v1/policy"), 403, "auth.revoked")
    refused(sim.push(), 403, "auth.revoked")


def test_revoking_an_unknown_terminal_says_so(central: Central):
    response = requests.post(
        central.url("/v1/admin/terminals/no-such-terminal/revoke"),
        headers=central.admin_headers,
        timeout=30,
    )
    refused(response, 404, "terminal.not_found")


def test_unknown_office_for_a_new_terminal(central: Central):
    response = requests.post(
        central.url("/v1/admin/offices/NO-SUCH/terminals"),
        headers=central.admin_headers,
        timeout=30,
    )
    refused(response, 404, "office.not_found")


def _new_key() -> str:
    key = Ed25519PrivateKey.generate()
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def test_enrolment_code_is_single_use(central: Central):
    slot = requests.post(
        central.url("/v1/admin/offices/MCT-BWR/terminals"),
        headers=central.admin_headers,
        timeout=30,
    ).json()
    code = slot["enrolment_code"]
    first = requests.post(
        central.url("/v1/enrol"),
        json={"code": code, "terminal_id": new_entry_id(), "public_key": _new_key()},
        timeout=30,
    )
    assert first.status_code == 200
    assert first.json()["office_id"] == "MCT-BWR"
    again = requests.post(
        central.url("/v1/enrol"),
        json={"code": code, "terminal_id": new_entry_id(), "public_key": _new_key()},
        timeout=30,
    )
    refused(again, 403, "enrol.invalid_code")


def test_enrolment_refusals(central: Central, terminal: TerminalSim):
    def enrol(**overrides):
        code = requests.post(
            central.url("/v1/admin/offices/MCT-HQ/terminals"),
            headers=central.admin_headers,
            timeout=30,
        ).json()["enrolment_code"]
        body = {"code": code, "terminal_id": new_entry_id(), "public_key": _new_key()}
        return requests.post(central.url("/v1/enrol"), json=body | overrides, timeout=30)

    refused(enrol(code="0000-0000-0000-0000"), 403, "enrol.invalid_code")
    refused(enrol(public_key="zz"), 422, "enrol.bad_key")
    refused(enrol(public_key="ab" * 16 + "cd"), 422, "enrol.bad_key")
    refused(enrol(terminal_id=terminal.terminal_id), 409, "enrol.terminal_exists")
    # A refused attempt does not use up the code.
    code = requests.post(
        central.url("/v1/admin/offices/MCT-HQ/terminals"), headers=central.admin_headers, timeout=30
    ).json()["enrolment_code"]
    body = {"code": code, "terminal_id": terminal.terminal_id, "public_key": _new_key()}
    refused(
        requests.post(central.url("/v1/enrol"), json=body, timeout=30), 409, "enrol.terminal_exists"
    )
    body["terminal_id"] = new_entry_id()
    assert requests.post(central.url("/v1/enrol"), json=body, timeout=30).status_code == 200


def test_invalid_requests_are_422_with_a_code(central: Central, terminal: TerminalSim):
    refused(terminal.get("/v1/subscribers/12"), 422, "account.invalid")
    refused(terminal.get("/v1/feed", cursor=-1), 422, "request.invalid")
    refused(terminal.get("/v1/bills", key="x", kind="nonsense"), 422, "request.invalid")
    response = terminal.session.post(terminal.base + "/v1/journal", data=b"{", timeout=30)
    refused(response, 422, "request.invalid")


def test_values_the_database_cannot_store_are_refused(central: Central, terminal: TerminalSim):
    """A NUL character cannot be stored in PostgreSQL text: a 4xx, never a server error."""
    for method, path in (
        ("POST", "/v1/admin/offices/A%00B/terminals"),
        ("POST", "/v1/admin/terminals/A%00B/revoke"),
        ("GET", "/v1/admin/offices/A%00B/totals"),
    ):
        response = call(central, method, path, None, central.admin_token)
        assert response.status_code in (404, 422), response.text
    assert requests.get(central.url("/r/AB%00-1"), timeout=30).status_code in (404, 422)
    assert terminal.get("/v1/bills", key="PV\x00").status_code in (200, 422)
    assert terminal.get("/v1/feed", cursor=2**40).status_code == 422


# --- pushed entries: entry type x office type x role x ownership, checked by their effect ------

KINDS = sorted(set().union(*ALLOWED.values()))
# Who signs: the office's counter role (clerk or operator), its supervisor, an operator of
# another office, or a name central does not know.
ROLES = ("counter", "supervisor", "other_office", "unknown")


def read_effects(
    central: Central, office_id: str, account: str, bill_id: str | None
) -> dict[str, Any]:
    """Balances, the bill and the directory an entry may touch."""
    return {
        "wallet": posted(central, f"wallet:{account}"),
        "owallet": posted(central, f"owallet:{office_id}"),
        "cash": posted(central, f"cash:{office_id}"),
        "refunds": posted(central, f"refunds:{office_id}"),
        "bill": bill_state(central, bill_id) if bill_id else None,
        "served": served(central, office_id, account),
        "subscriber": tuple(subscriber_row(central, account) or ()),
    }


def bill_amount(central: Central, bill_id: str) -> int:
    with central.engine.connect() as conn:
        amount = conn.execute(text("SELECT amount FROM bills WHERE bill_id = :b"), {"b": bill_id})
        return int(amount.scalar())


CHARGE = service_charge("parking")  # of paying a parking bill with e-Rial


@pytest.fixture(scope="module")
def payer(central: Central) -> str:
    """A wallet with enough for every payment of the matrix (PIN 1234)."""
    hq = central.terminal("MCT-HQ")
    account = hq.register()
    for _ in range(4):
        hq.top_up(account, 500_000)
    assert {r["status"] for r in hq.sync().values()} == {"applied"}
    return account


def make_entry(
    central: Central, sim: TerminalSim, kind: str, operator: str, payer: str
) -> tuple[AppendedEntry, str, str | None]:
    """Append an entry of ``kind`` signed as ``operator``: (entry, its account, its bill)."""
    shift = sim.shift
    if kind == "subscriber_registered":
        account = random_account()
        record = {
            "account": account,
            "kind": "individual",
            "civil_number": account[:8],
            "cr_number": None,
            "name_ar": "مشترك",
            "name_en": "Subscriber",
            "mobile": "+96891234567",
            "email": None,
            "authorised_person": None,
            "sealed_pin": seal_pin(sim.sealing_key, "1234", account),
        }
        return sim.raw(kind, record, operator), account, None
    if kind == "subscriber_updated":
        mobile = f"+9689{secrets.randbelow(10**7):07d}"
        payload: dict[str, Any] = {"account": payer, "changes": {"mobile": mobile}}
        return sim.raw(kind, payload, operator), payer, None
    if kind == "top_up":
        payload = {"shift": shift, "account": payer, "amount": 1_000}
        return sim.raw(kind, payload, operator), payer, None
    if kind.startswith("pay_"):
        method = kind.removeprefix("pay_")
        bill = central.bills.take("parking")
        charge = 0 if method == "cash" else service_charge("parking")
        account = payer if method == "wallet" else None
        entry_id = new_entry_id()
        sealed = seal_pin(sim.sealing_key, "1234", entry_id) if account else None
        payment = BillPaid(
            shift,
            "parking",
            bill["bill_id"],
            bill["reference"],
            bill["amount"],
            charge,
            method,
            account,
            sealed,
            None,
            None,
            "pending",
        )
        entry = sim.raw("bill_paid", payment.to_payload(), operator, entry_id)
        return entry, payer, bill["bill_id"]
    if kind == "void":  # of a wallet payment the terminal's own operator made just before
        paid, _, bill_id = make_entry(central, sim, "pay_wallet", sim.operator, payer)
        payload = {
            "shift": shift,
            "voids": paid.entry_id,
            "reason": "x",
            "approver": sim.supervisor,
            "authorisation": None,
        }
        return sim.raw(kind, payload, operator), payer, bill_id
    return sim.raw(kind, record_payloads(sim)[kind], operator), payer, None


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("office_id", sorted(ALLOWED))
def test_pushed_entry_by_office_type_and_role(central: Central, payer: str, office_id, kind, role):
    sim = central.terminal(office_id)
    assert sim.sync()  # its shift, opened by its own operator
    operator = {
        "counter": sim.operator,
        "supervisor": sim.supervisor,
        "other_office": OTHER_OFFICE_OPERATOR[office_id],
        "unknown": "nobody",
    }[role]
    entry, account, bill_id = make_entry(central, sim, kind, operator, payer)
    if kind == "void":  # the payment it voids is applied first
        (paid,) = sim.push(sim.wire(entry.seq - 1, entry.seq - 1)).json()["results"]
        assert paid["status"] == "applied", paid
    before = read_effects(central, office_id, account, bill_id)
    result = sim.sync()[entry.entry_id]
    after = read_effects(central, office_id, account, bill_id)
    changed = {k for k in after if after[k] != before[k]}

    allowed = kind in ALLOWED[office_id] and role in ("counter", "supervisor")
    assert result["status"] == ("applied" if allowed else "flagged"), result
    if not allowed:
        assert result["code"] in ("rule.not_allowed", "rule.unknown_operator"), result
        # Nothing moves, no bill opens or closes, nobody becomes visible; cash the counter
        # took is due back to the customer at the office.
        if kind in ("top_up", "pay_cash"):
            due = 1_000 if kind == "top_up" else bill_amount(central, bill_id or "")
            assert after["refunds"] - before["refunds"] == due
            assert before["cash"] - after["cash"] == due
            assert changed == {"refunds", "cash"}, (before, after)
        else:
            assert changed == set(), (before, after)
        return
    amount = bill_amount(central, bill_id) if bill_id else 0
    total = amount + CHARGE
    expected: dict[str, Any] = {
        "top_up": {"wallet": before["wallet"] + 1_000, "cash": before["cash"] - 1_000},
        "pay_cash": {"bill": ("paid", entry.entry_id), "cash": before["cash"] - amount},
        "pay_wallet": {"wallet": before["wallet"] - total, "bill": ("paid", entry.entry_id)},
        "pay_office_wallet": {
            "owallet": before["owallet"] - total,
            "bill": ("paid", entry.entry_id),
        },
        "void": {"wallet": before["wallet"] + total, "bill": ("open", None)},
    }.get(kind, {})
    if office_id.startswith("CAFE") and kind in ("top_up", "pay_wallet"):
        expected["served"] = True  # an external office sees whom it served, once applied
    if kind in ("subscriber_registered", "subscriber_updated"):
        assert after["subscriber"] != before["subscriber"]
        expected["subscriber"] = after["subscriber"]
    assert {k: after[k] for k in expected} == expected
    assert changed == set(expected) - {k for k in expected if before[k] == expected[k]}


@pytest.mark.parametrize("owner", ["own", "other_terminal", "other_office"])
@pytest.mark.parametrize("kind", ["void", "receipt_reprinted"])
@pytest.mark.parametrize("office_id", sorted(ALLOWED))
def test_a_terminal_voids_and_reprints_only_its_own_entries(
    central: Central, payer: str, office_id, kind, owner
):
    sim = central.terminal(office_id)
    maker = {
        "own": sim,
        "other_terminal": central.terminal(office_id),
        "other_office": central.terminal("MCT-BWR" if office_id == "MCT-HQ" else "MCT-HQ"),
    }[owner]
    paid, _, bill_id = make_entry(central, maker, "pay_wallet", maker.operator, payer)
    assert maker.sync()[paid.entry_id]["status"] == "applied"
    assert bill_id is not None
    if maker is not sim:
        sim.sync()
    balance = posted(central, f"wallet:{payer}")
    payload = (
        {
            "shift": sim.shift,
            "voids": paid.entry_id,
            "reason": "x",
            "approver": sim.supervisor,
            "authorisation": None,
        }
        if kind == "void"
        else {"entry": paid.entry_id, "receipt": "R-1"}
    )
    entry = sim.raw(kind, payload)
    result = sim.sync()[entry.entry_id]
    if owner == "own":
        assert result["status"] == "applied", result
    else:
        what = "void" if kind == "void" else "reprint"
        where = "cross_office" if owner == "other_office" else "other_terminal"
        assert (result["status"], result["code"]) == ("flagged", f"rule.{where}_{what}")
    undone = kind == "void" and owner == "own"
    assert posted(central, f"wallet:{payer}") - balance == (
        bill_amount(central, bill_id) + CHARGE if undone else 0
    )
    assert bill_state(central, bill_id) == (("open", None) if undone else ("paid", paid.entry_id))


@pytest.mark.parametrize(
    "who,names,code",
    [
        ("supervisor", "own", None),  # a supervisor resolves an entry of this office
        ("supervisor", "other_terminal", None),  # ... of another counter of the office
        ("clerk", "own", "rule.role_not_allowed"),  # a clerk cannot resolve anything
        ("other_supervisor", "own", "rule.approval_unconfirmed"),  # approver is not the signer
        ("supervisor", "other_office", "rule.resolution_unknown"),  # another office's entry
        ("supervisor", "unknown", "rule.resolution_unknown"),
    ],
)
def test_a_sync_problem_is_resolved_only_by_a_supervisor_of_its_office(
    central: Central, who: str, names: str, code: str | None
):
    sim = central.terminal("MCT-HQ")
    other = central.terminal("MCT-HQ" if names == "other_terminal" else "MCT-BWR")
    maker = sim if names == "own" else other
    twice = maker.top_up(random_account(), 1000)  # no such wallet: flagged, cash due back
    assert maker.sync()[twice.entry_id]["status"] == "flagged"
    if maker is not sim:
        sim.sync()
    named = new_entry_id() if names == "unknown" else twice.entry_id
    operator = sim.operator if who == "clerk" else sim.supervisor
    approver = "someone.else" if who == "other_supervisor" else operator
    payload = {"entry": named, "resolution": "refund_paid", "note": "", "approver": approver}
    entry = sim.raw("problem_resolved", payload, operator=operator)
    result = sim.sync()[entry.entry_id]
    if code is None:
        assert result["status"] == "applied", result
    else:
        assert (result["status"], result["code"]) == ("flagged", code), result


def test_a_write_off_needs_its_reason(central: Central):
    sim = central.terminal("MCT-HQ")
    twice = sim.top_up(random_account(), 1000)
    sim.sync()
    for note, status in (("", "flagged"), ("customer left no address", "applied")):
        payload = {"entry": twice.entry_id, "resolution": "written_off", "note": note}
        entry = sim.raw("problem_resolved", {**payload, "approver": sim.supervisor},
                        operator=sim.supervisor)  # fmt: skip
        assert sim.sync()[entry.entry_id]["status"] == status


# --- public endpoints: the receipt check page, its stylesheet and font -------------------------

PUBLIC_ENDPOINTS = [
    ("GET", "/r/ABCDEF12-0000001?h=" + "ab" * 32),
    ("GET", "/static/receipt.css"),
    ("GET", "/fonts/receipt.ttf"),
]


@pytest.mark.parametrize(("method", "path"), PUBLIC_ENDPOINTS)
def test_public_endpoints_need_no_credential_and_a_credential_adds_nothing(
    central: Central, terminal: TerminalSim, method: str, path: str
):
    """Anyone holding a receipt may check it; a terminal's or the admin's token sees no more
    (the receipt's full hash is what opens its details, never a token)."""
    anonymous = call(central, method, path, None, None)
    assert anonymous.status_code in (200, 404)
    for token in (terminal.token, central.admin_token):
        with_token = call(central, method, path, None, token)
        assert (with_token.status_code, with_token.content) == (
            anonymous.status_code,
            anonymous.content,
        )
