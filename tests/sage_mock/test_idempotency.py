"""A write with an Idempotency-Key happens once, however often it is retried."""

import httpx

from tests.sage_mock.conftest import SUBCONTRACT, subcontract

CONFLICT = {
    "code": "idempotency_conflict",
    "message": "Idempotency-Key reused with a different request.",
}


async def test_the_same_key_and_body_replay_the_first_answer(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    key = {"Idempotency-Key": "commitment:P-1001:SC-0042/create/1"}
    first = await client.post("/v1/commitments", json=SUBCONTRACT, headers=key)
    reordered = dict(reversed(list(SUBCONTRACT.items())))  # same JSON, other key order

    again = await client.post("/v1/commitments", json=reordered, headers=key)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len((await admin.get("/admin/records/commitments")).json()) == 1


async def test_the_same_key_with_another_request_is_a_conflict(client: httpx.AsyncClient) -> None:
    key = {"Idempotency-Key": "k-1"}
    await client.post("/v1/commitments", json=SUBCONTRACT, headers=key)

    other_body = await client.post(
        "/v1/commitments", json=subcontract(description="Changed"), headers=key
    )
    other_path = await client.delete("/v1/commitments/1001/SC-0042", headers=key)

    assert (other_body.status_code, other_body.json()) == (409, CONFLICT)
    assert (other_path.status_code, other_path.json()) == (409, CONFLICT)
    assert (await client.get("/v1/commitments/1001/SC-0042")).json()["description"] == (
        "Concrete package"
    )


async def test_a_business_refusal_is_replayed_too(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    key = {"Idempotency-Key": "closed-job"}
    body = SUBCONTRACT
    await admin.put("/admin/jobs/1001", json={"status": "closed"})
    refused = await client.post("/v1/commitments", json=body, headers=key)
    await admin.put("/admin/jobs/1001", json={"status": "open"})

    again = await client.post("/v1/commitments", json=body, headers=key)

    assert refused.status_code == again.status_code == 422
    assert again.json() == refused.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    fresh_key = await client.post("/v1/commitments", json=body, headers={"Idempotency-Key": "2"})
    assert fresh_key.status_code == 201


async def test_a_retried_delete_replays_its_success(client: httpx.AsyncClient) -> None:
    await client.post("/v1/commitments", json=SUBCONTRACT)
    key = {"Idempotency-Key": "undo-1"}

    first = await client.delete("/v1/commitments/1001/SC-0042", headers=key)
    again = await client.delete("/v1/commitments/1001/SC-0042", headers=key)

    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"


async def test_an_injected_failure_before_the_write_is_not_remembered(
    client: httpx.AsyncClient,
    admin: httpx.AsyncClient,
) -> None:
    key = {"Idempotency-Key": "flaky"}
    await admin.put("/admin/faults", json={"error_rate": 1.0, "error_statuses": [503]})
    failed = await client.post("/v1/commitments", json=SUBCONTRACT, headers=key)
    await admin.put("/admin/faults", json={})

    retried = await client.post("/v1/commitments", json=SUBCONTRACT, headers=key)

    assert failed.status_code == 503
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers
