"""The Sage activity's last check (issue 14, case 3): a path that could leave Sage's API is
refused for good, and no HTTP request is made."""

from __future__ import annotations

import httpx
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.sage import INVALID_PATH, QuotaGauge, SageActivities
from contract.sage import SageFailure, SageRequest
from domain.export_plan import SageCall


def never_called(request: httpx.Request) -> httpx.Response:
    pytest.fail(f"an HTTP request was made: {request.method} {request.url}")


def refusing_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url="http://sage", transport=httpx.MockTransport(never_called))


def answering_client(calls: list[str]) -> httpx.AsyncClient:
    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.raw_path.decode())
        return httpx.Response(200, json={"posted": True, "batch_id": "B-000001"})

    return httpx.AsyncClient(base_url="http://sage", transport=httpx.MockTransport(answer))


ESCAPING = [
    ("POST", "/v1/commitments/1001/x/../../../../admin/batches/B-000001/post?/items"),
    ("DELETE", "/v1/commitments/1001/x/../../../../admin/batches/B-000001/post"),
    ("POST", "/admin/batches/B-000001/post"),
    ("PUT", "/admin/faults"),
    ("DELETE", "/v1/commitments/1001/x%2F..%2F..%2F..%2Fadmin"),
    ("DELETE", "/v1/commitments/1001/%2e%2e/%2e%2e/admin"),
    ("GET", "//evil.example/v1/jobs"),
    ("GET", "http://evil.example/v1/jobs"),
    ("GET", "/v1/jobs#x"),
    ("POST", "/v1/commitments?x=1"),
    ("DELETE", "/v1/commitment_change_orders/{change_order_id}"),
]


@pytest.mark.parametrize(("method", "path"), ESCAPING)
async def test_a_path_escaping_the_api_is_refused_without_any_request(method, path):
    quota = QuotaGauge()
    activities = SageActivities(refusing_client(), quota)
    request = SageRequest(call=SageCall(method=method, path=path), idempotency_key="k")

    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(activities.call, request)

    assert refused.value.type == INVALID_PATH
    assert refused.value.non_retryable
    assert "nothing was sent" in refused.value.message
    failure = SageFailure.model_validate(refused.value.details[0])
    assert failure.code == INVALID_PATH
    assert quota.wait_seconds() == 0  # no request spent


async def test_a_valid_path_still_goes_to_sage_as_built():
    calls: list[str] = []
    activities = SageActivities(answering_client(calls))
    for path in (
        "/v1/jobs/1001",
        "/v1/commitments/1001/SC-0042/items/3",
        "/v1/prime_contracts?contract_id=1001-PC",
    ):
        call = SageCall(method="GET", path=path)
        await ActivityEnvironment().run(
            activities.call, SageRequest(call=call, idempotency_key="k")
        )
    assert calls == [
        "/v1/jobs/1001",
        "/v1/commitments/1001/SC-0042/items/3",
        "/v1/prime_contracts?contract_id=1001-PC",
    ]


async def test_a_hostile_batch_id_is_encoded_when_waiting_for_posting():
    calls: list[str] = []
    activities = SageActivities(answering_client(calls))
    assert (await ActivityEnvironment().run(activities.wait_posted, "B-000001"))["posted"]
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(activities.wait_posted, "../admin/batches/B-1/post")
    assert refused.value.type == INVALID_PATH and refused.value.non_retryable
    assert calls == ["/v1/batches/B-000001"]
