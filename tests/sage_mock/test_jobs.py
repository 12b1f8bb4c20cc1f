"""Jobs created from Procore projects: stored with address and cost codes, or refused in
Sage's own words (seeds/004 troubleshooting table, PROJECTS)."""

import copy
from typing import Any

import httpx
import pytest

NEW_JOB: dict[str, Any] = {
    "job_id": "1004",
    "name": "Lakeside Library",
    "address": "200 Shore Drive",
    "city": "Lakeside",
    "state": "CA",
    "zip": "92040",
    "cost_codes": [
        {"code": "01-100", "description": "General Conditions", "categories": ["L", "O"]},
        {"code": "03-300", "description": "Concrete", "categories": ["L", "M", "S"]},
    ],
}


def job(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(NEW_JOB), **changes}


async def test_a_new_job_is_stored_with_its_address_cost_codes_and_categories(
    client: httpx.AsyncClient,
    admin: httpx.AsyncClient,
) -> None:
    answer = await client.post("/v1/jobs", json=NEW_JOB)

    assert answer.status_code == 201
    created_job = {**NEW_JOB, "status": "open", "linked_project": None, "origin": "procore"}
    assert answer.json() == {"job": created_job}
    assert (await client.get("/v1/jobs/1004")).json() == created_job
    # master data: nothing lands in a batch
    assert (await admin.get("/admin/records/batches")).json() == []
    created = (await admin.get("/admin/records/jobs")).json()
    assert "1004" in [j["job_id"] for j in created]


async def test_a_job_is_usable_at_once_by_what_lands_on_it(client: httpx.AsyncClient) -> None:
    await client.post("/v1/jobs", json=NEW_JOB)
    estimate = {
        "job_id": "1004",
        "lines": [{"cost_code": "03-300", "category": "M", "original_estimate": 500.0}],
    }
    assert (await client.post("/v1/estimates", json=estimate)).status_code == 201


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"name": "Lakeside Library and Community Hall"},
            "[Name] is too long, maximum length is 30 characters.",
        ),
        (
            {"city": "Lakeside Heights"},
            "[AddressCity] is too long, maximum length is 15 characters.",
        ),
        ({"zip": "92040-12345"}, "[AddressZip] is too long, maximum length is 10 characters."),
    ],
    ids=["name-31", "city-16", "zip-11"],
)
async def test_sage_field_limits(client: httpx.AsyncClient, changes, message) -> None:
    answer = await client.post("/v1/jobs", json=job(**changes))
    assert answer.status_code == 422
    assert answer.json() == {"code": "field_too_long", "message": message}
    assert (await client.get("/v1/jobs/1004")).status_code == 404


async def test_limits_are_inclusive(client: httpx.AsyncClient) -> None:
    answer = await client.post("/v1/jobs", json=job(name="N" * 30, city="C" * 15, zip="Z" * 10))
    assert answer.status_code == 201


async def test_a_job_code_in_use_is_refused_with_the_job_it_names(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post("/v1/jobs", json=job(job_id="1001"))

    assert answer.status_code == 409
    body = answer.json()
    assert (body["code"], body["message"]) == ("job_exists", "A job with that code already exists.")
    assert body["existing"]["name"] == "Riverside Medical Center"
    assert body["existing"]["address"] == ""  # seeded jobs have no address on file
    again = await client.post("/v1/jobs", json=NEW_JOB)
    assert again.status_code == 201
    duplicate = await client.post("/v1/jobs", json=NEW_JOB)
    assert duplicate.status_code == 409
    assert duplicate.json()["existing"] == {
        **NEW_JOB,
        "status": "open",
        "linked_project": None,
        "origin": "procore",
    }


async def test_a_cost_code_listed_twice_is_refused(client: httpx.AsyncClient) -> None:
    codes = [{"code": "01-100", "categories": ["L"]}, {"code": "01-100", "categories": ["M"]}]
    answer = await client.post("/v1/jobs", json=job(cost_codes=codes))
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_request"
    assert "01-100" in answer.json()["message"]


async def test_a_job_without_a_name_cant_be_blank(client: httpx.AsyncClient) -> None:
    answer = await client.post("/v1/jobs", json=job(name=""))
    assert answer.status_code == 422
    assert answer.json()["message"] == "Can't be blank."
