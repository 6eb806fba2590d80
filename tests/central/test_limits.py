"""Robustness at the edge: bodies too large are refused before they are read, every error has the
same JSON shape, odd paths and headers answer a 4xx, the receipt page wants the full hash, and
``audit`` refuses a database that does not exist."""

from __future__ import annotations

import http.client
import json
import secrets
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from sqlalchemy import make_url

from erial_central.limits import DEFAULT_LIMIT, PUSH_LIMIT
from erial_desk.domain.entries import receipt_number, terminal_code

from .conftest import Central, run_cli
from .terminal_sim import TerminalSim


def raw_exchange(central: Central, head: str, body: list[bytes]) -> tuple[int, dict[str, Any]]:
    """Send a request's head and some body bytes on a bare socket; the answer's status and
    JSON. The body may be cut short: the answer must come without the rest."""
    parts = urlsplit(central.base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:
        sock.sendall(head.encode("latin-1"))
        for chunk in body:
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server already answered and closed
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, json.loads(response.read())


def error_of(status: int, body: dict[str, Any]) -> str:
    error = body["error"]
    assert error["message"] and error["message_ar"] and error["message"] != error["code"]
    assert isinstance(error["params"], dict)
    return f"{status} {error['code']}"


def test_a_huge_unauthenticated_post_is_refused_unread(central: Central):
    declared = 48 * 1024 * 1024
    head = (
        "POST /v1/journal HTTP/1.1\r\nHost: central\r\nContent-Type: application/json\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    )
    # Only the first 64 KiB of the 48 MB are ever sent: the answer cannot wait for the rest.
    status, body = raw_exchange(central, head, [b"[" * 65536])
    assert error_of(status, body) == "413 request.too_large"
    assert body["error"]["params"]["limit"] == str(PUSH_LIMIT)


def test_limits_are_per_endpoint(central: Central, terminal: TerminalSim):
    big = b'{"code": "' + b"x" * (DEFAULT_LIMIT + 10) + b'"}'
    enrol = requests.post(
        central.url("/v1/enrol"),
        data=big,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert error_of(enrol.status_code, enrol.json()) == "413 request.too_large"
    # The same size is fine for a push (then refused for what it says, not for its size).
    push = terminal.session.post(
        central.url("/v1/journal"),
        data=big,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert error_of(push.status_code, push.json()) == "422 request.invalid"


def test_a_chunked_body_is_cut_at_the_limit(central: Central):
    head = (
        "POST /v1/enrol HTTP/1.1\r\nHost: central\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    piece = b"x" * 16384
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    count = DEFAULT_LIMIT // len(piece) + 2
    status, body = raw_exchange(central, head, [chunk] * count + [b"0\r\n\r\n"])
    assert error_of(status, body) == "413 request.too_large"


def test_batches_are_bounded(central: Central, terminal: TerminalSim):
    entry = terminal.wire(1, 1)[0]
    response = terminal.push([entry] * 1001)
    assert error_of(response.status_code, response.json()) == "422 push.too_large"


def test_every_error_has_the_same_shape(central: Central, terminal: TerminalSim):
    answers = [
        requests.get(central.url("/v1/no-such-thing"), timeout=30),
        requests.delete(central.url("/v1/health"), timeout=30),
        requests.post(central.url("/v1/journal"), timeout=30),
        terminal.session.post(central.url("/v1/journal"), data=b"{", timeout=30),
        terminal.get("/v1/feed", cursor="x"),
    ]
    codes = [error_of(a.status_code, a.json()) for a in answers]
    assert codes == [
        "404 request.not_found",
        "405 request.method",
        "401 auth.missing",
        "422 request.invalid",
        "422 request.invalid",
    ]


ODD_SEGMENTS = [
    "١٠٠٠٠٠٠٠٠٠٠٨",  # Arabic-Indic digits
    "１００００００００００８",  # fullwidth digits
    "9" * 30,
    "²³",
    "ABCDEF12-" + "9" * 30,
    "ABCDEF12-²",
    "ABCDEF12-١٢",
    "☃",
    "%FF%FE",
    "a" * 300,
]
ODD_HEADERS = [
    b"Bearer \xff\xfe\xfd",
    "Bearer ١٢٣".encode(),
    b"\xd9\xa1\xd9\xa2",
    b"Bearer " + b"9" * 30,
]


def odd_requests(segment: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("GET", f"/v1/subscribers/{segment}", None),
        ("GET", f"/v1/subscribers/{segment}/statement", None),
        ("POST", f"/v1/wallet/debits/{segment}/cancel", None),
        ("GET", f"/v1/offices/{segment}/totals?day=٢٠٢٦-٠١-٠١", None),
        ("GET", f"/v1/admin/offices/{segment}/totals", None),
        ("POST", f"/v1/admin/offices/{segment}/terminals", None),
        ("POST", f"/v1/admin/terminals/{segment}/revoke", None),
        ("GET", f"/r/{segment}?h={segment}", None),
        ("GET", f"/v1/feed?cursor={segment}&limit={segment}", None),
        ("GET", f"/v1/bills?key={segment}&kind={segment}", None),
        (
            "POST",
            "/v1/wallet/debits",
            {"entry_id": segment, "account": segment, "amount": 1, "bill_id": segment},
        ),
        (
            "POST",
            "/v1/wallet/reversals",
            {"entry_id": segment, "voids": segment, "account": segment, "amount": 10**30},
        ),
        ("POST", "/v1/bank/top-ups", {"bank_reference": segment, "account": segment}),
    ]


def test_odd_paths_and_headers_never_fail(central: Central, terminal: TerminalSim):
    tokens: list[bytes | None] = [
        None,
        f"Bearer {terminal.token}".encode(),
        f"Bearer {central.admin_token}".encode(),
        *ODD_HEADERS,
    ]
    failures = []
    for segment in ODD_SEGMENTS:
        for method, path, body in odd_requests(segment):
            for token in tokens:
                headers: dict[str, Any] = {"X-Signature": ODD_HEADERS[0]}
                if token is not None:
                    headers["Authorization"] = token
                response = requests.request(
                    method, central.url(path), json=body, headers=headers, timeout=30
                )
                if response.status_code >= 500:
                    failures.append(f"{method} {path} {token!r}: {response.status_code}")
                elif response.status_code >= 400 and not path.startswith("/r/"):
                    error_of(response.status_code, response.json())
    assert not failures, "\n".join(failures)


def test_receipt_page_wants_the_full_hash(central: Central, terminal: TerminalSim):
    account = terminal.register()
    entry = terminal.top_up(account, 7_250)
    terminal.sync()
    receipt = receipt_number(terminal_code(terminal.terminal_id), entry.seq)
    full = entry.signed.hash
    page = requests.get(central.url(f"/r/{receipt}"), params={"h": full}, timeout=30)
    assert "Genuine receipt" in page.text and "7.250" in page.text
    upper = requests.get(central.url(f"/r/{receipt}"), params={"h": full.upper()}, timeout=30)
    assert "Genuine receipt" in upper.text
    for guess in (full[:16], full[:63], full + "0", full[:-1] + "x", ""):
        page = requests.get(central.url(f"/r/{receipt}"), params={"h": guess}, timeout=30)
        assert "does not match" in page.text, guess
        assert "7.250" not in page.text and "MCT-HQ" not in page.text


def missing_database(central: Central) -> str:
    if central.backend == "sqlite":
        return f"sqlite:///{central.workdir / f'absent-{secrets.token_hex(3)}.sqlite'}"
    url = make_url(central.database)
    schema = f"absent_{secrets.token_hex(4)}"
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def test_audit_of_a_missing_database_fails(central: Central):
    database = missing_database(central)
    done = run_cli(database, central.secrets, "audit")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no central database" in done.stderr
    assert "audit passed" not in done.stdout
    if central.backend == "sqlite":
        assert not Path(str(make_url(database).database)).exists()
    # Nothing was made: asked again, the same refusal.
    assert run_cli(database, central.secrets, "audit").returncode == 2


def test_numbers_past_64_bits_are_refused(central: Central, terminal: TerminalSim):
    (entry,) = terminal.wire(1, 1)
    for seq in (2**63, 10**30):
        response = terminal.push([{**entry, "seq": seq}])
        assert error_of(response.status_code, response.json()) == "422 request.invalid"
    assert terminal.get("/v1/feed", cursor=10**30).status_code == 422
    assert {r["status"] for r in terminal.sync().values()} == {"applied"}
