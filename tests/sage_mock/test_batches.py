"""Posting: commitments post themselves after a delay; a person can post sooner."""

import asyncio

import httpx
import pytest

from sage_mock import MockConfig
from tests.sage_mock.conftest import SUBCONTRACT


@pytest.fixture
def config(config: MockConfig) -> MockConfig:
    return config.model_copy(update={"auto_post_seconds": 0.3})


async def test_a_commitment_batch_posts_itself_after_the_delay(
    client: httpx.AsyncClient,
) -> None:
    batch_id = (await client.post("/v1/commitments", json=SUBCONTRACT)).json()["batch"]["batch_id"]
    assert (await client.get(f"/v1/batches/{batch_id}")).json()["posted"] is False

    await asyncio.sleep(0.4)

    batch = (await client.get(f"/v1/batches/{batch_id}")).json()
    assert batch["posted"] is True
    assert batch["posted_at"] is not None
    assert (await client.get(f"/v1/batches/{batch_id}")).json() == batch


async def test_a_person_can_post_a_batch_by_hand(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    await admin.put("/admin/quota", json={"limit": 100, "window_seconds": 60})
    batch_id = (await client.post("/v1/commitments", json=SUBCONTRACT)).json()["batch"]["batch_id"]

    posted = await admin.post(f"/admin/batches/{batch_id}/post")

    assert posted.status_code == 200
    assert posted.json()["posted"] is True
    assert (await client.get(f"/v1/batches/{batch_id}")).json()["posted"] is True
    again = await admin.post(f"/admin/batches/{batch_id}/post")
    assert again.json() == posted.json()
    assert (await admin.post("/admin/batches/B-424242/post")).status_code == 404
