"""A screen that counts the drawer by denomination and confirms one action with the count
(opening the shift with its float, a cash drop to the safe)."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from ..context import DeskContext
from ..screen import Screen, error_label, heading
from ..widgets.denominations import DenominationCount


class CountingScreen(Screen):
    keeps_task = True

    def __init__(
        self, ctx: DeskContext, heading_text: str, confirm_text: str, parent: QWidget | None
    ) -> None:
        super().__init__(ctx, parent)
        self.heading = heading(heading_text, self)
        self.count = DenominationCount(self)
        self.confirm = QPushButton(confirm_text, self)
        self.confirm.setDefault(True)
        self.confirm.clicked.connect(self.submit)
        self.error = error_label(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.count)
        layout.addWidget(self.error)
        layout.addWidget(self.confirm)
        layout.addStretch(1)

    def shown(self) -> None:
        self.count.set_counts({})
        self.error.clear()
        self.count.first_field().setFocus()

    def has_open_task(self) -> bool:
        return self.count.total() > 0 or super().has_open_task()

    def submit(self) -> None:
        raise NotImplementedError

    def refused(self, exc: BaseException) -> None:
        self.error.setText(self.ctx.sentence(exc, recorded=False))
