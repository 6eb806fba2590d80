"""``erial-central audit``: replay the ledger and every terminal's chain; all must hold.

Checks: every transfer has two postings that sum to zero and match it; all postings sum to zero;
no two open accounts share a civil or CR number unless flagged, and a merged account holds no
balance; the stored balance of every guarded account equals the sum of its postings; no wallet
is below zero except where a flagged entry explains it; each terminal's stored entries form its
chain, every hash and every signature verifies, and the terminal's last sequence number and hash
match.
Then the rules: every applied entry passes the same rule check a push runs (``rules.check``,
with the policy in force when it arrived; a wallet's PIN state at that time is not kept, so
that part is left to the push), and an entry flagged for breaking a rule moved no money except
cash due back at its office.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, false, func, select

from erial_desk.domain.canonical import parse
from erial_desk.domain.chain import StoredRow, verify_chain
from erial_desk.domain.policy import (
    FeeCatalogue,
    Office,
    OfficeType,
    Policy,
    catalogue_from_dict,
    policy_from_dict,
)

from . import rules
from .ledger import is_guarded, office_cash, refunds_due
from .models import (
    authorisations,
    bills,
    entries,
    ledger_accounts,
    offices,
    operators,
    policies,
    postings,
    subscribers,
    terminals,
    transfers,
)
from .rules import CentralBill, Earlier, Staff, WalletState


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
    _chains(conn, report, _StoredFacts.load(conn))
    _flagged_moved_nothing(conn, report)
    _one_person_one_account(conn, report)
    return report


def _one_person_one_account(conn: Connection, report: AuditReport) -> None:
    """No two open accounts share a civil or CR number unless all but the first are flagged as
    suspected duplicates; an account merged into another holds no balance."""
    for column in (subscribers.c.civil_number, subscribers.c.cr_number):
        shared = conn.execute(
            select(column, func.count())
            .where(column.is_not(None))
            .where(subscribers.c.closed == false())
            .where(subscribers.c.duplicate_of.is_(None))
            .group_by(column)
            .having(func.count() > 1)
        ).fetchall()
        for number, holders in shared:
            report.problems.append(
                f"{holders} open accounts hold {column.name} {number} and none is flagged"
            )
    for account, balance in conn.execute(
        select(subscribers.c.account, ledger_accounts.c.balance)
        .join(ledger_accounts, ledger_accounts.c.account_id == "wallet:" + subscribers.c.account)
        .where(subscribers.c.merged_into.is_not(None))
        .where(ledger_accounts.c.balance != 0)
    ):
        report.problems.append(f"account {account} was merged but holds {balance}")


@dataclass
class _StoredFacts:
    """``rules.Facts`` from what central stored, for one entry at a time."""

    offices: dict[str, Office]
    staff_by_id: dict[str, Staff]
    earlier_entries: dict[str, Earlier]
    bills: dict[str, CentralBill]
    confirmed: set[str]
    policy_times: list[str]
    policy_values: list[tuple[Policy, FeeCatalogue]]
    terminal_id: str = ""
    office: Office = field(default_factory=lambda: Office("", "", "", OfficeType.INTERNAL))
    policy: Policy = field(default_factory=Policy)
    catalogue: FeeCatalogue = field(default_factory=FeeCatalogue)

    @classmethod
    def load(cls, conn: Connection) -> _StoredFacts:
        found_policies = conn.execute(
            select(policies.c.created_at, policies.c.policy, policies.c.catalogue).order_by(
                policies.c.created_at, policies.c.version
            )
        ).fetchall()
        return cls(
            offices={
                r[0]: Office(r[0], "", "", OfficeType(r[1]), bool(r[2]))
                for r in conn.execute(
                    select(offices.c.office_id, offices.c.office_type, offices.c.top_up_authorised)
                )
            },
            # Who was active when an entry arrived is not kept: a later deactivation does not
            # make an earlier entry wrong.
            staff_by_id={
                r[0]: Staff(r[1], r[2], True)
                for r in conn.execute(
                    select(operators.c.operator_id, operators.c.office_id, operators.c.role)
                )
            },
            earlier_entries={
                r[0]: Earlier(r[1], r[2], r[3], r[4])
                for r in conn.execute(
                    select(
                        entries.c.entry_id,
                        entries.c.terminal_id,
                        entries.c.office_id,
                        entries.c.entry_type,
                        entries.c.voided_by,
                    )
                )
            },
            bills={
                r[0]: CentralBill(r[1], int(r[2]))
                for r in conn.execute(select(bills.c.bill_id, bills.c.kind, bills.c.amount))
            },
            confirmed={
                r[0]
                for r in conn.execute(
                    select(authorisations.c.entry_id)
                    .where(authorisations.c.kind == "debit")
                    .where(authorisations.c.cancelled_at.is_(None))
                )
            },
            policy_times=[r[0] for r in found_policies],
            policy_values=[
                (policy_from_dict(json.loads(r[1])), catalogue_from_dict(json.loads(r[2])))
                for r in found_policies
            ],
        )

    def for_entry(self, terminal_id: str, office_id: str, received_at: str) -> _StoredFacts:
        self.terminal_id = terminal_id
        self.office = self.offices[office_id]
        index = bisect.bisect_right(self.policy_times, received_at) - 1
        if self.policy_values:
            self.policy, self.catalogue = self.policy_values[max(index, 0)]
        return self

    def staff(self, operator_id: str) -> Staff | None:
        return self.staff_by_id.get(operator_id)

    def earlier(self, entry_id: str) -> Earlier | None:
        return self.earlier_entries.get(entry_id)

    def central_bill(self, bill_id: str) -> CentralBill | None:
        return self.bills.get(bill_id)

    def confirmed_online(self, entry_id: str) -> bool:
        return entry_id in self.confirmed

    def wallet_state(self, account: str) -> WalletState | None:
        return None  # the PIN state at the time is not kept

    def wallet_pin_ok(self, account: str, sealed_pin: str | None, entry_id: str) -> bool:
        raise AssertionError("not asked: wallet_state is unknown")


def _rule_problem(facts: _StoredFacts, row: Any, env: dict[str, Any]) -> str | None:
    """Why an applied entry should not have been applied, or None."""
    facts.for_entry(row.terminal_id, row.office_id, row.received_at)
    breach = rules.check(facts, env)
    if breach is None:
        return None
    return f"entry {row.seq} ({row.entry_id}) applied though {breach.reason} [{breach.code}]"


def _flagged_moved_nothing(conn: Connection, report: AuditReport) -> None:
    """An entry flagged for breaking a rule leaves every account as it was, but for cash due
    back to the customer at its office (what an online debit it confirmed took is undone)."""
    net: dict[tuple[str, str], int] = {}
    for entry_id, office_id, amount, source, destination in conn.execute(
        select(
            transfers.c.entry_id,
            entries.c.office_id,
            transfers.c.amount,
            transfers.c.source,
            transfers.c.destination,
        )
        .join(entries, entries.c.entry_id == transfers.c.entry_id)
        .where(entries.c.rule.is_not(None))
    ):
        allowed = (office_cash(office_id), refunds_due(office_id))
        for account_id, value in ((source, -int(amount)), (destination, int(amount))):
            if account_id not in allowed:
                net[(entry_id, account_id)] = net.get((entry_id, account_id), 0) + value
    for (entry_id, account_id), value in sorted(net.items()):
        if value:
            report.problems.append(
                f"entry {entry_id} broke a rule but moved {value} on {account_id}"
            )


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


def _chains(conn: Connection, report: AuditReport, facts: _StoredFacts) -> None:
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
                entries.c.terminal_id,
                entries.c.office_id,
                entries.c.received_at,
                entries.c.status,
            )
            .where(entries.c.terminal_id == terminal_id)
            .order_by(entries.c.seq)
        )
        stored: list[StoredRow] = []
        prev = None
        for row in rows:
            raw = row.body.encode("utf-8")
            env = parse(raw)
            stored.append(
                StoredRow(
                    int(row.seq),
                    row.entry_id,
                    row.entry_type,
                    row.at,
                    raw,
                    row.hash,
                    env.get("prev", ""),
                    bytes(row.signature),
                    row.operator,
                )
            )
            prev = row.hash
            if row.status == "applied":
                problem = _rule_problem(facts, row, env)
                if problem is not None:
                    report.problems.append(f"terminal {terminal_id}: {problem}")
        key = Ed25519PublicKey.from_public_bytes(bytes(public_key))
        checked, broken = verify_chain(stored, terminal_id, key)
        report.entries += checked
        if broken is not None:
            report.problems.append(f"terminal {terminal_id}: {broken}")
        if int(last_seq) != len(stored) or (stored and last_hash != prev):
            report.problems.append(f"terminal {terminal_id}: last seq/hash differ from its entries")


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(entries)).scalar() or 0)
