"""`GET /admin/stats`: what the mock has seen, for benchmarks and demos."""

import httpx

from tests.sage_mock.conftest import SUBCONTRACT, subcontract


async def test_stats_count_requests_statuses_and_live_records(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    await admin.put("/admin/quota", json={"limit": 6, "window_seconds": 3600})
    await client.post("/v1/commitments", json=SUBCONTRACT)  # 201
    await client.post("/v1/commitments", json=subcontract(commitment_id="SC-0043"))  # 201
    await client.post("/v1/commitments", json=SUBCONTRACT)  # 409 duplicate
    await client.delete("/v1/commitments/1001/SC-0043")  # 200
    await client.get("/v1/jobs/4242")  # 404
    await client.get(
        "/v1/jobs", headers={"Authorization": "Bearer wrong"}
    )  # 401: counted, but not against the quota
    await client.get("/v1/jobs")  # 200
    await client.get("/v1/jobs")  # 429

    stats = (await admin.get("/admin/stats")).json()

    assert stats == {
        "records": {**dict.fromkeys(stats["records"], 0), "commitments": 1},
        "requests": 8,
        "rate_limited": 1,
        "dropped": 0,
        "replayed": 0,
        "batch_reads": 0,
        "unsafe_paths": 0,
        "batch_reads_by_batch": {},
        "by_status": {"200": 2, "201": 2, "401": 1, "404": 1, "409": 1, "429": 1},
    }
