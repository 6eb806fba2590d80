"""The HTTP API of central (``/v1``), its OpenAPI document, and the receipt verification page."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from erial_desk.domain.clock import SYSTEM_CLOCK, Clock, now_stamp, utc_day
from erial_desk.domain.identifiers import normalise_account_number
from erial_desk.domain.policy import BillKind, catalogue_to_dict, office_to_dict, policy_to_dict

from . import admin, ingest, records, signing, wallet
from .db import is_retryable, make_engine, reading, run_transaction
from .errors import ApiError, error_code_for_status
from .limits import BodyLimit
from .migrate import upgrade
from .models import offices, service_credentials, terminals
from .push_pool import PushPool
from .receipt_page import add_receipt_page
from .reconcile import Reconciler
from .settings import CentralSecrets, load_secrets
from .visibility import Viewer

API_VERSION = "1"


class Terminal(BaseModel):
    terminal_id: str
    office_id: str
    office_type: str

    @property
    def viewer(self) -> Viewer:
        return Viewer(self.office_id, self.office_type)


class EnrolRequest(BaseModel):
    code: str = Field(max_length=64)
    terminal_id: str = Field(min_length=8, max_length=64)
    public_key: str = Field(description="Ed25519 public key, 64 hex digits", max_length=128)


class WireEntryModel(BaseModel):
    seq: int = Field(ge=1, le=2**62)  # a 64-bit column; a larger number is refused here
    id: str = Field(max_length=64)
    body: str = Field(max_length=65536)
    hash: str = Field(max_length=64)
    signature: str = Field(max_length=128)


class PushRequest(BaseModel):
    terminal_id: str = Field(max_length=64)
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
    with reading(request.app.state.engine) as conn:
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
    with reading(request.app.state.engine) as conn:
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


async def bearer_token(authorization: Annotated[str | None, Header()] = None) -> str:
    """The bearer token presented, not yet checked (no database: on the event loop)."""
    return _bearer(authorization)


TerminalDep = Annotated[Terminal, Depends(terminal_auth)]
BearerDep = Annotated[str, Depends(bearer_token)]
AdminDep = Annotated[str, Depends(admin_auth)]
WebsiteDep = Annotated[str, Depends(website_auth)]


def create_app(
    database_url: str,
    secrets_path: Path,
    *,
    migrate: bool = True,
    reconcile_every: float | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> FastAPI:
    """The API; ``reconcile_every``: seconds between runs of the reconciliation of
    unconfirmed online debits in a background thread (None: not run by this app); ``clock``:
    what "now" is for the times central writes (tests pass a ``ManualClock``)."""
    engine = make_engine(database_url)
    if migrate:
        upgrade(engine)
    secrets = load_secrets(secrets_path)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # What the process holds once started (modules, the app, its compiled statements)
        # lives as long as the process: out of the collector's sight, a full collection no
        # longer walks it, which otherwise stopped a push for milliseconds every few batches.
        gc.collect()
        gc.freeze()
        reconciler = Reconciler(engine, reconcile_every, clock) if reconcile_every else None
        if reconciler is not None:
            reconciler.start()
        yield
        if reconciler is not None:
            reconciler.stop()
        _app.state.push_pool.close()  # the pushes under way finish and commit first

    app = FastAPI(
        title="e-Rial central",
        version=API_VERSION,
        description="Ledger of record, municipal records and journal sync for e-Rial Desk.",
        lifespan=lifespan,
    )
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    app.add_middleware(BodyLimit)  # outermost: refuses a large body before anything reads it
    app.state.engine = engine
    app.state.secrets = secrets
    app.state.clock = clock
    _routes(app, engine, secrets, clock)
    _include_counter_routes(app)
    _error_handlers(app)
    return app


def _error_handlers(app: FastAPI) -> None:
    """Every refusal and failure answers the same JSON shape: ``{"error": {"code", "message",
    "message_ar", "params"}}``, with a stable code."""

    def answer(error: ApiError) -> JSONResponse:
        return JSONResponse(error.body(), status_code=error.status)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return answer(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Unknown paths, wrong methods, bodies too large or unreadable: framework refusals.
        code, params = error_code_for_status(exc.status_code, str(exc.detail))
        response = answer(ApiError(exc.status_code, code, **params))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(OperationalError)
    async def _busy(_request: Request, exc: OperationalError) -> JSONResponse:
        if is_retryable(exc):  # still contended after the retries: the caller may try again
            return answer(ApiError(503, "server.busy"))
        return answer(ApiError(500, "server.error"))

    @app.exception_handler(Exception)
    async def _failure(_request: Request, _exc: Exception) -> JSONResponse:
        # The safety net: a failure is logged by the server and answered in the same shape.
        return answer(ApiError(500, "server.error"))

    @app.exception_handler(DataError)
    async def _unstorable(_request: Request, _exc: DataError) -> JSONResponse:
        # A value the database cannot hold (a NUL character in text, a number out of range).
        return answer(ApiError(422, "request.invalid", reason="a value the database cannot store"))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        if first.get("loc") == ("body", "entries") and first.get("type") == "too_long":
            return answer(ApiError(422, "push.too_large", limit=ingest.MAX_BATCH))
        error = ApiError(422, "request.invalid", reason=f"{where}: {first.get('msg', 'invalid')}")
        return answer(error)


def _routes(  # noqa: C901
    app: FastAPI, engine: Engine, secrets: CentralSecrets, clock: Clock
) -> None:
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
        return signing.enrol_answer(
            secrets,
            run_transaction(
                engine, lambda conn: admin.enrol(conn, request.code, request.terminal_id, key)
            ),
        )

    # Pushes run a few at once in this process, on threads that give way to every other
    # request (``push_pool``): with fifty terminals pushing, an online debit a customer waits
    # for still gets a core at once. The others wait their turn on the event loop.
    push_pool = PushPool()
    app.state.push_pool = push_pool

    @app.post("/v1/journal")
    async def push(request: PushRequest, token: BearerDep) -> dict[str, Any]:
        """The hot path: the token is checked in the push's own transaction, on the terminal's
        row that the push locks anyway (``ingest.authenticate``), rather than in one of its
        own; a request without a token is refused before its body is read."""
        token_hash = admin.token_hash(token)

        def work(conn: Connection) -> tuple[list[ingest.EntryResult], int]:
            ids = [e.id for e in request.entries]
            term = ingest.authenticate(conn, token_hash, request.terminal_id, ids)
            try:
                batch = [
                    ingest.WireEntry(e.seq, e.id, e.body, e.hash, bytes.fromhex(e.signature))
                    for e in request.entries
                ]
            except ValueError as exc:
                raise ApiError(422, "request.invalid", reason="signature must be hex") from exc
            return ingest.push(
                conn, term, batch, sealing_private_key=secrets.sealing_private_key, clock=clock
            )

        results, last_seq = await push_pool.run(lambda: run_transaction(engine, work))
        return {"results": [r.as_dict() for r in results], "last_seq": last_seq}

    @app.get("/v1/feed")
    def feed(
        term: TerminalDep,
        cursor: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,  # changes.seq is a 32-bit int
        limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
    ) -> dict[str, Any]:
        with reading(engine) as conn:
            page = records.feed(conn, term.viewer, cursor, limit)
        return signing.sign_feed_page(secrets, page)

    @app.get("/v1/policy")
    def policy(term: TerminalDep) -> dict[str, Any]:
        with reading(engine) as conn:
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
        with reading(engine) as conn:
            found = records.lookup_subscriber(conn, term.viewer, _account(account))
        if found is None:  # unknown, or not this office's to see: the same answer
            raise ApiError(404, "subscriber.not_found")
        return found

    @app.get("/v1/subscribers/{account}/statement")
    def statement(account: str, term: TerminalDep) -> dict[str, Any]:
        with reading(engine) as conn:
            found = records.statement(conn, term.viewer, _account(account))
        if found is None:
            raise ApiError(404, "subscriber.not_found")
        return found

    @app.post("/v1/wallet/debits")
    def debit(request: DebitRequestModel, term: TerminalDep) -> dict[str, Any]:
        account = _account(request.account) if request.account is not None else None

        def work(conn: Connection) -> wallet.Answer | ApiError:
            policy, catalogue = admin.current_policy(conn)
            return wallet.authorise_debit(
                conn,
                terminal_id=term.terminal_id,
                viewer=term.viewer,
                entry_id=request.entry_id,
                account=account,
                amount=request.amount,
                bill_id=request.bill_id,
                sealed_pin=request.sealed_pin,
                catalogue=catalogue,
                sealing_private_key=secrets.sealing_private_key,
                pin_attempts=policy.wallet_pin_attempts,
                at=now_stamp(clock),
            )

        answer = run_transaction(engine, work)
        if isinstance(answer, ApiError):
            raise answer  # after the commit: the wrong PIN stays counted
        return {"reference": answer.reference, "balance_after": answer.balance_after}

    @app.post("/v1/wallet/debits/{entry_id}/cancel")
    def cancel_debit(entry_id: str, term: TerminalDep) -> dict[str, str]:
        """The terminal abandons a debit whose answer it never got and then refused: central
        reverses it and reopens the bill. Harmless to repeat."""
        status = run_transaction(
            engine,
            lambda conn: wallet.cancel_debit(
                conn, terminal_id=term.terminal_id, entry_id=entry_id[:64], at=now_stamp(clock)
            ),
        )
        return {"entry_id": entry_id, "status": status}

    @app.post("/v1/wallet/reversals")
    def reversal(request: ReversalRequestModel, term: TerminalDep) -> dict[str, Any]:
        account = _account(request.account)
        answer = run_transaction(
            engine,
            lambda conn: wallet.authorise_reversal(
                conn,
                terminal_id=term.terminal_id,
                viewer=term.viewer,
                entry_id=request.entry_id,
                voids=request.voids,
                account=account,
                amount=request.amount,
                at=now_stamp(clock),
            ),
        )
        return {"reference": answer.reference, "balance_after": answer.balance_after}

    @app.get("/v1/bills")
    def bills(
        term: TerminalDep,
        key: Annotated[str, Query(min_length=1, max_length=64)],
        kind: BillKind | None = None,
    ) -> dict[str, Any]:
        with reading(engine) as conn:
            return {"bills": records.find_bills(conn, kind, key)}

    @app.get("/v1/offices/{office_id}/totals")
    def totals(
        office_id: str,
        term: TerminalDep,
        day: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    ) -> dict[str, Any]:
        if office_id != term.office_id:
            raise ApiError(403, "auth.forbidden")
        with reading(engine) as conn:
            return records.office_totals(conn, office_id, day or utc_day(clock.now()))

    @app.get("/v1/admin/offices/{office_id}/totals")
    def admin_totals(
        office_id: str,
        _admin: AdminDep,
        day: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    ) -> dict[str, Any]:
        with reading(engine) as conn:
            admin.get_office(conn, office_id)
            return records.office_totals(conn, office_id, day or utc_day(clock.now()))

    @app.post("/v1/admin/offices/{office_id}/terminals")
    def new_terminal(office_id: str, _admin: AdminDep) -> dict[str, str]:
        slot, code = run_transaction(engine, lambda conn: admin.add_terminal_slot(conn, office_id))
        return {"slot_id": slot, "enrolment_code": code}

    @app.post("/v1/admin/terminals/{terminal_id}/revoke")
    def revoke(terminal_id: str, _admin: AdminDep) -> dict[str, str]:
        run_transaction(engine, lambda conn: admin.revoke_terminal(conn, terminal_id))
        return {"terminal_id": terminal_id, "status": "revoked"}

    @app.post("/v1/online/registrations")
    def register_online(request: RegistrationModel, _website: WebsiteDep) -> dict[str, Any]:
        record = request.model_dump(exclude={"pin"})
        cleaned = _clean_registration(record)
        account, duplicate = run_transaction(
            engine, lambda conn: admin.register_online(conn, cleaned, request.pin)
        )
        return {"account": account, "suspected_duplicate": duplicate}

    @app.post("/v1/bank/top-ups")
    async def bank_callback(
        request: Request, x_signature: Annotated[str | None, Header()] = None
    ) -> dict[str, Any]:
        """The bank's signed callback. The body is read here (its signature covers the exact
        bytes); the database work runs in a worker thread, never on the event loop."""
        body = await request.body()
        if not x_signature:
            raise ApiError(401, "bank.bad_signature")

        def work(conn: Connection) -> dict[str, Any]:
            return admin.bank_top_up(conn, secrets.bank_hmac_secret, body, x_signature)

        # Two deliveries of one new reference at once: the loser's insert fails; run again,
        # it finds the first and answers "duplicate".
        return await run_in_threadpool(_with_one_retry_on_conflict, engine, work)

    add_receipt_page(app, engine)

    @app.get("/v1/terminal")
    def terminal_record(term: TerminalDep) -> dict[str, Any]:
        """What central holds of the calling terminal: its registered public key and the last
        entry it accepted, so the desk can tell whether its journal lost entries."""
        with reading(engine) as conn:
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


def _include_counter_routes(app: FastAPI) -> None:
    """Routes kept in their own modules; they take this module's terminal check, so they are
    imported once it is loaded."""
    from . import counter_lookups, customer_pin, duplicate_routes, operator_routes, report_routes

    app.include_router(counter_lookups.router)
    app.include_router(customer_pin.router)
    app.include_router(report_routes.router)
    app.include_router(operator_routes.router)
    app.include_router(duplicate_routes.router)


def _with_one_retry_on_conflict(engine: Engine, work: Any) -> Any:
    try:
        return run_transaction(engine, work)
    except IntegrityError:
        return run_transaction(engine, work)


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
