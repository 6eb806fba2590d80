"""Request-size limits per endpoint, enforced before a body is read.

A declared ``Content-Length`` above the endpoint's limit is refused at once, before
authentication and without reading a byte of the body; a chunked body is counted as it streams
and refused as soon as it passes the limit. Either way the answer is 413 in the API's error
shape. A journal push is the only large request: a batch of signed entries.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ApiError

PUSH_LIMIT = 8 * 1024 * 1024  # bytes: a full batch of entries with room to spare
BANK_LIMIT = 16 * 1024  # the bank's callback is one small JSON object
DEFAULT_LIMIT = 64 * 1024  # every other request: a few fields at most

_LIMITS = {"/v1/journal": PUSH_LIMIT, "/v1/bank/top-ups": BANK_LIMIT}


def body_limit(path: str) -> int:
    """The most bytes a request body to ``path`` may have."""
    return _LIMITS.get(path, DEFAULT_LIMIT)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, str(limit))


class BodyLimit:
    """ASGI middleware applying ``body_limit`` to every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        declared = _content_length(scope)
        if declared is None:
            await _refuse(send, 400, ApiError(400, "request.invalid", reason="content length"))
            return
        if declared > limit:
            await _refuse(send, 413, ApiError(413, "request.too_large", limit=limit))
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            # Reached here only when nothing inside turned it into an answer already.
            if not started:
                await _refuse(send, 413, ApiError(413, "request.too_large", limit=limit))


def _content_length(scope: Scope) -> int | None:
    """The declared body length (0 when none is declared), or None when it is not a number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            if not (text.isascii() and text.isdigit()) or len(text) > 18:
                return None
            return int(text)
    return 0


async def _refuse(send: Send, status: int, error: ApiError) -> None:
    body = json.dumps(error.body(), ensure_ascii=False).encode()
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),  # the unread body stays unread
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
