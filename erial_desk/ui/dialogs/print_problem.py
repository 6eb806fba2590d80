"""A receipt that did not print: the transaction is already recorded; the printer's own reason
is shown with what the clerk can do (try again, save it as a PDF, or another printer)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from erial_desk.store.print_jobs import PrintJob

from ..context import DeskContext
from ..words import t


class PrintProblemDialog(QDialog):
    printed = Signal(object)  # the job, printed

    def __init__(self, ctx: DeskContext, job: PrintJob, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.job = job
        self.setWindowTitle(t("The receipt did not print"))
        self.recorded = QLabel(t("The transaction is recorded. Only the paper is missing."), self)
        self.recorded.setStyleSheet("font-weight: bold;")
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        self.outcome = QLabel(self)
        self.outcome.setWordWrap(True)
        self.retry_button = QPushButton(t("Try again"), self)
        self.retry_button.setDefault(True)
        self.retry_button.clicked.connect(self.retry)
        self.pdf_button = QPushButton(t("Save as PDF"), self)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.other_button = QPushButton(t("Another printer"), self)
        self.other_button.clicked.connect(self.other_printer)
        self.later_button = QPushButton(t("Later"), self)
        self.later_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        for button in (self.retry_button, self.pdf_button, self.other_button, self.later_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.recorded)
        layout.addWidget(self.reason)
        layout.addWidget(self.outcome)
        layout.addLayout(buttons)
        self._show_reason(job)

    def _show_reason(self, job: PrintJob) -> None:
        self.reason.setText(
            t("The printer said: {reason}", reason=job.error or t("no reason given"))
        )

    def retry(self) -> None:
        self.ctx.call(
            "print-retry",
            lambda desk: desk.retry_print(self.job.job_id),
            success=self._after,
            failure=lambda exc: self.outcome.setText(self.ctx.sentence(exc, recorded=True)),
            disable=[self.retry_button, self.pdf_button],
        )

    def save_pdf(self) -> None:
        self.ctx.call(
            "print-pdf",
            lambda desk: desk.print_job_to_pdf(self.job.job_id),
            success=lambda path: self.outcome.setText(t("Saved as {path}", path=str(path))),
            failure=lambda exc: self.outcome.setText(self.ctx.sentence(exc, recorded=True)),
            disable=[self.retry_button, self.pdf_button],
        )

    def other_printer(self) -> None:
        """The printer settings are a supervisor's: they open here for one, and a clerk is
        told whom to ask. The receipt waits in the queue meanwhile."""
        from erial_desk.domain.policy import Role

        from .settings import SettingsDialog

        operator = self.ctx.operator
        if operator is None or operator.role != Role.SUPERVISOR:
            self.outcome.setText(
                t("Ask a supervisor to choose another printer (F11); the receipt waits.")
            )
            return
        SettingsDialog(self.ctx, self.ctx.desk.settings, self).open()

    def _after(self, job: PrintJob) -> None:
        self.job = job
        if job.state == "printed":
            self.printed.emit(job)
            self.accept()
        else:
            self._show_reason(job)
