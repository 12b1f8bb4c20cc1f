"""Commitments as the orchestrator sees them: created, refused, found, deleted."""

from typing import Any

import httpx
import pytest

from tests.sage_mock.conftest import SUBCONTRACT, subcontract

NOT_FOUND = {"code": "not_found", "message": "Entity with this ID not found."}
EXISTS = (
    "A commitment with code [SC-0042] already exists. This error may occur due to the "
    "following: the commitment was deleted and re-created, a failed previous attempt at "
    "exporting, or a different commitment with the same code exists.  Contact ERP Support "
    "to confirm steps to resolution."
)


def item(**changes: Any) -> dict[str, Any]:
    return {**SUBCONTRACT["items"][0], **changes}


async def test_a_call_without_the_key_is_refused(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer wrong"}):
        answer = await client.post("/v1/commitments", json=SUBCONTRACT, headers=headers)
        assert answer.status_code == 401
        assert answer.json() == {"code": "unauthorized", "message": "Invalid or missing API key."}
    refused = await admin.get("/admin/stats", headers={"Authorization": ""})
    assert refused.status_code == 401
    assert (await admin.get("/admin/records/commitments")).json() == []


async def test_a_valid_commitment_is_stored_in_a_new_unposted_batch(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post("/v1/commitments", json=SUBCONTRACT)

    assert answer.status_code == 201
    created = answer.json()
    assert created["commitment"] == {**SUBCONTRACT, "batch_id": "B-000001"}
    assert created["batch"] == {
        "batch_id": "B-000001",
        "kind": "commitment",
        "posted": False,
        "posted_at": None,
        "auto_post": True,
    }
    found = await client.get("/v1/commitments/1001/SC-0042")
    assert found.json() == created["commitment"]
    second = await client.post("/v1/commitments", json=subcontract(commitment_id="SC-0043"))
    assert second.json()["batch"]["batch_id"] == "B-000002"


@pytest.mark.parametrize(
    ("body", "status", "code", "message"),
    [
        (
            subcontract(commitment_id="SC-0042-TOOLONG"),
            422,
            "field_too_long",
            "[Commitment ID] is too long, maximum length is 12 characters.",
        ),
        (
            subcontract(description="A description of thirty-one chr"),
            422,
            "field_too_long",
            "[Description] is too long, maximum length is 30 characters.",
        ),
        (subcontract(job_id="4242"), 404, "not_found", "Entity with this ID not found."),
        (subcontract(vendor_id="V-404"), 404, "not_found", "Entity with this ID not found."),
        (subcontract(job_id="0999"), 422, "job_closed", "Job has been closed."),
        (
            subcontract(vendor_id="V-900"),
            422,
            "vendor_inactive",
            "Vendor is inactive/has been archived.",
        ),
        (
            subcontract(items=[item(cost_code="99-999")]),
            422,
            "category_not_found",
            "No entities could be found of type [Category] with given where clause.",
        ),
        (
            subcontract(items=[item(cost_code="05-120", category="L")]),
            422,
            "category_not_found",
            "No entities could be found of type [Category] with given where clause.",
        ),
        (subcontract(items=[]), 422, "no_items", "Can't be blank."),
    ],
    ids=[
        "id-too-long",
        "description-too-long",
        "unknown-job",
        "unknown-vendor",
        "closed-job",
        "inactive-vendor",
        "unknown-cost-code",
        "category-not-on-cost-code",
        "no-items",
    ],
)
async def test_each_rule_answers_with_sages_text(
    client: httpx.AsyncClient,
    body: dict[str, Any],
    status: int,
    code: str,
    message: str,
    admin: httpx.AsyncClient,
) -> None:
    answer = await client.post("/v1/commitments", json=body)

    assert answer.status_code == status
    assert answer.json() == {"code": code, "message": message}
    assert (await admin.get("/admin/stats")).json()["records"]["commitments"] == 0


async def test_a_description_of_exactly_thirty_and_an_id_of_twelve_are_fine(
    client: httpx.AsyncClient,
) -> None:
    body = subcontract(commitment_id="SC-123456789", description="x" * 30)
    assert (await client.post("/v1/commitments", json=body)).status_code == 201


async def test_rules_are_checked_in_sages_order(client: httpx.AsyncClient) -> None:
    everything_wrong = subcontract(
        commitment_id="X" * 13, description="y" * 31, job_id="0999", vendor_id="V-900", items=[]
    )
    answer = await client.post("/v1/commitments", json=everything_wrong)
    assert answer.json()["message"].startswith("[Commitment ID]")

    closed_and_inactive = subcontract(job_id="0999", vendor_id="V-900", items=[])
    answer = await client.post("/v1/commitments", json=closed_and_inactive)
    assert answer.json()["code"] == "job_closed"

    bad_category_and_duplicate = subcontract(items=[item(category="Z")])
    await client.post("/v1/commitments", json=SUBCONTRACT)
    answer = await client.post("/v1/commitments", json=bad_category_and_duplicate)
    assert answer.json()["code"] == "category_not_found"


async def test_a_job_closed_or_a_vendor_archived_by_hand_refuses_new_commitments(
    client: httpx.AsyncClient,
    admin: httpx.AsyncClient,
) -> None:
    closed = await admin.put("/admin/jobs/1001", json={"status": "closed"})
    assert closed.json()["status"] == "closed"
    assert (await client.post("/v1/commitments", json=SUBCONTRACT)).json()["code"] == "job_closed"

    await admin.put("/admin/jobs/1001", json={"status": "open"})
    await admin.put("/admin/vendors/V-100", json={"status": "inactive"})
    answer = await client.post("/v1/commitments", json=SUBCONTRACT)
    assert answer.json()["code"] == "vendor_inactive"
    assert (await admin.put("/admin/vendors/V-404", json={"status": "active"})).status_code == 404


async def test_a_duplicate_is_refused_with_the_stored_record(client: httpx.AsyncClient) -> None:
    first = (await client.post("/v1/commitments", json=SUBCONTRACT)).json()["commitment"]

    answer = await client.post("/v1/commitments", json=subcontract(description="Other text"))

    assert answer.status_code == 409
    assert answer.json() == {"code": "commitment_exists", "message": EXISTS, "existing": first}
    other_job = await client.post("/v1/commitments", json=subcontract(job_id="1002"))
    assert other_job.status_code == 201


async def test_a_deleted_commitment_frees_its_code(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    await client.post("/v1/commitments", json=SUBCONTRACT)

    deleted = await client.delete("/v1/commitments/1001/SC-0042")

    assert deleted.status_code == 200
    assert deleted.json() == {"deleted": True}
    assert (await client.get("/v1/commitments/1001/SC-0042")).json() == NOT_FOUND
    assert (await client.delete("/v1/commitments/1001/SC-0042")).status_code == 404
    assert (await admin.get("/admin/stats")).json()["records"]["commitments"] == 0

    again = await client.post("/v1/commitments", json=subcontract(description="Second try"))
    assert again.status_code == 201
    assert again.json()["commitment"]["description"] == "Second try"
    history = (await admin.get("/admin/records/commitments")).json()
    assert [(r["description"], r["deleted"]) for r in history] == [
        ("Concrete package", True),
        ("Second try", False),
    ]


async def test_unknown_records_are_not_found(client: httpx.AsyncClient) -> None:
    for path in ("/v1/commitments/1001/NOPE", "/v1/batches/B-999999", "/v1/jobs/7", "/v1/nope"):
        answer = await client.get(path)
        assert (answer.status_code, answer.json()) == (404, NOT_FOUND)


async def test_a_body_outside_the_contract_is_refused_in_the_same_error_shape(
    client: httpx.AsyncClient,
) -> None:
    missing = await client.post(
        "/v1/commitments", json={k: v for k, v in SUBCONTRACT.items() if k != "vendor_id"}
    )
    assert missing.status_code == 422
    assert missing.json() == {
        "code": "invalid_request",
        "message": "Can't be blank.",
        "field": "vendor_id",
    }
    wrong_type = await client.post("/v1/commitments", json=subcontract(commitment_type="loan"))
    assert wrong_type.json()["code"] == "invalid_request"
    not_json = await client.post("/v1/commitments", content=b"{nope")
    assert not_json.json()["code"] == "invalid_request"
