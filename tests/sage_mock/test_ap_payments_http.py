"""Payments of AP invoices through the app: a person pays a posted invoice in Sage
(`POST /admin/ap_invoices/{vendor}/{invoice}/payments`), and the job's payments are read
(`GET /v1/jobs/{job_id}/ap_payments`) for the matrix's "Sync Paid Invoice Notifications from ERP
into Procore". Careless payments are refused and the next valid one is taken."""

from typing import Any

import pytest

from tests.sage_mock.conftest import subcontract
from tests.sage_mock.test_ap_invoices import distribution
from tests.sage_mock.test_ap_invoices import invoice as ap_invoice
from tests.sage_mock.test_job_costs_http import created, post_batch

PAY = "/admin/ap_invoices/V-100/INV-001/payments"


async def invoice(client, admin, post: bool = True) -> dict[str, Any]:
    await created(client, "/v1/commitments", subcontract(job_id="1003"))
    made = await created(
        client,
        "/v1/ap_invoices",
        ap_invoice(retainage=0.0, distributions=[distribution(job_id="1003", retainage=0.0)]),
    )
    if post:
        await post_batch(admin, made)
    return made


def check(number: str = "10234", amount: float = 3000.0) -> dict[str, Any]:
    return {"check_number": number, "date": "2026-12-05", "amount": amount}


async def test_a_paid_invoice_is_listed_with_its_job(client, admin):
    await invoice(client, admin)
    paid = await admin.post(PAY, json=check())
    assert paid.status_code == 201, paid.text
    assert (await admin.post(PAY, json=check("10240", 2000.0))).status_code == 201

    answer = await client.get("/v1/jobs/1003/ap_payments")

    assert answer.status_code == 200
    payments = answer.json()["payments"]
    assert [(p["payment_id"], p["check_number"], p["amount"]) for p in payments] == [
        ("PAY-000001", "10234", 3000.0),
        ("PAY-000002", "10240", 2000.0),
    ]
    assert {(p["vendor_id"], p["invoice_id"], p["invoice_amount"]) for p in payments} == {
        ("V-100", "INV-001", 5000.0)
    }
    assert (await client.get("/v1/jobs/1001/ap_payments")).json()["payments"] == []
    assert (await client.get("/v1/jobs/9999/ap_payments")).status_code == 404


async def test_an_unposted_invoice_is_not_paid(client, admin):
    await invoice(client, admin, post=False)
    refused = await admin.post(PAY, json=check())
    assert (refused.status_code, refused.json()["code"]) == (422, "invoice_not_posted")


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/admin/ap_invoices/V-100/NOPE/payments", check(), 404, "not_found"),
        (PAY, check(amount=5000.01), 422, "invoice_overpaid"),
        (PAY, check(amount=0), 422, "invalid_request"),
        (PAY, check(amount=-5), 422, "invalid_request"),
        (PAY, {**check(), "amount": "NaN"}, 422, "invalid_request"),
        (PAY, check(number=""), 422, "invalid_request"),
        (PAY, check(number="1\n2"), 422, "invalid_request"),
        (PAY, check(number="9" * 21), 422, "invalid_request"),
        (PAY, {**check(), "date": "2026-02-30"}, 422, "invalid_request"),
        (PAY, {**check(), "memo": "x"}, 422, "invalid_request"),
    ],
)
async def test_a_careless_payment_is_refused_and_the_next_valid_one_is_taken(
    client, admin, path, body, status, code
):
    await invoice(client, admin)
    refused = await admin.post(path, json=body)
    assert (refused.status_code, refused.json()["code"]) == (status, code)
    assert (await admin.post(PAY, json=check(amount=5000.0))).status_code == 201
    again = await admin.post(PAY, json=check(amount=0.01))
    assert again.json()["code"] == "invoice_overpaid"
