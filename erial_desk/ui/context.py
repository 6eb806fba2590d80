"""What every screen shares: the desk (once open), the operations runner, the events as signals,
and the error path. Screens reach the desk only through ``call``/``query`` here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from .event_bridge import EventBridge
from .runner import Lane, OperationsRunner
from .widgets.pin_pad import PinPad
from .words import language

if TYPE_CHECKING:
    from erial_desk.domain.deadline import Deadline
    from erial_desk.services import Desk
    from erial_desk.services.events import EventHub
    from erial_desk.services.results import OperatorSession

T = TypeVar("T")


class DeskContext(QObject):
    """Owned by the main window; handed to each screen and dialog."""

    desk_opened = Signal()
    session_changed = Signal(object)  # OperatorSession or None
    message = Signal(str)  # a problem, for the window's message line
    notice = Signal(str)  # something done, for the same line

    def __init__(self, hub: EventHub | None = None, parent: QObject | None = None) -> None:
        """``hub``: the events to relay before the desk is open (none: only the desk's own)."""
        super().__init__(parent)
        self.hub = hub
        self.runner = OperationsRunner(self)
        self.events = EventBridge(hub, self)
        self._desk: Desk | None = None
        self.operator: OperatorSession | None = None
        self.runner.failed.connect(lambda _key, exc: self.message.emit(self.sentence(exc)))

    # --- the desk ----------------------------------------------------------------------------

    @property
    def desk(self) -> Desk:
        if self._desk is None:
            raise RuntimeError("the desk is not open yet")
        return self._desk

    @property
    def is_open(self) -> bool:
        return self._desk is not None

    def set_desk(self, desk: Desk) -> None:
        self._desk = desk
        self.hub = desk.events
        self.events.listen_to(desk.events)  # screens now hear what the desk commits
        self.desk_opened.emit()

    def set_operator(self, operator: OperatorSession | None) -> None:
        self.operator = operator
        self.session_changed.emit(operator)

    # --- calling it --------------------------------------------------------------------------

    def call(
        self,
        key: str,
        work: Callable[[Desk], T],
        *,
        success: Callable[[T], None] | None = None,
        failure: Callable[[BaseException], None] | None = None,
        disable: Iterable[QWidget] = (),
        lane: Lane = Lane.JOURNAL,
    ) -> bool:
        """Run ``work(desk)`` in the background; the callbacks run on the GUI thread."""
        return self.runner.run(
            key,
            lambda: work(self.desk),
            lane=lane,
            success=success,
            failure=failure,
            disable=disable,
        )

    def call_cancellable(
        self,
        key: str,
        work: Callable[[Desk, Deadline], T],
        *,
        success: Callable[[T], None] | None = None,
        failure: Callable[[BaseException], None] | None = None,
        disable: Iterable[QWidget] = (),
        lane: Lane = Lane.NETWORK,
    ) -> bool:
        """``call`` for a slow look-up the clerk may give up with Escape: ``work(desk,
        deadline)`` passes the deadline to the facade (``services.call_kinds.SLOW_CALLS``)."""
        from erial_desk.domain.deadline import Deadline  # not needed before a login

        deadline = Deadline()
        return self.runner.run(
            key,
            lambda: work(self.desk, deadline),
            lane=lane,
            success=success,
            failure=failure,
            disable=disable,
            deadline=deadline,
        )

    def log_in(
        self,
        operator_id: str,
        pad: PinPad,
        error: QLabel,
        *,
        done: Callable[[OperatorSession], None],
        disable: Iterable[QWidget] = (),
    ) -> None:
        """Log ``operator_id`` in with the PIN on ``pad`` (login and unlock alike); the pad is
        cleared whatever the answer, a refusal is told on ``error``."""
        pin = pad.pin()

        def welcome(session: OperatorSession) -> None:
            pad.clear()
            self.set_operator(session)
            done(session)

        def refused(exc: BaseException) -> None:
            pad.clear()
            error.setText(self.sentence(exc))
            pad.field.setFocus()

        self.call(
            "login",
            lambda desk: desk.login(operator_id, pin),
            success=welcome,
            failure=refused,
            disable=[pad, *disable],
        )

    def sentence(self, exc: BaseException, recorded: bool | None = None) -> str:
        from .failure import failure_sentence  # the error path is imported at its first use

        return failure_sentence(exc, language(), recorded=recorded)

    def shutdown(self) -> None:
        self.events.close()
        self.runner.shutdown(wait=True)
        if self._desk is not None:
            desk, self._desk = self._desk, None
            desk.close()
