"""Original estimates (Procore: budgets): one per job, waiting for a person to post them;
the exported budget locks the job's budget."""

import copy
from typing import Any

import httpx
import pytest

ESTIMATE: dict[str, Any] = {
    "job_id": "1001",
    "lines": [
        {"cost_code": "01-100", "category": "L", "original_estimate": 185000.0},
        {"cost_code": "03-300", "category": "S", "original_estimate": 125000.0},
    ],
}
LOCKED = (
    "The budget of job [1001] has already been exported to Sage 300 CRE® and is locked. "
    "Use a budget modification to change it."
)


def estimate(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(ESTIMATE), **changes}


async def test_an_estimate_lands_in_a_batch_that_waits_for_a_person(
    client: httpx.AsyncClient,
    admin: httpx.AsyncClient,
) -> None:
    answer = await client.post("/v1/estimates", json=ESTIMATE)

    assert answer.status_code == 201
    created = answer.json()
    assert created["estimate"] == {**ESTIMATE, "estimate_id": "EST-000001", "batch_id": "B-000001"}
    assert created["batch"] == {
        "batch_id": "B-000001",
        "kind": "estimate",
        "posted": False,
        "posted_at": None,
        "auto_post": False,
    }
    assert (await client.get("/v1/estimates/EST-000001")).json() == created["estimate"]
    assert (await client.get("/v1/batches/B-000001")).json()["posted"] is False

    posted = await admin.post("/admin/batches/B-000001/post")
    assert posted.json()["posted"] is True
    assert (await client.get("/v1/batches/B-000001")).json()["posted"] is True
    assert (await admin.get("/admin/stats")).json()["records"]["estimates"] == 1


async def test_once_exported_the_budget_is_locked(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    first = (await client.post("/v1/estimates", json=ESTIMATE)).json()["estimate"]
    await admin.post(f"/admin/batches/{first['batch_id']}/post")

    again = await client.post("/v1/estimates", json=estimate(lines=ESTIMATE["lines"][:1]))

    assert again.status_code == 409
    assert again.json() == {"code": "budget_locked", "message": LOCKED, "existing": first}
    assert len((await admin.get("/admin/records/estimates")).json()) == 1
    other_job = await client.post(
        "/v1/estimates",
        json={
            "job_id": "1002",
            "lines": [{"cost_code": "15-400", "category": "L", "original_estimate": 1.0}],
        },
    )
    assert other_job.status_code == 201
    transfer = {
        "job_id": "1001",
        "date": "2027-01-15",
        "lines": [
            {"cost_code": "01-100", "category": "L", "transfer_amount": -500.0},
            {"cost_code": "03-300", "category": "S", "transfer_amount": 500.0},
        ],
    }
    assert (await client.post("/v1/estimate_transfers", json=transfer)).status_code == 201


@pytest.mark.parametrize(
    ("changes", "status", "code", "message"),
    [
        ({"job_id": "7777"}, 404, "not_found", "Entity with this ID not found."),
        ({"job_id": "0999"}, 422, "job_closed", "Job has been closed."),
        ({"lines": []}, 422, "cant_be_blank", "Can't be blank."),
        (
            {"lines": [{"cost_code": "05-120", "category": "L", "original_estimate": 1.0}]},
            422,
            "category_not_found",
            "No entities could be found of type [Category] with given where clause.",
        ),
    ],
    ids=["unknown-job", "closed-job", "no-lines", "category-not-on-code"],
)
async def test_sage_rules(
    client: httpx.AsyncClient, changes, status, code, message, admin: httpx.AsyncClient
) -> None:
    answer = await client.post("/v1/estimates", json=estimate(**changes))
    assert answer.status_code == status
    assert answer.json() == {"code": code, "message": message}
    assert (await admin.get("/admin/records/estimates")).json() == []
    assert (await admin.get("/admin/records/batches")).json() == []


async def test_a_refused_estimate_does_not_lock_the_budget(client: httpx.AsyncClient) -> None:
    bad = [{"cost_code": "99-999", "category": "L", "original_estimate": 1.0}]
    assert (await client.post("/v1/estimates", json=estimate(lines=bad))).status_code == 422
    assert (await client.post("/v1/estimates", json=ESTIMATE)).status_code == 201
