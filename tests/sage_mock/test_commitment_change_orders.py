"""Commitment change orders and the commitment items their new lines add, as Sage keeps them."""

from typing import Any

import httpx
import pytest

from tests.sage_mock.conftest import SUBCONTRACT, subcontract

NOT_FOUND = {"code": "not_found", "message": "Entity with this ID not found."}
EXISTS = "A commitment change order already exists with the specified id."


def change_order(**changes: Any) -> dict[str, Any]:
    """A valid CCO on SC-0042's item 1 (once SC-0042 is in Sage), with some fields changed."""
    body = {
        "job_id": "1001",
        "commitment_id": "SC-0042",
        "change_order_id": "SC-0042-01",
        "description": "Added footings",
        "date": "2026-11-21",
        "status": "approved",
        "items": [{"item_id": "1", "units": None, "amount": 2500.0}],
    }
    return {**body, **changes}


NEW_ITEM = {
    "description": "Dewatering",
    "cost_code": "03-300",
    "category": "L",
    "units": None,
    "unit_cost": None,
    "unit_description": None,
    "amount": 0.0,
}


@pytest.fixture
async def sage(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A mock Sage holding commitment SC-0042 (one item) on job 1001."""
    assert (await client.post("/v1/commitments", json=SUBCONTRACT)).status_code == 201
    return client


async def test_a_cco_on_an_exported_commitment_lands_in_an_auto_posting_batch(sage, admin):
    answer = await sage.post("/v1/commitment_change_orders", json=change_order())

    assert answer.status_code == 201
    created = answer.json()
    assert created["change_order"] == {**change_order(), "batch_id": "B-000002"}
    assert created["batch"]["kind"] == "commitment_change_order"
    assert created["batch"]["auto_post"] is True
    found = await sage.get("/v1/commitment_change_orders/SC-0042-01")
    assert found.json() == created["change_order"]
    stats = (await admin.get("/admin/stats")).json()
    assert stats["records"]["commitment_change_orders"] == 1


async def test_a_cco_whose_commitment_is_not_in_sage_is_refused(client):
    answer = await client.post("/v1/commitment_change_orders", json=change_order())
    assert answer.status_code == 404
    assert answer.json() == NOT_FOUND


async def test_a_deleted_commitment_takes_no_more_change_orders(sage):
    await sage.delete("/v1/commitments/1001/SC-0042")
    answer = await sage.post("/v1/commitment_change_orders", json=change_order())
    assert answer.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("changes", "status", "code", "message"),
    [
        ({"job_id": "4242"}, 404, "not_found", "Entity with this ID not found."),
        ({"items": []}, 422, "cant_be_blank", "Can't be blank."),
        (
            {"items": [{"item_id": "1", "amount": 1.0}, {"item_id": "1", "amount": 2.0}]},
            422,
            "line_modified_twice",
            "A contract line item cannot be modified more than once on any CCO.",
        ),
        (
            {"items": [{"item_id": "7", "amount": 1.0}]},
            422,
            "commitment_archived",
            "Commitment has been archived.",
        ),
    ],
    ids=["unknown-job", "no-items", "line-twice", "item-not-on-commitment"],
)
async def test_sage_refuses_with_its_own_words(sage, changes, status, code, message, admin):
    answer = await sage.post("/v1/commitment_change_orders", json=change_order(**changes))
    assert answer.status_code == status
    assert answer.json() == {"code": code, "message": message}
    assert (await admin.get("/admin/records/commitment_change_orders")).json() == []


async def test_a_cco_title_of_any_length_is_taken_whole(sage):
    """seeds/004 limits a commitment's title ("Title. The title must be 30 characters or
    less.") and names no limit for a CCO's: Sage takes a long CCO title as it is."""
    title = "Added footings at grid C and D after the soils report of week 12"
    answer = await sage.post("/v1/commitment_change_orders", json=change_order(description=title))
    assert answer.status_code == 201, answer.json()
    assert answer.json()["change_order"]["description"] == title


async def test_a_closed_job_and_an_inactive_vendor_refuse_the_cco(sage, admin):
    await admin.put("/admin/vendors/V-100", json={"status": "inactive"})
    inactive = await sage.post("/v1/commitment_change_orders", json=change_order())
    assert inactive.json() == {
        "code": "vendor_inactive",
        "message": "Vendor is inactive/has been archived.",
    }
    await admin.put("/admin/jobs/1001", json={"status": "closed"})
    closed = await sage.post("/v1/commitment_change_orders", json=change_order())
    assert closed.json() == {"code": "job_closed", "message": "Job has been closed."}


async def test_cco_ids_are_globally_unique_and_the_duplicate_shows_the_existing_record(sage):
    first = (await sage.post("/v1/commitment_change_orders", json=change_order())).json()
    await sage.post("/v1/commitments", json=subcontract(commitment_id="SC-0043"))
    again = await sage.post(
        "/v1/commitment_change_orders", json=change_order(commitment_id="SC-0043")
    )
    assert again.status_code == 409
    assert again.json() == {
        "code": "commitment_change_order_exists",
        "message": EXISTS,
        "existing": first["change_order"],
    }


async def test_a_deleted_cco_frees_its_id(sage, admin):
    await sage.post("/v1/commitment_change_orders", json=change_order())
    deleted = await sage.delete("/v1/commitment_change_orders/SC-0042-01")
    assert deleted.json() == {"deleted": True}
    assert (await sage.get("/v1/commitment_change_orders/SC-0042-01")).json() == NOT_FOUND
    assert (await sage.delete("/v1/commitment_change_orders/SC-0042-01")).status_code == 404
    again = await sage.post("/v1/commitment_change_orders", json=change_order())
    assert again.status_code == 201
    listed = (await admin.get("/admin/records/commitment_change_orders")).json()
    assert [row["deleted"] for row in listed] == [True, False]


async def test_a_new_line_is_added_as_the_next_commitment_item_then_changed(sage):
    added = await sage.post("/v1/commitments/1001/SC-0042/items", json=NEW_ITEM)

    assert added.status_code == 201
    item = added.json()["commitment_item"]
    assert item == {"job_id": "1001", "commitment_id": "SC-0042", "item_id": "2", **NEW_ITEM}
    commitment = (await sage.get("/v1/commitments/1001/SC-0042")).json()
    assert [i["item_id"] for i in commitment["items"]] == ["1", "2"]
    cco = change_order(items=[{"item_id": "2", "units": None, "amount": 3000.0}])
    assert (await sage.post("/v1/commitment_change_orders", json=cco)).status_code == 201


async def test_a_new_commitment_item_needs_the_commitment_and_a_category_on_the_job(sage):
    missing = await sage.post("/v1/commitments/1001/SC-9999/items", json=NEW_ITEM)
    assert missing.json() == NOT_FOUND
    wrong = await sage.post(
        "/v1/commitments/1001/SC-0042/items", json={**NEW_ITEM, "category": "Q"}
    )
    assert wrong.json() == {
        "code": "category_not_found",
        "message": "No entities could be found of type [Category] with given where clause.",
    }


async def test_deleting_the_added_item_takes_it_off_the_commitment(sage):
    await sage.post("/v1/commitments/1001/SC-0042/items", json=NEW_ITEM)
    deleted = await sage.delete("/v1/commitments/1001/SC-0042/items/2")
    assert deleted.json() == {"deleted": True}
    commitment = (await sage.get("/v1/commitments/1001/SC-0042")).json()
    assert [i["item_id"] for i in commitment["items"]] == ["1"]
    assert (await sage.delete("/v1/commitments/1001/SC-0042/items/2")).json() == NOT_FOUND


async def test_a_replayed_item_creation_adds_one_item_only(sage):
    headers = {"Idempotency-Key": "cco/g1/create_commitment_item_1"}
    first = await sage.post("/v1/commitments/1001/SC-0042/items", json=NEW_ITEM, headers=headers)
    again = await sage.post("/v1/commitments/1001/SC-0042/items", json=NEW_ITEM, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    commitment = (await sage.get("/v1/commitments/1001/SC-0042")).json()
    assert len(commitment["items"]) == 2
