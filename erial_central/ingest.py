"""Journal push: check each entry's place in the terminal's chain, then apply it once.

The entry id is the idempotency key: the same id with the same bytes answers "duplicate" with the
first result; the same id with other bytes is refused. Entries must continue the terminal's
chain: the next sequence number, the previous entry's hash. The chain links every entry, so a
valid chain ending in a valid signature authenticates the whole batch (audit still checks every
signature). A rejected entry is not stored: the desk can send it again once what it waits for
has arrived.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, bindparam, insert, select, text, update

from erial_desk.domain.canonical import parse
from erial_desk.domain.chain import genesis_hash

from .db import for_update
from .effects import BatchContext, accounts_touched, apply_entry, voided_accounts
from .ledger import Ledger
from .models import entries, offices, terminals

MAX_BATCH = 1000


@dataclass(frozen=True)
class WireEntry:
    seq: int
    entry_id: str
    body: str  # canonical JSON text, exactly as hashed
    hash: str
    signature: bytes


@dataclass
class EntryResult:
    entry_id: str
    seq: int
    status: str  # applied, duplicate, flagged, rejected
    reason: str | None = None
    first: dict[str, Any] | None = None  # for duplicates: the first result

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.entry_id, "seq": self.seq, "status": self.status}
        if self.reason:
            out["reason"] = self.reason
        if self.first:
            out["first"] = self.first
        return out


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _entry_row(
    env: dict[str, Any], wire: WireEntry, office_id: str, status: str, reason: str | None
) -> dict[str, Any]:
    p = env["payload"]
    amount = p.get("amount")
    return {
        "entry_id": wire.entry_id,
        "terminal_id": env["terminal"],
        "seq": wire.seq,
        "office_id": office_id,
        "entry_type": env["type"],
        "at": env["at"],
        "day": env["at"][:10],
        "operator": env.get("operator"),
        "account": p.get("account"),
        "method": p.get("method") or ("cash" if env["type"] in ("top_up", "cash_drop") else None),
        "amount": amount if isinstance(amount, int) else None,
        "service_charge": p.get("service_charge"),
        "shift_id": p.get("shift") or (env["id"] if env["type"] == "shift_opened" else None),
        "hash": wire.hash,
        "body": wire.body,
        "signature": wire.signature,
        "status": status,
        "reason": reason,
        "received_at": now_text(),
    }


def push(
    conn: Connection,
    terminal_id: str,
    batch: list[WireEntry],
    *,
    sealing_private_key: bytes,
    wallet_pin_attempts: int,
) -> tuple[list[EntryResult], int]:
    """Apply a batch for ``terminal_id``; returns per-entry results and the last applied seq."""
    term = conn.execute(
        text(
            "SELECT terminal_id, office_id, public_key, last_seq, last_hash FROM terminals"
            " WHERE terminal_id = :t" + for_update(conn)
        ),
        {"t": terminal_id},
    ).one()
    office = conn.execute(
        select(offices.c.office_type, offices.c.top_up_authorised).where(
            offices.c.office_id == term.office_id
        )
    ).one()
    ids = [w.entry_id for w in batch]
    known = (
        {
            r.entry_id: r
            for r in conn.execute(
                text(
                    "SELECT entry_id, hash, status, reason FROM entries WHERE entry_id IN :ids"
                ).bindparams(bindparam("ids", expanding=True)),
                {"ids": ids},
            )
        }
        if ids
        else {}
    )
    results: list[EntryResult] = []
    accepted: list[tuple[WireEntry, dict[str, Any], int]] = []  # wire, envelope, result index
    expected = int(term.last_seq) + 1
    prev = term.last_hash or genesis_hash(terminal_id)
    stop: str | None = None
    for wire in sorted(batch, key=lambda w: w.seq):
        seen = known.get(wire.entry_id)
        if seen is not None:
            if seen.hash == wire.hash:
                first = {"status": seen.status, "reason": seen.reason}
                results.append(
                    EntryResult(wire.entry_id, wire.seq, "duplicate", seen.reason, first)
                )
            else:
                results.append(
                    EntryResult(wire.entry_id, wire.seq, "rejected", "same id, different content")
                )
            continue
        reason = stop or _chain_problem(wire, terminal_id, expected, prev)
        if reason is not None:
            results.append(EntryResult(wire.entry_id, wire.seq, "rejected", reason))
            if wire.seq >= expected:
                stop = stop or f"waits for entry {expected}"
            continue
        env = parse(wire.body)
        accepted.append((wire, env, len(results)))
        results.append(EntryResult(wire.entry_id, wire.seq, "pending"))
        prev = wire.hash
        expected += 1
    accepted = _authenticated(
        accepted, results, Ed25519PublicKey.from_public_bytes(term.public_key)
    )
    if accepted:
        _apply(conn, term, office, accepted, results, sealing_private_key, wallet_pin_attempts)
    return results, int(term.last_seq) + len(accepted)


def _chain_problem(wire: WireEntry, terminal_id: str, expected: int, prev: str) -> str | None:
    if wire.seq < expected:
        return f"sequence number {wire.seq} already holds another entry"
    if wire.seq > expected:
        return f"gap: entry {expected} is missing"
    body = wire.body.encode("utf-8")
    if hashlib.sha256(body).hexdigest() != wire.hash:
        return "hash does not match the entry"
    try:
        env = parse(body)
    except ValueError:
        return "entry is not canonical JSON"
    if env.get("id") != wire.entry_id or env.get("seq") != wire.seq:
        return "id or sequence differs from the signed entry"
    if env.get("terminal") != terminal_id:
        return "entry belongs to another terminal"
    if env.get("prev") != prev:
        return "previous hash does not match the chain"
    return None


def _authenticated(
    accepted: list[tuple[WireEntry, dict[str, Any], int]],
    results: list[EntryResult],
    key: Ed25519PublicKey,
) -> list[tuple[WireEntry, dict[str, Any], int]]:
    """Keep the chain prefix whose signatures hold; the last one vouches for those before."""
    if not accepted:
        return accepted

    def good(item: tuple[WireEntry, dict[str, Any], int]) -> bool:
        try:
            key.verify(item[0].signature, bytes.fromhex(item[0].hash))
            return True
        except (InvalidSignature, ValueError):
            return False

    if good(accepted[-1]):
        return accepted
    for i, item in enumerate(accepted):
        if not good(item):
            for later in accepted[i:]:
                results[later[2]] = EntryResult(
                    later[0].entry_id,
                    later[0].seq,
                    "rejected",
                    "signature does not verify"
                    if later is item
                    else f"waits for entry {item[0].seq}",
                )
            return accepted[:i]
    return accepted


def _apply(
    conn: Connection,
    term: Any,
    office: Any,
    accepted: list[tuple[WireEntry, dict[str, Any], int]],
    results: list[EntryResult],
    sealing_private_key: bytes,
    wallet_pin_attempts: int,
) -> None:
    ledger = Ledger(conn)
    voids = [env["payload"]["voids"] for _, env, _ in accepted if env["type"] == "void"]
    ledger.lock(
        [a for _, env, _ in accepted for a in accounts_touched(env, term.office_id)]
        + voided_accounts(conn, voids)
    )
    ctx = BatchContext(
        conn,
        ledger,
        term.terminal_id,
        term.office_id,
        office.office_type,
        bool(office.top_up_authorised),
        sealing_private_key,
        wallet_pin_attempts,
    )
    for wire, env, index in accepted:
        status, reason = apply_entry(ctx, env)
        conn.execute(insert(entries), _entry_row(env, wire, term.office_id, status, reason))
        results[index] = EntryResult(wire.entry_id, wire.seq, status, reason)
    last_wire = accepted[-1][0]
    conn.execute(
        update(terminals)
        .where(terminals.c.terminal_id == term.terminal_id)
        .values(last_seq=last_wire.seq, last_hash=last_wire.hash)
    )
    ledger.flush(now_text())


def parse_wire(item: dict[str, Any]) -> WireEntry:
    return WireEntry(
        seq=int(item["seq"]),
        entry_id=str(item["id"]),
        body=str(item["body"]),
        hash=str(item["hash"]),
        signature=bytes.fromhex(str(item["signature"])),
    )


def wire_of(seq: int, entry_id: str, body: bytes, digest: str, signature: bytes) -> dict[str, Any]:
    """The JSON form of one entry in a push, as the desk sends it."""
    return {
        "seq": seq,
        "id": entry_id,
        "body": body.decode("utf-8"),
        "hash": digest,
        "signature": signature.hex(),
    }
