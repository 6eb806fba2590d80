"""The desk's HTTP client of central: one ``requests`` session, timeouts, TLS always verified.

Connection errors and 5xx answers are retried with backoff, then reported as
``CentralUnavailable`` so the offline policy can decide; 4xx answers are central's refusals and
become the matching domain error at once. Plain HTTP is accepted only on the loopback interface
(a central started beside the desk for tests and demos); anything else must be HTTPS.
"""

from __future__ import annotations

import base64
import functools
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

import requests

from erial_desk.domain.central import (
    Authorisation,
    Bill,
    DebitRequest,
    OperatorRecord,
    PushResult,
    SubscriberRecord,
)
from erial_desk.domain.chain import SignedEntry
from erial_desk.domain.deadline import Deadline, check
from erial_desk.domain.errors import (
    MESSAGES,
    AuthError,
    Cancelled,
    CentralError,
    CentralUnavailable,
    ConfigError,
    DeskError,
    NotFoundError,
    PolicyError,
    StateError,
    ValidationError,
)
from erial_desk.domain.policy import (
    BillKind,
    FeeCatalogue,
    Office,
    Policy,
    catalogue_from_dict,
    office_from_dict,
    policy_from_dict,
)
from erial_desk.domain.reference import check_reference

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
RETRY_DELAYS = (0.2, 0.6, 1.5)  # seconds between attempts for connection errors and 5xx
CONNECT_TIMEOUT = 3.05  # seconds to open a connection; the read timeout is per call
AUTHORISATION_TIMEOUT = 4.0  # seconds a wallet debit waits for central's answer
# Once central could not be reached, calls made while a customer waits at the counter (bill
# lookups, wallet debits) answer "unreachable" at once for this long, so that each of them does
# not wait through the retries again: the offline policy decides meanwhile. The sync round's
# calls always try, and any answer from central ends it.
OFFLINE_HOLD = 15.0


def check_server_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK):
        return url.rstrip("/")
    raise ConfigError(
        "config.invalid_setting", name="central_url", reason="must be an https:// address"
    )


_ERROR_CLASSES: dict[str, type[DeskError]] = {
    "wallet": AuthError,
    "login": AuthError,
    "approval": AuthError,
    "bill": StateError,
    "subscriber": NotFoundError,
    "policy": PolicyError,
    "amount": ValidationError,
    "account": ValidationError,
}


def _refusal(response: requests.Response) -> DeskError:
    """Central's 4xx as the domain error the counter shows."""
    try:
        error = response.json()["error"]
        code, params = str(error["code"]), dict(error.get("params") or {})
        reason = str(error.get("message", code))
        reason_ar = str(error.get("message_ar", reason))
    except (ValueError, KeyError, TypeError, AttributeError):
        code, params = "", {}
        reason = reason_ar = f"HTTP {response.status_code}."
    if code == "auth.revoked":
        return CentralError("sync.revoked")
    if code == "subscriber.not_found" or code == "bill.not_found":
        return NotFoundError(code)
    if code in ("wallet.insufficient", "wallet.closed", "bill.already_paid"):
        return StateError(code, **params)
    if code in MESSAGES:
        cls = _ERROR_CLASSES.get(code.split(".", 1)[0], CentralError)
        return cls(code, **params)
    return CentralError("central.refused", reason=reason, reason_ar=reason_ar)


def _json_answer(response: requests.Response) -> Any:
    """A 2xx answer's JSON. Anything else (a Wi-Fi sign-in page answering 200 in central's
    place, a proxy's error page) is no answer from central: the offline policy takes over and
    the sync worker retries later."""
    kind = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if kind != "application/json":
        raise CentralUnavailable(
            "central.unexpected_answer", reason=f"HTTP {response.status_code}, {kind or 'no type'}"
        )
    try:
        return response.json()
    except ValueError as exc:
        raise CentralUnavailable(
            "central.unexpected_answer", reason=f"HTTP {response.status_code}, not JSON"
        ) from exc


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _shaped(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """An answer that is JSON but not of the expected shape is reported as such, never as a
    KeyError or TypeError out of the sync worker."""

    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise CentralUnavailable(
                "central.unexpected_answer", reason=f"{method.__name__}: {type(exc).__name__}"
            ) from exc

    return wrapper


class CentralClient:
    """``erial_desk.domain.central.Central`` over HTTPS."""

    def __init__(
        self,
        base_url: str,
        token: Callable[[], str | None],
        *,
        ca_bundle: str = "",
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base = check_server_url(base_url)
        self._token = token
        self._offline_until = 0.0
        self.session = requests.Session()
        # Never False. Given with each request: requests lets REQUESTS_CA_BUNDLE or
        # CURL_CA_BUNDLE in the environment override a session's own setting.
        self.verify: str | bool = ca_bundle or True
        self.session.verify = self.verify
        self.timeout = timeout
        self._sleep = sleep
        self._office: Office | None = None
        self._policy: tuple[Policy, FeeCatalogue] | None = None
        self._sealing: bytes | None = None
        # Central's reference-data key, pinned by the desk; what it signed, as received.
        self.reference_key: bytes | None = None
        self.signed: dict[str, tuple[Any, str]] = {}

    # --- transport -------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        timeout: float | None = None,
        retries: Sequence[float] = RETRY_DELAYS,
        interactive: bool = False,
        deadline: Deadline | None = None,
        **kwargs: Any,
    ) -> Any:
        """One call to central. ``interactive`` calls (a customer waits) fail fast while central
        is known to be unreachable; the others always try. A ``deadline`` bounds every wait of
        the call, retries included, and its ``cancel`` ends the call at once."""
        if interactive and time.monotonic() < self._offline_until:
            raise CentralUnavailable(reason="offline")
        try:
            answer = self._request(method, path, auth, timeout, retries, deadline, kwargs)
        except Cancelled:
            raise  # the desk gave up; central has said nothing
        except CentralUnavailable:
            self._offline_until = time.monotonic() + OFFLINE_HOLD
            raise
        except DeskError:
            self._offline_until = 0.0  # central answered, if only to refuse
            raise
        self._offline_until = 0.0
        return answer

    @property
    def reachable(self) -> bool:
        """False while central is known to be unreachable (see ``OFFLINE_HOLD``)."""
        return time.monotonic() >= self._offline_until

    def _request(
        self,
        method: str,
        path: str,
        auth: bool,
        timeout: float | None,
        retries: Sequence[float],
        deadline: Deadline | None,
        kwargs: dict[str, Any],
    ) -> Any:
        headers = kwargs.pop("headers", {})
        if auth:
            token = self._token()
            if not token:
                raise ConfigError("config.not_initialised", path="enrolment")
            headers["Authorization"] = f"Bearer {token}"
        last: Exception | None = None
        for delay in (*retries, None):
            check(deadline)
            read = timeout or self.timeout
            try:
                response = self._send(
                    deadline,
                    method=method,
                    url=self.base + path,
                    headers=headers,
                    timeout=(
                        (CONNECT_TIMEOUT, read)
                        if deadline is None
                        else (deadline.bound(CONNECT_TIMEOUT), deadline.bound(read))
                    ),
                    verify=self.verify,
                    **kwargs,
                )
            except requests.exceptions.SSLError as exc:
                # An untrusted certificate is not a network hiccup: never retried, never ignored.
                raise CentralError("central.untrusted_certificate") from exc
            except (requests.ConnectionError, requests.Timeout) as exc:
                last = exc
            else:
                if response.status_code < 400:
                    return _json_answer(response)
                if response.status_code < 500:
                    raise _refusal(response)
                last = RuntimeError(f"HTTP {response.status_code}")
            if delay is None:
                break
            if deadline is None:
                self._sleep(delay)
            else:
                deadline.sleep(delay)
        raise CentralUnavailable(reason=str(last))

    def _send(self, deadline: Deadline | None, **request: Any) -> requests.Response:
        """``session.request``; with a deadline, on a helper thread, so that a cancel returns
        at once: the request left behind ends by its own timeout and its answer is dropped."""
        if deadline is None:
            return self.session.request(**request)
        done = threading.Event()
        outcome: list[requests.Response | BaseException] = []

        def call() -> None:
            try:
                outcome.append(self.session.request(**request))
            except BaseException as exc:  # handed to the waiting thread below
                outcome.append(exc)
            finally:
                done.set()

        threading.Thread(target=call, name="erial-central-call", daemon=True).start()
        deadline.wait_for(done)
        (result,) = outcome
        if isinstance(result, BaseException):
            raise result
        return result

    # --- the Central interface -------------------------------------------------------------

    @_shaped
    def _load_policy(self, deadline: Deadline | None = None) -> None:
        data = self.request("GET", "/v1/policy", deadline=deadline)
        signatures = data.get("signatures") or {}
        for kind in ("office", "policy", "catalogue"):
            check_reference(self.reference_key, kind, data[kind], signatures.get(kind))
            self.signed[kind] = (data[kind], signatures[kind])
        self._office = office_from_dict(data["office"])
        self._policy = (policy_from_dict(data["policy"]), catalogue_from_dict(data["catalogue"]))

    def office(self, office_id: str, *, deadline: Deadline | None = None) -> Office:
        if self._office is None:
            self._load_policy(deadline)
        assert self._office is not None
        return self._office

    def policy(
        self, office_id: str, *, deadline: Deadline | None = None
    ) -> tuple[Policy, FeeCatalogue]:
        if self._policy is None:
            self._load_policy(deadline)
        assert self._policy is not None
        return self._policy

    def operators(self, office_id: str) -> list[OperatorRecord]:
        # Operators arrive through the change feed (see feed.py); nothing to ask here.
        return []

    @_shaped
    def sealing_key(self, *, deadline: Deadline | None = None) -> bytes:
        if self._sealing is None:
            data = self.request("GET", "/v1/central-key", auth=False, deadline=deadline)
            signed = {"sealing_public_key": str(data["sealing_public_key"])}
            check_reference(
                self.reference_key, "sealing_key", signed, data.get("sealing_signature")
            )
            self.signed["sealing_key"] = (signed, data["sealing_signature"])
            self._sealing = base64.b64decode(signed["sealing_public_key"])
        return self._sealing

    @_shaped
    def office_day(
        self, office_id: str, day: str, *, deadline: Deadline | None = None
    ) -> dict[str, Any]:
        """The office's day report at central (its totals and shifts), for its supervisor."""
        answer = self.request(
            "GET", f"/v1/offices/{office_id}/day", params={"day": day}, deadline=deadline
        )
        assert isinstance(answer, dict)
        return answer

    @_shaped
    def find_bills(
        self, kind: BillKind | None, key: str, *, deadline: Deadline | None = None
    ) -> list[Bill]:
        params = {"key": key} | ({"kind": kind.value} if kind else {})
        data = self.request("GET", "/v1/bills", params=params, interactive=True, deadline=deadline)
        return [Bill.from_dict(b) for b in data["bills"]]

    @_shaped
    def authorise_debit(
        self, request: DebitRequest, *, deadline: Deadline | None = None
    ) -> Authorisation:
        data = self.request(
            "POST",
            "/v1/wallet/debits",
            # The customer waits: a short read timeout, and one retry with the same entry id
            # (central answers a repeat as the first time) to recover a lost answer.
            timeout=AUTHORISATION_TIMEOUT,
            retries=(0.3,),
            interactive=True,
            deadline=deadline,
            json={
                "entry_id": request.entry_id,
                "account": request.account,
                "amount": request.amount,
                "bill_id": request.bill_id,
                "sealed_pin": request.sealed_pin,
            },
        )
        return Authorisation(data["reference"], int(data["balance_after"]))

    @_shaped
    def cancel_debit(self, entry_id: str, *, deadline: Deadline | None = None) -> str:
        """Abandon a debit whose answer never came and whose payment was then refused."""
        data = self.request("POST", f"/v1/wallet/debits/{entry_id}/cancel", deadline=deadline)
        return str(data["status"])

    @_shaped
    def authorise_reversal(
        self,
        entry_id: str,
        voids: str,
        account: str | None,
        amount: int,
        *,
        deadline: Deadline | None = None,
    ) -> Authorisation | None:
        if account is None:
            return None
        data = self.request(
            "POST",
            "/v1/wallet/reversals",
            retries=(0.3,),
            interactive=True,
            deadline=deadline,
            json={"entry_id": entry_id, "voids": voids, "account": account, "amount": amount},
        )
        return Authorisation(data["reference"], int(data["balance_after"]))

    @_shaped
    def wallet_balance(self, account: str) -> int | None:
        try:
            statement = self.request(
                "GET", f"/v1/subscribers/{account}/statement", interactive=True
            )
            return int(statement["balance"])
        except NotFoundError:
            return None

    @_shaped
    def lookup_subscriber(
        self, account: str, *, deadline: Deadline | None = None
    ) -> SubscriberRecord | None:
        try:
            data = self.request(
                "GET", f"/v1/subscribers/{account}", interactive=True, deadline=deadline
            )
        except NotFoundError:
            return None
        return SubscriberRecord(**{k: data.get(k) for k in SubscriberRecord.__dataclass_fields__})

    @_shaped
    def push(
        self, entries: Sequence[SignedEntry], *, deadline: Deadline | None = None
    ) -> list[PushResult]:
        if not entries:
            return []
        terminal = entries[0].envelope()["terminal"]
        data = self.request(
            "POST",
            "/v1/journal",
            timeout=max(self.timeout, 60.0),
            deadline=deadline,
            json={
                "terminal_id": terminal,
                "entries": [
                    {
                        "seq": e.seq,
                        "id": e.entry_id,
                        "body": e.body.decode("utf-8"),
                        "hash": e.hash,
                        "signature": e.signature.hex(),
                    }
                    for e in entries
                ],
            },
        )
        results = []
        for r in data["results"]:
            reason = r.get("reason")
            status = r["status"]
            if status == "duplicate" and r.get("first", {}).get("status") == "flagged":
                status, reason = "flagged", r["first"].get("reason")
            results.append(PushResult(r["id"], status, reason))
        return results

    # --- beyond the interface: feed, enrolment ---------------------------------------------

    @_shaped
    def feed(
        self, cursor: int, limit: int = 5000, *, deadline: Deadline | None = None
    ) -> dict[str, Any]:
        page = self.request(
            "GET",
            "/v1/feed",
            params={"cursor": cursor, "limit": limit},
            timeout=120.0,
            deadline=deadline,
        )
        changes = [
            {**change, "kind": str(change["kind"]), "data": dict(change["data"])}
            for change in page["changes"]
        ]
        after = int(page["cursor"])
        return {
            "changes": changes,
            "cursor": after,
            "newest": int(page.get("newest", after)),
            "more": page["more"] is True,
        }

    @_shaped
    def offered_reference_key(self) -> bytes:
        """Central's reference key as it says it now: pinned only by a desk enrolled before
        keys were pinned at enrolment (over TLS, once)."""
        data = self.request("GET", "/v1/central-key", auth=False)
        return bytes.fromhex(data["reference_public_key"])

    @_shaped
    def enrol(self, code: str, terminal_id: str, public_key: bytes) -> dict[str, Any]:
        answer = self.request(
            "POST",
            "/v1/enrol",
            auth=False,
            json={"code": code, "terminal_id": terminal_id, "public_key": public_key.hex()},
        )
        # What the desk keeps from it must be there, central's reference key included.
        if not (
            isinstance(answer["token"], str)
            and isinstance(answer["office_id"], str)
            and len(bytes.fromhex(answer["reference_public_key"])) == 32
        ):
            raise TypeError("enrolment answer")
        return dict(answer)

    def close(self) -> None:
        self.session.close()
