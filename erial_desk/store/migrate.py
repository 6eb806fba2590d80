"""Schema migrations (Alembic), run when a data directory is created or opened.

An upgrade of a file that already has a schema is guarded: SQLite's backup API first copies the
file into ``backups/`` beside it; the migrations run in one transaction; the journal must verify
afterwards (every hash and signature). When a migration fails or the journal no longer verifies,
the copy is written back over the file, so the desk is left exactly as the previous version left
it, and the desk refuses to start with a message that names the copy.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from erial_desk.domain.chain import ChainBreak
from erial_desk.domain.errors import ConfigError
from erial_desk.logs import log_to

from .engine import make_engine
from .identity import read_identity
from .journal import Journal

MIGRATIONS = Path(__file__).parent / "migrations"
BACKUP_DIR = "backups"

log = logging.getLogger(__name__)


def _config(migrations: Path | None = None) -> Config:
    cfg = Config()
    # Read at each call: a test points it at a copy of the migrations with a failing revision.
    cfg.set_main_option("script_location", str(migrations or MIGRATIONS))
    return cfg


def upgrade(db_path: Path | str, revision: str = "head") -> Path | None:
    """Bring the database at ``db_path`` to ``revision`` (creating it when new).

    Returns the backup made before upgrading an existing schema (None when nothing was to be
    upgraded). Raises ``ConfigError`` naming that backup when the upgrade failed; the file is
    then as it was before."""
    db_path = Path(db_path)
    cfg = _config()
    current = current_revision(db_path) if db_path.exists() else None
    target = ScriptDirectory.from_config(cfg).get_revision(revision)
    if current is None or target is None or current == target.revision:
        _run(db_path, cfg, revision)  # a new file has nothing to lose; at the target, a no-op
        return None
    # What happens is for the IT team: in the data directory's log, never on the screen.
    log_to(db_path.parent)
    try:
        backup = backup_copy(db_path, f"{current}-to-{target.revision}")
    except (OSError, sqlite3.Error):
        log.exception("copying %s before its upgrade failed; nothing was changed", db_path)
        raise ConfigError("upgrade.no_copy", folder=str(db_path.parent / BACKUP_DIR)) from None
    try:
        _run(db_path, cfg, revision)
    except Exception:
        log.exception("upgrading %s from %s failed; restoring %s", db_path, current, backup)
        restore(backup, db_path)
        raise ConfigError("upgrade.failed", backup=str(backup)) from None
    broken = verify_journal(db_path)
    if broken is not None:
        log.error(
            "after upgrading %s the journal fails at %s; restoring %s", db_path, broken, backup
        )
        restore(backup, db_path)
        raise ConfigError("upgrade.unverified", backup=str(backup))
    log.info("upgraded %s from %s to %s; the copy before is %s", db_path, current, target, backup)
    return backup


def _run(db_path: Path, cfg: Config, revision: str) -> None:
    engine = make_engine(db_path)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def backup_copy(db_path: Path, label: str) -> Path:
    """A consistent copy of the database (WAL included) in ``backups/`` beside it; a name
    already taken gets a number, so no earlier copy is overwritten."""
    folder = db_path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    path = folder / f"{db_path.stem}-before-{label}{db_path.suffix}"
    number = 1
    while path.exists():
        number += 1
        path = folder / f"{db_path.stem}-before-{label}-{number}{db_path.suffix}"
    _copy(db_path, path)
    return path


def restore(backup: Path, db_path: Path) -> None:
    """Write ``backup`` back over the database, page by page, through SQLite. Should even that
    fail, the copy is still there, named in the sentence the desk stops with."""
    try:
        _copy(backup, db_path)
    except (OSError, sqlite3.Error):
        log.exception("writing %s back over %s failed", backup, db_path)


def _copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(str(source))) as src, closing(sqlite3.connect(str(target))) as dst:
        src.backup(dst)


def verify_journal(db_path: Path) -> ChainBreak | None:
    """The journal's chain from its first entry: hashes, links and signatures (None: it holds,
    or the file has no terminal yet)."""
    try:
        terminal_id, public_key, _office = read_identity(db_path)
    except ConfigError:
        return None
    journal = Journal(db_path, terminal_id, None)
    try:
        return journal.verify(Ed25519PublicKey.from_public_bytes(public_key))[1]
    finally:
        journal.close()


def current_revision(db_path: Path | str) -> str | None:
    engine = make_engine(db_path)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head
