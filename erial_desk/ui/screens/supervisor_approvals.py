"""Approvals of the day at this terminal: cash drops, voids and closes, each with who asked,
who approved and when; a close beyond the tolerance without an approver stands out."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from erial_desk.domain.clock import muscat_text
from erial_desk.domain.labels import entry_label
from erial_desk.services.results import OperatorChoice
from erial_desk.services.supervisor import ApprovalItem

from ..context import DeskContext
from ..screen import Screen, error_label, heading
from ..words import language, t
from .supervisor_day import fill, table
from .supervisor_nav import nav_row


class SupervisorApprovalsScreen(Screen):
    name = "supervisor_approvals"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.items: list[ApprovalItem] = []
        self.heading = heading(t("Approvals of the day"), self)
        self.table = table(
            [t("Time"), t("What"), t("Asked by"), t("Approved by"), t("Amount")], self
        )
        self.error = error_label(self)
        layout = QVBoxLayout(self)
        layout.addLayout(nav_row(self))
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)

    def title(self) -> str:
        return t("Approvals of the day")

    def shown(self) -> None:
        self.error.clear()
        self.ctx.call(
            "supervisor-approvals",
            lambda desk: (desk.approvals(), desk.office_operators()),
            success=lambda found: self.show_items(*found),
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
        )

    def show_items(self, items: list[ApprovalItem], staff: list[OperatorChoice]) -> None:
        self.items = items
        lang = language()
        names = {o.operator_id: o.name_ar if lang == "ar" else o.name_en for o in staff}
        fill(
            self.table,
            [
                [
                    muscat_text(i.at)[11:19],
                    entry_label(i.kind, lang),
                    names.get(i.asked_by, i.asked_by),
                    names.get(i.approver, i.approver) if i.approver else t("Not approved"),
                    i.amount,
                ]
                for i in items
            ],
        )
        self.table.setFocus()
