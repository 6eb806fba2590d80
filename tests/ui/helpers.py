"""Driving the window by keyboard in tests, and answering its modal dialogs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from erial_desk.ui.dialogs.approval import ApprovalDialog


def press(qtbot, key: Qt.Key, target: QWidget | None = None) -> None:
    widget = target or QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    back_to_window(qtbot, widget)
    qtbot.keyClick(widget, key)


def back_to_window(qtbot, widget: QWidget) -> None:
    """A closed dialog's window manager gives the keyboard back to the window it came from, and
    the window's keys (Qt's shortcuts) work in the active window only; offscreen there is no
    window manager, so the clerk's next key is pressed on the window activated here."""
    window = widget.window()
    if QApplication.activeModalWidget() is None and QApplication.activeWindow() is None:
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def type_text(widget: QWidget, text: str) -> None:
    """Type ``text`` into ``widget`` key by key, Arabic letters too (QTest's own key clicks know
    only Latin-1)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    for char in text:
        key = Qt.Key.Key_Space if char == " " else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char)
            )


def when_modal(kind: type, act: Callable[[QWidget], None], timeout_ms: int = 10_000) -> None:
    """Act on the next modal dialog of ``kind`` as soon as it opens (it blocks the caller)."""
    waited = {"ms": 0}

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind):
            act(dialog)
            return
        waited["ms"] += 20
        if waited["ms"] < timeout_ms:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def approve_as(qtbot, supervisor: str, pin: str) -> None:
    """The supervisor types their id and PIN in the approval dialog, by keyboard."""

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, ApprovalDialog)
        qtbot.keyClicks(dialog.supervisor, supervisor)
        qtbot.keyClicks(dialog.pad.field, pin)
        qtbot.keyClick(dialog.pad.field, Qt.Key.Key_Return)

    when_modal(ApprovalDialog, fill)


def customer_types_pin(qtbot, pin: str, *, twice: bool = False) -> None:
    """The customer types the wallet PIN on their pad (twice when choosing a new one)."""
    from erial_desk.ui.dialogs.customer_pad import CustomerPad

    def type_pin(dialog: QWidget) -> None:
        assert isinstance(dialog, CustomerPad)
        for _ in range(2 if twice else 1):
            qtbot.keyClicks(dialog.pad.field, pin)
            qtbot.keyClick(dialog.pad.field, Qt.Key.Key_Return)

    when_modal(CustomerPad, type_pin)


def counter_logged_in(qapp, qtbot, data_dir, language: str, operator: str, pin: str, size=None):
    """The counter's window on ``data_dir``, with ``operator`` logged in (through the facade:
    the login screen has its own tests) and Home shown, ready for the keyboard."""
    from erial_desk.services import Desk
    from erial_desk.ui.app import CounterApp

    app = CounterApp(qapp, lambda: Desk.open(data_dir), language)
    qtbot.addWidget(app.window)
    if size is not None:
        app.window.resize(*size)
    app.window.show()
    app.start()
    qtbot.waitUntil(lambda: app.ctx.is_open, timeout=20_000)
    session = app.ctx.desk.login(operator, pin)
    app.ctx.set_operator(session)
    app.login.logged_in.emit(session)
    qtbot.waitUntil(lambda: not app.ctx.runner.busy, timeout=20_000)
    app.window.activateWindow()  # the keyboard's events go to the active window
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    return app


def shift_with_a_subscriber(desk) -> str:
    """Open the shift (a 30-rial float) and register Shamsa; her account number. The name is
    one central's demo directory does not hold, so a search for it finds her alone."""
    from erial_desk.services import RegistrationForm

    desk.open_shift({10000: 3})
    form = RegistrationForm(
        "individual",
        "شمسة بنت عبيد الغيلانية",
        "Shamsa Obaid Al Ghailani",
        "91234567",
        civil_number="12345678",
    )
    return desk.register_subscriber(form, "4321").account
