"""The counter application: the window first, the engine behind it.

The login window shows before the desk's data directory is opened: opening (migrations, the key
store, central's reference data) runs on the journal worker while the clerk types. Language and
direction are set before any widget exists. What only a logged-in clerk uses (the counter's
keys, its screens) is imported when first used, so the login window shows sooner.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication

from .context import DeskContext
from .counter_screens import counter_factories, counter_scanner
from .idle import IdleWatch
from .language import install_language
from .main_window import MainWindow
from .screen import KeyAction, Screen
from .screens.login import LoginScreen
from .supervisor_screens import console_action, supervisor_factories
from .words import set_arabic_digits, t

if TYPE_CHECKING:
    from erial_desk.services import Desk

log = logging.getLogger(__name__)


class CounterApp(QObject):
    """Builds the window for a language and keeps what outlives it (the desk, the runner)."""

    not_opened = Signal(str)  # the data directory could not be opened: the sentence shown

    def __init__(self, app: QApplication, opener: Callable[[], Desk], language: str) -> None:
        super().__init__(app)
        self.app = app
        self.opener = opener
        self.language = language
        self.ctx = DeskContext(parent=self)  # the desk brings its events when it opens
        self.idle = IdleWatch(self.lock, self)
        self.idle.follow(app)
        self.window: MainWindow | None = None
        self.scanner = counter_scanner(self)
        self.scanner.follow(app)
        self.build()

    def start(self) -> None:
        """Open the data directory behind the window: call once the window is shown, so the
        work does not compete with drawing it."""
        self.ctx.runner.run(
            "open-desk", self.opener, success=self._opened, failure=self._not_opened
        )

    # --- the window --------------------------------------------------------------------------

    def build(self) -> MainWindow:
        install_language(self.app, self.language)
        old = self.window
        window = MainWindow(self.ctx)
        self.login = LoginScreen(self.ctx)
        window.add_screen(self.login)
        for name, factory in self._factories(window).items():
            window.register(name, factory)
        window.global_actions = self.global_actions
        self.login.logged_in.connect(self._logged_in)
        self.login.switch_language.connect(self.switch_language)
        window.show_screen("home" if self.ctx.operator is not None else "login")
        if self.ctx.is_open:
            window._show_office()
            window.status.refresh()
        self.window = window
        if old is not None:
            window.setGeometry(old.geometry())
            old.close()
            old.deleteLater()
        return window

    def _factories(self, window: MainWindow) -> dict[str, Callable[[], Screen]]:
        ctx = self.ctx

        def home() -> Screen:
            from .counter_keys import home_tiles
            from .screens.home import HomeScreen

            screen = HomeScreen(ctx)
            screen.set_tiles(
                [
                    *home_tiles(ctx),
                    ("shift", "F8", t("Shift")),
                    ("lock", "F9", t("Lock the screen")),
                ]
            )
            screen.go.connect(self._home_tile)
            return screen

        def lock() -> Screen:
            from .screens.lock import LockScreen

            screen = LockScreen(ctx)
            screen.unlocked.connect(self._logged_in)
            screen.other_operator.connect(lambda: window.show_screen("login"))
            return screen

        def shift() -> Screen:
            from .screens.shift import ShiftScreen

            return ShiftScreen(ctx)

        def shift_open() -> Screen:
            from .screens.shift_open import ShiftOpenScreen

            return ShiftOpenScreen(ctx)

        def cash_drop() -> Screen:
            from .screens.cash_drop import CashDropScreen

            return CashDropScreen(ctx)

        def shift_close() -> Screen:
            from .screens.shift_close import ShiftCloseScreen

            return ShiftCloseScreen(ctx)

        def x_report() -> Screen:
            from .screens.x_report import XReportScreen

            return XReportScreen(ctx)

        return {
            **counter_factories(ctx, self.open_for),
            **supervisor_factories(ctx),
            "home": home,
            "lock": lock,
            "shift": shift,
            "shift_open": shift_open,
            "cash_drop": cash_drop,
            "shift_close": shift_close,
            "x_report": x_report,
        }

    def global_actions(self) -> list[KeyAction]:
        if self.ctx.operator is None or self.window is None:
            return []
        window = self.window
        if window.current() is not None and window.current().name == "lock":  # type: ignore[union-attr]
            return []
        from erial_desk.domain.policy import Role

        from .counter_keys import counter_actions

        actions = [
            KeyAction(Qt.Key.Key_F1, t("Help"), self.help),
            *counter_actions(ctx=self.ctx, show=window.show_screen, reprint=self.reprint),
            KeyAction(Qt.Key.Key_F8, t("Shift"), lambda: window.show_screen("shift")),
            KeyAction(Qt.Key.Key_F9, t("Lock"), self.lock),
            console_action(self.ctx, window.show_screen),
        ]
        if self.ctx.operator.role == Role.SUPERVISOR:
            actions.append(KeyAction(Qt.Key.Key_F11, t("Settings"), self.settings))
        return actions

    def open_for(self, name: str, account: str) -> None:
        """Show screen ``name`` for the subscriber ``account``."""
        from .screens.counter_base import CounterScreen

        if self.window is not None:
            screen = self.window.screen_named(name)
            if isinstance(screen, CounterScreen):
                screen.set_account(account)
            self.window.show_screen(name)

    def reprint(self) -> None:
        from .screens.follow_up import reprint_last

        if self.window is not None:
            reprint_last(self.ctx, self.window)

    def settings(self) -> None:
        from .dialogs.settings import SettingsDialog

        if self.window is not None and self.ctx.is_open:
            SettingsDialog(self.ctx, self.ctx.desk.settings, self.window).open()

    def _home_tile(self, name: str) -> None:
        if name == "lock":
            self.lock()
        elif self.window is not None:
            self.window.show_screen(name)

    def help(self) -> None:
        if self.window is None:
            return
        from .screens.counter_base import CounterScreen

        screen = self.window.current()
        if isinstance(screen, CounterScreen):
            self.window.inform(screen.help_text())
            return
        self.window.inform(
            t(
                "Enter confirms, Escape goes back to Home, Tab moves to the next field. "
                "F8 opens the shift, F9 locks the screen."
            )
        )

    def lock(self) -> None:
        if self.window is not None and self.ctx.operator is not None:
            self.idle.stop()
            self.window.show_screen("lock")

    def switch_language(self, language: str) -> None:
        self.language = language
        window = self.build()
        window.show()
        if self.ctx.is_open:
            self.ctx.call("language", lambda desk: desk.set_language(language))

    # --- the desk ----------------------------------------------------------------------------

    def _opened(self, desk: Desk) -> None:
        set_arabic_digits(desk.settings.display_digits == "arabic-indic")
        self.ctx.set_desk(desk)
        self.idle.minutes = desk.policy.idle_lock_minutes

    def _not_opened(self, exc: BaseException) -> None:
        sentence = self.ctx.sentence(exc)
        if self.window is not None:
            self.window.say(sentence)
        self.not_opened.emit(sentence)

    def _logged_in(self, _session: object) -> None:
        if self.window is not None:
            self.window.show_screen("home")
            self.idle.start(self.idle.minutes)

    def shutdown(self) -> None:
        self.ctx.shutdown()


def open_desk(data_dir: Path) -> Callable[[], Desk]:
    def opener() -> Desk:
        from erial_desk.services import Desk

        desk = Desk.open(data_dir)
        desk.start_sync()
        return desk

    return opener


def _quit_refused(app: QApplication, sentence: str) -> None:
    print(sentence, file=sys.stderr)
    app.exit(1)


def run(data_dir: Path, language: str | None = None, *, quit_when_open: bool = False) -> int:
    """Show the counter's window on ``data_dir`` and run until it is closed (with
    ``quit_when_open``: until the desk is open behind it, 1 when it could not be opened)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("e-Rial Desk")
    from erial_desk.config import Settings

    settings = Settings.load(data_dir)
    language = language or settings.language
    set_arabic_digits(settings.display_digits == "arabic-indic")  # before any widget
    counter = CounterApp(app, open_desk(data_dir), language)
    assert counter.window is not None
    counter.window.show()
    if quit_when_open:
        counter.ctx.desk_opened.connect(app.quit)
        counter.not_opened.connect(lambda sentence: _quit_refused(app, sentence))
    QTimer.singleShot(0, counter.start)
    try:
        return app.exec()
    finally:
        counter.shutdown()
