"""Central's log: one rotating file (next to its SQLite database, or ``--log-file``) that the
server's own messages and uvicorn's errors go to, tracebacks included; secrets never do (see
``erial_desk.domain.redaction``). Warnings and errors also go to the console."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from erial_desk.domain.redaction import LOG_BACKUPS, LOG_FORMAT, LOG_MAX_BYTES

LOG_FILE = "erial-central.log"


def default_log_file(database_url: str, secrets_file: Path) -> Path:
    """Beside the SQLite database file; for a server database, beside the secrets file."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / LOG_FILE
    return secrets_file.resolve().parent / LOG_FILE


def shown_database(database_url: str) -> str:
    """The database URL as it may be printed and logged: the password hidden."""
    return make_url(database_url).render_as_string(hide_password=True)


def uvicorn_log_config(path: Path) -> dict[str, Any]:
    """uvicorn's logging configuration (applied in every worker process)."""
    formatter = {"()": "erial_desk.domain.redaction.RedactingFormatter", "fmt": LOG_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": formatter},
        "handlers": {
            "file": {
                "class": "logging.handlers.RotatingFileHandler",
                "filename": str(path),
                "maxBytes": LOG_MAX_BYTES,
                "backupCount": LOG_BACKUPS,
                "encoding": "utf-8",
                "formatter": "plain",
            },
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "plain",
                "level": "WARNING",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["file", "console"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            # One line per request would bury the errors; the requests are in the ledger.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "erial_central": {"handlers": ["file", "console"], "level": "INFO", "propagate": False},
        },
    }
