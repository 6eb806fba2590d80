"""Sync problems: entries of this terminal central flagged or rejected, each with central's
reason; the supervisor records what was done (refund paid, customer contacted, written off with
a reason) as a journal entry central applies."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from erial_desk.domain.clock import muscat_text
from erial_desk.domain.entries import Resolution
from erial_desk.domain.labels import entry_label, resolution_label
from erial_desk.services.results import OperatorChoice
from erial_desk.services.supervisor import SyncProblem

from ..context import DeskContext
from ..screen import Screen, error_label, heading
from ..words import language, t
from .supervisor_day import fill, table
from .supervisor_nav import nav_row


class SupervisorSyncScreen(Screen):
    name = "supervisor_sync"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.problems: list[SyncProblem] = []
        self.heading = heading(t("Sync problems"), self)
        self.table = table(
            [t("Time"), t("What"), t("Clerk"), t("Amount"), t("State"), t("What it needs")], self
        )
        self.table.itemSelectionChanged.connect(self._selected)
        self.detail = QLabel(self)  # the chosen problem's need, in full
        self.detail.setWordWrap(True)
        self.resolution = QComboBox(self)
        for resolution in Resolution:
            self.resolution.addItem(resolution_label(resolution, language()), resolution)
        self.note = QLineEdit(self)
        self.note.setPlaceholderText(t("What was done, or why it is written off"))
        self.record_button = QPushButton(t("Record the resolution"), self)
        self.record_button.clicked.connect(self.record)
        self.note.returnPressed.connect(self.record)
        self.error = error_label(self)
        form = QHBoxLayout()
        form.addWidget(self.resolution)
        form.addWidget(self.note, 1)
        form.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.addLayout(nav_row(self))
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(form)
        layout.addWidget(self.error)

    def title(self) -> str:
        return t("Sync problems")

    def shown(self) -> None:
        self.error.clear()
        self.ctx.call(
            "supervisor-sync",
            lambda desk: (desk.sync_problems(), desk.office_operators()),
            success=lambda found: self.show_problems(*found),
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
        )

    def show_problems(self, problems: list[SyncProblem], staff: list[OperatorChoice]) -> None:
        self.problems = problems
        lang = language()
        names = {o.operator_id: o.name_ar if lang == "ar" else o.name_en for o in staff}
        fill(
            self.table,
            [
                [
                    muscat_text(p.at)[:16],
                    entry_label(p.entry_type, lang),
                    names.get(p.operator or "", p.operator),
                    p.amount,
                    t("Flagged by central") if p.state == "flagged" else t("Rejected by central"),
                    t(p.need),
                ]
                for p in problems
            ],
        )
        for row, problem in enumerate(problems):  # central's own words, for a closer look
            item = self.table.item(row, 5)
            if item is not None:
                item.setToolTip(problem.reason)
        self.record_button.setEnabled(bool(problems))
        self.detail.clear()
        if problems:
            self.table.setCurrentCell(0, 0)
        if not problems:
            self.ctx.notice.emit(t("No sync problems wait for a supervisor."))
        self.table.setFocus()

    def _selected(self) -> None:
        row = self.table.currentRow()
        problem = self.problems[row] if 0 <= row < len(self.problems) else None
        self.detail.setText("" if problem is None else t(problem.need))

    def record(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.problems):
            self.error.setText(t("Choose the problem first."))
            return
        entry_id = self.problems[row].entry_id
        resolution = Resolution(self.resolution.currentData())
        note = self.note.text()
        self.ctx.call(
            "supervisor-resolve",
            lambda desk: desk.resolve_problem(entry_id, resolution, note),
            success=lambda _: self._recorded(),
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            disable=[self.record_button],
        )

    def _recorded(self) -> None:
        self.note.clear()
        self.ctx.notice.emit(t("Resolution recorded; it goes to central with the next sync."))
        self.shown()
