"""Documents built from journal entries and plain figures: one builder per document type.

A builder takes the entry's envelope (as ``erial_desk.domain.chain.build_envelope`` makes it) and
a ``Context`` (see ``inputs``) of what the entry does not hold itself: names of the office and
operator, the terminal code, the entry's hash for the QR, whether this is a copy, the sync status.
The caller (the Desk facade) reads those from its store; nothing here touches a database.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from erial_desk.domain.central import Bill
from erial_desk.domain.entries import (
    BillPaid,
    EntryType,
    ShiftClosed,
    SubscriberRegistered,
    TopUp,
    Void,
    payload_of,
    receipt_qr,
)
from erial_desk.domain.money import format_plain

from . import texts as t
from .inputs import Context, ShiftFigures, StatementLine, SubscriberInfo
from .model import Bi, Block, Column, Document, DocumentKind, Field, Heading, Note, Qr, Rule, Table

# --- shared parts ----------------------------------------------------------------------------


def _value(text: str | None) -> Bi | None:
    return None if text is None else Bi.same(text)


def _header(ctx: Context, at: str | None) -> tuple[Field, ...]:
    fields: list[Field] = []
    if ctx.receipt:
        fields.append(Field(t.RECEIPT_NO, Bi.same(ctx.receipt)))
    if at is not None:
        fields.append(Field(t.DATE_TIME, Bi.same(t.local_time(at))))
    if at is None or ctx.copy:
        label = t.REPRINTED if ctx.copy and at is not None else t.PRINTED_AT
        fields.append(Field(label, Bi.same(t.local_time(ctx.printed_at))))
    fields.append(Field(t.OFFICE, ctx.office))
    fields.append(Field(t.TERMINAL, Bi.same(ctx.terminal)))
    if ctx.operator is not None:
        fields.append(Field(t.OPERATOR, ctx.operator))
    if ctx.shift:
        fields.append(Field(t.SHIFT, Bi.same(ctx.shift)))
    return tuple(fields)


def _verify_qr(ctx: Context, at: str | None) -> Qr | None:
    if not (ctx.receipt and ctx.entry_hash and ctx.verify_url):
        return None
    return Qr(receipt_qr(ctx.verify_url, ctx.receipt, ctx.entry_hash, at), t.QR_VERIFY)


def _status(ctx: Context) -> list[Block]:
    if ctx.sync_status is None:
        return []
    return [Field(t.STATUS, t.SYNC_STATUSES.get(ctx.sync_status, Bi.same(ctx.sync_status)))]


def _document(
    kind: DocumentKind,
    title: Bi,
    ctx: Context,
    env: dict[str, Any] | None,
    body: list[Block],
    *,
    cash: bool = False,
    qr: Qr | None = None,
) -> Document:
    return Document(
        kind=kind,
        title=title,
        language=ctx.language,
        header=_header(ctx, env["at"] if env else None),
        body=tuple(body),
        receipt=ctx.receipt,
        qr=qr if qr is not None else _verify_qr(ctx, env["at"] if env else None),
        copy=ctx.copy,
        # A copy moves no cash: the drawer stays shut.
        cash_drawer=cash and not ctx.copy,
        footer=(t.THANKS,),
    )


# --- receipts of journal entries -------------------------------------------------------------


def top_up_receipt(env: dict[str, Any], ctx: Context) -> Document:
    p = payload_of(env["type"], env["payload"])
    assert isinstance(p, TopUp)
    body: list[Block] = [Field(t.ACCOUNT, Bi.same(p.account))]
    if ctx.subscriber is not None:
        body.append(Field(t.SUBSCRIBER, ctx.subscriber))
    body += [Rule(), Field(t.TOP_UP_AMOUNT, amount=p.amount, strong=True)]
    body.append(Field(t.METHOD, t.method_name("cash")))
    if ctx.balance_after is not None:
        body.append(Field(t.BALANCE_AFTER, amount=ctx.balance_after))
    body += _status(ctx)
    return _document(DocumentKind.TOP_UP, t.TITLE_TOP_UP, ctx, env, body, cash=True)


def bill_receipt(env: dict[str, Any], ctx: Context) -> Document:
    p = payload_of(env["type"], env["payload"])
    assert isinstance(p, BillPaid)
    service = ctx.service or Bi.same(p.bill_kind)
    body: list[Block] = [
        Field(t.BILL, service),
        Field(t.REFERENCE, Bi.same(p.bill_reference)),
    ]
    if p.account:
        body.append(Field(t.ACCOUNT, Bi.same(p.account)))
        if ctx.subscriber is not None:
            body.append(Field(t.SUBSCRIBER, ctx.subscriber))
    body += [
        Rule(),
        Field(t.BILL_AMOUNT, amount=p.amount),
        Field(t.SERVICE_CHARGE, amount=p.service_charge),
        Field(t.TOTAL, amount=p.amount + p.service_charge, strong=True),
        Rule(),
        Field(t.METHOD, t.method_name(p.method)),
    ]
    if p.balance_after is not None:
        body.append(Field(t.BALANCE_AFTER, amount=p.balance_after))
    if p.authorisation:
        body.append(Field(t.AUTHORISATION, Bi.same(p.authorisation)))
    body += _status(ctx)
    return _document(
        DocumentKind.BILL_PAYMENT, t.TITLE_BILL, ctx, env, body, cash=p.method == "cash"
    )


def welcome_slip(env: dict[str, Any], ctx: Context) -> Document:
    p = payload_of(env["type"], env["payload"])
    assert isinstance(p, SubscriberRegistered)
    body: list[Block] = [
        Field(t.SUBSCRIBER, Bi(p.name_ar, p.name_en)),
        Field(t.KIND, t.SUBSCRIBER_KINDS.get(p.kind, Bi.same(p.kind))),
    ]
    if p.civil_number:
        body.append(Field(t.CIVIL_NUMBER, Bi.same(p.civil_number)))
    if p.cr_number:
        body.append(Field(t.CR_NUMBER, Bi.same(p.cr_number)))
    if p.authorised_person:
        body.append(Field(t.AUTHORISED_PERSON, Bi.same(p.authorised_person)))
    body.append(Field(t.MOBILE, Bi.same(p.mobile)))
    if p.email:
        body.append(Field(t.EMAIL, Bi.same(p.email)))
    body += [
        Rule(),
        Field(t.ACCOUNT, Bi.same(p.account), strong=True),
        # The account number alone, so that a scanner typing into the account field fills it.
        Qr(p.account, t.QR_ACCOUNT, big=True),
        Note(t.WELCOME_NOTE),
    ]
    return _document(DocumentKind.WELCOME, t.TITLE_WELCOME, ctx, env, body)


def void_slip(env: dict[str, Any], ctx: Context) -> Document:
    p = payload_of(env["type"], env["payload"])
    assert isinstance(p, Void)
    body: list[Block] = []
    voided = ctx.voided
    cash = False
    if voided is not None:
        body += [
            Field(t.VOIDED_RECEIPT, Bi.same(voided.receipt)),
            Field(t.VOIDED_TYPE, t.entry_name(voided.entry_type)),
        ]
        if voided.method:
            body.append(Field(t.METHOD, t.method_name(voided.method)))
        body.append(Field(t.REFUND, amount=voided.amount + voided.service_charge, strong=True))
        # Cash goes back to the customer from the drawer for a cash top-up or cash payment.
        cash = voided.entry_type == EntryType.TOP_UP or voided.method == "cash"
    body += [Rule(), Field(t.REASON, Bi.same(p.reason))]
    body.append(Field(t.APPROVED_BY, ctx.approver or Bi.same(p.approver)))
    if p.authorisation:
        body.append(Field(t.AUTHORISATION, Bi.same(p.authorisation)))
    body += _status(ctx)
    return _document(DocumentKind.VOID, t.TITLE_VOID, ctx, env, body, cash=cash)


def _shift_body(figures: ShiftFigures, ctx: Context) -> list[Block]:
    body: list[Block] = [Field(t.OPENED, Bi.same(t.local_time(figures.opened_at)))]
    if figures.closed_at:
        body.append(Field(t.CLOSED, Bi.same(t.local_time(figures.closed_at))))
    body += [
        Heading(t.TOTALS),
        Field(t.FLOAT, amount=figures.float_total),
        Field(t.count_label(t.TOP_UPS, figures.top_ups.count), amount=figures.top_ups.amount),
    ]
    for method, totals in sorted(figures.bills.items()):
        name = t.method_name(method)
        label = Bi(f"{t.BILLS_BY.ar} - {name.ar}", f"{t.BILLS_BY.en} - {name.en}")
        body.append(Field(t.count_label(label, totals.count), amount=totals.amount))
        if totals.service_charge:
            body.append(Field(t.CHARGES, amount=totals.service_charge))
    body += [
        Field(
            t.count_label(t.CASH_DROPS, figures.cash_drops.count), amount=figures.cash_drops.amount
        ),
        Field(t.count_label(t.VOIDS, figures.voids.count), amount=figures.voids.amount),
        Rule(),
        Field(t.EXPECTED_CASH, amount=figures.expected_cash, strong=True),
    ]
    if figures.counted_total is not None:
        body.append(Field(t.COUNTED, amount=figures.counted_total, strong=True))
    if figures.variance is not None:
        body.append(Field(t.VARIANCE, amount=figures.variance, strong=True))
    if ctx.approver is not None:
        body.append(Field(t.APPROVED_BY, ctx.approver))
    if figures.counted:
        body.append(Heading(t.DRAWER_COUNT))
        for denomination, count in sorted(figures.counted.items(), key=lambda d: -int(d[0])):
            pieces = f"{format_plain(int(denomination))} × {count}"
            body.append(Field(Bi.same(pieces), amount=int(denomination) * count))
    return body


def _shift_table(figures: ShiftFigures) -> Table:
    rows = tuple(
        (
            t.local_time(line.at)[11:],
            line.receipt,
            _entry_description(line.entry_type, line.method, line.reference, line.voided),
            line.amount,
            line.service_charge,
        )
        for line in figures.lines
    )
    return Table(
        columns=(
            Column(t.TIME, weight=2),
            Column(t.RECEIPT_NO, weight=3),
            Column(t.DESCRIPTION, weight=5),
            Column(t.BILL_AMOUNT, amount=True, weight=3),
            Column(t.SERVICE_CHARGE, amount=True, weight=3),
        ),
        rows=rows,
        # A shift's listing is for the A4 report; paper rolls get the totals.
        on_thermal=False,
    )


def _entry_description(entry_type: str, method: str | None, ref: str | None, voided: bool) -> Bi:
    name = t.entry_name(entry_type)
    ar, en = name.ar, name.en
    if method and entry_type in (EntryType.BILL_PAID, EntryType.VOID):
        m = t.method_name(method)
        ar, en = f"{ar} - {m.ar}", f"{en} - {m.en}"
    if ref:
        ar, en = f"{ar} {ref}", f"{en} {ref}"
    if voided:
        ar, en = f"{ar} ({t.VOIDED_MARK.ar})", f"{en} ({t.VOIDED_MARK.en})"
    return Bi(ar, en)


def z_report(env: dict[str, Any], ctx: Context, figures: ShiftFigures) -> Document:
    p = payload_of(env["type"], env["payload"])
    assert isinstance(p, ShiftClosed)
    if not figures.counted:
        figures = dataclasses.replace(figures, counted=p.counted)
    body = _shift_body(figures, ctx)
    return _document(DocumentKind.Z_REPORT, t.TITLE_Z, ctx, env, body)


def x_report(ctx: Context, figures: ShiftFigures) -> Document:
    """Totals of the open shift as of now: not an entry, so no receipt number and no QR."""
    ctx = dataclasses.replace(ctx, receipt=None)
    return _document(DocumentKind.X_REPORT, t.TITLE_X, ctx, None, _shift_body(figures, ctx))


def shift_report(ctx: Context, figures: ShiftFigures) -> Document:
    """A shift's totals and every one of its transactions, for the supervisor's A4 file."""
    ctx = dataclasses.replace(ctx, receipt=None)
    body = [*_shift_body(figures, ctx), Heading(t.TRANSACTIONS), _shift_table(figures)]
    return _document(DocumentKind.SHIFT_REPORT, t.TITLE_SHIFT, ctx, None, body)


def receipt_for_entry(
    env: dict[str, Any], ctx: Context, figures: ShiftFigures | None = None
) -> Document:
    """The receipt of a journal entry, whatever its type."""
    entry_type = EntryType(env["type"])
    if entry_type is EntryType.TOP_UP:
        return top_up_receipt(env, ctx)
    if entry_type is EntryType.BILL_PAID:
        return bill_receipt(env, ctx)
    if entry_type is EntryType.SUBSCRIBER_REGISTERED:
        return welcome_slip(env, ctx)
    if entry_type is EntryType.VOID:
        return void_slip(env, ctx)
    if entry_type is EntryType.SHIFT_CLOSED:
        if figures is None:
            raise ValueError("a Z report needs the shift's figures")
        return z_report(env, ctx, figures)
    raise ValueError(f"no receipt for {entry_type.value} entries")


# --- documents that are not one entry --------------------------------------------------------


def statement(
    info: SubscriberInfo, lines: list[StatementLine] | tuple[StatementLine, ...], ctx: Context
) -> Document:
    ctx = dataclasses.replace(ctx, receipt=None)
    body: list[Block] = [
        Field(t.ACCOUNT, Bi.same(info.account)),
        Field(t.SUBSCRIBER, info.name),
        Field(t.KIND, t.SUBSCRIBER_KINDS.get(info.kind, Bi.same(info.kind))),
    ]
    if info.civil_number:
        body.append(Field(t.CIVIL_NUMBER, Bi.same(info.civil_number)))
    if info.cr_number:
        body.append(Field(t.CR_NUMBER, Bi.same(info.cr_number)))
    if info.mobile:
        body.append(Field(t.MOBILE, _value(info.mobile)))
    if info.balance is not None:
        body.append(Field(t.BALANCE_KNOWN, amount=info.balance, strong=True))
    body += [Note(t.STATEMENT_NOTE), Heading(t.TRANSACTIONS)]
    rows = []
    for line in lines:
        description = line.description
        if line.voided:
            description = Bi(
                f"{description.ar} ({t.VOIDED_MARK.ar})", f"{description.en} ({t.VOIDED_MARK.en})"
            )
        status = t.SYNC_STATUSES.get(line.status or "", None)
        rows.append((t.local_time(line.at)[:16], line.receipt, description, status, line.amount))
    body.append(
        Table(
            columns=(
                Column(t.DATE_TIME, weight=3),
                Column(t.RECEIPT_NO, weight=3),
                Column(t.DESCRIPTION, weight=5, compact="main"),
                Column(t.STATUS, weight=3),
                Column(t.AMOUNT, amount=True, weight=3, compact="main"),
            ),
            rows=tuple(rows),
        )
    )
    return _document(DocumentKind.STATEMENT, t.TITLE_STATEMENT, ctx, None, body)


def permit_slip(bill: Bill, ctx: Context) -> Document:
    """Where a building-permit application stands, printed after a lookup (not journaled)."""
    ctx = dataclasses.replace(ctx, receipt=None)
    body: list[Block] = [
        Field(t.APPLICATION, Bi.same(bill.reference), strong=True),
        Field(t.DESCRIPTION, Bi(bill.description_ar, bill.description_en)),
    ]
    if bill.detail_ar or bill.detail_en:
        body.append(Field(t.STAGE, Bi(bill.detail_ar, bill.detail_en)))
    body += [
        Field(t.FEE, amount=bill.amount),
        Field(t.FEE_STATUS, t.BILL_STATUSES.get(bill.status, Bi.same(bill.status))),
        Note(t.PERMIT_NOTE),
    ]
    qr = Qr(bill.reference, t.QR_APPLICATION)
    return _document(DocumentKind.PERMIT_SLIP, t.TITLE_PERMIT, ctx, None, body, qr=qr)


def test_page(settings: list[tuple[Bi, str]], ctx: Context) -> Document:
    """What the printer is set to, both scripts, an amount column and a QR."""
    ctx = dataclasses.replace(ctx, receipt=None)
    body: list[Block] = [Field(label, Bi.same(value)) for label, value in settings]
    body += [
        Rule(),
        Note(t.SAMPLE),
        Field(t.BILL_AMOUNT, amount=12_500),
        Field(t.SERVICE_CHARGE, amount=200),
        Field(t.TOTAL, amount=1_234_700, strong=True),
    ]
    qr = Qr(ctx.verify_url or "e-Rial", t.QR_TEST)
    return _document(DocumentKind.TEST_PAGE, t.TITLE_TEST, ctx, None, body, qr=qr)
