"""Find a subscriber as you type (F2, or any letter or digit typed on Home): one field that takes
an account, civil or CR number, a mobile or a name in Arabic or English; the facade picks the
index. A key after a pause searches at once, a run of quick keys waits for the pause; at most
``MAX_ROWS`` rows; Enter takes the only match (or the row chosen with the arrows)."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from erial_desk.domain.errors import ValidationError
from erial_desk.store.search import SubscriberRow

from ..context import DeskContext
from ..screen import error_label, heading
from ..words import language, t, tn
from .counter_base import CounterScreen

DEBOUNCE_MS = 150
MAX_ROWS = 200


class SearchScreen(CounterScreen):
    name = "search"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.heading = heading(t("Find a subscriber"), self)
        self.hint = QLabel(
            t("Account, civil or CR number, mobile, or part of the name in Arabic or English."),
            self,
        )
        self.hint.setWordWrap(True)
        self.query = QLineEdit(self)
        self.query.setAccessibleName(t("Find a subscriber"))
        self.query.setStyleSheet("font-size: 14pt;")
        self.query.textChanged.connect(self._typed)
        self.query.returnPressed.connect(self.take)
        self.query.installEventFilter(self)
        self.count = QLabel(self)
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels([t("Name"), t("Account"), t("ID"), t("Mobile")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setTabKeyNavigation(False)
        self.table.activated.connect(lambda _index: self.take())
        self.table.installEventFilter(self)
        self.error = error_label(self)
        self.rows: list[SubscriberRow] = []
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.search)
        self._since_key = QElapsedTimer()
        self._again = False
        self._take_after = False
        self._searched = ""  # the query the rows shown answer
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addWidget(self.query)
        layout.addWidget(self.error)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)

    def help_text(self) -> str:
        return t(
            "Type an account, civil or CR number, a mobile or part of a name. Down goes into the "
            "list, Enter opens the subscriber."
        )

    def title(self) -> str:
        return t("Find a subscriber")

    def start(self, typed: str = "") -> None:
        """Open with what was typed so far (the first key pressed on Home)."""
        self.query.setText(typed)
        self.query.setFocus()

    def shown(self) -> None:
        self._take_after = False
        self.query.setFocus()
        self.query.selectAll()

    # --- searching ---------------------------------------------------------------------------

    def _typed(self, _text: str) -> None:
        # A key after a pause searches at once; keys coming faster (a typist's run, a scanner)
        # wait for a pause of DEBOUNCE_MS, so at most one search runs per pause.
        if (
            self.timer.isActive()
            or self._since_key.isValid()
            and (self._since_key.elapsed() < DEBOUNCE_MS)
        ):
            self.timer.start()
        else:
            self.search()
        self._since_key.start()

    def search(self) -> None:
        query = self.query.text().strip()
        if len(query) < 2:
            self._show(query, [])
            return
        started = self.ctx.call(
            "search",
            lambda desk: desk.find_subscribers(query, limit=MAX_ROWS),
            success=lambda rows: self._show(query, rows),
            failure=lambda exc: self._refused(query, exc),
        )
        if not started:
            self._again = True  # typed while a search ran: search once more after it

    def _refused(self, query: str, exc: BaseException) -> None:
        self._take_after = False
        self._show(query, [])
        if not isinstance(exc, ValidationError) or len(query) > 2:
            self.error.setText(self.ctx.sentence(exc))

    def _show(self, query: str, rows: list[SubscriberRow]) -> None:
        self.error.clear()
        self.rows = rows
        self._searched = query
        arabic = language() == "ar"
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            cells = [
                row.name_ar if arabic else row.name_en,
                row.account,
                row.civil_number or row.cr_number or "",
                row.mobile or "",
            ]
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(index, column, item)
        if rows:
            self.table.setCurrentCell(0, 0)
        self.count.setText(
            tn("{count} subscriber found", "{count} subscribers found", len(rows))
            if len(query) >= 2
            else ""
        )
        if self._again:
            self._again = False
            self.search()
        elif self._take_after and query == self.query.text().strip():
            self._take_after = False
            self.take()

    def take(self) -> None:
        """Enter: open the only match, or the row chosen in the table."""
        if self.timer.isActive() or self._searched != self.query.text().strip():
            # Enter came before the rows of what was typed: take them when they arrive.
            self.timer.stop()
            self._take_after = True
            if not self.ctx.runner.is_running("search"):
                self.search()
            return
        if len(self.rows) == 1:
            self.go_with.emit("subscriber", self.rows[0].account)
        elif self.rows and self.table.hasFocus() and self.table.currentRow() >= 0:
            self.go_with.emit("subscriber", self.rows[self.table.currentRow()].account)
        elif self.rows:
            self.table.setFocus()
        else:
            self.error.setText(t("No subscriber matches. Check what was typed."))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Down from the field goes into the rows; Up from the first row back to the field."""
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            if watched is self.query and event.key() == Qt.Key.Key_Down and self.rows:
                self.table.setFocus()
                return True
            if watched is self.table and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.take()
                return True
            if (
                watched is self.table
                and event.key() == Qt.Key.Key_Up
                and self.table.currentRow() <= 0
            ):
                self.query.setFocus()
                return True
        return False
