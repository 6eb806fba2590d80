"""``erial-central audit``: replay the ledger and every terminal's chain; all must hold.

Checks: every transfer has two postings that sum to zero and match it; all postings sum to zero;
the stored balance of every guarded account equals the sum of its postings; no wallet is below
zero except where a flagged entry explains it; each terminal's stored entries form its chain,
every hash and every signature verifies, and the terminal's last sequence number and hash match.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, func, select

from erial_desk.domain.chain import StoredRow, verify_chain

from .ledger import is_guarded
from .models import entries, ledger_accounts, postings, terminals, transfers


@dataclass
class AuditReport:
    transfers: int = 0
    accounts: int = 0
    entries: int = 0
    terminals: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit(conn: Connection) -> AuditReport:
    report = AuditReport()
    _ledger(conn, report)
    _chains(conn, report)
    return report


def _ledger(conn: Connection, report: AuditReport) -> None:
    legs: dict[int, list[tuple[str, int]]] = {}
    for transfer_id, account_id, amount in conn.execute(
        select(postings.c.transfer_id, postings.c.account_id, postings.c.amount)
    ):
        legs.setdefault(int(transfer_id), []).append((account_id, int(amount)))
    balances: dict[str, int] = {}
    total = 0
    for transfer_id, amount, source, destination in conn.execute(
        select(
            transfers.c.transfer_id, transfers.c.amount, transfers.c.source, transfers.c.destination
        )
    ):
        report.transfers += 1
        expected = sorted([(source, -int(amount)), (destination, int(amount))])
        found = sorted(legs.pop(int(transfer_id), []))
        if found != expected:
            report.problems.append(f"transfer {transfer_id}: postings {found} != {expected}")
        if int(amount) <= 0:
            report.problems.append(f"transfer {transfer_id}: amount {amount} is not positive")
        for account_id, value in found:
            balances[account_id] = balances.get(account_id, 0) + value
            total += value
    if legs:
        report.problems.append(f"postings without a transfer: {sorted(legs)[:10]}")
    if total != 0:
        report.problems.append(f"the ledger does not sum to zero: {total}")
    flagged_accounts = {
        r[0]
        for r in conn.execute(
            select(entries.c.account)
            .where(entries.c.status == "flagged")
            .where(entries.c.account.is_not(None))
        )
    }
    for account_id, stored in conn.execute(
        select(ledger_accounts.c.account_id, ledger_accounts.c.balance)
    ):
        report.accounts += 1
        computed = balances.get(account_id, 0)
        if is_guarded(account_id) and int(stored) != computed:
            report.problems.append(f"{account_id}: stored balance {stored} != postings {computed}")
        if (
            account_id.startswith("wallet:")
            and computed < 0
            and account_id.split(":", 1)[1] not in flagged_accounts
        ):
            report.problems.append(f"{account_id}: below zero ({computed}) with no flagged entry")


def _chains(conn: Connection, report: AuditReport) -> None:
    for terminal_id, public_key, last_seq, last_hash in conn.execute(
        select(
            terminals.c.terminal_id,
            terminals.c.public_key,
            terminals.c.last_seq,
            terminals.c.last_hash,
        ).where(terminals.c.terminal_id.is_not(None))
    ):
        report.terminals += 1
        rows = conn.execute(
            select(
                entries.c.seq,
                entries.c.entry_id,
                entries.c.entry_type,
                entries.c.at,
                entries.c.body,
                entries.c.hash,
                entries.c.signature,
                entries.c.operator,
            )
            .where(entries.c.terminal_id == terminal_id)
            .order_by(entries.c.seq)
        )
        stored: list[StoredRow] = []
        prev = None
        for seq, entry_id, entry_type, at, body, digest, signature, operator in rows:
            raw = body.encode("utf-8")
            from erial_desk.domain.canonical import parse

            prev_hash = parse(raw).get("prev", "")
            stored.append(
                StoredRow(
                    int(seq),
                    entry_id,
                    entry_type,
                    at,
                    raw,
                    digest,
                    prev_hash,
                    bytes(signature),
                    operator,
                )
            )
            prev = digest
        key = Ed25519PublicKey.from_public_bytes(bytes(public_key))
        checked, broken = verify_chain(stored, terminal_id, key)
        report.entries += checked
        if broken is not None:
            report.problems.append(f"terminal {terminal_id}: {broken}")
        if int(last_seq) != len(stored) or (stored and last_hash != prev):
            report.problems.append(f"terminal {terminal_id}: last seq/hash differ from its entries")


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(entries)).scalar() or 0)
