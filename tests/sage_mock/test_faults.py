"""Injected faults: failures before a write leave nothing; after a write, the record stays."""

import time

import httpx

from tests.sage_mock.conftest import SUBCONTRACT


async def records(admin: httpx.AsyncClient) -> list[dict]:
    return (await admin.get("/admin/records/commitments")).json()


async def test_an_error_before_the_write_leaves_no_record(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    settings = await admin.put("/admin/faults", json={"error_rate": 1.0, "seed": 7})
    assert settings.json() == {
        "error_rate": 1.0,
        "error_statuses": [500, 503],
        "latency_ms": 0,
        "commit_then_fail_rate": 0.0,
        "drop_rate": 0.0,
        "locked_rate": 0.0,
        "refusals": [],
        "odd_answers": [],
        "latency_paths": [],
        "seed": 7,
    }

    answers = [await client.post("/v1/commitments", json=SUBCONTRACT) for _ in range(12)]

    bodies = {a.status_code: a.json()["code"] for a in answers}
    assert bodies == {500: "server_error", 503: "unavailable"}
    assert all("X-Rate-Limit-Remaining" in a.headers for a in answers)
    assert await records(admin) == []
    assert (await client.get("/v1/jobs")).status_code in {500, 503}


async def test_the_same_seed_gives_the_same_failures(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    async def run() -> list[int]:
        await admin.put("/admin/faults", json={"error_rate": 0.5, "seed": 42})
        return [(await client.get("/v1/jobs")).status_code for _ in range(20)]

    first = await run()
    assert first == await run()
    assert {200, 500} <= set(first) or {200, 503} <= set(first)


async def test_commit_then_fail_keeps_the_write_and_a_retry_replays_it(
    client: httpx.AsyncClient,
    admin: httpx.AsyncClient,
) -> None:
    key = {"Idempotency-Key": "commitment:P-1001:SC-0042/create/1"}
    await admin.put("/admin/faults", json={"commit_then_fail_rate": 1.0})

    failed = await client.post("/v1/commitments", json=SUBCONTRACT, headers=key)
    retried = await client.post("/v1/commitments", json=SUBCONTRACT, headers=key)

    assert failed.status_code == 500
    assert failed.json()["code"] == "server_error"
    assert retried.status_code == 201
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert retried.json()["commitment"]["commitment_id"] == "SC-0042"
    assert len(await records(admin)) == 1


async def test_latency_slows_every_api_call(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    await admin.put("/admin/faults", json={"latency_ms": 150})
    started = time.perf_counter()
    await client.get("/v1/jobs")
    assert time.perf_counter() - started >= 0.15


async def test_fault_settings_are_checked(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    for bad in ({"error_rate": 1.5}, {"error_statuses": [418]}, {"drop_rate": -0.1}):
        answer = await admin.put("/admin/faults", json=bad)
        assert answer.status_code == 422
        assert answer.json()["code"] == "invalid_request"
    assert (await admin.get("/admin/faults")).json()["error_rate"] == 0.0


async def test_a_locked_record_refuses_its_delete_and_stays(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    """`locked_rate`: someone has the record open in Sage, so the undo of an export step is
    refused (423) and the record stays; the next delete, unlocked, takes it."""
    created = await client.post("/v1/commitments", json=SUBCONTRACT)
    assert created.status_code == 201
    record = created.json()["commitment"]
    path = f"/v1/commitments/{record['job_id']}/{record['commitment_id']}"
    await admin.put("/admin/faults", json={"locked_rate": 1.0})
    refused = await client.delete(path, headers={"Idempotency-Key": "undo-1"})
    assert refused.status_code == 423
    assert refused.json() == {
        "code": "record_locked",
        "message": "The record is in use by another user.",
    }
    assert [r for r in await records(admin) if not r.get("deleted")]
    await admin.put("/admin/faults", json={})
    deleted = await client.delete(path, headers={"Idempotency-Key": "undo-2"})
    assert deleted.status_code == 200
    assert not [r for r in await records(admin) if not r.get("deleted")]
