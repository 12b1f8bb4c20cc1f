"""The front door of every call: API key, quota, company, injected faults, counters, access log.

Two doors, two keys: `/v1/` takes the API key (the orchestrator's), `/admin/` the admin key
(a person in Sage, the tests' knobs). The API key on an admin call is refused (403), so a
client that holds only the orchestrator's key cannot post batches, inject faults or shrink
the quota.

A pure ASGI middleware rather than a FastAPI dependency, because it must add quota
headers to every `/v1/` answer (errors included) and be able to hang up after the
status line has gone out, which no Response object can do.
"""

import json
import time
from typing import Any

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sage_mock.companies import (
    COMPANY_HEADER,
    DEFAULT_COMPANY,
    Company,
    not_supported,
    refused_feature,
    serve_as,
    stop_serving,
    unknown_company,
)
from sage_mock.errors import (
    SageError,
    admin_key_required,
    admin_off,
    admin_unauthorized,
    injected_failure,
    rate_limited,
    unauthorized,
)
from sage_mock.faults import OddAnswer
from sage_mock.idempotency import DROP_CONNECTION
from sage_mock.records import companies as company_records
from sage_mock.records import counters
from sage_mock.services import SageServices

log = structlog.get_logger("sage_mock")


class SageGateway:
    def __init__(self, app: ASGIApp, services: SageServices) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path == "/admin" or path.startswith("/admin/"):
            await self._admin(scope, receive, send)
        elif path.startswith("/v1/"):
            await self._api(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _admin(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Admin calls need the admin key (never the API key), and never count against the
        quota."""
        refusal = self._admin_refusal(scope)
        if refusal is not None:
            await _answer(refusal, {}, scope, receive, send)
            return
        company = self._company(scope)
        if isinstance(company, SageError):
            await _answer(company, {}, scope, receive, send)
            return
        await self._serve_as(company, scope, receive, send)

    async def _api(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        outcome: dict[str, Any] = {"status": None, "dropped": False, "replayed": False}
        headers = Headers(scope=scope)
        try:
            key = self._presented_key(scope)
            if key is None:
                quota = self.services.quota.peek(headers.get("authorization", ""))
                outcome["status"] = 401
                await _answer(unauthorized(), quota.headers(), scope, receive, send)
                return
            quota = self.services.quota.consume(key)
            if not quota.allowed:
                outcome["status"] = 429
                await _answer(rate_limited(), quota.headers(), scope, receive, send)
                return
            company = self._company(scope)
            if isinstance(company, SageError):
                outcome["status"] = company.status
                await _answer(company, quota.headers(), scope, receive, send)
                return
            await self.services.faults.delay(scope.get("path", ""))
            failure = self.services.faults.error_before()
            if failure is not None:
                outcome["status"] = failure
                await _answer(injected_failure(failure), quota.headers(), scope, receive, send)
                return
            refusal = self.services.faults.refusal(scope.get("method", ""), scope.get("path", ""))
            if refusal is not None:
                outcome["status"] = refusal.status
                await _answer(refusal, quota.headers(), scope, receive, send)
                return
            send_answer = _with_quota(send, quota.headers(), outcome)
            odd = self.services.faults.odd_answer(scope.get("method", ""), scope.get("path", ""))
            if odd is not None:
                send_answer = _with_odd_field(send_answer, odd)
            await self._serve_as(company, scope, receive, send_answer)
        finally:
            self._record(scope, headers, outcome, time.perf_counter() - started)

    def _company(self, scope: Scope) -> Company | SageError:
        """The company the call names (`X-Sage-Company`, else the default one), or the refusal:
        an unknown company, or a feature its ERP does not have."""
        company_id = Headers(scope=scope).get(COMPANY_HEADER, DEFAULT_COMPANY)
        with self.services.store.read() as db:
            company = company_records.find(db, company_id)
        if company is None:
            return unknown_company(company_id)
        feature = refused_feature(company, scope.get("method", ""), scope.get("path", ""))
        return company if feature is None else not_supported(company, feature)

    async def _serve_as(self, company: Company, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the route with `company` as the current company (records scope to it)."""
        token = serve_as(company.company_id)
        try:
            await self.app(scope, receive, send)
        finally:
            stop_serving(token)

    def _presented_key(self, scope: Scope) -> str | None:
        """The caller's key if it is the API key; hashed and compared in constant time."""
        key = _bearer(scope)
        if key is not None and self.services.api_key.matches(key):
            return key
        return None

    def _admin_refusal(self, scope: Scope) -> SageError | None:
        """None if the caller presents the admin key, else why not (both compared as hashes,
        in constant time)."""
        admin_key = self.services.admin_key
        if admin_key is None:
            return admin_off()
        key = _bearer(scope)
        if key is not None and admin_key.matches(key):
            return None
        if key is not None and self.services.api_key.matches(key):
            return admin_key_required()
        return admin_unauthorized()

    def _record(
        self, scope: Scope, headers: Headers, outcome: dict[str, Any], seconds: float
    ) -> None:
        status = outcome["status"]
        names = ["requests"]
        if outcome["dropped"]:
            names.append("dropped")
        elif status is not None:
            names.append(f"status:{status}")
        if status == 429:
            names.append("rate_limited")
        if outcome["replayed"]:
            names.append("replayed")
        path = str(scope.get("path", ""))
        if scope.get("method") == "GET" and path.startswith("/v1/batches"):
            names.append("batch_reads")  # posting checks: one batch or the list
            if path.startswith("/v1/batches/"):  # an item's own look at one batch
                names.append("batch_read:" + path.removeprefix("/v1/batches/"))
        if _unsafe(scope):
            names.append("unsafe_paths")  # a path no client of Sage's API should ever send
        with self.services.store.write() as db:
            counters.bump(db, *names)
        log.info(
            "sage_request",
            method=scope.get("method"),
            path=scope.get("path"),
            status=status,
            dropped=outcome["dropped"],
            replayed=outcome["replayed"],
            idempotency_key=headers.get("idempotency-key"),
            company=headers.get(COMPANY_HEADER, DEFAULT_COMPANY),
            ms=round(seconds * 1000, 1),
        )


def _bearer(scope: Scope) -> str | None:
    scheme, _, key = Headers(scope=scope).get("authorization", "").partition(" ")
    return key if scheme.lower() == "bearer" else None


def _unsafe(scope: Scope) -> bool:
    """A call whose path walks up ('.', '..' segments), or holds an encoded '/' or '\\' or a
    control character: what a client does when it puts an ID Sage answered in a path as is."""
    raw = bytes(scope.get("raw_path") or b"").decode("latin-1").lower()
    path = str(scope.get("path", ""))
    return (
        any(part in (".", "..") for part in path.split("/"))
        or "%2f" in raw
        or "%5c" in raw
        or any(not ch.isprintable() for ch in path)
    )


def _with_odd_field(send: Send, odd: OddAnswer) -> Send:
    """Wrap `send`: a 2xx JSON answer leaves with `odd.field` set to `odd.value` (where the
    answer has that field's parent); the call itself was done as usual."""
    held: list[Message] = []
    body = bytearray()

    async def send_answer(message: Message) -> None:
        if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
            held.append(message)
            return
        if not held or message["type"] != "http.response.body":
            await send(message)
            return
        body.extend(message.get("body", b""))
        if message.get("more_body", False):
            return
        changed = _set_field(bytes(body), odd.field, odd.value)
        start = held.pop()
        headers = MutableHeaders(scope=start)
        headers["content-length"] = str(len(changed))
        await send(start)
        await send({"type": "http.response.body", "body": changed, "more_body": False})

    return send_answer


def _set_field(body: bytes, field: str, value: str) -> bytes:
    try:
        answer = json.loads(body)
    except ValueError:
        return body
    *parents, name = field.split(".")
    holder = answer
    for parent in parents:
        holder = holder.get(parent) if isinstance(holder, dict) else None
    if not isinstance(holder, dict):
        return body
    holder[name] = value
    return json.dumps(answer).encode()


def _with_quota(send: Send, quota_headers: dict[str, str], outcome: dict[str, Any]) -> Send:
    """Wrap `send`: add the quota headers, note the outcome, swallow a dropped body."""

    async def send_answer(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            if DROP_CONNECTION in headers:
                del headers[DROP_CONNECTION]
                outcome["dropped"] = True
            for name, value in quota_headers.items():
                headers[name] = value
            outcome["status"] = message["status"]
            outcome["replayed"] = headers.get("idempotent-replayed") == "true"
        elif message["type"] == "http.response.body" and outcome["dropped"]:
            # The body never leaves. The app returns with the answer incomplete and
            # uvicorn closes the connection: the caller sees a transport error.
            return
        await send(message)

    return send_answer


async def _answer(
    error: SageError, headers: dict[str, str], scope: Scope, receive: Receive, send: Send
) -> None:
    await JSONResponse(error.body(), error.status, headers=headers)(scope, receive, send)
