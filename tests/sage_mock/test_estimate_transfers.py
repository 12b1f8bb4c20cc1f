"""Estimate transfers (Procore: budget modifications): the job header, dated lines, and a
batch a person posts."""

import copy
from typing import Any

import httpx
import pytest

TRANSFER: dict[str, Any] = {
    "job_id": "1001",
    "job_name": "Riverside Medical Center",
    "job_address": "1200 River Road",
    "job_city": "Riverside",
    "job_state": "CA",
    "job_zip": "92501",
    "date": "2027-01-15",
    "lines": [
        {
            "cost_code": "01-100",
            "category": "L",
            "category_description": "Labor",
            "transfer_amount": -7500.0,
        },
        {
            "cost_code": "09-250",
            "category": "M",
            "category_description": "Material",
            "transfer_amount": 7500.0,
        },
    ],
}


def transfer(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(TRANSFER), **changes}


async def test_a_transfer_is_kept_as_sent_in_a_batch_that_waits_for_a_person(
    client: httpx.AsyncClient,
    admin: httpx.AsyncClient,
) -> None:
    answer = await client.post("/v1/estimate_transfers", json=TRANSFER)

    assert answer.status_code == 201
    created = answer.json()
    expected = {**TRANSFER, "transfer_id": "ET-000001", "batch_id": "B-000001"}
    assert created["estimate_transfer"] == expected
    assert created["batch"]["kind"] == "estimate_transfer"
    assert created["batch"]["auto_post"] is False
    assert (await client.get("/v1/estimate_transfers/ET-000001")).json() == expected
    assert (await client.get("/v1/estimate_transfers/ET-000002")).status_code == 404
    second = await client.post("/v1/estimate_transfers", json=TRANSFER)
    assert second.json()["estimate_transfer"]["transfer_id"] == "ET-000002"
    assert (await admin.get("/admin/stats")).json()["records"]["estimate_transfers"] == 2


@pytest.mark.parametrize(
    ("changes", "status", "code", "message"),
    [
        ({"job_id": "7777"}, 404, "not_found", "Entity with this ID not found."),
        ({"job_id": "0999"}, 422, "job_closed", "Job has been closed."),
        ({"lines": []}, 422, "cant_be_blank", "Can't be blank."),
        (
            {"lines": [{"cost_code": "09-250", "category": "E", "transfer_amount": 1.0}]},
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
    answer = await client.post("/v1/estimate_transfers", json=transfer(**changes))
    assert answer.status_code == status
    assert answer.json() == {"code": code, "message": message}
    assert (await admin.get("/admin/records/estimate_transfers")).json() == []


async def test_a_transfer_without_a_date_cant_be_blank(client: httpx.AsyncClient) -> None:
    body = transfer()
    del body["date"]
    answer = await client.post("/v1/estimate_transfers", json=body)
    assert answer.status_code == 422
    assert answer.json()["message"] == "Can't be blank."
