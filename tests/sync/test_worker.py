"""The sync worker never dies silently: an answer that is not central's (a café's Wi-Fi sign-in
page answering 200), JSON of the wrong shape, a connection dropped mid-pull, and rounds of random
faults all end as a logged, named problem; the worker goes on, and the writer connection stays
usable for the counter after each of them."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from erial_desk.config import Settings
from erial_desk.domain.errors import IntegrityError
from erial_desk.domain.policy import PaymentMethod
from erial_desk.logs import LOG_FILE
from erial_desk.services import Desk
from erial_desk.sync.credentials import KeyStore

from .conftest import (
    CentralServer,
    enrolled_desk,
    eventually,
    reopen,
    start_shift,
    sync_until_done,
)
from .fault_proxy import FaultProxy

PORTAL_PAGE = (
    b"<!doctype html><html><head><title>Cafe Wi-Fi</title></head><body>"
    b"<form action='/login'>Accept the terms to use the Internet</form></body></html>"
)


class _Portal(BaseHTTPRequestHandler):
    """A captive portal: every request gets the sign-in page with 200, except the feed, which
    gets JSON of a shape central never sends."""

    def _page(self) -> None:
        if self.path.startswith("/v1/feed"):
            body, kind = b'{"welcome": "guest"}', "application/json"
        else:
            body, kind = PORTAL_PAGE, "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        self._page()

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._page()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def portal() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _pay_cash(desk: Desk, central: CentralServer) -> str:
    from .conftest import find_bill

    (bill,) = central.open_bills(1, "licence")
    return desk.pay_bill(find_bill(desk, bill), PaymentMethod.CASH).entry_id


def _assert_writer_usable(desk: Desk) -> None:
    """The shared writer connection is outside any transaction and takes an append."""
    conn = desk._journal.raw_connection()
    assert not conn.in_transaction
    before = desk.outbox_counts().get("pending", 0)
    desk.record_reprint(desk._journal.signed_entries().__next__().entry_id)
    assert desk.outbox_counts().get("pending", 0) == before + 1


def test_worker_fed_a_captive_portal_logs_it_and_goes_on(
    central: CentralServer, portal: str, tmp_path: Path
):
    data = tmp_path / "desk"
    with enrolled_desk(central, data) as desk:
        start_shift(desk)
    # The café's Wi-Fi now answers in central's place.
    settings = Settings.load(data)
    replace(settings, central_url=portal).save(data)
    with reopen(data) as desk:  # opens on what it kept: the portal is not central
        desk.login("salim", "1111")
        entry = desk.top_up(central.funded_accounts(1)[0], 5_000).entry_id
        desk.start_sync(interval=0.05)
        try:
            log = data / LOG_FILE
            assert eventually(lambda: log.read_text().count("central.unexpected_answer") >= 3, 60)
            assert desk._sync._sync_thread is not None and desk._sync._sync_thread.is_alive()
            status = desk.sync_status()
            assert status.last_error == "central.unexpected_answer" and not status.online
            message = status.error_message("en") or ""
            assert "sign-in in a web browser" in message and "unexpected_answer" not in message
            assert "أجاب طرف غير الخادم المركزي" in (status.error_message("ar") or "")
            _assert_writer_usable(desk)
            # The sign-in is done: the same worker reaches central again and sends everything.
            desk._central.base = central.base_url  # type: ignore[attr-defined]
            assert eventually(lambda: desk.sync_status().waiting == 0, 60)
        finally:
            desk.stop_sync()
        assert entry in {r[1] for r in central.entries_of(desk.terminal_id)}
        assert desk.sync_status().online and desk.sync_status().last_error is None
    text = log.read_text()
    assert "Traceback" in text and "text/html" in text  # logged with where it came from
    token = KeyStore.open("memory", data).token(desk.terminal_id)
    assert token and token not in text


def test_wrong_shape_feed_is_a_named_problem(central: CentralServer, portal: str, tmp_path: Path):
    from erial_desk.domain.errors import CentralUnavailable
    from erial_desk.sync.client import CentralClient

    with enrolled_desk(central, tmp_path / "desk") as desk:
        client = desk._central
        assert isinstance(client, CentralClient)
        client.base = portal
        with pytest.raises(CentralUnavailable) as err:
            client.feed(0)
        assert err.value.code == "central.unexpected_answer"
        with pytest.raises(CentralUnavailable) as err:
            client.find_bills(None, "777MM")
        assert "text/html" in err.value.params["reason"]


def test_a_connection_dropped_mid_pull_leaves_the_writer_usable(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from erial_desk.services import sync_service

    with enrolled_desk(central, tmp_path / "desk", url=proxy.url) as desk:
        start_shift(desk)
        _pay_cash(desk, central)
        monkeypatch.setattr(sync_service, "FEED_PAGE", 50)
        conn = desk._journal.raw_connection()
        conn.execute("DELETE FROM sync_state WHERE key = 'feed_cursor'")  # pull it all again
        # The second page's answer is cut off mid-way, on every retry.
        proxy.plan("/v1/feed", ["pass"] + ["reset_after"] * 4)
        status = desk.sync_once()
        assert not status.online and status.last_error == "central.unreachable"
        _assert_writer_usable(desk)
        assert sync_until_done(desk).waiting == 0


def test_twenty_rounds_with_faults_leave_the_writer_usable(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    rng = random.Random(20261130)
    faults = {"pass": 3, "drop_request": 1, "drop_response": 1, "reset": 1, "reset_after": 1,
              "error": 1, "duplicate": 1}  # fmt: skip
    with enrolled_desk(central, tmp_path / "desk", url=proxy.url) as desk:
        start_shift(desk)
        proxy.randomise("/v1/", rng, faults)
        outcomes = set()
        for _ in range(20):
            status = desk.sync_once()
            outcomes.add(status.last_error)
            _assert_writer_usable(desk)
        assert "central.unreachable" in outcomes, "the faults did reach the rounds"
        proxy.clear()
        assert sync_until_done(desk).waiting == 0
        assert desk.verify_journal()[1] is None


def test_tampered_cached_policy_is_refused_offline_and_fetched_again_online(
    central: CentralServer, proxy: FaultProxy, tmp_path: Path
):
    import json

    data = tmp_path / "desk"
    with enrolled_desk(central, data, url=proxy.url) as desk:
        limit = desk.policy.top_up_max
        conn = desk._journal.raw_connection()
        policy = json.loads(
            conn.execute("SELECT value FROM sync_state WHERE key = 'policy'").fetchone()[0]
        )
        policy["top_up_max"] = limit * 100
        conn.execute("UPDATE sync_state SET value = ? WHERE key = 'policy'", (json.dumps(policy),))
    proxy.down = True
    with pytest.raises(IntegrityError) as err:
        reopen(data)
    assert "policy (limits and rules)" in err.value.message("en")
    assert "does not carry the central server's valid signature" in err.value.message("en")
    proxy.down = False
    with reopen(data) as desk:  # central answers: the signed policy is fetched again
        assert desk.policy.top_up_max == limit
    proxy.down = True
    with reopen(data) as desk:  # and kept, signed, for the next time offline
        assert desk.policy.top_up_max == limit
    proxy.down = False


def test_a_feed_row_with_a_bad_signature_is_not_applied(central: CentralServer, tmp_path: Path):
    from erial_desk.store import sync_state

    with enrolled_desk(central, tmp_path / "desk", "MCT-HQ") as desk:
        client = desk._central
        page = client.feed(0, 10_000)  # type: ignore[attr-defined]
        conn = desk._journal.raw_connection()
        cursor = conn.execute("SELECT value FROM sync_state WHERE key = 'feed_cursor'").fetchone()
        (salim,) = [c for c in page["changes"] if c["kind"] == "operator"
                    and c["key"] == "salim"]  # fmt: skip
        (aisha,) = [c for c in page["changes"] if c["kind"] == "operator"
                    and c["key"] == "aisha"]  # fmt: skip
        salim["data"]["role"] = "supervisor"  # a clerk made supervisor on the way
        with pytest.raises(IntegrityError):
            sync_state.apply_feed_page(
                conn,
                desk._journal.lock,
                page["changes"],
                page["cursor"] + 1,
                desk._reference.reference_key,
            )
        assert not conn.in_transaction
        role = conn.execute("SELECT role FROM operators WHERE operator_id = 'salim'").fetchone()
        assert role[0] == "clerk"
        after = conn.execute("SELECT value FROM sync_state WHERE key = 'feed_cursor'").fetchone()
        assert after == cursor, "nothing of the page was applied, the cursor did not move"
        aisha["signature"] = None  # and a row without any signature
        salim["data"]["role"] = "clerk"
        with pytest.raises(IntegrityError):
            sync_state.apply_feed_page(
                conn,
                desk._journal.lock,
                page["changes"],
                page["cursor"],
                desk._reference.reference_key,
            )
        aisha["signature"] = salim["signature"]  # another row's signature does not fit
        with pytest.raises(IntegrityError):
            sync_state.apply_feed_page(
                conn,
                desk._journal.lock,
                page["changes"],
                page["cursor"],
                desk._reference.reference_key,
            )


def test_operator_hash_swap_at_a_central_desk_is_refused(central: CentralServer, tmp_path: Path):
    from erial_desk.services import Approval

    with enrolled_desk(central, tmp_path / "desk", "MCT-HQ") as desk:
        start_shift(desk)
        entry = _pay_cash(desk, central)
        conn = desk._journal.raw_connection()
        conn.execute(
            "UPDATE operators SET pin_hash = (SELECT pin_hash FROM operators"
            " WHERE operator_id = 'salim') WHERE operator_id = 'aisha'"
        )
        with pytest.raises(IntegrityError) as err:
            desk.void(entry, "entered by mistake", Approval("aisha", "1111"))
        assert "operator list" in err.value.message("en")
        # The refusal asks the next sync to bring the signed rows again; then the real
        # supervisor approves.
        assert sync_until_done(desk).online
        desk.void(entry, "entered by mistake", Approval("aisha", "9999"))


def test_central_reference_key_is_pinned_in_the_key_store(central: CentralServer, tmp_path: Path):
    import requests

    from erial_desk.sync.credentials import central_key

    data = tmp_path / "desk"
    with enrolled_desk(central, data) as desk:
        pinned = central_key(KeyStore.open("memory", data), desk.terminal_id)
        offered = requests.get(f"{central.base_url}/v1/central-key", timeout=30).json()
        assert pinned is not None and pinned.hex() == offered["reference_public_key"]
        for path in data.rglob("*"):
            if path.is_file():
                assert pinned not in path.read_bytes() and pinned.hex().encode() not in (
                    path.read_bytes()
                ), f"the pinned key is in {path}"
