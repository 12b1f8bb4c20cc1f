"""Original estimates (Procore: budgets), waiting for a person to post them; Sage 300 CRE®:
one per job, the exported budget locks it; Sage 100 Contractor®: a budget sent again replaces it."""

import copy
import sqlite3
from typing import Any

import httpx
import pytest

from sage_mock.store import Store

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


# --- Sage 100 Contractor®: seeds/002 "Update and Export a Budget" ("If you need to update a
# budget in Procore after exporting it to Sage 100 Contractor®": add a partial budget line
# item, delete a budget line item or edit the budget, then send it again) ---

S100 = {"X-Sage-Company": "S100"}
S100_ESTIMATE: dict[str, Any] = {
    "job_id": "3001",
    "lines": [
        {"cost_code": "03-000", "category": "1", "original_estimate": 145000.0},
        {"cost_code": "15-000", "category": "4", "original_estimate": 118000.0},
    ],
}


async def job_cost_estimates(client: httpx.AsyncClient) -> dict[tuple[str, str], float]:
    summary = (await client.get("/v1/jobs/3001/job_costs", headers=S100)).json()
    return {
        (line["cost_code"], line["category"]): line["original_estimate"]
        for line in summary["lines"]
        if line["original_estimate"]
    }


async def test_a_sage100_budget_sent_again_replaces_the_jobs_estimate(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    first = (await client.post("/v1/estimates", json=S100_ESTIMATE, headers=S100)).json()
    await admin.post(f"/admin/batches/{first['batch']['batch_id']}/post", headers=S100)
    first_budget = {("03-000", "1"): 145000.0, ("15-000", "4"): 118000.0}
    assert await job_cost_estimates(client) == first_budget

    edited = [  # one line edited, one deleted, one added
        {"cost_code": "03-000", "category": "1", "original_estimate": 150000.0},
        {"cost_code": "16-000", "category": "2", "original_estimate": 40000.0},
    ]
    again = await client.post(
        "/v1/estimates", json={"job_id": "3001", "lines": edited}, headers=S100
    )

    assert again.status_code == 201, again.json()
    second = again.json()
    assert second["estimate"]["replaces"] == first["estimate"]["estimate_id"]
    assert second["estimate"]["lines"] == edited
    # until a person posts it, Job Costs show the budget Sage has posted
    assert (await job_cost_estimates(client))[("03-000", "1")] == 145000.0
    await admin.post(f"/admin/batches/{second['batch']['batch_id']}/post", headers=S100)
    assert await job_cost_estimates(client) == {("03-000", "1"): 150000.0, ("16-000", "2"): 40000.0}
    kept = (await admin.get("/admin/records/estimates")).json()
    assert [e["replaced_by"] for e in kept] == [second["estimate"]["estimate_id"], None]


async def test_a_sage300_budget_stays_locked_whatever_a_sage100_job_takes(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.post("/v1/estimates", json=S100_ESTIMATE, headers=S100)).status_code == 201
    assert (await client.post("/v1/estimates", json=S100_ESTIMATE, headers=S100)).status_code == 201
    assert (await client.post("/v1/estimates", json=ESTIMATE)).status_code == 201
    again = await client.post("/v1/estimates", json=ESTIMATE)
    assert again.json()["code"] == "budget_locked"


def test_a_database_with_one_estimate_per_job_opens_and_takes_a_second(tmp_path) -> None:
    """A mock database made before Sage 100 re-exports (job_id UNIQUE) is upgraded in place."""
    path = tmp_path / "sage.sqlite"
    Store(path).close()
    old = sqlite3.connect(path)
    old.executescript(
        "DROP TABLE estimates;"
        "CREATE TABLE estimates (seq INTEGER PRIMARY KEY, estimate_id TEXT NOT NULL UNIQUE,"
        " job_id TEXT NOT NULL UNIQUE REFERENCES jobs (job_id), lines TEXT NOT NULL,"
        " batch_id TEXT NOT NULL, created_at REAL NOT NULL);"
        "INSERT INTO batches (seq, batch_id, kind, auto_post, created_at)"
        " VALUES (1, 'B-000001', 'estimate', 0, 0);"
        "INSERT INTO estimates VALUES (1, 'EST-000001', '3001', '[]', 'B-000001', 0);"
    )
    old.commit()
    old.close()
    store = Store(path)
    with store.write() as db:
        db.execute(
            "INSERT INTO estimates (seq, estimate_id, job_id, lines, batch_id, created_at)"
            " VALUES (2, 'EST-000002', '3001', '[]', 'B-000001', 0)"
        )
        assert [r["estimate_id"] for r in db.execute("SELECT * FROM estimates")] == [
            "EST-000001",
            "EST-000002",
        ]
    store.close()
    Store(path).close()  # and again: the upgrade is done once


async def test_a_jobs_estimate_is_read_for_a_budget_import(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    """`GET /v1/jobs/{job}/estimate`: none yet, then the newest, posted as its batch is."""
    assert (await client.get("/v1/jobs/1001/estimate")).json() == {
        "job_id": "1001",
        "estimate": None,
    }
    created = (await client.post("/v1/estimates", json=ESTIMATE)).json()
    waiting = (await client.get("/v1/jobs/1001/estimate")).json()["estimate"]
    assert waiting == {**created["estimate"], "posted": False}
    await admin.post(f"/admin/batches/{created['batch']['batch_id']}/post")
    assert (await client.get("/v1/jobs/1001/estimate")).json()["estimate"]["posted"] is True
    assert (await client.get("/v1/jobs/9999/estimate")).status_code == 404
    assert (await client.get("/v1/jobs/..%2F1001/estimate")).status_code == 404
