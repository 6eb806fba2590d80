"""Closing the shift: what still waits for central is pushed first and listed; the drawer is
counted; the screen shows the formula (float + cash in − cash out = expected; counted −
expected = variance); a variance beyond the tolerance needs a supervisor."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from erial_desk.domain.errors import StateError
from erial_desk.services.results import Approval, CounterStatus, DrawerFormula, ShiftSummary

from ..context import DeskContext
from ..dialogs.approval import ask_approval
from ..print_flow import print_waiting
from ..runner import Lane
from ..screen import Screen, error_label, heading
from ..widgets.amounts import AmountLabel, money
from ..widgets.denominations import DenominationCount
from ..words import t, tn


class ShiftCloseScreen(Screen):
    name = "shift_close"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.heading = heading(t("Close the shift: count the drawer"), self)
        self.waiting = QLabel(self)
        self.waiting.setWordWrap(True)
        self.count = DenominationCount(self)
        self.float_total = AmountLabel(0, self)
        self.cash_in = AmountLabel(0, self)
        self.cash_out = AmountLabel(0, self)
        self.expected = AmountLabel(0, self)
        self.counted = AmountLabel(0, self)
        self.variance = AmountLabel(0, self)
        formula = QGridLayout()
        self.hidden_when_blind: list[QWidget] = [
            self.cash_in,
            self.cash_out,
            self.expected,
            self.variance,
        ]
        rows = (
            (t("Opening float"), self.float_total),
            (t("+ cash in"), self.cash_in),
            (t("− cash out"), self.cash_out),
            (t("= expected in the drawer"), self.expected),
            (t("Counted"), self.counted),
            (t("Variance (counted − expected)"), self.variance),
        )
        for row, (label, value) in enumerate(rows):
            caption = QLabel(label, self)
            formula.addWidget(caption, row, 0)
            formula.addWidget(value, row, 1)
            if value in self.hidden_when_blind:
                self.hidden_when_blind.append(caption)
        self.confirm = QPushButton(t("Close shift"), self)
        self.confirm.setDefault(True)
        self.confirm.clicked.connect(lambda: self.close_shift(None))
        self.error = error_label(self)
        columns = QGridLayout()
        columns.addWidget(self.count, 0, 0)
        columns.addLayout(formula, 0, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.waiting)
        layout.addLayout(columns)
        layout.addWidget(self.error)
        layout.addWidget(self.confirm)
        layout.addStretch(1)
        self.count.changed.connect(self._recount)
        self.formula: DrawerFormula | None = None

    def title(self) -> str:
        return t("Close shift")

    def shown(self) -> None:
        self.count.set_counts({})
        self.error.clear()
        self.waiting.setText(t("Sending waiting entries to central…"))
        self.ctx.call(
            "drawer",
            lambda desk: desk.drawer_formula(),
            success=self._show_formula,
            failure=lambda exc: self.error.setText(self.ctx.sentence(exc)),
        )
        # Push first, so the close reaches central with the shift; the clerk counts meanwhile.
        self.ctx.call(
            "sync-before-close",
            lambda desk: desk.sync_once(),
            lane=Lane.NETWORK,
            success=lambda _status: self._check_waiting(),
            failure=lambda _exc: self._check_waiting(),
        )
        self.count.first_field().setFocus()

    def _check_waiting(self) -> None:
        self.ctx.call("waiting", lambda desk: desk.counter_status(), success=self._show_waiting)

    def _show_waiting(self, status: CounterStatus) -> None:
        if status.sync.waiting:
            self.waiting.setText(
                tn(
                    "{count} entry still waits for central; the close will be sent with it.",
                    "{count} entries still wait for central; the close will be sent with them.",
                    status.sync.waiting,
                )
            )
        else:
            self.waiting.setText(t("Everything has reached central."))

    def _show_formula(self, formula: DrawerFormula) -> None:
        self.formula = formula
        for widget in self.hidden_when_blind:
            widget.setVisible(not formula.blind)
        self.float_total.set_amount(formula.float_total)
        self.cash_in.set_amount(formula.cash_in)
        self.cash_out.set_amount(formula.cash_out)
        self.expected.set_amount(formula.expected)
        self._recount(self.count.total())

    def _recount(self, counted: int) -> None:
        self.counted.set_amount(counted)
        if self.formula is not None:
            self.variance.set_amount(counted - self.formula.expected)

    def close_shift(self, approval: Approval | None) -> None:
        counts = self.count.counts()
        self.ctx.call(
            "close_shift",
            lambda desk: desk.close_shift(counts, approval),
            success=self._closed,
            failure=self._refused,
            disable=[self.confirm],
        )

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, StateError) and exc.code == "shift.variance":
            approval = ask_approval(self.ctx.sentence(exc), self)
            if approval is not None:
                self.close_shift(approval)
                return
        self.error.setText(self.ctx.sentence(exc, recorded=False))

    def _closed(self, summary: ShiftSummary) -> None:
        self.ctx.notice.emit(
            t(
                "Shift closed. Counted {counted}, variance {variance}.",
                counted=money(summary.counted_total or 0),
                variance=money(summary.variance or 0),
            )
        )
        print_waiting(self.ctx, self)
        self.go.emit("home")
