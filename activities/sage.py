"""Sage activities: one generic call (any export step) and one posting check.

One pooled `httpx.AsyncClient` per worker is given to `SageActivities`; the worker closes it
on shutdown. Answers become outcomes Temporal understands:
- 2xx: the answer;
- 429: retryable, the next attempt exactly after `Retry-After` (`next_retry_delay`);
- before any call, if Sage's last answers said the quota is used up (`X-Rate-Limit-Remaining`
  0), retryable with `next_retry_delay` = `X-Rate-Limit-Reset`, without spending a request;
- 5xx, time-outs, dropped connections: retryable (the idempotency key makes a retry safe);
- other 4xx: non-retryable `ApplicationError` whose type is Sage's error code and whose
  details carry a `SageFailure` (with the `existing` record for duplicates);
- a path that could leave the API (outside `/v1/` once normalised, a query other than a GET
  search, encoded '/' or dot segments: domain/sage_paths.py): non-retryable `invalid_path`,
  before any request (and before the quota is touched).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import httpx
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from contract.sage import (
    COMPANY_HEADER,
    SAGE_CALL_ACTIVITY,
    WAIT_POSTED_ACTIVITY,
    SageAnswer,
    SageFailure,
    SageRequest,
)
from domain.errors import RETRYABLE_HTTP_STATUSES, explain
from domain.sage_paths import INVALID_PATH, sage_path, sage_path_problem

log = structlog.get_logger(__name__)

NOT_POSTED_YET = "NotPostedYet"
RATE_LIMITED = "rate_limited"


class QuotaGauge:
    """Where Sage's request quota stands, as this worker's answers tell it.

    Each answer's `X-Rate-Limit-Remaining/Reset` (or a 429's `Retry-After`) says what is left
    in the window and when it resets; each call takes one request off before it goes out, so
    calls in flight together never overshoot. With nothing left, a call fails retryably with
    `next_retry_delay` = the reset, instead of spending a request on a 429. Until the first
    answer of a window, nothing is known and calls go out (the server-side rate of the Sage
    task queue is what keeps the workers under the quota; this is the backstop).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._remaining: int | None = None
        self._window_ends: float | None = None

    def note(self, status: int, headers: Mapping[str, str]) -> None:
        now = self._clock()
        if status == 429:
            self._remaining, self._window_ends = 0, now + _seconds(headers.get("Retry-After"))
            return
        remaining = headers.get("X-Rate-Limit-Remaining", "").strip()
        reset = headers.get("X-Rate-Limit-Reset")
        if not remaining.isdigit() or reset is None:
            return
        window_ends = now + _seconds(reset)
        # Reset is whole seconds rounded up: answers of one window end within a second.
        fresh = self._window_ends is None or window_ends >= self._window_ends + 1
        if fresh or self._remaining is None:
            self._remaining, self._window_ends = int(remaining), window_ends
        else:  # the same window: an answer sent earlier may arrive later; trust the lowest
            self._remaining = min(self._remaining, int(remaining))
        if self._remaining == 0:
            log.warning("sage quota used up", reset_seconds=reset)

    def wait_seconds(self) -> float:
        """How long calls must wait for the window to reset; 0 when a request is left."""
        if self._window_ends is None:
            return 0.0
        left = self._window_ends - self._clock()
        if left <= 0:  # the window is over: unknown until the next answer
            self._remaining = self._window_ends = None
            return 0.0
        return left if self._remaining is not None and self._remaining <= 0 else 0.0

    def check(self) -> None:
        """Take one request off the quota, or fail the attempt retryably until it resets."""
        wait = self.wait_seconds()
        if wait > 0:
            raise ApplicationError(
                f"Sage's request quota is used up; waiting {wait:.1f} s for the window to reset",
                type=RATE_LIMITED,
                next_retry_delay=timedelta(seconds=wait),
                category=ApplicationErrorCategory.BENIGN,  # expected under load: no stack trace
            )
        if self._remaining is not None:
            self._remaining -= 1


class SageActivities:
    def __init__(self, http: httpx.AsyncClient, quota: QuotaGauge | None = None) -> None:
        self._http = http
        self._quota = quota or QuotaGauge()

    @property
    def http(self) -> httpx.AsyncClient:
        """The pooled client, shared with the posting activities (activities/posting.py)."""
        return self._http

    @property
    def quota(self) -> QuotaGauge:
        """The quota gauge, shared with the posting activities: one view of the window."""
        return self._quota

    @activity.defn(name=SAGE_CALL_ACTIVITY)
    async def call(self, request: SageRequest) -> SageAnswer:
        call = request.call
        refuse_path(call.path, call.method)
        headers = {"Idempotency-Key": request.idempotency_key}
        if call.company:
            headers[COMPANY_HEADER] = call.company
        self._quota.check()
        try:
            response = await self._http.request(
                call.method, call.path, json=call.body, headers=headers
            )
        except httpx.TransportError as err:
            raise unanswered(err, call.method, call.path, self._http.timeout) from None
        self._quota.note(response.status_code, response.headers)
        log.info(
            "sage answered",
            method=call.method,
            path=call.path,
            status=response.status_code,
            replayed=response.headers.get("Idempotent-Replayed") == "true",
        )
        return SageAnswer(status=response.status_code, body=_outcome(response))

    @activity.defn(name=WAIT_POSTED_ACTIVITY)
    async def wait_posted(self, batch_id: str) -> dict[str, Any]:
        """Succeeds once the batch is posted; otherwise fails retryably (infrequent polling)."""
        path = sage_path("/v1/batches", batch_id)
        refuse_path(path, "GET")
        self._quota.check()
        try:
            response = await self._http.get(path)
        except httpx.HTTPError as err:
            raise unanswered(err, "GET", path, self._http.timeout) from None
        self._quota.note(response.status_code, response.headers)
        batch = _outcome(response)
        if not batch.get("posted"):
            raise ApplicationError(
                f"batch {batch_id} is not posted yet",
                type=NOT_POSTED_YET,
                category=ApplicationErrorCategory.BENIGN,  # expected while waiting: no stack trace
            )
        log.info("sage batch posted", batch_id=batch_id)
        return batch


TIMEOUT = "timeout"
"""The catalogue's code for a call Sage did not answer (in time, or at all): retried."""
_SHOWN = 120
_TIMEOUT_OF = {
    httpx.ConnectTimeout: "connect",
    httpx.ReadTimeout: "read",
    httpx.WriteTimeout: "write",
    httpx.PoolTimeout: "pool",
}


def unanswered(
    err: httpx.HTTPError, method: str, path: str, timeout: httpx.Timeout
) -> ApplicationError:
    """A call Sage did not answer, as a short retryable failure whose words name the call and
    the time-out. Raise it `from None`: httpx's exception chain (httpcore's, anyio's), stack
    traces and all, exceeds Temporal's failure size limit for a retried activity, and the UI
    then shows only "Failure exceeds size limit." instead of what happened."""
    call = f"{method} {ascii(path[:_SHOWN])[1:-1]}"
    kind = type(err).__name__
    phase = next((name for cls, name in _TIMEOUT_OF.items() if isinstance(err, cls)), None)
    if phase is not None:
        seconds = getattr(timeout, phase, None)
        within = f" within the {seconds:g} s {phase} timeout" if seconds else ""
        message = f"Sage did not answer {call}{within} ({kind}); retried"
    else:
        said = ascii(str(err)[:_SHOWN])[1:-1]
        message = f"Sage could not be reached for {call} ({kind}: {said}); retried"
    return ApplicationError(message, type=TIMEOUT)


def refuse_path(path: str, method: str) -> None:
    """The last check before a request: a path that could reach anything but Sage's API is
    refused for good (a retry would send the same path), and no request is made."""
    problem = sage_path_problem(path, method)
    if problem is not None:
        log.error("sage path refused", method=method, problem=problem)
        failure = SageFailure(status=0, code=INVALID_PATH, message=f"{problem}; nothing was sent")
        raise ApplicationError(
            failure.message,
            failure.model_dump(mode="json"),
            type=INVALID_PATH,
            non_retryable=True,
        )


def _outcome(response: httpx.Response) -> dict[str, Any]:
    status = response.status_code
    body = _json(response)
    if 200 <= status < 300:
        return body
    code = str(body.get("code") or f"http_{status}")
    message = str(body.get("message") or response.reason_phrase or f"HTTP {status}")
    if status == 429:
        delay = _retry_after(response)
        raise ApplicationError(
            message, type=RATE_LIMITED, next_retry_delay=timedelta(seconds=delay)
        )
    if status in RETRYABLE_HTTP_STATUSES or status >= 500 or explain(code).retryable:
        raise ApplicationError(message, type=code)  # retried: the catalogue says it is transient
    failure = SageFailure(status=status, code=code, message=message, existing=body.get("existing"))
    raise ApplicationError(
        message,
        failure.model_dump(mode="json"),
        type=code,
        non_retryable=True,
        # Sage's business answer is an outcome the workflow handles, not a worker fault:
        # no stack trace in the worker's log for it.
        category=ApplicationErrorCategory.BENIGN,
    )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {"value": body}


def _retry_after(response: httpx.Response) -> float:
    return _seconds(response.headers.get("Retry-After"))


def _seconds(header: str | None) -> float:
    """A `Retry-After` / `X-Rate-Limit-Reset` value in seconds; at least 1."""
    try:
        return max(1.0, float(header or "1"))
    except ValueError:
        return 1.0


def sage_http_client(base_url: str, api_key: str, timeout: float) -> httpx.AsyncClient:
    """The worker's one pooled client; the key travels in a header and is never logged."""
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=httpx.Timeout(timeout),
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
    )
