"""After a transaction: print what waits, and if the printer fails say so with what to do.

The entry is committed before this runs; a failure here never undoes it."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from erial_desk.store.print_jobs import PrintJob

from .context import DeskContext
from .dialogs.print_problem import PrintProblemDialog


def print_waiting(ctx: DeskContext, parent: QWidget | None = None) -> None:
    ctx.call(
        "print",
        lambda desk: desk.print_pending(),
        success=lambda jobs: _check(ctx, jobs, parent),
        failure=lambda exc: ctx.message.emit(ctx.sentence(exc, recorded=True)),
    )


def _check(ctx: DeskContext, jobs: list[PrintJob], parent: QWidget | None) -> None:
    for job in jobs:
        if job.state == "failed":
            PrintProblemDialog(ctx, job, parent).open()
            return
