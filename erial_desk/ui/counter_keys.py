"""The counter's function keys (UI.md): F2 find, F3 top-up, F4 bills, F5 follow-up, F6 register,
F7 reprint the last receipt, F10 void. A key whose action the office type or the operator's role
does not allow is not shown in the key bar nor on Home; pressing it says why (the facade's own
sentence)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from .context import DeskContext
from .screen import KeyAction
from .words import t

if TYPE_CHECKING:
    from erial_desk.domain.policy import Action

REPRINT = "reprint"


def _keys() -> list[tuple[Qt.Key, str, Action, str]]:
    """(key, label, the action the policy must allow, the screen it shows)."""
    # The policy is imported once someone is logged in, not before the login window shows.
    from erial_desk.domain.policy import Action

    return [
        (Qt.Key.Key_F2, t("Find"), Action.INQUIRE, "search"),
        (Qt.Key.Key_F3, t("Top-up"), Action.TOP_UP, "top_up"),
        (Qt.Key.Key_F4, t("Bills"), Action.INQUIRE, "bills"),
        (Qt.Key.Key_F5, t("Follow-up"), Action.INQUIRE, "follow_up"),
        (Qt.Key.Key_F6, t("Register"), Action.REGISTER_SUBSCRIBER, "registration"),
        (Qt.Key.Key_F7, t("Reprint"), Action.INQUIRE, REPRINT),
        (Qt.Key.Key_F10, t("Void"), Action.VOID, "void"),
    ]


def refusal(ctx: DeskContext, action: Action) -> str | None:
    """Why the logged-in operator may not do ``action`` here, or None when they may."""
    if not ctx.is_open or ctx.operator is None:
        return t("Log in first.")
    from erial_desk.domain.errors import PolicyError
    from erial_desk.domain.policy import check_allowed

    try:
        check_allowed(ctx.desk.policy, ctx.desk.office, ctx.operator.role, action)
    except PolicyError as exc:
        return ctx.sentence(exc)
    return None


def counter_actions(
    ctx: DeskContext, show: Callable[[str], None], reprint: Callable[[], None]
) -> list[KeyAction]:
    """The keys of the counter's work for whoever is logged in."""
    actions: list[KeyAction] = []
    for key, label, action, screen in _keys():
        why = refusal(ctx, action)
        if why is not None:
            actions.append(KeyAction(key, label, partial(ctx.message.emit, why), shown=False))
        elif screen == REPRINT:
            actions.append(KeyAction(key, label, reprint))
        else:
            actions.append(KeyAction(key, label, partial(show, screen)))
    return actions


def home_tiles(ctx: DeskContext) -> list[tuple[str, str, str]]:
    """Home's tiles for the counter's work the operator may do: (screen, key, label)."""
    return [
        (screen, QKeySequence(key).toString(), label)
        for key, label, action, screen in _keys()
        if screen != REPRINT and refusal(ctx, action) is None
    ]
