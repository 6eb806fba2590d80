"""Opening a shift: the float counted by denomination, count × value shown, then confirmed."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from erial_desk.services.results import TransactionResult

from ..context import DeskContext
from ..widgets.amounts import money
from ..words import t
from .counting import CountingScreen


class ShiftOpenScreen(CountingScreen):
    name = "shift_open"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx, t("Open the shift: count the float in the drawer"), t("Open shift"), parent
        )

    def title(self) -> str:
        return t("Open shift")

    def submit(self) -> None:
        counts = self.count.counts()
        self.ctx.call(
            "open_shift",
            lambda desk: desk.open_shift(counts),
            success=self._opened,
            failure=self.refused,
            disable=[self.confirm],
        )

    def _opened(self, result: TransactionResult) -> None:
        self.ctx.notice.emit(
            t("Shift opened with a float of {amount}.", amount=money(result.total))
        )
        self.go.emit("home")
