"""The desk guards itself: nothing in the data directory vouches for itself.

- The public key in the database is checked against the key store's private key (and central's
  registered key); a chain re-signed with a new key pair and the key in the file swapped fails.
- The journal's end is checked against every high-water mark (``store.anchors``): the derived
  tables, printed receipts, the key store's anchor and central's last sequence number and hash.
  The key store's anchor moves after each push central acknowledged and at each shift close,
  never on an append (a key store write costs far more than an append).
- When central holds entries this journal lacks (a lost ``-wal`` file, a restored copy), the desk
  takes no money: the next entry would reuse a sequence number central already holds. The stop is
  kept in the database and checked again at each sync; it lifts once central's last entry is
  this journal's again.
- Derived tables are checked against a replay of the journal (``store.replay``) when the desk
  opens (the open shift), before a shift closes, and by ``verify-journal``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from erial_desk.domain.chain import ChainBreak
from erial_desk.domain.errors import (
    CentralError,
    ConfigError,
    IntegrityError,
    JournalStopped,
)
from erial_desk.domain.money import format_amount
from erial_desk.store import anchors, replay
from erial_desk.store.anchors import JournalEnd, Mark
from erial_desk.store.engine import connect_raw
from erial_desk.sync.client import CentralClient
from erial_desk.sync.credentials import KeyStore

from .parts import JournalWriter

# Stops that central's answer decides; lifted when central's last entry is this journal's again.
CENTRAL_STOPS = ("journal.central_ahead",)


# --- init and enroll ---------------------------------------------------------------------------


@contextmanager
def made_or_removed(data_dir: Path) -> Iterator[None]:
    """Make ``data_dir`` for a new terminal; when making it fails, remove what was made: the
    directory (and parents) it created, or the files it added to one that existed."""
    top = data_dir
    while not top.parent.exists():
        top = top.parent
    existed = data_dir.exists()
    before = set(data_dir.iterdir()) if existed else set()
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        yield
    except BaseException:
        if not existed:
            shutil.rmtree(top, ignore_errors=True)
        else:
            for path in set(data_dir.iterdir()) - before:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        raise


def check_key_store(keys: KeyStore, terminal_id: str, public_key: bytes) -> None:
    """The key store holds this terminal's private key, the one whose public key is given."""
    if keys.public_key(terminal_id) != public_key:
        raise ConfigError("config.key_mismatch", backend=keys.choice)


@dataclass
class JournalReport:
    """What ``verify-journal`` found: the chain, and every check beyond it."""

    checked: int
    broken: ChainBreak | None
    problems: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.broken is None and not self.problems


class Integrity:
    """The desk's checks of itself, given the journal's writer, the terminal's identity, its key
    store and central."""

    def __init__(
        self,
        writer: JournalWriter,
        public_key: Ed25519PublicKey,
        keys: Callable[[], KeyStore],
        central: CentralClient,
    ) -> None:
        self._writer = writer
        self._journal = writer.journal
        self._terminal_id = writer.journal.terminal_id
        self._public_key = public_key
        self._keys = keys
        self._central = central

    def _public_bytes(self) -> bytes:
        return self._public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)

    @contextmanager
    def _journal_end(self) -> Iterator[JournalEnd]:
        with closing(connect_raw(self._journal.path)) as conn:
            yield JournalEnd(conn)

    # --- stops ---------------------------------------------------------------------------------

    def _stop(self, code: str, gap: anchors.Gap, **params: object) -> JournalStopped:
        found, found_ar = gap.found()
        error = JournalStopped(code, found=found, found_ar=found_ar, **params)
        self._writer.stop_money(error)
        return error

    def guard_at_open(self) -> None:
        """Before the counter works: the key store's key against the database's public key, a
        stop kept from an earlier sync, the key store's anchor, and the open shift's figures.
        What fails stops money actions; the desk still opens, to show why and to sync."""
        keys = self._keys()
        if keys.public_key(self._terminal_id) != self._public_bytes():
            self._writer.stop_money(JournalStopped("config.key_mismatch", backend=keys.choice))
            return
        with self._writer.locked() as conn:
            saved = anchors.saved_stop(conn)
        if saved is not None:
            self._writer.stop_money(saved)
            return
        anchor = keys.anchor(self._terminal_id)
        if anchor is not None:
            with self._journal_end() as end:
                gap = anchors.gap(end, Mark("the key store", *anchor))
            if gap is not None:
                self._stop("journal.behind_anchor", gap, anchor_seq=anchor[0])
                return
        with self._journal_end() as end:
            row = end.conn.execute(
                "SELECT shift_id FROM shifts WHERE closed_seq IS NULL"
            ).fetchone()
        if row is not None:
            try:
                self.check_shift_figures(str(row[0]))
            except JournalStopped as exc:
                self._writer.stop_money(exc)

    def check_shift_figures(self, shift_id: str) -> None:
        """The shift's row and transactions are what its journal entries make them."""
        figures = replay.shift_figures(self._journal.path, shift_id)
        if figures.journal_cash != figures.database_cash:
            raise JournalStopped(
                "shift.figures_differ",
                figure="expected cash",
                figure_ar="النقد المتوقع",
                journal=format_amount(figures.journal_cash),
                journal_ar=format_amount(figures.journal_cash, "ar"),
                database=format_amount(figures.database_cash),
                database_ar=format_amount(figures.database_cash, "ar"),
            )
        if figures.differences:
            first = figures.differences[0]
            raise JournalStopped(
                "shift.figures_differ",
                figure=f"{first.column} of {first.key} in {first.table}",
                journal=str(first.journal),
                database=str(first.database),
            )

    def anchor_journal_end(self, seq: int, digest: str) -> None:
        """Record entry ``seq`` as the journal's end in the key store (at shift close: the count
        is in it)."""
        self._keys().store_anchor(self._terminal_id, seq, digest)

    # --- central -------------------------------------------------------------------------------

    def check_central(self) -> None:
        """After a push: central must not be ahead of this journal. If it is, stop taking money
        (kept across restarts) and raise; if not, lift such a stop and move the key store's
        anchor to what central acknowledged."""
        answer = central_terminal(self._central)
        seq = int(str(answer["last_seq"]))
        digest = str(answer["last_hash"]) if answer.get("last_hash") else None
        conn = self._journal.raw_connection()
        with self._journal_end() as end:
            gap = anchors.gap(end, Mark("central", seq, digest))
        if gap is not None:
            error = self._stop("journal.central_ahead", gap, central_seq=seq)
            anchors.save_stop(conn, self._journal.lock, error)
            raise error
        stopped = self._journal.stopped
        if stopped is not None and stopped.code in CENTRAL_STOPS:
            anchors.clear_stop(conn, self._journal.lock)
            self._writer.stop_money(None)
        if seq and digest:
            self._keys().store_anchor(self._terminal_id, seq, digest)

    # --- verify-journal and rebuild ------------------------------------------------------------

    def verify_journal(self) -> tuple[int, ChainBreak | None]:
        return self._journal.verify(self._public_key)

    def check_journal(self, *, derived: bool = True) -> JournalReport:
        """Every check: the chain, the key, the journal's end, and (``derived``) the tables."""
        checked, broken = self.verify_journal()
        report = JournalReport(checked, broken)
        if broken is not None:
            return report
        keys = self._keys()
        if keys.public_key(self._terminal_id) == self._public_bytes():
            report.passed.append("the public key is the key store's")
        else:
            report.problems.append(
                "the public key in the database is not the key of the private key in the key"
                " store (the journal was signed again with another key, or the directory was"
                " replaced)"
            )
        marks = []
        with self._journal_end() as end:
            marks += anchors.local_marks(end.conn)
            for entry_id in anchors.printed_but_missing(end.conn):
                report.problems.append(
                    f"a receipt was printed for entry {entry_id}, not in the journal"
                )
        anchor = keys.anchor(self._terminal_id)
        if anchor is not None:
            marks.append(Mark("the key store", *anchor))
        marks += self._central_marks(report)
        with self._journal_end() as end:
            for mark in marks:
                gap = anchors.gap(end, mark)
                if gap is not None:
                    report.problems.append(str(gap))
        if not report.problems:
            sources = sorted({m.source for m in marks}) or ["nothing kept"]
            report.passed.append("its end matches " + ", ".join(sources))
        if derived:
            differences = replay.derived_differences(self._journal.path)
            report.problems += [f"derived table differs: {d}" for d in differences[:20]]
            if len(differences) > 20:
                report.problems.append(f"... and {len(differences) - 20} more differences")
            if not differences:
                report.passed.append("the derived tables agree with a replay of the journal")
        return report

    def _central_marks(self, report: JournalReport) -> list[Mark]:
        """Central's record of this terminal, when reachable."""
        try:
            answer = central_terminal(self._central)
        except (CentralError, ConfigError) as exc:
            report.not_checked.append(f"central: {exc.message('en')}")
            return []
        if bytes.fromhex(str(answer["public_key"])) != self._public_bytes():
            report.problems.append(
                "the public key in the database is not the one central registered"
            )
        seq = int(str(answer["last_seq"]))
        digest = str(answer["last_hash"]) if answer.get("last_hash") else None
        return [Mark("central", seq, digest)]

    def refuse_unverified(self) -> None:
        """``rebuild`` builds only from a journal that passes every check but the derived
        tables' (those it is about to rebuild)."""
        report = self.check_journal(derived=False)
        if report.broken is not None:
            raise IntegrityError("journal.unverified", problem=str(report.broken))
        if report.problems:
            raise IntegrityError("journal.unverified", problem=report.problems[0])


def central_terminal(client: CentralClient) -> dict[str, object]:
    """Central's record of this terminal: its public key, last sequence number and hash."""
    return dict(client.request("GET", "/v1/terminal"))
