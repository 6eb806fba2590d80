"""The kinds of journal entry: one enum, named by every layer (``entries`` adds the payloads).

Kept apart from ``entries`` so that ``policy``, which ``entries`` imports, can name them too.
"""

from __future__ import annotations

from enum import StrEnum


class EntryType(StrEnum):
    SHIFT_OPENED = "shift_opened"
    CASH_DROP = "cash_drop"
    SHIFT_CLOSED = "shift_closed"
    SUBSCRIBER_REGISTERED = "subscriber_registered"
    SUBSCRIBER_UPDATED = "subscriber_updated"
    TOP_UP = "top_up"
    BILL_PAID = "bill_paid"
    VOID = "void"
    RECEIPT_REPRINTED = "receipt_reprinted"
    PROBLEM_RESOLVED = "problem_resolved"  # a supervisor resolved what central flagged
