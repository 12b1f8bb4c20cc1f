"""The app factory: one store, one quota, one fault injector per app."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from sage_mock.api_keys import ApiKeyHash
from sage_mock.config import MockConfig
from sage_mock.errors import SageError, injected_failure, not_found
from sage_mock.faults import FaultInjector
from sage_mock.gateway import SageGateway
from sage_mock.models import wire_error
from sage_mock.quota import RequestQuota
from sage_mock.routes import (
    admin,
    ap_invoices,
    ap_payments,
    ar_invoices,
    batches,
    commitment_change_orders,
    commitments,
    companies,
    estimate_transfers,
    estimates,
    extras,
    job_costs,
    job_setup,
    jobs,
    master_data,
    misc_worksheets,
    prime_contract_import,
    prime_contracts,
    vendors,
)
from sage_mock.services import SageServices
from sage_mock.store import Store

ROUTERS = (
    master_data.router,
    commitments.router,
    batches.router,
    admin.router,
    jobs.router,
    extras.router,
    vendors.router,
    estimates.router,
    estimates.job_router,
    estimate_transfers.router,
    commitment_change_orders.router,
    prime_contracts.router,
    prime_contract_import.router,
    ap_invoices.router,
    ar_invoices.router,
    job_costs.router,
    companies.router,
    job_setup.router,
    misc_worksheets.router,
    ap_payments.router,
)


def create_app(config: MockConfig) -> FastAPI:
    """Open (or create and seed) the database and wire the routes.

    The store opens here rather than at startup so that a test can use the app
    without running its lifespan; it closes when the app shuts down.
    """
    if config.api_key is None:
        raise ValueError("the mock Sage needs an API key")
    raw_admin = config.admin_key.get_secret_value() if config.admin_key else None
    if raw_admin is not None and raw_admin == config.api_key.get_secret_value():
        raise ValueError("the admin key must differ from the API key")
    sv = SageServices(
        config=config.model_copy(update={"api_key": None, "admin_key": None}),  # hashes stay
        store=Store(config.db_path),
        quota=RequestQuota(config.rate_limit, config.rate_window_seconds),
        faults=FaultInjector(),
        api_key=ApiKeyHash(config.api_key.get_secret_value()),
        admin_key=ApiKeyHash(raw_admin) if raw_admin else None,
    )
    del raw_admin

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        sv.store.close()

    app = FastAPI(
        title="Mock Sage 300 CRE and Sage 100 Contractor API",
        lifespan=lifespan,
        dependencies=[Depends(companies.scoped_to_company)],
    )
    app.state.services = sv
    for router in ROUTERS:
        _keep_admin_out_of_the_schema(router)
        app.include_router(router)
    app.add_middleware(SageGateway, services=sv)
    _answer_errors_as_sage_does(app)
    return app


def admin_routes() -> list[APIRoute]:
    """Every `/admin/` route of every router."""
    return [
        route
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and route.path.startswith("/admin/")
    ]


def _keep_admin_out_of_the_schema(router: APIRouter) -> None:
    """`/openapi.json` is the client's API: a real Sage has no admin door, so a client (or a
    fuzzer) reading the schema never learns of one. Done here, for every router's `/admin/`
    routes, so that a new admin route cannot be forgotten."""
    for route in router.routes:
        if isinstance(route, APIRoute) and route.path.startswith("/admin/"):
            route.include_in_schema = False


def _answer_errors_as_sage_does(app: FastAPI) -> None:
    """Every error body is `{"code", "message"}`, whoever raised it."""

    @app.exception_handler(SageError)
    async def sage_error(_: Request, error: SageError) -> JSONResponse:
        return JSONResponse(error.body(), error.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_body(_: Request, error: RequestValidationError) -> JSONResponse:
        refusal = wire_error(error.errors())
        return JSONResponse(refusal.body(), refusal.status)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        refusal = injected_failure(500)  # same shape as Sage's own 500
        return JSONResponse(refusal.body(), refusal.status)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, error: HTTPException) -> JSONResponse:
        if error.status_code == 404:
            refusal = not_found()
        else:
            code = str(error.detail).lower().replace(" ", "_")
            refusal = SageError(error.status_code, code, str(error.detail))
        return JSONResponse(refusal.body(), refusal.status, headers=error.headers)
