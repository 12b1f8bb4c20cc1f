"""Sage's request quota: visible on every answer, enforced per window."""

import asyncio

import httpx

RATE_LIMITED = {
    "code": "rate_limited",
    "message": (
        "Unknown Error => You have surpassed the max number of requests for an hour. "
        "Please wait until your limit resets."
    ),
}


async def test_every_api_answer_shows_where_the_quota_stands(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    await admin.put("/admin/quota", json={"limit": 5, "window_seconds": 60})

    ok = await client.get("/v1/jobs")
    missing = await client.get("/v1/jobs/4242")
    unauthorized = await client.get("/v1/jobs", headers={"Authorization": "Bearer nope"})

    assert ok.headers["X-Rate-Limit-Limit"] == "5"
    assert ok.headers["X-Rate-Limit-Remaining"] == "4"
    assert missing.headers["X-Rate-Limit-Remaining"] == "3"
    assert 1 <= int(ok.headers["X-Rate-Limit-Reset"]) <= 60
    assert unauthorized.status_code == 401
    assert "X-Rate-Limit-Limit" in unauthorized.headers
    assert "X-Rate-Limit-Limit" not in (await admin.get("/admin/stats")).headers


async def test_past_the_quota_calls_wait_until_the_window_resets(
    client: httpx.AsyncClient,
    admin: httpx.AsyncClient,
) -> None:
    await admin.put("/admin/quota", json={"limit": 2, "window_seconds": 1})
    assert [(await client.get("/v1/jobs")).status_code for _ in range(2)] == [200, 200]

    refused = await client.get("/v1/vendors")

    assert refused.status_code == 429
    assert refused.json() == RATE_LIMITED
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["X-Rate-Limit-Remaining"] == "0"
    for _ in range(5):  # admin calls are exempt
        assert (await admin.get("/admin/stats")).status_code == 200

    await asyncio.sleep(1.05)

    again = await client.get("/v1/vendors")
    assert again.status_code == 200
    assert again.headers["X-Rate-Limit-Remaining"] == "1"


async def test_setting_the_quota_starts_a_fresh_window(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    await admin.put("/admin/quota", json={"limit": 1, "window_seconds": 3600})
    await client.get("/v1/jobs")
    refused = await client.get("/v1/jobs")
    assert refused.status_code == 429
    assert 3590 <= int(refused.headers["Retry-After"]) <= 3600

    answer = await admin.put("/admin/quota", json={"limit": 3, "window_seconds": 3600})

    assert answer.json() == {"limit": 3, "window_seconds": 3600.0}
    assert (await client.get("/v1/jobs")).headers["X-Rate-Limit-Remaining"] == "2"
