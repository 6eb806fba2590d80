"""The operations runner: work off the GUI thread, answers on it, nothing submitted twice."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QPushButton

from erial_desk.domain.errors import StateError
from erial_desk.ui.runner import Lane, OperationsRunner


def test_work_runs_off_the_gui_thread_and_answers_on_it(qtbot):
    runner = OperationsRunner(busy_delay_ms=10_000)
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker"] = threading.current_thread()
        return 42

    def success(value: int) -> None:
        seen["value"] = value
        seen["answer"] = threading.current_thread()

    assert runner.run("sum", work, success=success)
    qtbot.waitUntil(lambda: "value" in seen)
    assert seen["value"] == 42
    assert seen["worker"] is not threading.main_thread()
    assert seen["answer"] is threading.main_thread()
    runner.shutdown()


def test_a_second_request_while_running_is_refused_and_the_button_is_disabled(qtbot):
    runner = OperationsRunner(busy_delay_ms=10_000)
    button = QPushButton("Top up")
    release = threading.Event()
    calls, results = [], []

    def top_up() -> str:
        calls.append(1)
        release.wait(10)
        return "receipt"

    assert runner.run("top_up", top_up, success=results.append, disable=[button])
    assert not button.isEnabled()
    # A double click, a repeated Enter: same key, nothing more starts.
    assert not runner.run("top_up", top_up, success=results.append, disable=[button])
    assert runner.is_running("top_up")
    release.set()
    qtbot.waitUntil(lambda: results == ["receipt"])
    assert calls == [1]
    assert button.isEnabled()
    assert not runner.is_running("top_up")
    runner.shutdown()


def test_the_event_loop_turns_while_slow_work_runs(qtbot):
    runner = OperationsRunner(busy_delay_ms=50)
    release = threading.Event()
    busy_marks: list[bool] = []
    runner.busy_changed.connect(busy_marks.append)
    done = []
    runner.run("slow", lambda: release.wait(10), lane=Lane.NETWORK, success=done.append)
    # The busy mark appears after the delay: only a turning event loop can show it.
    qtbot.waitUntil(lambda: busy_marks == [True])
    assert not done
    release.set()
    qtbot.waitUntil(lambda: done == [True])
    assert busy_marks == [True, False]
    runner.shutdown()


def test_quick_work_never_shows_the_busy_mark(qtbot):
    runner = OperationsRunner(busy_delay_ms=200)
    busy_marks: list[bool] = []
    runner.busy_changed.connect(busy_marks.append)
    done = []
    runner.run("quick", lambda: 1, success=done.append)
    qtbot.waitUntil(lambda: done == [1])
    qtbot.wait(300)
    assert busy_marks == []
    runner.shutdown()


def test_failures_reach_the_screen_on_the_gui_thread(qtbot):
    runner = OperationsRunner(busy_delay_ms=10_000)
    failures = []

    def refuse() -> None:
        raise StateError("shift.none_open")

    runner.run(
        "pay",
        refuse,
        failure=lambda exc: failures.append((exc.code, threading.current_thread())),
    )
    qtbot.waitUntil(lambda: bool(failures))
    assert failures == [("shift.none_open", threading.main_thread())]
    # Without a handler of its own, the failure goes to the window's one error path.
    with qtbot.waitSignal(runner.failed) as signal:
        runner.run("pay", refuse)
    key, exc = signal.args
    assert key == "pay" and isinstance(exc, StateError)
    runner.shutdown()


def test_journal_work_runs_in_the_order_asked(qtbot):
    runner = OperationsRunner(busy_delay_ms=10_000)
    order: list[int] = []
    for n in range(20):
        runner.run(f"write-{n}", lambda n=n: order.append(n))
    qtbot.waitUntil(lambda: len(order) == 20)
    assert order == list(range(20))
    runner.shutdown()


def test_a_cancellable_call_is_given_up_and_told_so(qtbot):
    from erial_desk.domain.deadline import Deadline
    from erial_desk.domain.errors import Cancelled

    runner = OperationsRunner(busy_delay_ms=10_000)
    deadline = Deadline()
    started, other_release = threading.Event(), threading.Event()
    failures: list[BaseException] = []
    done: list[object] = []

    def look_up() -> None:
        started.set()
        while not deadline.cancelled:  # a wait on central, as the client's are bounded
            threading.Event().wait(0.01)
        deadline.check()

    assert runner.run("find_bills", look_up, failure=failures.append, deadline=deadline)
    assert runner.run("top_up", lambda: other_release.wait(10), success=done.append)
    started.wait(10)
    assert runner.cancel() == ["find_bills"]  # a top-up is never given up from the window
    qtbot.waitUntil(lambda: len(failures) == 1)
    assert isinstance(failures[0], Cancelled)
    assert runner.is_running("top_up") and runner.cancel() == []
    other_release.set()
    qtbot.waitUntil(lambda: done == [True])
    runner.shutdown()
