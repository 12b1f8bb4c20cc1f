"""`GET /admin/stats` counts answers replayed for a repeated `Idempotency-Key`."""

import httpx

from tests.sage_mock.conftest import SUBCONTRACT


async def test_a_repeated_key_is_counted_as_replayed(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    key = {"Idempotency-Key": "commitment:P-1001:SC-0042/g1/create_commitment"}
    first = await client.post("/v1/commitments", json=SUBCONTRACT, headers=key)
    again = await client.post("/v1/commitments", json=SUBCONTRACT, headers=key)

    stats = (await admin.get("/admin/stats")).json()

    assert (first.status_code, again.status_code) == (201, 201)
    assert stats["replayed"] == 1
    assert stats["records"] == {**dict.fromkeys(stats["records"], 0), "commitments": 1}
