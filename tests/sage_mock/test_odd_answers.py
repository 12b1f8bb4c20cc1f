"""`PUT /admin/faults` `odd_answers` (issue 20, invalid_path): Sage does the call as usual and
answers it with one field holding an ID no Sage code looks like; `unsafe_paths` in
`GET /admin/stats` counts the calls whose path walks up or holds an encoded '/'."""

import httpx

from tests.sage_mock.conftest import SUBCONTRACT, subcontract

ODD = "1001/../jobs"


async def test_an_odd_answer_changes_one_field_once_and_the_record_is_written(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    odd = {"path": "/v1/commitments", "field": "commitment.batch_id", "value": ODD}
    settings = await admin.put("/admin/faults", json={"odd_answers": [odd]})
    assert settings.status_code == 200

    created = await client.post("/v1/commitments", json=SUBCONTRACT)

    assert created.status_code == 201
    assert created.json()["commitment"]["batch_id"] == ODD
    assert created.json()["commitment"]["commitment_id"] == "SC-0042"
    assert "X-Rate-Limit-Remaining" in created.headers
    [record] = (await admin.get("/admin/records/commitments")).json()
    assert record["batch_id"] != ODD  # Sage holds its own batch; only the answer is odd
    assert (await admin.get("/admin/faults")).json()["odd_answers"] == []
    again = await client.post("/v1/commitments", json=subcontract(commitment_id="SC-0043"))
    assert again.json()["commitment"]["batch_id"] != ODD


async def test_a_refused_call_is_answered_as_it_is(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    odd = {"path": "/v1/commitments", "field": "commitment.batch_id", "value": ODD}
    await admin.put("/admin/faults", json={"odd_answers": [odd]})
    refused = await client.post("/v1/commitments", json=subcontract(job_id="4242"))
    assert refused.status_code >= 400 and ODD not in refused.text


async def test_a_careless_odd_answer_is_refused(admin: httpx.AsyncClient) -> None:
    for odd in (
        {"path": "/admin/faults", "field": "x", "value": "1"},
        {"path": "/v1/commitments", "field": "../x", "value": "1"},
        {"path": "/v1/commitments", "field": "x", "value": "1" * 201},
        {"path": "/v1/commitments", "field": "x", "value": "1", "times": 0},
    ):
        assert (await admin.put("/admin/faults", json={"odd_answers": [odd]})).status_code == 422
    assert (await admin.get("/admin/faults")).json()["odd_answers"] == []


async def test_a_path_that_walks_up_or_hides_a_slash_is_counted(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    await client.get("/v1/batches/B-000001")
    assert (await admin.get("/admin/stats")).json()["unsafe_paths"] == 0
    await client.get("/v1/batches/1001%2F..%2Fjobs")
    await client.get("/v1/batches/%2e%2e/jobs")
    assert (await admin.get("/admin/stats")).json()["unsafe_paths"] == 2
