"""Masking secrets in log text, for the desk's log and central's alike.

Nothing logs a PIN, a token or a key on purpose; this is the second line: anything that looks
like one (an API token, a bearer header, a ``pin``/``token``/``key`` value, say in the text of
an exception) is masked before a log line is written.
"""

from __future__ import annotations

import logging
import re

_SECRETS = (
    (re.compile(r"\bet_[A-Za-z0-9_\-]{8,}"), "et_***"),
    (re.compile(r"(?i)\bbearer\s+\S+"), "Bearer ***"),
    (
        re.compile(
            r"(?i)([\"']?\b(?:sealed_pin|pin|customer_pin|token|private_key|signing_key|"
            r"passphrase|password)[\"']?\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;}&]+)"
        ),
        r"\1***",
    ),
    # The password part of a database URL: scheme://user:password@host
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+@"), r"\1***@"),
)


def redact(text: str) -> str:
    """``text`` with anything that looks like a secret masked."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    """Formats as usual, tracebacks included, then masks secrets in the whole line."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d %(threadName)s] %(message)s"
LOG_MAX_BYTES = 2_000_000
LOG_BACKUPS = 5  # name.log.1 ... .5: at most about 12 MB
