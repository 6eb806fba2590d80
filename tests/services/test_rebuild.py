"""``rebuild`` replays the journal into the derived tables and keeps what only central's feed
brought: the wallet balances this desk pulled."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_desk
from tests.services.test_payments import register


def test_rebuild_keeps_the_balances_pulled_from_central(clerk_desk, tmp_path: Path):
    account = register(clerk_desk)
    clerk_desk.top_up(account, 30_000)
    other = make_desk(tmp_path / "other")  # the same office's other counter
    try:
        other.sync_once()
        # Nothing in that counter's journal names the account: its balance is the feed's.
        assert other.known_balance(account) == 30_000
        other.rebuild()
        assert other.known_balance(account) == 30_000
        other.sync_once()
        assert other.known_balance(account) == 30_000
    finally:
        other.close()
