"""Every call of the facade is classified fast, slow or long (``services.desk``), and every slow
one takes a deadline: the window's operations runner relies on both."""

from __future__ import annotations

import inspect

import pytest

from erial_desk.domain.deadline import Deadline
from erial_desk.domain.errors import Cancelled
from erial_desk.domain.policy import BillKind
from erial_desk.services.call_kinds import FAST_CALLS, LONG_CALLS, SLOW_CALLS
from erial_desk.services.desk import Desk


def test_each_public_call_is_in_exactly_one_kind():
    public = {name for name in dir(Desk) if not name.startswith("_")}
    kinds = [FAST_CALLS, SLOW_CALLS, LONG_CALLS]
    assert public == FAST_CALLS | SLOW_CALLS | LONG_CALLS
    assert sum(len(k) for k in kinds) == len(public), "a call is in two kinds"


@pytest.mark.parametrize("name", sorted(SLOW_CALLS))
def test_each_slow_call_takes_a_deadline(desk, name):
    parameter = inspect.signature(getattr(desk, name)).parameters.get("deadline")
    assert parameter is not None, f"{name} takes no deadline"
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
    assert parameter.default is None


def test_a_cancelled_lookup_asks_central_nothing(clerk_desk):
    deadline = Deadline()
    deadline.cancel()
    with pytest.raises(Cancelled) as refused:
        clerk_desk.find_bills(BillKind.PARKING, "777MM", deadline=deadline)
    assert "nothing was recorded" in refused.value.message("en")
    assert clerk_desk.find_bills(BillKind.PARKING, "777MM")  # the same lookup, not cancelled
