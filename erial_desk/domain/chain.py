"""The signed hash chain of a terminal's journal, shared by the desk and central.

An entry's *body* is the canonical JSON of its envelope (everything but its own hash and
signature). Its hash is SHA-256 of the body; the body names the previous entry's hash, so any edit,
deletion, insertion or reordering breaks the chain. The terminal's Ed25519 key signs each hash.
The first entry chains to a hash of the terminal id (as RKSV receipt chains start from the
register's id).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .canonical import canonical_bytes, parse

ENVELOPE_VERSION = 1
_GENESIS_PREFIX = b"e-Rial Desk journal genesis\x00"


def genesis_hash(terminal_id: str) -> str:
    """The 'previous hash' of a terminal's first entry."""
    return hashlib.sha256(_GENESIS_PREFIX + terminal_id.encode("utf-8")).hexdigest()


def entry_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class SignedEntry:
    """One journal entry as stored and as pushed to central."""

    seq: int
    entry_id: str
    body: bytes  # canonical JSON of the envelope; the bytes that were hashed
    hash: str  # hex SHA-256 of body
    signature: bytes  # Ed25519 over the 32 bytes of the hash

    def envelope(self) -> dict[str, Any]:
        return parse(self.body)


def build_envelope(
    *,
    entry_id: str,
    terminal_id: str,
    seq: int,
    at: str,
    entry_type: str,
    operator: str | None,
    policy_version: int,
    catalogue_version: int,
    payload: dict[str, Any],
    prev: str,
) -> dict[str, Any]:
    return {
        "v": ENVELOPE_VERSION,
        "id": entry_id,
        "terminal": terminal_id,
        "seq": seq,
        "at": at,
        "type": entry_type,
        "operator": operator,
        "policy": policy_version,
        "catalogue": catalogue_version,
        "payload": payload,
        "prev": prev,
    }


def encode_envelope(envelope: dict[str, Any]) -> tuple[bytes, str]:
    body = canonical_bytes(envelope)
    return body, entry_hash(body)


@dataclass(frozen=True)
class ChainBreak:
    """The first place a chain does not hold, named for a person."""

    seq: int
    entry_id: str | None
    reason: str

    def __str__(self) -> str:
        who = f" ({self.entry_id})" if self.entry_id else ""
        return f"entry {self.seq}{who}: {self.reason}"


@dataclass(frozen=True)
class StoredRow:
    """A journal row as read back from storage, columns and all, for verification."""

    seq: int
    entry_id: str
    entry_type: str
    at: str
    body: bytes
    hash: str
    prev_hash: str
    signature: bytes
    operator: str | None


def verify_chain(
    rows: Iterable[StoredRow],
    terminal_id: str,
    public_key: Ed25519PublicKey | None,
    *,
    start_seq: int = 1,
    start_prev: str | None = None,
) -> tuple[int, ChainBreak | None]:
    """Check rows in storage order. Returns (entries checked, first break or None).

    With ``public_key`` None only the hash chain is checked (fast path used by ``audit`` modes
    that check signatures separately).
    """
    expected_seq = start_seq
    prev = start_prev if start_prev is not None else genesis_hash(terminal_id)
    checked = 0
    for row in rows:
        broken = _check_row(row, terminal_id, public_key, expected_seq, prev)
        if broken is not None:
            return checked, broken
        prev = row.hash
        expected_seq += 1
        checked += 1
    return checked, None


def _check_row(
    row: StoredRow,
    terminal_id: str,
    public_key: Ed25519PublicKey | None,
    expected_seq: int,
    prev: str,
) -> ChainBreak | None:
    if row.seq > expected_seq:
        # The id named is the entry found where the missing one should be.
        return ChainBreak(
            expected_seq, row.entry_id, f"entry missing (deleted); found seq {row.seq}"
        )
    if row.seq < expected_seq:
        return ChainBreak(
            expected_seq, row.entry_id, f"entry out of order or inserted; found seq {row.seq}"
        )
    if entry_hash(row.body) != row.hash:
        return ChainBreak(row.seq, row.entry_id, "content edited (hash does not match)")
    try:
        env = parse(row.body)
    except Exception:  # a forged body may be anything: it must be named, never crash the check
        env = None
    if not isinstance(env, dict):
        return ChainBreak(row.seq, row.entry_id, "body is not canonical JSON")
    if env.get("prev") != prev or row.prev_hash != prev:
        return ChainBreak(
            row.seq, row.entry_id, "previous hash does not match (inserted or reordered)"
        )
    if (
        env.get("seq") != row.seq
        or env.get("id") != row.entry_id
        or env.get("type") != row.entry_type
        or env.get("at") != row.at
        or env.get("operator") != row.operator
        or env.get("terminal") != terminal_id
    ):
        return ChainBreak(row.seq, row.entry_id, "columns differ from the signed body")
    if public_key is not None:
        try:
            public_key.verify(row.signature, bytes.fromhex(row.hash))
        except InvalidSignature:
            return ChainBreak(row.seq, row.entry_id, "signature does not verify")
    return None


def uuid7(unix_ms: int, rand: bytes) -> str:
    """UUIDv7 (RFC 9562) from a millisecond timestamp and 10 random bytes."""
    if len(rand) < 10:
        raise ValueError("need 10 random bytes")
    value = (unix_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (int.from_bytes(rand[:2], "big") & 0x0FFF) << 64
    value |= 0b10 << 62
    value |= int.from_bytes(rand[2:10], "big") & ((1 << 62) - 1)
    # The text of uuid.UUID(int=value), without building the object (an id per journal entry).
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def iter_bodies(rows: Iterable[StoredRow]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield parse(row.body)
