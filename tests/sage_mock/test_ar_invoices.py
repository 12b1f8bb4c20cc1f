"""Accounts Receivable invoices on a prime contract (owner invoices, issue 18): stored as sent,
written once per Idempotency-Key, one code per contract, never over the revised contract
amount, and the contract billing read an owner invoice's send makes."""

from typing import Any

import httpx
import pytest

NOT_FOUND = {"code": "not_found", "message": "Entity with this ID not found."}
CONTRACT_1001 = 7_860_000.0
"""1001-PC's five contract items (master data), no approved change yet."""


def invoice(**changes: Any) -> dict[str, Any]:
    body = {
        "job_id": "1001",
        "contract_id": "1001-PC",
        "invoice_id": "PA-001",
        "description": "",
        "invoice_date": "2026-11-30",
        "accounting_date": "2026-11-30",
        "period_end": "2026-11-30",
        "amount": 212_500.0,
        "retainage": 21_250.0,
        "lines": [
            {"contract_item": "001", "description": "GC", "amount": 62_500.0, "retainage": 6250.0},
            {
                "contract_item": "002",
                "description": "Concrete",
                "amount": 150_000.0,
                "retainage": 15_000.0,
            },
        ],
    }
    return {**body, **changes}


async def billing(client: httpx.AsyncClient) -> dict[str, Any]:
    answer = await client.get("/v1/contract_billing/1001/1001-PC")
    assert answer.status_code == 200
    return answer.json()


async def test_an_ar_invoice_is_stored_in_a_batch_a_person_posts(client, admin):
    answer = await client.post("/v1/ar_invoices", json=invoice())
    assert answer.status_code == 201
    created = answer.json()
    assert created["invoice"] == {
        **invoice(),
        "current_payment_due": 191_250.0,
        "batch_id": created["batch"]["batch_id"],
    }
    assert created["batch"]["kind"] == "ar_invoice" and created["batch"]["auto_post"] is False
    found = await client.get("/v1/ar_invoices/1001/1001-PC/PA-001")
    assert found.json() == created["invoice"]
    stats = (await admin.get("/admin/stats")).json()
    assert stats["records"]["ar_invoices"] == 1
    [row] = (await admin.get("/admin/records/ar_invoices")).json()
    assert (row["invoice_id"], row["deleted"]) == ("PA-001", False)


async def test_contract_billing_says_what_the_contract_has_left(client):
    before = await billing(client)
    assert before == {
        "job_id": "1001",
        "contract_id": "1001-PC",
        "status": "approved",
        "contract_amount": CONTRACT_1001,
        "billed_to_date": 0.0,
        "retainage_to_date": 0.0,
        "remaining": CONTRACT_1001,
    }
    await client.post("/v1/ar_invoices", json=invoice())
    after = await billing(client)
    assert (after["billed_to_date"], after["retainage_to_date"]) == (212_500.0, 21_250.0)
    assert after["remaining"] == CONTRACT_1001 - 212_500.0


async def test_a_retried_write_with_its_key_writes_once(client, admin):
    key = {"Idempotency-Key": "owner_invoice:P-1001:PA-001/g1/create_ar_invoice"}
    first = await client.post("/v1/ar_invoices", json=invoice(), headers=key)
    again = await client.post("/v1/ar_invoices", json=invoice(), headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert (await admin.get("/admin/stats")).json()["records"]["ar_invoices"] == 1
    assert (await billing(client))["billed_to_date"] == 212_500.0


async def test_an_invoice_code_is_unique_per_contract_and_the_answer_carries_sages(client):
    first = (await client.post("/v1/ar_invoices", json=invoice())).json()["invoice"]
    again = await client.post("/v1/ar_invoices", json=invoice())
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "ar_invoice_exists"
    assert body["message"] == (
        "There are errors in the document's codings. Errors: Document already exists for "
        "specified contract and code [PA-001]."
    )
    assert body["existing"] == first
    assert (await billing(client))["billed_to_date"] == 212_500.0  # counted once


async def test_an_invoice_over_the_revised_contract_amount_is_refused(client):
    over = invoice(amount=CONTRACT_1001 + 0.01, lines=[{"contract_item": "001", "amount": 1.0}])
    answer = await client.post("/v1/ar_invoices", json=over)
    assert answer.status_code == 422
    assert answer.json() == {
        "code": "over_contract",
        "message": "Ar Invoice Api import failed with error message: Contract 1001-PC - amount "
        "billed exceeds the revised contract amount.",
    }
    assert (await billing(client))["billed_to_date"] == 0.0


async def test_a_deleted_invoice_stops_counting_and_frees_its_code(client, admin):
    await client.post("/v1/ar_invoices", json=invoice())
    deleted = await client.delete("/v1/ar_invoices/1001/1001-PC/PA-001")
    assert deleted.status_code == 200
    assert (await billing(client))["billed_to_date"] == 0.0
    assert (await client.get("/v1/ar_invoices/1001/1001-PC/PA-001")).json() == NOT_FOUND
    assert (await client.delete("/v1/ar_invoices/1001/1001-PC/PA-001")).json() == NOT_FOUND
    assert (await client.post("/v1/ar_invoices", json=invoice())).status_code == 201
    rows = (await admin.get("/admin/records/ar_invoices")).json()
    assert [r["deleted"] for r in rows] == [True, False]


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"job_id": "9999"}, 404, "not_found"),
        ({"contract_id": "NOPE"}, 404, "not_found"),
        ({"lines": [{"contract_item": "999", "amount": 1.0}]}, 404, "not_found"),
        ({"lines": []}, 422, "no_contract_items"),
        ({"accounting_date": "2025-12-31"}, 422, "gl_period_closed"),
        ({"contract_id": "2001-ALT", "job_id": "2001"}, 404, "not_found"),
        ({"amount": "lots"}, 422, "invalid_request"),
        ({"surprise": 1}, 422, "invalid_request"),
    ],
)
async def test_sages_refusals_write_nothing(client, admin, changes, status, code):
    answer = await client.post("/v1/ar_invoices", json=invoice(**changes))
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert (await admin.get("/admin/stats")).json()["records"]["ar_invoices"] == 0


async def test_an_unapproved_contract_takes_no_invoice(client, admin):
    await admin.put("/admin/prime_contracts/1001/1001-PC/status", json={"status": "unapproved"})
    answer = await client.post("/v1/ar_invoices", json=invoice())
    assert answer.json()["code"] == "contract_unapproved", answer.json()


async def test_a_quickbill_job_bills_its_worksheet(client):
    body = invoice(
        job_id="2002",
        contract_id="2002",
        amount=100_000.0,
        retainage=0.0,
        lines=[{"contract_item": "JOB", "amount": 100_000.0}],
    )
    assert (await client.post("/v1/ar_invoices", json=body)).status_code == 201
    standing = (await client.get("/v1/contract_billing/2002/2002")).json()
    assert (standing["contract_amount"], standing["remaining"]) == (2_150_000.0, 2_050_000.0)


async def test_an_unknown_contract_has_no_billing(client):
    answer = await client.get("/v1/contract_billing/1001/NOPE")
    assert (answer.status_code, answer.json()) == (404, NOT_FOUND)
