"""The HTTP API of central (``/v1``), its OpenAPI document, and the receipt verification page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import Engine, select
from sqlalchemy.exc import DataError

from erial_desk.domain.identifiers import normalise_account_number
from erial_desk.domain.policy import BillKind, catalogue_to_dict, office_to_dict, policy_to_dict

from . import admin, ingest, records, signing, wallet
from .db import make_engine
from .errors import ApiError
from .migrate import upgrade
from .models import offices, service_credentials, terminals
from .receipt_page import render_receipt_page
from .settings import CentralSecrets, load_secrets

API_VERSION = "1"


class Terminal(BaseModel):
    terminal_id: str
    office_id: str
    office_type: str


class EnrolRequest(BaseModel):
    code: str = Field(max_length=64)
    terminal_id: str = Field(min_length=8, max_length=64)
    public_key: str = Field(description="Ed25519 public key, 64 hex digits", max_length=128)


class WireEntryModel(BaseModel):
    seq: int = Field(ge=1)
    id: str = Field(max_length=64)
    body: str = Field(max_length=65536)
    hash: str = Field(max_length=64)
    signature: str = Field(max_length=128)


class PushRequest(BaseModel):
    terminal_id: str
    entries: list[WireEntryModel] = Field(max_length=ingest.MAX_BATCH)


class DebitRequestModel(BaseModel):
    entry_id: str = Field(max_length=64)
    account: str | None = Field(default=None, description="None: the office's own wallet")
    amount: int = Field(gt=0, le=10**12, description="bill amount + service charge, baisa")
    bill_id: str = Field(max_length=64)
    sealed_pin: str | None = Field(default=None, max_length=1024)


class ReversalRequestModel(BaseModel):
    entry_id: str = Field(max_length=64)
    voids: str = Field(max_length=64)
    account: str = Field(max_length=32)
    amount: int = Field(gt=0, le=10**12)


class RegistrationModel(BaseModel):
    kind: Literal["individual", "company"]
    name_ar: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    mobile: str = Field(max_length=32)
    civil_number: str | None = Field(default=None, max_length=16)
    cr_number: str | None = Field(default=None, max_length=16)
    authorised_person: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    pin: str = Field(min_length=4, max_length=6, pattern=r"^[0-9]{4,6}$")


def _bearer(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise ApiError(401, "auth.missing")
    return authorization[7:].strip()


def terminal_auth(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Terminal:
    """The terminal whose API token is presented; revoked terminals are refused."""
    token = _bearer(authorization)
    with request.app.state.engine.connect() as conn:
        row = conn.execute(
            select(
                terminals.c.terminal_id,
                terminals.c.office_id,
                terminals.c.revoked,
                offices.c.office_type,
            )
            .join(offices, offices.c.office_id == terminals.c.office_id)
            .where(terminals.c.token_hash == admin.token_hash(token))
        ).first()
    if row is None:
        raise ApiError(401, "auth.invalid")
    if row.revoked:
        raise ApiError(403, "auth.revoked")
    return Terminal(
        terminal_id=row.terminal_id, office_id=row.office_id, office_type=row.office_type
    )


def _service(request: Request, authorization: str | None, scope: str) -> str:
    token = _bearer(authorization)
    with request.app.state.engine.connect() as conn:
        row = conn.execute(
            select(service_credentials.c.name, service_credentials.c.scope).where(
                service_credentials.c.token_hash == admin.token_hash(token)
            )
        ).first()
    if row is None:
        raise ApiError(401, "auth.invalid")
    if row.scope != scope:
        raise ApiError(403, "auth.forbidden")
    return str(row.name)


def admin_auth(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
    return _service(request, authorization, "admin")


def website_auth(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
    return _service(request, authorization, "website")


TerminalDep = Annotated[Terminal, Depends(terminal_auth)]
AdminDep = Annotated[str, Depends(admin_auth)]
WebsiteDep = Annotated[str, Depends(website_auth)]


def create_app(database_url: str, secrets_path: Path, *, migrate: bool = True) -> FastAPI:
    engine = make_engine(database_url)
    if migrate:
        upgrade(engine)
    secrets = load_secrets(secrets_path)
    app = FastAPI(
        title="e-Rial central",
        version=API_VERSION,
        description="Ledger of record, municipal records and journal sync for e-Rial Desk.",
    )
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    app.state.engine = engine
    app.state.secrets = secrets
    _routes(app, engine, secrets)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(DataError)
    async def _unstorable(_request: Request, _exc: DataError) -> JSONResponse:
        # A value the database cannot hold (a NUL character in text, a number out of range).
        error = ApiError(422, "request.invalid", reason="a value the database cannot store")
        return JSONResponse(error.body(), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        error = ApiError(422, "request.invalid", reason=f"{where}: {first.get('msg', 'invalid')}")
        return JSONResponse(error.body(), status_code=422)

    return app


def _routes(app: FastAPI, engine: Engine, secrets: CentralSecrets) -> None:  # noqa: C901
    @app.get("/v1/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "api": API_VERSION}

    @app.get("/v1/central-key")
    def central_key() -> dict[str, str]:
        """Central's public key: customers' PINs are sealed to it (libsodium sealed box)."""
        return signing.central_key_answer(secrets)

    @app.post("/v1/enrol")
    def enrol(request: EnrolRequest) -> dict[str, Any]:
        try:
            key = bytes.fromhex(request.public_key)
        except ValueError as exc:
            raise ApiError(422, "enrol.bad_key") from exc
        with engine.begin() as conn:
            return signing.enrol_answer(
                secrets, admin.enrol(conn, request.code, request.terminal_id, key)
            )

    @app.post("/v1/journal")
    def push(request: PushRequest, term: TerminalDep) -> dict[str, Any]:
        if request.terminal_id != term.terminal_id:
            raise ApiError(403, "push.wrong_terminal")
        try:
            batch = [ingest.parse_wire(e.model_dump()) for e in request.entries]
        except ValueError as exc:
            raise ApiError(422, "request.invalid", reason="signature must be hex") from exc
        with engine.begin() as conn:
            policy, _ = admin.current_policy(conn)
            results, last_seq = ingest.push(
                conn,
                term.terminal_id,
                batch,
                sealing_private_key=secrets.sealing_private_key,
                wallet_pin_attempts=policy.wallet_pin_attempts,
            )
        return {"results": [r.as_dict() for r in results], "last_seq": last_seq}

    @app.get("/v1/feed")
    def feed(
        term: TerminalDep,
        cursor: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,  # changes.seq is a 32-bit int
        limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
    ) -> dict[str, Any]:
        with engine.connect() as conn:
            page = records.feed(conn, term.office_id, term.office_type, cursor, limit)
        return signing.sign_feed_page(secrets, page)

    @app.get("/v1/policy")
    def policy(term: TerminalDep) -> dict[str, Any]:
        with engine.connect() as conn:
            current, catalogue = admin.current_policy(conn)
            office = admin.get_office(conn, term.office_id)
        return signing.sign_policy_answer(
            secrets,
            {
                "policy": policy_to_dict(current),
                "catalogue": catalogue_to_dict(catalogue),
                "office": office_to_dict(office),
            },
        )

    @app.get("/v1/subscribers/{account}")
    def subscriber(account: str, term: TerminalDep) -> dict[str, Any]:
        with engine.connect() as conn:
            found = records.lookup_subscriber(conn, _account(account))
        if found is None:
            raise ApiError(404, "subscriber.not_found")
        return found

    @app.get("/v1/subscribers/{account}/statement")
    def statement(account: str, term: TerminalDep) -> dict[str, Any]:
        account = _account(account)
        with engine.connect() as conn:
            if records.lookup_subscriber(conn, account) is None:
                raise ApiError(404, "subscriber.not_found")
            return records.statement(conn, account)

    @app.post("/v1/wallet/debits")
    def debit(request: DebitRequestModel, term: TerminalDep) -> dict[str, Any]:
        account = _account(request.account) if request.account is not None else None
        with engine.begin() as conn:
            policy, catalogue = admin.current_policy(conn)
            answer = wallet.authorise_debit(
                conn,
                terminal_id=term.terminal_id,
                office_id=term.office_id,
                entry_id=request.entry_id,
                account=account,
                amount=request.amount,
                bill_id=request.bill_id,
                sealed_pin=request.sealed_pin,
                catalogue=catalogue,
                sealing_private_key=secrets.sealing_private_key,
                pin_attempts=policy.wallet_pin_attempts,
            )
        if isinstance(answer, ApiError):
            raise answer  # after the commit: the wrong PIN stays counted
        return {"reference": answer.reference, "balance_after": answer.balance_after}

    @app.post("/v1/wallet/debits/{entry_id}/cancel")
    def cancel_debit(entry_id: str, term: TerminalDep) -> dict[str, str]:
        """The terminal abandons a debit whose answer it never got and then refused: central
        reverses it and reopens the bill. Harmless to repeat."""
        with engine.begin() as conn:
            status = wallet.cancel_debit(conn, terminal_id=term.terminal_id, entry_id=entry_id[:64])
        return {"entry_id": entry_id, "status": status}

    @app.post("/v1/wallet/reversals")
    def reversal(request: ReversalRequestModel, term: TerminalDep) -> dict[str, Any]:
        with engine.begin() as conn:
            answer = wallet.authorise_reversal(
                conn,
                terminal_id=term.terminal_id,
                office_id=term.office_id,
                entry_id=request.entry_id,
                voids=request.voids,
                account=_account(request.account),
                amount=request.amount,
            )
        return {"reference": answer.reference, "balance_after": answer.balance_after}

    @app.get("/v1/bills")
    def bills(
        term: TerminalDep,
        key: Annotated[str, Query(min_length=1, max_length=64)],
        kind: BillKind | None = None,
    ) -> dict[str, Any]:
        with engine.connect() as conn:
            return {"bills": records.find_bills(conn, kind, key)}

    @app.get("/v1/offices/{office_id}/totals")
    def totals(
        office_id: str,
        term: TerminalDep,
        day: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    ) -> dict[str, Any]:
        if office_id != term.office_id:
            raise ApiError(403, "auth.forbidden")
        with engine.connect() as conn:
            return records.office_totals(conn, office_id, day or _today())

    @app.get("/v1/admin/offices/{office_id}/totals")
    def admin_totals(
        office_id: str,
        _admin: AdminDep,
        day: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    ) -> dict[str, Any]:
        with engine.connect() as conn:
            admin.get_office(conn, office_id)
            return records.office_totals(conn, office_id, day or _today())

    @app.post("/v1/admin/offices/{office_id}/terminals")
    def new_terminal(office_id: str, _admin: AdminDep) -> dict[str, str]:
        with engine.begin() as conn:
            slot, code = admin.add_terminal_slot(conn, office_id)
        return {"slot_id": slot, "enrolment_code": code}

    @app.post("/v1/admin/terminals/{terminal_id}/revoke")
    def revoke(terminal_id: str, _admin: AdminDep) -> dict[str, str]:
        with engine.begin() as conn:
            admin.revoke_terminal(conn, terminal_id)
        return {"terminal_id": terminal_id, "status": "revoked"}

    @app.post("/v1/online/registrations")
    def register_online(request: RegistrationModel, _website: WebsiteDep) -> dict[str, str]:
        record = request.model_dump(exclude={"pin"})
        with engine.begin() as conn:
            account = admin.register_online(conn, _clean_registration(record), request.pin)
        return {"account": account}

    @app.post("/v1/bank/top-ups")
    async def bank_callback(
        request: Request, x_signature: Annotated[str | None, Header()] = None
    ) -> dict[str, Any]:
        body = await request.body()
        if not x_signature:
            raise ApiError(401, "bank.bad_signature")
        with engine.begin() as conn:
            return admin.bank_top_up(conn, secrets.bank_hmac_secret, body, x_signature)

    @app.get("/r/{receipt}", response_class=HTMLResponse)
    def receipt_page(receipt: str, h: str = "") -> HTMLResponse:
        with engine.connect() as conn:
            found = records.verify_receipt(conn, receipt[:40], h[:64])
        return HTMLResponse(
            render_receipt_page(receipt[:40], found), status_code=200 if found else 404
        )

    @app.get("/v1/terminal")
    def terminal_record(term: TerminalDep) -> dict[str, Any]:
        """What central holds of the calling terminal: its registered public key and the last
        entry it accepted, so the desk can tell whether its journal lost entries."""
        with engine.connect() as conn:
            row = conn.execute(
                select(terminals.c.public_key, terminals.c.last_seq, terminals.c.last_hash).where(
                    terminals.c.terminal_id == term.terminal_id
                )
            ).one()
        return {
            "terminal_id": term.terminal_id,
            "public_key": bytes(row.public_key).hex(),
            "last_seq": int(row.last_seq),
            "last_hash": row.last_hash,
        }


def _account(text: str) -> str:
    from erial_desk.domain.errors import ValidationError

    try:
        return normalise_account_number(text)
    except ValidationError as exc:
        raise ApiError(422, exc.code, **exc.params) from exc


def _clean_registration(record: dict[str, Any]) -> dict[str, Any]:
    from erial_desk.domain.errors import ValidationError
    from erial_desk.domain.identifiers import (
        normalise_civil_number,
        normalise_cr_number,
        normalise_mobile,
    )

    try:
        record["mobile"] = normalise_mobile(record["mobile"])
        if record["kind"] == "individual":
            record["civil_number"] = normalise_civil_number(record.get("civil_number") or "")
            record["cr_number"] = None
        else:
            record["cr_number"] = normalise_cr_number(record.get("cr_number") or "")
            record["civil_number"] = None
    except ValidationError as exc:
        raise ApiError(422, exc.code, **exc.params) from exc
    return record


def _today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")
