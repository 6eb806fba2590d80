"""Canonical JSON of journal entries: RFC 8785 (JSON Canonicalization Scheme).

Entries hold only objects, arrays, strings, booleans, null and integers within the exact range of
IEEE doubles. On that subset RFC 8785 equals ``json.dumps`` with sorted keys, no whitespace and
raw UTF-8, provided keys sort by UTF-16 code units (they differ from code points only above
U+FFFF). This encoder checks the subset and emits that, about six times faster than the generic
``rfc8785`` package; a property test proves it byte-identical to ``rfc8785`` on such values.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import ValidationError

MAX_SAFE_INTEGER = 2**53 - 1

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def _utf16_key(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def _check_string(value: str) -> None:
    # Lone surrogates cannot be written as UTF-8; refuse rather than emit invalid bytes.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError("encoding.unsupported", reason="lone surrogate") from exc


def _prepare(value: Any) -> Any:
    """Check the subset and return a value whose dicts are in RFC 8785 key order."""
    if value is None or value is True or value is False:
        return value
    if isinstance(value, str):
        _check_string(value)
        return value
    if isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise ValidationError("encoding.unsupported", reason="integer out of range")
        return int(value)
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationError("encoding.unsupported", reason="non-string key")
            _check_string(key)
            items.append((key, _prepare(item)))
        if all(k.isascii() for k, _ in items):
            items.sort(key=lambda kv: kv[0])
        else:
            items.sort(key=lambda kv: _utf16_key(kv[0]))
        return dict(items)
    if isinstance(value, list | tuple):
        return [_prepare(item) for item in value]
    raise ValidationError("encoding.unsupported", reason=type(value).__name__)


def canonical_bytes(value: Any) -> bytes:
    """RFC 8785 bytes of ``value`` (floats and other non-JSON values are refused)."""
    return _encoder.encode(_prepare(value)).encode("utf-8")


def parse(data: bytes | str) -> Any:
    """Parse canonical JSON back; floats are refused so money can never come back as one."""

    def no_float(text: str) -> Any:
        raise ValidationError("encoding.unsupported", reason="float " + text)

    return json.loads(data, parse_float=no_float, parse_constant=no_float)
