"""The counter's work screens, made the first time each is shown, and the scanner watch; wired
into the application by ``CounterApp``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .context import DeskContext
from .scanner import ScannerWatch
from .screen import Screen

if TYPE_CHECKING:
    from .app import CounterApp
    from .screens.counter_base import CounterScreen


def counter_factories(
    ctx: DeskContext, open_for: Callable[[str, str], None]
) -> dict[str, Callable[[], Screen]]:
    def wired(screen: CounterScreen) -> Screen:
        screen.go_with.connect(open_for)
        return screen

    def search() -> Screen:
        from .screens.search import SearchScreen

        return wired(SearchScreen(ctx))

    def subscriber() -> Screen:
        from .screens.subscriber import SubscriberScreen

        return wired(SubscriberScreen(ctx))

    def top_up() -> Screen:
        from .screens.top_up import TopUpScreen

        return wired(TopUpScreen(ctx))

    def bills() -> Screen:
        from .screens.bills import BillsScreen

        return wired(BillsScreen(ctx))

    def follow_up() -> Screen:
        from .screens.follow_up import FollowUpScreen

        return wired(FollowUpScreen(ctx))

    def registration() -> Screen:
        from .screens.registration import RegistrationScreen

        return wired(RegistrationScreen(ctx))

    def void() -> Screen:
        from .screens.void import VoidScreen

        return wired(VoidScreen(ctx))

    return {
        "search": search,
        "subscriber": subscriber,
        "top_up": top_up,
        "bills": bills,
        "follow_up": follow_up,
        "registration": registration,
        "void": void,
    }


def counter_scanner(app: CounterApp) -> ScannerWatch:
    """The scanner and Home's type-to-search, for whichever window the application shows."""

    def current() -> str:
        screen = app.window.current() if app.window is not None else None
        return screen.name if screen is not None else ""

    def working() -> bool:
        return app.ctx.operator is not None and current() not in ("login", "lock", "")

    def start_search(typed: str) -> None:
        from .screens.search import SearchScreen

        if app.window is None:
            return
        app.window.show_screen("search")
        screen = app.window.screen_named("search")
        if isinstance(screen, SearchScreen):
            screen.start(typed)

    def open_subscriber(account: str) -> None:
        if working():
            app.open_for("subscriber", account)

    def open_receipt(receipt: str) -> None:
        if working():
            app.open_for("follow_up", receipt)

    return ScannerWatch(
        window=lambda: app.window,
        at_home=lambda: working() and current() == "home",
        on_home_key=start_search,
        on_account=open_subscriber,
        on_receipt=open_receipt,
        parent=app,
    )
