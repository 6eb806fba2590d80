"""Calls to central that the counter makes beyond the ``Central`` interface, through the same
HTTP client (timeouts, retries, refusals as domain errors)."""

from __future__ import annotations

from typing import Any

from erial_desk.domain.central import Central
from erial_desk.domain.errors import CentralUnavailable
from erial_desk.sync.client import CentralClient


def ask_central(central: Central, method: str, path: str, **kwargs: Any) -> Any:
    """One call a customer waits for: refused at once while central is known to be away."""
    if not isinstance(central, CentralClient):
        raise CentralUnavailable(reason="no central client")
    return central.request(method, path, interactive=True, retries=(0.3,), **kwargs)
