"""Writes that happen once: `Idempotency-Key` replay, and faults after the commit.

The answer is stored in the same transaction as the write it describes. So when the
write commits and the caller never hears of it (an injected 500, a dropped
connection), a retry with the same key replays the success instead of creating a
second record: the case that breaks naive retries.
"""

import hashlib
import json
import sqlite3
from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from sage_mock.errors import (
    SageError,
    idempotency_conflict,
    injected_failure,
    invalid_request,
    record_locked,
)
from sage_mock.records import answers
from sage_mock.services import SageServices

DROP_CONNECTION = "x-sage-mock-drop-connection"
"""Internal response header: the gateway sends the status line, then hangs up."""

Apply = Callable[[sqlite3.Connection, Any], tuple[int, Any]]
"""Does the write inside the open transaction; answers (status, body) or raises SageError."""


def fingerprint(method: str, path: str, body: Any) -> str:
    """The request's identity: method, path and the body as canonical JSON (sorted keys)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method.upper()} {path}\n{canonical}".encode()).hexdigest()


def worth_keeping(status: int) -> bool:
    """Successes and business refusals are the request's outcome; 401/429/5xx are not."""
    return 200 <= status < 300 or (400 <= status < 500 and status not in {401, 429})


async def answer_write(request: Request, services: SageServices, apply: Apply) -> Response:
    """Run one write at most once per Idempotency-Key, then roll the post-commit faults."""
    body = await _json_body(request)
    key = request.headers.get("Idempotency-Key")
    request_id = fingerprint(request.method, request.url.path, body)
    with services.store.write() as db:
        stored = answers.find(db, key) if key else None
        if stored is not None:
            if stored.fingerprint != request_id:
                raise idempotency_conflict()
            return JSONResponse(stored.body, stored.status, headers={"Idempotent-Replayed": "true"})
        db.execute("SAVEPOINT sage_write")
        try:
            if request.method == "DELETE" and services.faults.record_locked():
                raise record_locked()
            status, payload = apply(db, body)
        except SageError as refusal:
            db.execute("ROLLBACK TO sage_write")
            status, payload = refusal.status, refusal.body()
        db.execute("RELEASE sage_write")
        if key and worth_keeping(status):
            answers.save(db, key, request_id, status, payload)
    if 200 <= status < 300:
        if services.faults.drop_after_commit():
            return JSONResponse(payload, status, headers={DROP_CONNECTION: "1"})
        if services.faults.fail_after_commit():
            failure = injected_failure(500)
            return JSONResponse(failure.body(), failure.status)
    return JSONResponse(payload, status)


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise invalid_request("The request body is not valid JSON.") from None
