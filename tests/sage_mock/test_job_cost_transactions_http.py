"""`GET /v1/jobs/{job_id}/job_cost_transactions` through the app: every posted cost transaction
of a job in detail (seeds/004 "Job Cost Transaction Details": "all posted cost transaction
details from the Current.JCT file"), with Sage's Cost Type; and the transaction a person
posts refused when it names an extra the job lacks, or a vendor on a non-AP cost."""

import sqlite3

import pytest

from sage_mock.records import job_cost_transactions
from sage_mock.store import Store
from tests.sage_mock.conftest import subcontract
from tests.sage_mock.test_ap_invoices import distribution
from tests.sage_mock.test_ap_invoices import invoice as ap_invoice
from tests.sage_mock.test_job_costs_http import created, post_batch, transaction


async def details(sage, job_id: str = "1003") -> list[dict]:
    answer = await sage.get(f"/v1/jobs/{job_id}/job_cost_transactions")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["job_id"] == job_id
    return body["transactions"]


async def test_transactions_and_posted_ap_invoices_are_listed_in_detail(client, admin):
    assert await details(client) == []
    posted = await admin.post(
        "/admin/job_cost_transactions",
        json=transaction(cost_type="PR", date="2026-11-02", units=60.0, amount=4200.0),
    )
    assert posted.status_code == 201, posted.text
    await created(client, "/v1/commitments", subcontract(job_id="1003"))
    invoice = await created(
        client,
        "/v1/ap_invoices",
        ap_invoice(retainage=0.0, distributions=[distribution(job_id="1003", retainage=0.0)]),
    )
    assert len(await details(client)) == 1  # the invoice waits for its batch to be posted
    await post_batch(admin, invoice)

    payroll, ap_cost = await details(client)

    assert payroll == {
        "transaction_id": posted.json()["job_cost_transaction"]["transaction_id"],
        "cost_type": "PR",
        "commitment_id": None,
        "extra_id": None,
        "cost_code": "01-100",
        "category": "L",
        "accounting_date": "2026-11-02",
        "description": "Superintendent payroll",
        "vendor_id": None,
        "invoice_id": None,
        "units": 60.0,
        "unit_cost": 70.0,
        "amount": 4200.0,
    }
    assert ap_cost["transaction_id"].startswith("APT-")
    assert {k: ap_cost[k] for k in ("cost_type", "commitment_id", "vendor_id", "invoice_id")} == {
        "cost_type": "AP",
        "commitment_id": "SC-0042",
        "vendor_id": "V-100",
        "invoice_id": "INV-001",
    }
    assert (ap_cost["accounting_date"], ap_cost["amount"]) == ("2026-11-30", 5000.0)
    assert await details(client) == [payroll, ap_cost]  # the same IDs every time


async def test_an_unknown_job_is_not_found(client):
    answer = await client.get("/v1/jobs/9999/job_cost_transactions")
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"extra_id": "NOPE"}, 404, "not_found"),
        ({"extra_id": ""}, 422, "invalid_request"),
        ({"cost_type": "XX"}, 422, "invalid_request"),
        ({"vendor_id": "V-100"}, 422, "invalid_request"),
        ({"cost_type": "PR", "invoice_id": "INV-9"}, 422, "invalid_request"),
    ],
)
async def test_a_careless_transaction_is_refused_and_the_next_valid_one_posts(
    client, admin, changes, status, code
):
    refused = await admin.post("/admin/job_cost_transactions", json=transaction(**changes))
    assert (refused.status_code, refused.json()["code"]) == (status, code)
    assert await details(client) == []
    body = transaction(cost_type="AP", vendor_id="V-100", invoice_id="INV-9")
    ok = await admin.post("/admin/job_cost_transactions", json=body)
    assert ok.status_code == 201, ok.text
    assert [d["invoice_id"] for d in await details(client)] == ["INV-9"]


def test_an_older_database_gains_the_new_columns(tmp_path):
    """A database made before cost types keeps its transactions, as JC costs."""
    path = tmp_path / "old.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    for column in job_cost_transactions.ADDED_COLUMNS:
        db.execute(f"ALTER TABLE job_cost_transactions DROP COLUMN {column}")
    db.commit()
    db.close()
    store = Store(path)
    with store.read() as conn:
        rows = job_cost_transactions.list_all(conn)
    store.close()
    assert rows and {row["cost_type"] for row in rows} == {"JC"}
