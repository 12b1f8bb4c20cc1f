"""The seed's answers no rule of the mock reaches (issue 20): `PUT /admin/faults` `refusals`
makes Sage answer them, in the seed's words, to the calls named, then behave again."""

import httpx
import pytest

from domain.errors import CATALOGUE
from sage_mock.errors import SCRIPTED_ANSWERS
from tests.sage_mock.conftest import SUBCONTRACT

SEED_TABLE = {
    "change_order_number_exists",
    "change_order_commitment_exists",
    "code_change_not_allowed",
    "commitment_id_exists",
    "invalid_expense_account",
    "job_sync_failed",
    "job_id_exists",
    "category_not_found",
    "commitment_archived",
    "line_modified_twice",
}


@pytest.mark.parametrize("code", sorted(SCRIPTED_ANSWERS))
async def test_a_scripted_answer_is_the_catalogues_and_nothing_is_written(
    code: str, client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    refusal = {"code": code, "method": "POST", "path": "/v1/commitments", "times": 1}
    settings = await admin.put("/admin/faults", json={"refusals": [refusal]})
    assert settings.status_code == 200

    refused = await client.post("/v1/commitments", json=SUBCONTRACT)

    assert refused.status_code == SCRIPTED_ANSWERS[code][0]
    assert refused.json() == {"code": code, "message": SCRIPTED_ANSWERS[code][1]}
    assert code in CATALOGUE
    if code in SEED_TABLE:  # word for word
        assert refused.json()["message"] == CATALOGUE[code].message
    assert "X-Rate-Limit-Remaining" in refused.headers
    assert (await admin.get("/admin/records/commitments")).json() == []
    assert (await admin.get("/admin/faults")).json()["refusals"] == []
    assert (await client.post("/v1/commitments", json=SUBCONTRACT)).status_code == 201


async def test_a_refusal_answers_only_its_method_and_path_and_counts_down(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    refusal = {"code": "job_sync_failed", "method": "GET", "path": "/v1/jobs", "times": 2}
    await admin.put("/admin/faults", json={"refusals": [refusal]})

    assert (await client.get("/v1/vendors")).status_code == 200
    assert (await client.get("/v1/jobs")).json()["code"] == "job_sync_failed"
    left = (await admin.get("/admin/faults")).json()["refusals"]
    assert left == [{**refusal, "times": 1}]
    assert (await client.get("/v1/jobs/1001")).json()["code"] == "job_sync_failed"
    assert (await client.get("/v1/jobs")).status_code == 200


@pytest.mark.parametrize(
    "refusal",
    [
        {"code": "not_a_seed_code", "path": "/v1/jobs"},
        {"code": "job_id_exists", "path": "/admin/faults"},
        {"code": "job_id_exists", "path": "/v1/jobs", "times": 0},
        {"code": "job_id_exists", "path": "/v1/jobs", "method": "PATCH"},
        {"code": "job_id_exists", "path": "/v1/jobs", "extra": 1},
        {"code": "job_id_exists", "path": "/v1/" + "x" * 300},
    ],
)
async def test_a_hostile_refusal_is_refused_and_the_faults_stay(
    refusal: dict, client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    before = (await admin.get("/admin/faults")).json()
    answer = await admin.put("/admin/faults", json={"refusals": [refusal]})
    assert answer.status_code == 422
    assert (await admin.get("/admin/faults")).json() == before
    assert (await client.get("/v1/jobs")).status_code == 200
