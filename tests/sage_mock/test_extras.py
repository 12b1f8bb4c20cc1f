"""Extras (Procore: sub jobs): created on an open job with codes the job already has."""

import copy
from typing import Any

import httpx
import pytest

EXTRA: dict[str, Any] = {
    "job_id": "1001",
    "extra_id": "SJ-01",
    "description": "East Wing",
    "cost_codes": [
        {"code": "03-300", "description": "Concrete", "categories": ["L", "M"]},
        {"code": "09-250", "description": "Drywall", "categories": ["S"]},
    ],
}


def extra(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(EXTRA), **changes}


async def test_an_extra_is_stored_on_its_job(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    answer = await client.post("/v1/extras", json=EXTRA)

    assert answer.status_code == 201
    assert answer.json() == {"extra": EXTRA}
    assert (await client.get("/v1/extras/1001/SJ-01")).json() == EXTRA
    assert (await client.get("/v1/extras/1002/SJ-01")).status_code == 404
    listed = (await admin.get("/admin/records/extras")).json()
    assert [(e["job_id"], e["extra_id"]) for e in listed] == [("1001", "SJ-01")]
    assert (await admin.get("/admin/records/batches")).json() == []


@pytest.mark.parametrize(
    ("changes", "status", "code", "message"),
    [
        ({"job_id": "7777"}, 404, "not_found", "Entity with this ID not found."),
        ({"job_id": "0999"}, 422, "job_closed", "Job has been closed."),
        (
            {"cost_codes": [{"code": "05-120", "categories": ["L"]}]},
            422,
            "category_not_found",
            "No entities could be found of type [Category] with given where clause.",
        ),
        (
            {"cost_codes": [{"code": "99-999", "categories": ["L"]}]},
            422,
            "category_not_found",
            "No entities could be found of type [Category] with given where clause.",
        ),
    ],
    ids=["unknown-job", "closed-job", "category-not-on-code", "code-not-on-job"],
)
async def test_sage_rules(
    client: httpx.AsyncClient, changes, status, code, message, admin: httpx.AsyncClient
) -> None:
    answer = await client.post("/v1/extras", json=extra(**changes))
    assert answer.status_code == status
    assert answer.json() == {"code": code, "message": message}
    assert (await admin.get("/admin/records/extras")).json() == []


async def test_an_extra_code_in_use_on_the_job_is_refused_with_the_extra(
    client: httpx.AsyncClient,
) -> None:
    await client.post("/v1/extras", json=EXTRA)
    answer = await client.post("/v1/extras", json=extra(description="West Wing"))

    assert answer.status_code == 409
    assert answer.json() == {
        "code": "extra_exists",
        "message": "An extra with that code already exists on this job.",
        "existing": EXTRA,
    }
    other_job = await client.post("/v1/extras", json=extra(job_id="1002", cost_codes=[]))
    assert other_job.status_code == 201
