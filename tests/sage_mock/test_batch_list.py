"""`GET /v1/batches`: the batches a company's posting watch has not seen yet, page by page."""

import asyncio

import httpx
import pytest

from sage_mock import MockConfig
from tests.sage_mock.conftest import SUBCONTRACT, subcontract
from tests.sage_mock.test_estimate_transfers import TRANSFER


@pytest.fixture
def config(config: MockConfig) -> MockConfig:
    return config.model_copy(update={"auto_post_seconds": 0.3})


async def manual_batch(client: httpx.AsyncClient) -> str:
    answer = await client.post("/v1/estimate_transfers", json=TRANSFER)
    return answer.json()["batch"]["batch_id"]


async def listed(client: httpx.AsyncClient, **params: str | int) -> dict:
    answer = await client.get("/v1/batches", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_posted_since_lists_what_a_person_posted_after_the_last_look(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    first, second = await manual_batch(client), await manual_batch(client)
    await admin.post(f"/admin/batches/{first}/post")
    look = await listed(client)
    assert [b["batch_id"] for b in look["batches"]] == [first]
    assert look["next_cursor"] is None

    await admin.post(f"/admin/batches/{second}/post")
    later = await listed(client, posted_since=look["as_of"])

    assert [b["batch_id"] for b in later["batches"]] == [second]
    assert later["batches"][0]["posted"] is True
    assert (await listed(client, posted_since=later["as_of"]))["batches"] == []


async def test_an_automatic_batch_that_came_due_is_listed_without_being_read(
    client: httpx.AsyncClient,
) -> None:
    look = await listed(client)
    batch = (await client.post("/v1/commitments", json=SUBCONTRACT)).json()["batch"]["batch_id"]
    assert (await listed(client, posted_since=look["as_of"]))["batches"] == []

    await asyncio.sleep(0.4)

    found = (await listed(client, posted_since=look["as_of"]))["batches"]
    assert [(b["batch_id"], b["posted"], b["auto_post"]) for b in found] == [(batch, True, True)]


async def test_pages_follow_the_cursor_until_the_last(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    batches = [await manual_batch(client) for _ in range(5)]
    for batch in batches:
        await admin.post(f"/admin/batches/{batch}/post")

    seen, cursor = [], None
    while True:
        page = await listed(client, limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [b["batch_id"] for b in page["batches"]]
        assert len(page["batches"]) <= 2
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == batches


async def test_each_company_lists_its_own_batches(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    s100 = {"X-Sage-Company": "S100"}
    ours = (await client.post("/v1/commitments", json=subcontract())).json()["batch"]["batch_id"]
    await admin.post(f"/admin/batches/{ours}/post")

    theirs = await client.get("/v1/batches", headers=s100)

    assert theirs.status_code == 200
    assert theirs.json()["batches"] == []
    assert [b["batch_id"] for b in (await listed(client))["batches"]] == [ours]


@pytest.mark.parametrize(
    "params",
    [{"posted_since": "yesterday"}, {"cursor": "abc"}, {"limit": 0}, {"limit": 5000}],
)
async def test_a_bad_query_is_refused(client: httpx.AsyncClient, params: dict) -> None:
    answer = await client.get("/v1/batches", params=params)

    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_request"


async def test_stats_count_the_posting_checks(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    batch = await manual_batch(client)
    await client.get(f"/v1/batches/{batch}")
    await client.get("/v1/batches")

    stats = (await admin.get("/admin/stats")).json()

    assert stats["batch_reads"] == 2
    assert stats["batch_reads_by_batch"] == {batch: 1}  # the list is the watch's, not a batch's
