"""The print queue's rules, apart from where jobs are stored.

A job is made when a transaction commits, never before. Printing it is an attempt that either
succeeds or leaves the job failed with a stable error code and the printer's reason; nothing here
raises to the caller, so a dead printer never undoes or blocks a money operation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from erial_desk.domain.words import N_

from .connections import Output, PrintError
from .model import Bi, Document, bi


class JobState(StrEnum):
    QUEUED = "queued"  # committed, waiting for its first attempt
    PRINTING = "printing"  # claimed by one attempt; others leave it alone
    PRINTED = "printed"
    FAILED = "failed"  # waits for a retry, with its error


PRINT_ERRORS: dict[str, Bi] = {
    "print.unavailable": bi(
        N_(
            "Could not print: the printer is off, disconnected or out of paper. The receipt waits"
            " in the print queue."
        )
    ),
    "print.config": bi(N_("The printer settings are wrong. The receipt waits in the print queue.")),
    "print.render": bi(N_("The receipt could not be prepared for the printer.")),
    "print.source": bi(N_("The document could not be made from the journal.")),
    "print.interrupted": bi(N_("Printing stopped before it finished. Try again.")),
}


def error_message(code: str, lang: str = "en") -> str:
    text = PRINT_ERRORS.get(code, PRINT_ERRORS["print.unavailable"])
    return text.pick(lang)


@dataclass(frozen=True)
class Outcome:
    printed: bool
    where: str | None = None  # the printer or file the document went to
    code: str | None = None
    detail: str | None = None


def attempt(build: Callable[[], Document], output: Callable[[], Output]) -> Outcome:
    """Build a document and print it once; report what happened as a plain value."""
    try:
        doc = build()
    except Exception as exc:
        return Outcome(False, code="print.source", detail=f"{type(exc).__name__}: {exc}")
    try:
        where = output().print_document(doc)
    except PrintError as exc:
        return Outcome(False, code=exc.code, detail=exc.detail)
    except Exception as exc:  # a driver's own error type: still a failed print, never a crash
        return Outcome(False, code="print.unavailable", detail=f"{type(exc).__name__}: {exc}")
    return Outcome(True, where=where)
