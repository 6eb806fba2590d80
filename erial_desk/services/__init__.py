"""Use cases behind one facade, ``Desk``; the UI, the CLI and the sync worker call only it."""

from .desk import Desk
from .results import (
    Approval,
    OperatorSession,
    RegistrationForm,
    ShiftSummary,
    TransactionResult,
)

__all__ = [
    "Approval",
    "Desk",
    "OperatorSession",
    "RegistrationForm",
    "ShiftSummary",
    "TransactionResult",
]
