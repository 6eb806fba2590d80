"""Use cases behind one facade, ``Desk``; the UI, the CLI and the sync worker call only it.

The names load on first use: a window that imports the small modules here (events, results) to
show itself does not pay for the whole engine (SQLAlchemy, Alembic, HTTP) before it appears.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .desk import Desk
    from .results import (
        Approval,
        OperatorSession,
        RegistrationForm,
        ShiftSummary,
        TransactionResult,
    )

_WHERE = {
    "Desk": ".desk",
    "Approval": ".results",
    "OperatorSession": ".results",
    "RegistrationForm": ".results",
    "ShiftSummary": ".results",
    "TransactionResult": ".results",
}

__all__ = [
    "Approval",
    "Desk",
    "OperatorSession",
    "RegistrationForm",
    "ShiftSummary",
    "TransactionResult",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name], __name__), name)
    globals()[name] = value
    return value
