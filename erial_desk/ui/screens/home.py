"""Home: ready for the next customer. The counter's actions on their keys, and the state of the
shift at a glance."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from erial_desk.services.results import CounterStatus

from ..context import DeskContext
from ..screen import Screen, heading
from ..words import t

TILE_HEIGHT = 72


class HomeScreen(Screen):
    name = "home"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.heading = heading(t("Ready for the next customer"), self, 20)
        self.shift_state = QLabel(self)
        self.shift_state.setStyleSheet("font-size: 13pt;")
        self.tiles = QGridLayout()
        self.tile_buttons: dict[str, QPushButton] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.shift_state)
        layout.addLayout(self.tiles)
        layout.addStretch(1)

    def set_tiles(self, tiles: list[tuple[str, str, str]]) -> None:
        """(name, key text, label) of each action offered, in reading order."""
        for button in self.tile_buttons.values():
            button.deleteLater()
        self.tile_buttons.clear()
        for index, (name, key, label) in enumerate(tiles):
            button = QPushButton(f"{label}\n{key}", self)
            button.setMinimumHeight(TILE_HEIGHT)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.clicked.connect(lambda _=False, n=name: self.go.emit(n))
            self.tiles.addWidget(button, index // 3, index % 3)
            self.tile_buttons[name] = button

    def title(self) -> str:
        return t("Home")

    def shown(self) -> None:
        if self.ctx.is_open:
            self.ctx.call("home-status", lambda desk: desk.counter_status(), success=self._show)

    def _show(self, status: CounterStatus) -> None:
        if status.shift is None:
            self.shift_state.setText(t("No shift is open: open one (F8) before taking money."))
        elif status.operator is not None and status.shift.operator != status.operator.operator_id:
            self.shift_state.setText(
                t("The open shift belongs to {operator}.", operator=status.shift.operator)
            )
        else:
            self.shift_state.setText(t("Your shift is open."))
