"""The desk's log: one rotating file in the data directory, for the IT team.

Everything under the ``erial_desk`` logger goes there, with tracebacks; secrets never do (see
``erial_desk.domain.redaction``).
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from erial_desk import __version__
from erial_desk.domain.redaction import LOG_BACKUPS, LOG_FORMAT, LOG_MAX_BYTES, RedactingFormatter

LOG_FILE = "erial-desk.log"

_handler: RotatingFileHandler | None = None


def log_to(data_dir: Path, level: int = logging.INFO) -> Path:
    """Send the desk's log to ``data_dir``'s log file. One file per process: opening another
    data directory moves the log there."""
    global _handler
    path = (Path(data_dir) / LOG_FILE).resolve()
    logger = logging.getLogger("erial_desk")
    if _handler is not None and Path(_handler.baseFilename) == path:
        return path
    if _handler is not None:
        logger.removeHandler(_handler)
        _handler.close()
    handler = RotatingFileHandler(
        path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(RedactingFormatter(LOG_FORMAT))
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    _handler = handler
    logger.info("erial-desk %s: log of %s", __version__, Path(data_dir).resolve())
    return path
