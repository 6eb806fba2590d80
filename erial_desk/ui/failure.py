"""One error path for every screen: a sentence in the clerk's language, never a traceback.

A domain error carries its own sentence (what happened and what to do next). Anything else is a
fault of ours: its traceback goes to the log file and the clerk is told, in one sentence, that
something went wrong and whether the transaction was recorded, which the screen knows by asking
the journal for the entry id it made before the write.
"""

from __future__ import annotations

import logging

from erial_desk.domain.errors import DeskError
from erial_desk.domain.words import N_, text

log = logging.getLogger("erial_desk.ui")

# By what is known of the transaction: recorded, not recorded, not known.
_UNEXPECTED = {
    True: N_(
        "Something went wrong after the transaction was recorded; it is saved. "
        "The problem was written to the log."
    ),
    False: N_(
        "Something went wrong and the transaction was not recorded: you can try again. "
        "The problem was written to the log."
    ),
    None: N_(
        "Something went wrong and was written to the log. "
        "Check the shift's transactions before trying again."
    ),
}


def failure_sentence(exc: BaseException, language: str, *, recorded: bool | None = None) -> str:
    """What the clerk reads about ``exc``. ``recorded``: whether the action's entry is in the
    journal (None when the action writes nothing or it is not known)."""
    if isinstance(exc, DeskError):
        return exc.message(language)
    log.error("unexpected failure", exc_info=(type(exc), exc, exc.__traceback__))
    return text(language, _UNEXPECTED[recorded])
