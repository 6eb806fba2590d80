"""A small HTTP proxy on loopback between the desk and central that injects network faults.

Every request the desk sends goes through it. What happens to each one is decided by a plan:
faults queued for requests whose path starts with a prefix (taken one per request, in order),
an optional random plan, or the "down" switch that resets every connection at once. With no
fault planned the request is forwarded unchanged. The proxy counts what it did.

Faults:
    pass            forward, answer
    drop_request    close the connection without forwarding
    drop_response   forward (central applies it), then close without answering
    duplicate       forward the request twice at once, answer with the first answer
    delay           wait ``delay`` seconds, then forward and answer
    reset           TCP reset (SO_LINGER 0) without forwarding
    reset_after     forward, then TCP reset instead of the answer
    error           answer 502 without forwarding
    restart         forward while central is killed and started again; no answer
    hold            wait until the test releases it (``held``/``release``), then ``then``

When central cannot be reached the proxy answers 502, as a load balancer does.
"""

from __future__ import annotations

import http.client
import random
import socket
import ssl
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KINDS = (
    "pass",
    "drop_request",
    "drop_response",
    "duplicate",
    "delay",
    "reset",
    "reset_after",
    "error",
    "restart",
    "hold",
)
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "date",
    "server",
}


@dataclass(frozen=True)
class Fault:
    kind: str
    delay: float = 0.0  # for "delay"; for "restart", how long after forwarding central is killed
    then: str = "pass"  # for "hold": what happens once released

    def __post_init__(self) -> None:
        if self.kind not in KINDS or self.then not in KINDS:
            raise ValueError(f"unknown fault {self.kind}/{self.then}")


def as_fault(value: Fault | str) -> Fault:
    return value if isinstance(value, Fault) else Fault(value)


@dataclass
class Upstream:
    host: str
    port: int


@dataclass
class _Answer:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Seen:
    """One request as the proxy handled it."""

    method: str
    path: str
    fault: str
    status: int | None  # what the desk was answered; None when it got no answer
    content_encoding: str | None = None


@dataclass
class FaultProxy:
    """``FaultProxy(upstream_port).start()``; the desk talks to ``proxy.url``."""

    upstream_port: int
    upstream_host: str = "127.0.0.1"
    tls: ssl.SSLContext | None = None
    restart_upstream: Callable[[], None] | None = None  # kills and starts central again
    counts: Counter[str] = field(default_factory=Counter)
    seen: list[Seen] = field(default_factory=list)
    forwarded: int = 0  # requests that reached central (a duplicate counts twice)
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    down: bool = False

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: list[tuple[str, deque[Fault]]] = []
        self._random: tuple[str, random.Random, list[str], list[float], float] | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- life -------------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.proxy = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="fault-proxy")
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    # --- the plan ---------------------------------------------------------------------------

    def plan(self, prefix: str, faults: Iterable[Fault | str]) -> None:
        """Queue faults for the next requests whose path starts with ``prefix``."""
        with self._lock:
            self._queues.append((prefix, deque(as_fault(f) for f in faults)))

    def randomise(
        self,
        prefix: str,
        rng: random.Random,
        weights: dict[str, float],
        *,
        delay: float = 0.3,
    ) -> None:
        """Give each request under ``prefix`` (once the queued faults are used) a fault drawn
        from ``weights``; ``clear`` ends it."""
        with self._lock:
            self._random = (prefix, rng, list(weights), list(weights.values()), delay)

    def clear(self) -> None:
        """No more faults: queued and random plans are dropped, the network is up."""
        with self._lock:
            self._queues.clear()
            self._random = None
            self.down = False

    def pending(self, prefix: str = "") -> int:
        with self._lock:
            return sum(len(q) for p, q in self._queues if p.startswith(prefix))

    def _next_fault(self, path: str) -> Fault:
        with self._lock:
            for prefix, queue in self._queues:
                if path.startswith(prefix) and queue:
                    return queue.popleft()
            if self._random is not None and path.startswith(self._random[0]):
                _prefix, rng, kinds, weights, delay = self._random
                kind = rng.choices(kinds, weights)[0]
                return Fault(kind, delay=delay if kind in ("delay", "restart") else 0.0)
        return Fault("pass")

    # --- bookkeeping ------------------------------------------------------------------------

    def count(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def requests_to(self, prefix: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.path.startswith(prefix)]

    # --- talking to central -----------------------------------------------------------------

    def forward(
        self, method: str, path: str, headers: list[tuple[str, str]], body: bytes
    ) -> _Answer:
        with self._lock:
            self.forwarded += 1
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=120)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP:
                    conn.putheader(name, value)
            conn.putheader("Content-Length", str(len(body)))
            conn.putheader("Connection", "close")
            conn.endheaders(body)
            response = conn.getresponse()
            data = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
            return _Answer(response.status, response.reason, kept, data)
        finally:
            conn.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer

    @property
    def proxy(self) -> FaultProxy:
        return self.server.proxy  # type: ignore[attr-defined, no-any-return]

    def setup(self) -> None:
        # Headers and body go out in two writes: without this, Nagle's algorithm and the
        # desk's delayed acknowledgement add tens of milliseconds to every answer.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.proxy.tls is not None:
            self.request = self.proxy.tls.wrap_socket(
                self.request, server_side=True, do_handshake_on_connect=False
            )
        super().setup()

    def handle(self) -> None:
        if self.proxy.down:
            self.proxy.count("down")
            self._reset()
            return
        self._handled = 0
        if self.proxy.tls is not None:
            try:
                self.connection.do_handshake()  # type: ignore[attr-defined]
            except (ssl.SSLError, OSError):
                self.proxy.count("tls_refused")
                self.close_connection = True
                return
        try:
            super().handle()
        except (ConnectionError, TimeoutError, ssl.SSLError):
            self.close_connection = True
        if self.proxy.tls is not None and not self._handled:
            # Under TLS 1.3 a client that does not trust the certificate aborts after the
            # server's side of the handshake is done: a connection that ends with no request.
            self.proxy.count("tls_refused")

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            try:
                self.connection.close()
            except OSError:
                pass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet

    def do_GET(self) -> None:  # noqa: N802
        self._proxy()

    def do_POST(self) -> None:  # noqa: N802
        self._proxy()

    def do_PUT(self) -> None:  # noqa: N802
        self._proxy()

    def do_DELETE(self) -> None:  # noqa: N802
        self._proxy()

    # --- one request ------------------------------------------------------------------------

    def _proxy(self) -> None:
        proxy = self.proxy
        self._handled += 1
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = list(self.headers.items())
        fault = proxy._next_fault(self.path)
        kind = fault.kind
        if proxy.down:
            kind = "down"
        proxy.count(kind)
        if kind == "hold":
            proxy.held.set()
            proxy.release.wait(timeout=120)
            kind = fault.then
            proxy.count(f"hold->{kind}")
        answer = self._act(kind, fault, headers, body)
        encoding = None
        if answer is not None:
            encoding = next((v for k, v in answer.headers if k.lower() == "content-encoding"), None)
        # Recorded before the desk gets its answer, so a test sees it as soon as the desk does.
        proxy.record(
            Seen(self.command, self.path, kind, answer.status if answer else None, encoding)
        )
        if answer is not None:
            self._answer(answer)

    _handled = 0

    def _act(
        self, kind: str, fault: Fault, headers: list[tuple[str, str]], body: bytes
    ) -> _Answer | None:
        """Do what ``kind`` says; the answer to give the desk, or None when it gets none."""
        if kind in ("drop_request", "down"):
            self._drop()
            return None
        if kind == "reset":
            self._reset()
            return None
        if kind == "error":
            return _Answer(502, "Bad Gateway", [("Content-Type", "text/plain")], b"faulty")
        if kind == "delay":
            time.sleep(fault.delay)
        if kind == "restart":
            self._forward_while_restarting(fault, headers, body)
            self._drop()
            return None
        if kind == "duplicate":
            answer = self._forward_twice(headers, body)
        else:
            answer = self._forward_or_502(headers, body)
        if kind == "drop_response":
            self._drop()
            return None
        if kind == "reset_after":
            self._reset()
            return None
        return answer

    def _forward_or_502(self, headers: list[tuple[str, str]], body: bytes) -> _Answer:
        try:
            return self.proxy.forward(self.command, self.path, headers, body)
        except (OSError, http.client.HTTPException):
            self.proxy.count("upstream_unreachable")
            return _Answer(502, "Bad Gateway", [("Content-Type", "text/plain")], b"unreachable")

    def _forward_twice(self, headers: list[tuple[str, str]], body: bytes) -> _Answer:
        answers: list[_Answer] = []

        def copy() -> None:
            answers.append(self._forward_or_502(headers, body))

        second = threading.Thread(target=copy)
        second.start()
        first = self._forward_or_502(headers, body)
        second.join(timeout=130)
        return first

    def _forward_while_restarting(
        self, fault: Fault, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        proxy = self.proxy
        assert proxy.restart_upstream is not None, "restart needs restart_upstream"
        sending = threading.Thread(target=self._forward_or_502, args=(headers, body))
        sending.start()
        time.sleep(fault.delay)
        proxy.restart_upstream()
        sending.join(timeout=130)

    # --- what the desk gets -----------------------------------------------------------------

    def _answer(self, answer: _Answer) -> None:
        self.send_response(answer.status, answer.reason)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        try:
            self.wfile.write(answer.body)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def _drop(self) -> None:
        """Close the connection: the desk sees it end with no answer."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _reset(self) -> None:
        """Abort the connection with a TCP reset."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
