"""Who may do what: a terminal's token acts only for that terminal and its office, admin
functions need the admin credential, the website's credential only registers subscribers.
Every refusal is a 4xx with a stable error code and a message in both languages."""

from __future__ import annotations

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from erial_desk.store.journal import new_entry_id

from .conftest import Central
from .terminal_sim import TerminalSim

# Terminal endpoints: (method, path, JSON body).
TERMINAL_ENDPOINTS = [
    ("GET", "/v1/feed", None),
    ("GET", "/v1/policy", None),
    ("GET", "/v1/bills?key=PV300000", None),
    ("GET", "/v1/subscribers/100000000008", None),
    ("GET", "/v1/subscribers/100000000008/statement", None),
    ("GET", "/v1/offices/MCT-HQ/totals", None),
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
]
ADMIN_ENDPOINTS = [
    ("POST", "/v1/admin/offices/MCT-HQ/terminals", None),
    ("POST", "/v1/admin/terminals/nobody/revoke", None),
    ("GET", "/v1/admin/offices/MCT-HQ/totals", None),
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
    if path.startswith("/v1/online"):
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
