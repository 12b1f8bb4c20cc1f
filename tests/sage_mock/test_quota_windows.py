"""`GET /admin/quota/windows`: when 429s happened, window by window."""

import asyncio

import httpx


async def test_each_window_counts_the_requests_it_let_through_and_refused(
    client: httpx.AsyncClient,
    admin: httpx.AsyncClient,
) -> None:
    await admin.put("/admin/quota", json={"limit": 2, "window_seconds": 0.5})
    statuses = [(await client.get("/v1/jobs")).status_code for _ in range(3)]
    await asyncio.sleep(0.55)
    statuses.append((await client.get("/v1/jobs")).status_code)

    windows = (await admin.get("/admin/quota/windows")).json()

    assert statuses == [200, 200, 429, 200]
    assert [(w["used"], w["refused"]) for w in windows] == [(2, 1), (1, 0)]
    assert windows[0]["started_at"] < windows[1]["started_at"]


async def test_setting_the_quota_forgets_past_windows(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    await admin.put("/admin/quota", json={"limit": 1, "window_seconds": 3600})
    await client.get("/v1/jobs")
    await client.get("/v1/jobs")

    await admin.put("/admin/quota", json={"limit": 5, "window_seconds": 3600})

    assert (await admin.get("/admin/quota/windows")).json() == []
