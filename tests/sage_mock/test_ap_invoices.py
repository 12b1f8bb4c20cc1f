"""Accounts Payable invoices: the header and distributions as Sage stores them, and Sage's
own refusals (duplicate code per vendor, closed GL period, over tolerance, no distributions)."""

from typing import Any

import httpx
import pytest

from tests.sage_mock.conftest import SUBCONTRACT

NOT_FOUND = {"code": "not_found", "message": "Entity with this ID not found."}
CLOSED = (
    "Ap Invoice Api import failed with error message: GL period closed.  Entry not allowed. "
    "(12\\31\\2025)."
)
OVER = (
    "Ap Invoice Api import failed with error message: Commitment SC-0042 - amount invoiced "
    "exceeds approved amount plus tolerance."
)


def distribution(**changes: Any) -> dict[str, Any]:
    body = {
        "commitment_id": "SC-0042",
        "commitment_item": "1",
        "job_id": "1001",
        "extra_id": None,
        "cost_code": "03-300",
        "category": "S",
        "description": "Footings",
        "amount": 5000.0,
        "retainage": 500.0,
    }
    return {**body, **changes}


def invoice(**changes: Any) -> dict[str, Any]:
    body = {
        "vendor_id": "V-100",
        "invoice_id": "INV-001",
        "description": "",
        "invoice_date": "2026-11-30",
        "accounting_date": "2026-11-30",
        "original_amount": 5000.0,
        "retainage": 500.0,
        "distributions": [distribution()],
    }
    return {**body, **changes}


@pytest.fixture
async def sage(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A mock Sage holding SC-0042 (12,500.00 on item 1) for vendor V-100."""
    assert (await client.post("/v1/commitments", json=SUBCONTRACT)).status_code == 201
    return client


async def test_an_invoice_keeps_original_amount_and_retainage_apart(sage):
    answer = await sage.post("/v1/ap_invoices", json=invoice())
    assert answer.status_code == 201
    created = answer.json()
    assert created["invoice"] == {
        **invoice(),
        "current_payment_due": 4500.0,
        "batch_id": "B-000002",
    }
    assert created["batch"]["kind"] == "ap_invoice"
    assert created["batch"]["auto_post"] is False
    found = await sage.get("/v1/ap_invoices/V-100/INV-001")
    assert found.json() == created["invoice"]


async def test_an_invoice_code_is_unique_per_vendor(sage):
    first = (await sage.post("/v1/ap_invoices", json=invoice())).json()["invoice"]
    again = await sage.post("/v1/ap_invoices", json=invoice())
    assert again.status_code == 409
    assert again.json() == {
        "code": "invoice_exists",
        "message": "There are errors in the document's codings. Errors: Document already "
        "exists for specified vendor and code [INV-001].",
        "existing": first,
    }


async def test_a_deleted_invoice_frees_its_code(sage):
    await sage.post("/v1/ap_invoices", json=invoice())
    assert (await sage.delete("/v1/ap_invoices/V-100/INV-001")).json() == {"deleted": True}
    assert (await sage.get("/v1/ap_invoices/V-100/INV-001")).json() == NOT_FOUND
    assert (await sage.post("/v1/ap_invoices", json=invoice())).status_code == 201


async def test_a_closed_gl_period_refuses_the_invoice_with_its_date(sage, admin):
    answer = await sage.post("/v1/ap_invoices", json=invoice(accounting_date="2025-12-31"))
    assert answer.status_code == 422
    assert answer.json() == {"code": "gl_period_closed", "message": CLOSED}

    await admin.put("/admin/gl_periods/2026-11", json={"status": "closed"})
    november = await sage.post("/v1/ap_invoices", json=invoice())
    assert november.json()["code"] == "gl_period_closed"
    await admin.put("/admin/gl_periods/2026-11", json={"status": "open"})
    assert (await sage.post("/v1/ap_invoices", json=invoice())).status_code == 201


async def test_a_period_not_set_up_in_sage_takes_no_entries(sage):
    answer = await sage.post("/v1/ap_invoices", json=invoice(accounting_date="2031-01-15"))
    assert answer.json()["code"] == "gl_period_closed"


async def test_billing_past_the_approved_amount_is_refused_unless_within_tolerance(sage, admin):
    # SC-0042 is approved for 12,500.00; 10,000.00 are billed first.
    big = distribution(amount=10000.0, retainage=0.0)
    ok = invoice(original_amount=10000.0, retainage=0.0, distributions=[big])
    assert (await sage.post("/v1/ap_invoices", json=ok)).status_code == 201
    more = distribution(amount=3000.0, retainage=0.0)
    second = invoice(invoice_id="INV-002", original_amount=3000.0, distributions=[more])
    over = await sage.post("/v1/ap_invoices", json=second)
    assert over.status_code == 422
    assert over.json() == {"code": "over_tolerance", "message": OVER}

    await admin.put("/admin/ap_settings", json={"tolerance_percent": 5})
    assert (await admin.get("/admin/ap_settings")).json() == {"tolerance_percent": 5.0}
    assert (await sage.post("/v1/ap_invoices", json=second)).status_code == 201


async def test_an_approved_cco_raises_the_approved_amount(sage):
    cco = {
        "job_id": "1001",
        "commitment_id": "SC-0042",
        "change_order_id": "SC-0042-01",
        "description": "More footings",
        "date": "2026-11-21",
        "status": "approved",
        "items": [{"item_id": "1", "amount": 2500.0}],
    }
    assert (await sage.post("/v1/commitment_change_orders", json=cco)).status_code == 201
    full = distribution(amount=15000.0, retainage=0.0)
    body = invoice(original_amount=15000.0, retainage=0.0, distributions=[full])
    assert (await sage.post("/v1/ap_invoices", json=body)).status_code == 201


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (
            invoice(distributions=[]),
            "no_distributions",
            "The document's codings are incomplete: The document has no distributions.",
        ),
        (invoice(vendor_id="V-404"), "not_found", NOT_FOUND["message"]),
        (invoice(distributions=[distribution(job_id="4242")]), "not_found", NOT_FOUND["message"]),
        (
            invoice(distributions=[distribution(commitment_id="SC-9999")]),
            "not_found",
            NOT_FOUND["message"],
        ),
        (
            invoice(distributions=[distribution(commitment_item="9")]),
            "not_found",
            NOT_FOUND["message"],
        ),
        (
            invoice(distributions=[distribution(category="E")]),
            "category_not_found",
            "No entities could be found of type [Category] with given where clause.",
        ),
        (invoice(vendor_id="V-900"), "vendor_inactive", "Vendor is inactive/has been archived."),
    ],
    ids=[
        "no-distributions",
        "unknown-vendor",
        "unknown-job",
        "unknown-commitment",
        "unknown-item",
        "unknown-category",
        "inactive-vendor",
    ],
)
async def test_sage_refuses_with_its_own_words(sage, body, code, message, admin):
    answer = await sage.post("/v1/ap_invoices", json=body)
    assert answer.json() == {"code": code, "message": message}
    assert (await admin.get("/admin/records/ap_invoices")).json() == []


async def test_gl_periods_are_listed(client, admin):
    periods = (await client.get("/v1/gl_periods")).json()
    assert {"period": "2025-12", "status": "closed"} in periods
    assert {"period": "2026-11", "status": "open"} in periods
    bad = await admin.put("/admin/gl_periods/2026-13", json={"status": "open"})
    assert bad.status_code == 404


UNIT_PRICED = {
    **SUBCONTRACT,
    "commitment_id": "PO-0101",
    "commitment_type": "purchase_order",
    "items": [
        {
            **SUBCONTRACT["items"][0],
            "units": 40.0,
            "unit_cost": 812.5,
            "unit_description": "EA",
            "amount": 32500.0,
        }
    ],
}


def unit_invoice(quantity: float | None, amount: float, commitment: str = "PO-0101"):
    line = distribution(commitment_id=commitment, amount=amount, retainage=0.0)
    if quantity is not None:
        line["quantity"] = quantity
    return invoice(original_amount=amount, retainage=0.0, distributions=[line])


async def test_a_unit_priced_item_is_invoiced_by_its_quantity_and_the_record_keeps_it(sage):
    """C49 (seeds/004): "For purchase orders and subcontracts with a Unit/Qty accounting
    method, Procore sends the quantity invoiced for each line item to Sage 300 CRE®." """
    assert (await sage.post("/v1/commitments", json=UNIT_PRICED)).status_code == 201
    answer = await sage.post("/v1/ap_invoices", json=unit_invoice(12.0, 9750.0))
    assert answer.status_code == 201, answer.text
    [line] = answer.json()["invoice"]["distributions"]
    assert (line["quantity"], line["amount"]) == (12.0, 9750.0)


async def test_a_quantity_must_match_the_unit_cost_and_an_amount_item_takes_none(sage):
    assert (await sage.post("/v1/commitments", json=UNIT_PRICED)).status_code == 201
    wrong = await sage.post("/v1/ap_invoices", json=unit_invoice(12.0, 9000.0))
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "invalid_request"
    assert "12 at 812.50 a unit is 9750.00, not 9000.00" in wrong.json()["message"]
    on_amounts = await sage.post("/v1/ap_invoices", json=unit_invoice(3.0, 5000.0, "SC-0042"))
    assert on_amounts.status_code == 422
    assert "item 1 has no unit cost" in on_amounts.json()["message"]
    # nothing was written, and the next valid invoice is taken
    assert (await sage.get("/v1/ap_invoices/V-100/INV-001")).status_code == 404
    assert (await sage.post("/v1/ap_invoices", json=unit_invoice(12.0, 9750.0))).status_code == 201
