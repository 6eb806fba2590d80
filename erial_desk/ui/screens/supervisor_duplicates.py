"""Duplicate accounts: accounts registered a second time for one civil or CR number (at two
counters offline, or online and at a counter), as central lists them, each beside the first
account. After seeing the holder's ID the supervisor merges the duplicate into the first
account: one journal entry, signed by the supervisor, that central applies (the balance moves
over; the duplicate closes and its number leads to the first account)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from erial_desk.domain.clock import muscat_text
from erial_desk.services.duplicates import AccountHolder, SuspectedDuplicate

from ..context import DeskContext
from ..screen import Screen, error_label, heading
from ..widgets.amounts import money
from ..words import language, t
from .supervisor_day import fill, table
from .supervisor_nav import nav_row

ONLINE = "online"  # central's registered_by for the website's self-registration


class SupervisorDuplicatesScreen(Screen):
    name = "supervisor_duplicates"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.duplicates: list[SuspectedDuplicate] = []
        self.heading = heading(t("Duplicate accounts"), self)
        self.table = table(
            [
                t("Duplicate account"),
                t("Name"),
                t("ID number"),
                t("Registered by"),
                t("Balance"),
                t("First account"),
                t("Its balance"),
            ],
            self,
        )
        self.table.itemSelectionChanged.connect(self._selected)
        self.detail = QLabel(self)  # the chosen pair and what the merge does, in full
        self.detail.setWordWrap(True)
        self.id_checked = QCheckBox(
            t("I have seen the holder's civil ID card or CR certificate"), self
        )
        self.id_checked.toggled.connect(self._allow_merge)
        self.merge_button = QPushButton(t("Merge into the first account"), self)
        self.merge_button.clicked.connect(self.merge)
        self.error = error_label(self)
        form = QHBoxLayout()
        form.addWidget(self.id_checked, 1)
        form.addWidget(self.merge_button)
        layout = QVBoxLayout(self)
        layout.addLayout(nav_row(self))
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(form)
        layout.addWidget(self.error)
        self._allow_merge()

    def title(self) -> str:
        return t("Duplicate accounts")

    def shown(self) -> None:
        self.error.clear()
        self.ctx.call(
            "supervisor-duplicates",
            lambda desk: desk.suspected_duplicates(),
            success=self.show_duplicates,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
        )

    def show_duplicates(self, duplicates: list[SuspectedDuplicate]) -> None:
        self.duplicates = duplicates
        fill(
            self.table,
            [
                [
                    d.duplicate.account,
                    self._name(d.duplicate),
                    d.duplicate.civil_number or d.duplicate.cr_number,
                    self._registered(d.duplicate),
                    d.duplicate.balance,
                    d.first.account,
                    d.first.balance,
                ]
                for d in duplicates
            ],
        )
        for row, found in enumerate(duplicates):  # when, for a closer look
            item = self.table.item(row, 3)
            if item is not None and found.duplicate.registered_at:
                item.setToolTip(muscat_text(found.duplicate.registered_at))
        self.id_checked.setChecked(False)
        self.detail.clear()
        if duplicates:
            self.table.setCurrentCell(0, 0)
        else:
            self.ctx.notice.emit(t("No duplicate accounts wait for a merge."))
        self._allow_merge()
        self.table.setFocus()

    @staticmethod
    def _name(holder: AccountHolder) -> str:
        return holder.name_ar if language() == "ar" else holder.name_en

    @staticmethod
    def _registered(holder: AccountHolder) -> str:
        """Where the account was registered: an office's code, or the website."""
        return t("Website") if holder.registered_by == ONLINE else holder.registered_by

    def _chosen(self) -> SuspectedDuplicate | None:
        row = self.table.currentRow()
        return self.duplicates[row] if 0 <= row < len(self.duplicates) else None

    def _selected(self) -> None:
        chosen = self._chosen()
        self.id_checked.setChecked(False)  # each merge needs its own ID check
        if chosen is None:
            self.detail.clear()
        else:
            self.detail.setText(
                t(
                    "Account {duplicate} ({name}) closes and its balance of {balance} moves to "
                    "{first} ({first_name}), which then holds {total}. Entries that arrive later "
                    "for {duplicate} land on {first}.",
                    duplicate=chosen.duplicate.account,
                    name=self._name(chosen.duplicate),
                    balance=money(chosen.duplicate.balance),
                    first=chosen.first.account,
                    first_name=self._name(chosen.first),
                    total=money(chosen.total),
                )
            )
        self._allow_merge()

    def _allow_merge(self) -> None:
        self.merge_button.setEnabled(self._chosen() is not None and self.id_checked.isChecked())

    def merge(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            self.error.setText(t("Choose the duplicate account first."))
            return
        if not self.id_checked.isChecked():
            return  # the button waits for the tick
        duplicate, first = chosen.duplicate.account, chosen.first.account
        self.error.clear()
        self.ctx.call(
            "supervisor-merge",
            lambda desk: desk.merge_duplicate(duplicate, first, id_checked=True),
            success=lambda _: self._merged(duplicate, first),
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
            disable=[self.merge_button],
        )

    def _merged(self, duplicate: str, first: str) -> None:
        self.ctx.notice.emit(
            t(
                "Account {duplicate} is merged into {first}; the merge goes to central with the "
                "next sync.",
                duplicate=duplicate,
                first=first,
            )
        )
        self.shown()
