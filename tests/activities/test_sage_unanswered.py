"""A Sage call that times out or cannot connect fails small and readable (issue 20, timeout):
the failure Temporal records names the call and the time-out in a line, stays retryable, and
carries none of httpx's exception chain, which with its stack traces exceeded Temporal's
failure size limit (the UI showed only "Failure exceeds size limit.")."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from temporalio.api.failure.v1 import Failure
from temporalio.converter import DataConverter
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.sage import TIMEOUT, SageActivities
from contract.sage import SageRequest
from domain.export_plan import SageCall

SMALL = 1500
"""Bytes: well under the server's 2 KB warning for a retried activity's last failure."""


@pytest.fixture
async def silent_sage() -> AsyncIterator[str]:
    """A Sage that takes the connection and never answers."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client hangs up
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    server.close()
    await server.wait_closed()


def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def serialized(err: ApplicationError) -> Failure:
    failure = Failure()
    converter = DataConverter.default
    converter.failure_converter.to_failure(err, converter.payload_converter, failure)
    return failure


async def failed(activities: SageActivities, method: str, path: str) -> ApplicationError:
    call = SageCall(method=method, path=path, body={"job_id": "1001"})
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(
            activities.call, SageRequest(call=call, idempotency_key="k")
        )
    return raised.value


def assert_small_and_retryable(err: ApplicationError) -> Failure:
    failure = serialized(err)
    assert failure.ByteSize() < SMALL, failure
    assert not failure.HasField("cause")  # no httpx / httpcore / anyio chain
    assert err.type == TIMEOUT and not err.non_retryable and err.next_retry_delay is None
    assert failure.application_failure_info.type == TIMEOUT
    return failure


async def test_a_call_sage_does_not_answer_in_time_fails_small_naming_the_timeout(silent_sage):
    http = httpx.AsyncClient(base_url=silent_sage, timeout=httpx.Timeout(0.2))
    err = await failed(SageActivities(http), "POST", "/v1/commitments")
    assert_small_and_retryable(err)
    assert err.message == (
        "Sage did not answer POST /v1/commitments within the 0.2 s read timeout (ReadTimeout); "
        "retried"
    )
    await http.aclose()


async def test_a_sage_that_cannot_be_reached_fails_small_naming_the_call():
    http = httpx.AsyncClient(base_url=closed_port(), timeout=httpx.Timeout(0.5))
    err = await failed(SageActivities(http), "GET", "/v1/jobs/1001")
    assert_small_and_retryable(err)
    assert err.message.startswith("Sage could not be reached for GET /v1/jobs/1001 (ConnectError")
    await http.aclose()


async def test_a_long_path_and_a_huge_cause_stay_out_of_the_failure():
    def huge(request: httpx.Request) -> httpx.Response:
        try:
            raise RuntimeError("x" * 100_000)
        except RuntimeError as inner:
            raise httpx.ReadTimeout("timed out\n" + "y" * 100_000, request=request) from inner

    http = httpx.AsyncClient(base_url="http://sage", transport=httpx.MockTransport(huge))
    path = "/v1/jobs/" + "9" * 1500
    err = await failed(SageActivities(http), "GET", path)
    assert_small_and_retryable(err)
    assert "within the 5 s read timeout (ReadTimeout)" in err.message  # httpx's default
    assert len(err.message) < 250 and "\n" not in err.message


async def test_waiting_for_a_batch_sage_does_not_answer_fails_small(silent_sage):
    http = httpx.AsyncClient(base_url=silent_sage, timeout=httpx.Timeout(0.2))
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(SageActivities(http).wait_posted, "B-000001")
    assert_small_and_retryable(raised.value)
    assert "GET /v1/batches/B-000001 within the 0.2 s read timeout" in raised.value.message
    await http.aclose()
