"""The window a clerk lives in: title, the current screen, the function-key bar, the status line.

One task at a time fills the middle; Escape goes back to Home. The function keys are the same on
every screen (UI.md); a key whose action this office or role may not do is not shown, and
pressing it says why. Keys are routed here, so no screen installs shortcuts of its own. A task
left half-done for another screen stays as it was: Ctrl+Tab goes to the next such open task
(Ctrl+Shift+Tab to the one before), in the order they were started.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QKeyCombination, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .context import DeskContext
from .screen import KeyAction, Screen
from .status_bar import StatusBar
from .words import language, t, tn

MIN_SIZE = (1024, 768)
ROUTED_KEYS = (
    Qt.Key.Key_F1,
    Qt.Key.Key_F2,
    Qt.Key.Key_F3,
    Qt.Key.Key_F4,
    Qt.Key.Key_F5,
    Qt.Key.Key_F6,
    Qt.Key.Key_F7,
    Qt.Key.Key_F8,
    Qt.Key.Key_F9,
    Qt.Key.Key_F10,
    Qt.Key.Key_F11,
    Qt.Key.Key_F12,
)
CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = CTRL | Qt.KeyboardModifier.ShiftModifier
# Ctrl+Tab: the next open task; Ctrl+Shift+Tab the one before (Qt's shortcut map also takes the
# Backtab a keyboard sends for it).
NEXT_TASK = QKeyCombination(CTRL, Qt.Key.Key_Tab)
PREVIOUS_TASK = QKeyCombination(CTRL_SHIFT, Qt.Key.Key_Tab)


class KeyBar(QWidget):
    """The actions of the current screen, each with its key, in reading order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keybar")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(6, 2, 6, 2)

    def show_actions(self, actions: list[KeyAction], open_tasks: int = 0) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # gone from the screen now, not when Qt next deletes
                widget.deleteLater()
        for action in (a for a in actions if a.shown):
            name = QKeySequence(action.key).toString()
            label = QLabel(f"<b>{name}</b> {action.label}", self)
            label.setEnabled(action.enabled)
            self._layout.addWidget(label)
        if open_tasks:
            name = QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Tab).toString()
            sentence = tn("{count} open task", "{count} open tasks", open_tasks)
            self._layout.addWidget(QLabel(f"<b>{name}</b> {sentence}", self))
        self._layout.addStretch(1)


class MainWindow(QMainWindow):
    def __init__(self, ctx: DeskContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setMinimumSize(*MIN_SIZE)
        self.title = QLabel(t("e-Rial Desk"), self)
        self.title.setObjectName("title")
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold; padding: 4px;")
        self.language_label = QLabel("العربية" if language() == "ar" else "English", self)
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self._showing_problem = False
        self.stack = QStackedWidget(self)
        self.keys = KeyBar(self)
        self.status = StatusBar(ctx, self)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.language_label)
        body = QVBoxLayout()
        body.addLayout(header)
        body.addWidget(self.message)
        body.addWidget(self.stack, 1)
        body.addWidget(self.keys)
        body.addWidget(self.status)
        central = QWidget(self)
        central.setLayout(body)
        self.setCentralWidget(central)
        self.screens: dict[str, Screen] = {}
        self.factories: dict[str, Callable[[], Screen]] = {}
        self.global_actions: Callable[[], list[KeyAction]] = list
        self.home = "home"
        self._tasks: list[str] = []  # screens that keep a task, in the order first shown
        self._focus: dict[str, QWidget] = {}  # where the focus was when a screen was left
        self._route_keys()
        ctx.message.connect(self.say)
        ctx.notice.connect(self.inform)
        ctx.desk_opened.connect(self._show_office)

    # --- screens -----------------------------------------------------------------------------

    def add_screen(self, screen: Screen) -> None:
        self.screens[screen.name] = screen
        self.stack.addWidget(screen)
        screen.go.connect(self.show_screen)
        screen.keys_changed.connect(self._refresh_keys)

    def register(self, name: str, factory: Callable[[], Screen]) -> None:
        """A screen made the first time it is shown: the window appears without waiting for
        every screen (and its imports) to be built."""
        self.factories[name] = factory

    def screen_named(self, name: str) -> Screen:
        if name not in self.screens:
            self.add_screen(self.factories[name]())
        return self.screens[name]

    def current(self) -> Screen | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Screen) else None

    def show_screen(self, name: str) -> None:
        screen = self._switch_to(name)
        screen.shown()

    def _switch_to(self, name: str) -> Screen:
        leaving = self.current()
        focus = QApplication.focusWidget()
        if leaving is not None and focus is not None and leaving.isAncestorOf(focus):
            self._focus[leaving.name] = focus
        screen = self.screen_named(name)
        if screen.keeps_task and name not in self._tasks:
            self._tasks.append(name)
        if self._showing_problem:
            self.say("")  # a problem belongs to the screen it happened on; news stays
        self.stack.setCurrentWidget(screen)
        self._refresh_keys()
        return screen

    # --- open tasks --------------------------------------------------------------------------

    def open_tasks(self) -> list[str]:
        """Screens whose task was started and not finished, other than the one shown."""
        current = self.current()
        return [
            name
            for name in self._tasks
            if self.screens[name] is not current and self.screens[name].has_open_task()
        ]

    def next_task(self, step: int = 1) -> None:
        """Ctrl+Tab: the next open task, as it was left (``step`` -1: the one before)."""
        current = self.current()
        if current is None or current.name in ("login", "lock"):
            return
        waiting = self.open_tasks()
        if not waiting:
            self.inform(t("No other task is open."))
            return
        order = self._tasks
        if current.name in order:  # the one after (or before) this task, going round
            here = order.index(current.name)
            name = min(waiting, key=lambda task: (order.index(task) - here) * step % len(order))
        else:  # from elsewhere: the first task started (or the last)
            name = waiting[0] if step > 0 else waiting[-1]
        self._switch_to(name)
        focus = self._focus.get(name)
        if focus is not None and self.screens[name].isAncestorOf(focus):
            focus.setFocus()

    def key_actions(self) -> list[KeyAction]:
        screen = self.current()
        own = screen.key_actions() if screen is not None else []
        taken = {a.key for a in own}
        return own + [a for a in self.global_actions() if a.key not in taken]

    def _refresh_keys(self) -> None:
        current = self.current()
        locked = current is None or current.name in ("login", "lock")
        self.keys.show_actions(self.key_actions(), 0 if locked else len(self.open_tasks()))

    # --- keys --------------------------------------------------------------------------------

    def press(self, key: Qt.Key) -> None:
        for action in self.key_actions():
            if action.key == key:
                if action.enabled:
                    action.run()
                return

    def _route_keys(self) -> None:
        """Qt's shortcuts of this window take these keys before the widget with the focus sees
        them (a combo box would open on F4, a field would keep Escape), for whichever widget of
        this window has it; a dialog is a window of its own, so its keys stay the dialog's.
        They work as soon as the window shows, with no Python called for other events."""
        for key in ROUTED_KEYS:
            self._shortcut(QKeySequence(key), partial(self.press, key))
        self._shortcut(QKeySequence(Qt.Key.Key_Escape), self.escape)
        self._shortcut(QKeySequence(NEXT_TASK), partial(self.next_task, 1))
        self._shortcut(QKeySequence(PREVIOUS_TASK), partial(self.next_task, -1))

    def _shortcut(self, sequence: QKeySequence, run: Callable[[], None]) -> None:
        shortcut = QShortcut(sequence, self)  # context: this window, whatever has the focus
        shortcut.activated.connect(run)

    def escape(self) -> None:
        """Escape: first gives up a look-up still waiting on central (the screen stays, told
        that nothing was recorded); then the screen's own back; then Home."""
        if self.ctx.runner.cancel():
            return
        screen = self.current()
        if screen is not None and screen.escape():
            return
        if screen is not None and screen.name not in (self.home, "login", "lock"):
            self.show_screen(self.home)

    # --- messages ----------------------------------------------------------------------------

    def say(self, sentence: str) -> None:
        self._showing_problem = bool(sentence)
        self.message.setText(sentence)
        self.message.setStyleSheet("color: #b00020; font-weight: bold;" if sentence else "")

    def inform(self, sentence: str) -> None:
        self._showing_problem = False
        self.message.setText(sentence)
        self.message.setStyleSheet("color: #1b5e20; font-weight: bold;")

    def _show_office(self) -> None:
        desk = self.ctx.desk
        name = desk.office.name_ar if language() == "ar" else desk.office.name_en
        from erial_desk.domain.entries import terminal_code

        self.title.setText(f"{name} · {terminal_code(desk.terminal_id)}")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.status.ctx.events.any_event.disconnect(self.status.refresh)
        super().closeEvent(event)
