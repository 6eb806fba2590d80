"""The desk's HTTP client against a real central behind the fault proxy: what it retries (connection
errors, timeouts, 5xx), what it does not (4xx, certificate errors), its backoff, and how it stops
making a waiting customer wait once central is known to be unreachable."""

from __future__ import annotations

from pathlib import Path

import pytest

from erial_desk.domain.errors import CentralError, CentralUnavailable, ValidationError
from erial_desk.domain.policy import BillKind
from erial_desk.sync.client import OFFLINE_HOLD, RETRY_DELAYS, CentralClient

from .conftest import CentralServer, enrolled_desk
from .fault_proxy import Fault, FaultProxy


@pytest.fixture
def token(central: CentralServer, proxy: FaultProxy, tmp_path: Path) -> str:
    """The API token of a terminal enrolled for these tests."""
    from erial_desk.sync.credentials import KeyStore

    with enrolled_desk(central, tmp_path / "desk") as desk:
        found = KeyStore.open("memory", tmp_path / "desk").token(desk.terminal_id)
    assert found
    return found


@pytest.fixture
def reference_key(central: CentralServer) -> bytes:
    """Central's reference-data key, as a desk pins it at enrolment."""
    import requests

    answer = requests.get(f"{central.base_url}/v1/central-key", timeout=30).json()
    return bytes.fromhex(answer["reference_public_key"])


def _client(proxy: FaultProxy, token: str | None, waits: list[float], **kw) -> CentralClient:
    return CentralClient(proxy.url, lambda: token, sleep=waits.append, **kw)


def test_connection_errors_and_5xx_are_retried_with_backoff(proxy: FaultProxy, token: str):
    waits: list[float] = []
    client = _client(proxy, token, waits)
    proxy.plan("/v1/bills", ["reset", "error", "drop_request"])
    assert client.find_bills(BillKind.PARKING, "777 MM")
    assert waits == list(RETRY_DELAYS)
    assert [s.fault for s in proxy.requests_to("/v1/bills")] == [
        "reset",
        "error",
        "drop_request",
        "pass",
    ]


def test_a_lost_answer_is_asked_again(proxy: FaultProxy, token: str, reference_key: bytes):
    waits: list[float] = []
    client = _client(proxy, token, waits)
    client.reference_key = reference_key
    proxy.plan("/v1/policy", ["drop_response", "reset_after"])
    assert client.policy("MCT-HQ")[0].version >= 1
    assert waits == list(RETRY_DELAYS[:2])


def test_a_slow_answer_times_out_and_is_retried(proxy: FaultProxy, token: str):
    waits: list[float] = []
    client = _client(proxy, token, waits, timeout=0.3)
    proxy.plan("/v1/bills", [Fault("delay", delay=1.0)])
    assert client.find_bills(BillKind.PARKING, "777 MM")
    assert waits == [RETRY_DELAYS[0]]


def test_refusals_are_not_retried(proxy: FaultProxy, token: str):
    from erial_desk.domain.identifiers import make_account_number

    waits: list[float] = []
    client = _client(proxy, token, waits)
    with pytest.raises(ValidationError):  # 422: the number is malformed
        client.lookup_subscriber("00000000000")
    unknown = make_account_number(10**10 + 12345)
    assert client.lookup_subscriber(unknown) is None  # 404: an answer, not a failure
    assert client.wallet_balance(unknown) is None
    bad = _client(proxy, "et_not-a-token", waits)
    with pytest.raises(CentralError) as err:  # 401
        bad.find_bills(BillKind.PARKING, "777 MM")
    assert not isinstance(err.value, CentralUnavailable)
    assert waits == [] and len(proxy.seen) == 4


def test_unreachable_after_the_retries_then_fast_while_offline(
    proxy: FaultProxy, token: str, monkeypatch: pytest.MonkeyPatch
):
    waits: list[float] = []
    client = _client(proxy, token, waits)
    proxy.down = True
    with pytest.raises(CentralUnavailable):
        client.find_bills(BillKind.PARKING, "777 MM")
    assert waits == list(RETRY_DELAYS) and proxy.counts["down"] == 4
    # A customer waiting at the counter is not kept waiting again: no request goes out.
    with pytest.raises(CentralUnavailable):
        client.find_bills(BillKind.PARKING, "777 MM")
    assert proxy.counts["down"] == 4 and not client.reachable
    # The sync round always tries; once central answers, the counter is online again.
    proxy.down = False
    assert client.feed(0, 1)["cursor"] >= 0
    assert client.reachable
    assert client.find_bills(BillKind.PARKING, "777 MM")
    assert OFFLINE_HOLD > 0


def test_wallet_debits_are_retried_once(proxy: FaultProxy, token: str):
    from erial_desk.domain.central import DebitRequest
    from erial_desk.store.journal import new_entry_id

    waits: list[float] = []
    client = _client(proxy, token, waits)
    proxy.plan("/v1/wallet/debits", ["reset", "reset", "reset"])
    request = DebitRequest(new_entry_id(), "t", "MCT-HQ", "10000000008", 1_000, "PV-1", None)
    with pytest.raises(CentralUnavailable):
        client.authorise_debit(request)
    assert len(proxy.requests_to("/v1/wallet/debits")) == 2 and waits == [0.3]
