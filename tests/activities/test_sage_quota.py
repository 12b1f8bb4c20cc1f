"""The Sage activity reads the quota headers and waits for the reset instead of hitting a 429."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.sage import QuotaGauge, SageActivities
from contract.sage import SageRequest
from domain.export_plan import SageCall

REQUEST = SageRequest(call=SageCall(method="GET", path="/v1/jobs"), idempotency_key="k")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def sage_answering(*answers: tuple[int, dict[str, str]]) -> tuple[httpx.AsyncClient, list[str]]:
    """A client whose Sage gives these (status, headers) answers in turn; records each call."""
    calls: list[str] = []
    queue = list(answers)

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        status, headers = queue.pop(0)
        return httpx.Response(status, json={}, headers=headers)

    return httpx.AsyncClient(base_url="http://sage", transport=httpx.MockTransport(answer)), calls


def quota(remaining: int, reset: int) -> dict[str, str]:
    return {"X-Rate-Limit-Remaining": str(remaining), "X-Rate-Limit-Reset": str(reset)}


async def test_a_used_up_quota_waits_for_the_reset_without_calling_sage() -> None:
    clock = Clock()
    http, calls = sage_answering((200, quota(0, 7)), (200, quota(59, 10)))
    activities = SageActivities(http, QuotaGauge(clock))
    env = ActivityEnvironment()

    await env.run(activities.call, REQUEST)
    clock.now += 2
    with pytest.raises(ApplicationError) as waited:
        await env.run(activities.call, REQUEST)

    assert waited.value.type == "rate_limited"
    assert not waited.value.non_retryable
    assert waited.value.next_retry_delay == timedelta(seconds=5)
    assert len(calls) == 1  # the refused attempt never reached Sage

    clock.now += 5
    answer = await env.run(activities.call, REQUEST)
    assert answer.status == 200 and len(calls) == 2


async def test_a_429_waits_exactly_retry_after_and_holds_back_other_calls() -> None:
    clock = Clock()
    http, calls = sage_answering((429, {**quota(0, 30), "Retry-After": "30"}))
    activities = SageActivities(http, QuotaGauge(clock))
    env = ActivityEnvironment()

    with pytest.raises(ApplicationError) as refused:
        await env.run(activities.call, REQUEST)
    assert refused.value.next_retry_delay == timedelta(seconds=30)

    clock.now += 10
    with pytest.raises(ApplicationError) as waited:
        await env.run(activities.wait_posted, "B-1")
    assert waited.value.next_retry_delay == timedelta(seconds=20)
    assert len(calls) == 1


def test_a_late_answer_from_the_old_window_does_not_lift_the_wait() -> None:
    clock = Clock()
    gauge = QuotaGauge(clock)
    gauge.note(200, quota(0, 8))
    gauge.note(200, quota(3, 8))  # sent earlier in the same window, answered later

    assert gauge.wait_seconds() == 8

    clock.now += 1
    gauge.note(200, quota(59, 10))  # a fresh window (the quota was reset early)
    assert gauge.wait_seconds() == 0


def test_calls_in_flight_together_take_their_requests_off_before_any_answer() -> None:
    clock = Clock()
    gauge = QuotaGauge(clock)
    gauge.note(200, quota(2, 10))

    gauge.check()
    gauge.check()  # two calls out, no answer yet
    with pytest.raises(ApplicationError) as waited:
        gauge.check()

    assert waited.value.next_retry_delay == timedelta(seconds=10)
    clock.now += 10
    gauge.check()  # the window is over: the next call goes out and learns the new one
