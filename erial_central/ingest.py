"""Journal push: check each entry's place in the terminal's chain, then apply it once.

The entry id is the idempotency key: the same id with the same bytes answers "duplicate" with the
first result; the same id with other bytes is refused. Entries must continue the terminal's
chain: the next sequence number, the previous entry's hash, and a signature by the terminal's
key. Every signature is checked before it is stored (``audit`` checks them all again), with
libsodium, which is about twice as fast as OpenSSL here and no more lenient. A rejected entry is
not stored: the desk can send it again once what it waits for has arrived. So is an entry whose
body is not exactly the canonical bytes of what it holds (one reading only). Every entry that
continues the chain then passes the rule check (``rules``) before it has any effect.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nacl.exceptions import CryptoError
from nacl.signing import VerifyKey
from sqlalchemy import Connection, bindparam, update

from erial_desk.domain.canonical import parse_canonical
from erial_desk.domain.chain import genesis_hash
from erial_desk.domain.clock import SYSTEM_CLOCK, Clock, now_stamp
from erial_desk.domain.entries import EntryType
from erial_desk.domain.errors import ValidationError
from erial_desk.domain.policy import (
    FeeCatalogue,
    PaymentMethod,
    Policy,
    catalogue_from_dict,
    policy_from_dict,
)

from .batch_context import BatchContext
from .db import in_list, is_postgres
from .effects import (
    accounts_touched,
    apply_entry,
    flag_breach,
    voided_accounts,
)
from .errors import ApiError
from .ledger import Ledger
from .models import terminals
from .rules import MAX_ID, answer_for, check_well_formed, payload_problem, text_ok

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
    code: str | None = None  # the rule a flagged entry broke (rules.Breach.code)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.entry_id, "seq": self.seq, "status": self.status}
        if self.reason:
            out["reason"] = self.reason
        if self.code:
            out["code"] = self.code
        if self.first:
            out["first"] = self.first
        return out


def _text(value: Any) -> str | None:
    return value if text_ok(value, MAX_ID) else None


# The envelope's type and operator are stored as they are signed (audit compares them with the
# body): beyond this, or holding what the database cannot store, the entry is no journal entry.
MAX_ENVELOPE_TEXT = 200
_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z")
_CASH_TYPES = frozenset({EntryType.TOP_UP, EntryType.CASH_DROP})

# The caller's token names the terminal. One statement authenticates the push, locks the
# terminal's row, reads its office and the policy in force, and counts the batch's ids central
# already holds (almost always none: the entries they hold are then read only when there are
# some): a push of one entry pays for a few statements, not a dozen.
_TERMINAL = (
    "SELECT t.terminal_id, t.office_id, t.public_key, t.last_seq, t.last_hash, t.revoked,"
    " o.office_type, o.top_up_authorised,"
    " (SELECT p.policy FROM policies p ORDER BY p.version DESC LIMIT 1) AS policy,"
    " (SELECT p.catalogue FROM policies p ORDER BY p.version DESC LIMIT 1) AS catalogue,"
    " (SELECT COUNT(*) FROM entries e WHERE e.entry_id IN :ids) AS known"
    " FROM terminals t JOIN offices o ON o.office_id = t.office_id"
    " WHERE t.token_hash = :h"
)


# Statements of the hot path are built once: SQLAlchemy then reuses their compiled form
# without working out a cache key at every push.
_ADVANCE_TERMINAL = (
    update(terminals)
    .where(terminals.c.terminal_id == bindparam("t"))
    .values(last_seq=bindparam("s"), last_hash=bindparam("h"))
)


@lru_cache(maxsize=16)
def _parsed_policy(policy: str | None, catalogue: str | None) -> tuple[Policy, FeeCatalogue]:
    """A policy as published (JSON text), parsed once per process: pushes read the text each
    time, so a new policy applies at once, and parse it only when it changed."""
    if policy is None or catalogue is None:
        return Policy(), FeeCatalogue()
    return policy_from_dict(json.loads(policy)), catalogue_from_dict(json.loads(catalogue))


def _id_ok(value: Any) -> bool:
    """Ids are stored and looked up: printable ASCII, short (desks use UUIDs)."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_ID
        and value.isascii()
        and value.isprintable()
    )


def _money(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _entry_row(
    env: dict[str, Any],
    wire: WireEntry,
    office_id: str,
    status: str,
    reason: str | None,
    rule: str | None,
    received_at: str,
) -> dict[str, Any]:
    p = env["payload"]
    cash_type = env["type"] in _CASH_TYPES
    return {
        "entry_id": wire.entry_id,
        "terminal_id": env["terminal"],
        "seq": wire.seq,
        "office_id": office_id,
        "entry_type": env["type"],
        "at": env["at"],
        "day": env["at"][:10],
        "operator": env.get("operator"),
        "account": _text(p.get("account")),
        "method": _text(p.get("method")) or (PaymentMethod.CASH.value if cash_type else None),
        "bill_kind": _text(p.get("bill_kind")) if env["type"] == EntryType.BILL_PAID else None,
        "amount": _money(p.get("amount")),
        "service_charge": _money(p.get("service_charge")),
        "shift_id": _text(p.get("shift"))
        or (env["id"] if env["type"] == EntryType.SHIFT_OPENED else None),
        "hash": wire.hash,
        "body": wire.body,
        "signature": wire.signature,
        "status": status,
        "reason": reason,
        "rule": rule,
        "voided_by": None,
        "received_at": received_at,
    }


def authenticate(conn: Connection, token_hash: str, terminal_id: str, ids: list[str]) -> Any:
    """The row of the terminal whose token has hash ``token_hash``, locked for the push, with
    its office, the policy in force and how many of the push's entry ``ids`` central holds. An
    unknown token, a revoked terminal or another terminal's journal is refused (``ApiError``)
    before anything is read or written."""
    term = conn.execute(
        in_list(conn, _TERMINAL + (" FOR UPDATE OF t" if is_postgres(conn) else "")),
        {"h": token_hash, "ids": [i for i in ids if _id_ok(i)]},
    ).first()
    if term is None:
        raise ApiError(401, "auth.invalid")
    if term.revoked:
        raise ApiError(403, "auth.revoked")
    if term.terminal_id != terminal_id:
        raise ApiError(403, "push.wrong_terminal")
    return term


def push(
    conn: Connection,
    term: Any,
    batch: list[WireEntry],
    *,
    sealing_private_key: bytes,
    clock: Clock = SYSTEM_CLOCK,
) -> tuple[list[EntryResult], int]:
    """Apply a batch for the terminal ``authenticate`` returned; returns per-entry results and
    the last applied seq. The rules are those of the policy in force."""
    terminal_id = term.terminal_id
    ids = [w.entry_id for w in batch if _id_ok(w.entry_id)]
    known = (
        {
            r.entry_id: r
            for r in conn.execute(
                in_list(
                    conn,
                    "SELECT entry_id, hash, status, reason, rule FROM entries"
                    " WHERE entry_id IN :ids",
                ),
                {"ids": ids},
            )
        }
        # Also read when the batch reaches below the terminal's last entry: that row was read
        # after its lock, the count with the statement's snapshot, which a push of the same
        # entries committed meanwhile is not in (they must answer "duplicate").
        if ids and (term.known or any(w.seq <= term.last_seq for w in batch))
        else {}
    )
    results: list[EntryResult] = []
    accepted: list[tuple[WireEntry, dict[str, Any], int]] = []  # wire, envelope, result index
    expected = int(term.last_seq) + 1
    prev = term.last_hash or genesis_hash(terminal_id)
    stop: str | None = None
    taken: set[str] = set()  # ids of this batch's accepted entries
    for wire in sorted(batch, key=lambda w: w.seq):
        seen = known.get(wire.entry_id)
        if wire.entry_id in taken:
            results.append(
                EntryResult(wire.entry_id, wire.seq, "rejected", "same id, different content")
            )
            continue
        if seen is not None:
            if seen.hash == wire.hash:
                code, told = answer_for(seen.rule, seen.reason)
                first = {"status": seen.status, "reason": told or None}
                results.append(
                    EntryResult(
                        wire.entry_id, wire.seq, "duplicate", told or None, first, code or None
                    )
                )
            else:
                results.append(
                    EntryResult(wire.entry_id, wire.seq, "rejected", "same id, different content")
                )
            continue
        reason, env = (stop, None) if stop else _chain_check(wire, terminal_id, expected, prev)
        if reason is not None or env is None:
            results.append(EntryResult(wire.entry_id, wire.seq, "rejected", reason))
            if wire.seq >= expected:
                stop = stop or f"waits for entry {expected}"
            continue
        accepted.append((wire, env, len(results)))
        taken.add(wire.entry_id)
        results.append(EntryResult(wire.entry_id, wire.seq, "pending"))
        prev = wire.hash
        expected += 1
    accepted = _authenticated(accepted, results, VerifyKey(bytes(term.public_key)))
    if accepted:
        policy, catalogue = _parsed_policy(term.policy, term.catalogue)
        ctx = BatchContext(
            conn,
            Ledger(conn),
            term.terminal_id,
            term.office_id,
            term.office_type,
            bool(term.top_up_authorised),
            sealing_private_key,
            policy.wallet_pin_attempts,
            policy=policy,
            catalogue=catalogue,
        )
        _apply(ctx, accepted, results, now_stamp(clock))
    return results, int(term.last_seq) + len(accepted)


def _chain_check(
    wire: WireEntry, terminal_id: str, expected: int, prev: str
) -> tuple[str | None, dict[str, Any] | None]:
    """(why the entry does not continue the chain, None) or (None, its envelope)."""
    if wire.seq < expected:
        return f"sequence number {wire.seq} already holds another entry", None
    if wire.seq > expected:
        return f"gap: entry {expected} is missing", None
    if not _id_ok(wire.entry_id):
        return "the entry id is not printable ASCII of at most 64 characters", None
    try:
        body = wire.body.encode("utf-8")
    except UnicodeEncodeError:
        return "entry is not UTF-8 text", None
    if hashlib.sha256(body).hexdigest() != wire.hash:
        return "hash does not match the entry", None
    try:
        env = parse_canonical(body)
    except ValidationError as exc:
        why = exc.params.get("reason", "not in canonical form")
        return f"entry is not canonical JSON ({why}): the desk's encoder never writes it", None
    except (ValueError, RecursionError):
        return "entry is not canonical JSON", None
    if not (
        isinstance(env, dict)
        and isinstance(env.get("payload"), dict)
        and text_ok(env.get("type"), MAX_ENVELOPE_TEXT)
        and isinstance(env.get("at"), str)
        and _AT.fullmatch(env["at"])
        and (env.get("operator") is None or text_ok(env["operator"], MAX_ENVELOPE_TEXT))
    ):
        return "entry is not a journal entry", None
    if env.get("id") != wire.entry_id or env.get("seq") != wire.seq:
        return "id or sequence differs from the signed entry", None
    if env.get("terminal") != terminal_id:
        return "entry belongs to another terminal", None
    if env.get("prev") != prev:
        return "previous hash does not match the chain", None
    return None, env


def _authenticated(
    accepted: list[tuple[WireEntry, dict[str, Any], int]],
    results: list[EntryResult],
    key: VerifyKey,
) -> list[tuple[WireEntry, dict[str, Any], int]]:
    """Keep the chain prefix whose signatures hold; entries after a bad one wait for it."""
    for i, item in enumerate(accepted):
        try:
            key.verify(bytes.fromhex(item[0].hash), item[0].signature)
        except (CryptoError, ValueError):
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
    ctx: BatchContext,
    accepted: list[tuple[WireEntry, dict[str, Any], int]],
    results: list[EntryResult],
    received_at: str,
) -> None:
    """Check each entry against the rules, then apply it or flag it, in chain order."""
    problems = [payload_problem(env) for _, env, _ in accepted]
    usable = [env for (_, env, _), problem in zip(accepted, problems, strict=True) if not problem]
    voids = [env["payload"]["voids"] for env in usable if env["type"] == EntryType.VOID]
    ctx.prefetch(usable)  # locks the batch's bills, then its wallets' PIN state, as debits do
    ctx.ledger.lock(
        [a for env in usable for a in accounts_touched(env, ctx.office_id)]
        + voided_accounts(ctx.conn, voids)
    )
    for (wire, env, index), problem in zip(accepted, problems, strict=True):
        rule: str | None = None
        code: str | None = None
        reason: str | None
        answer: str | None
        if problem:
            status, reason = "flagged", f"{problem}: not applied"
            rule = code = "rule.malformed"
            answer = reason
        else:
            breach = check_well_formed(ctx, env)
            if breach is None:
                status, reason = apply_entry(ctx, env, checked=True)
                answer = reason
            else:
                status, reason = flag_breach(ctx, env, breach)
                rule = breach.code
                code, answer = answer_for(rule, reason)
        ctx.add_entry(_entry_row(env, wire, ctx.office_id, status, reason, rule, received_at))
        results[index] = EntryResult(wire.entry_id, wire.seq, status, answer, code=code)
    ctx.flush()
    last_wire = accepted[-1][0]
    ctx.conn.execute(
        _ADVANCE_TERMINAL, {"t": ctx.terminal_id, "s": last_wire.seq, "h": last_wire.hash}
    )
    ctx.ledger.flush(received_at)


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
