"""`GET /v1/jobs/{job_id}/job_costs` through the app: the summary follows what is posted,
changed and deleted in Sage; and `POST /admin/job_cost_transactions`, a person's direct cost."""

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from sage_mock import MockConfig, create_app
from sage_mock.job_costs import COLUMNS
from sage_mock.routes.job_costs import clock
from tests.sage_mock.conftest import AUTH, subcontract

NOT_FOUND = {"code": "not_found", "message": "Entity with this ID not found."}
NOVEMBER_2026 = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


class Clock:
    """What the app takes as now; a test moves it."""

    def __init__(self) -> None:
        self.now = NOVEMBER_2026

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def now() -> Clock:
    return Clock()


@pytest.fixture
def app(config: MockConfig, now: Clock) -> Iterator[FastAPI]:
    """The conftest's app, on a clock the test moves."""
    app = create_app(config)
    app.dependency_overrides[clock] = now
    yield app
    app.state.services.store.close()


@pytest.fixture
async def sage(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sage.test", headers=AUTH
    ) as http:
        yield http


async def lines(sage: httpx.AsyncClient, job_id: str = "1003") -> dict[tuple[str, str], Any]:
    answer = await sage.get(f"/v1/jobs/{job_id}/job_costs")
    assert answer.status_code == 200
    return {(line["cost_code"], line["category"]): line for line in answer.json()["lines"]}


def figures(line: dict[str, Any]) -> dict[str, float]:
    return {column: line[column] for column in COLUMNS if line[column]}


async def created(sage: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = await sage.post(path, json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def post_batch(admin: httpx.AsyncClient, answer: dict[str, Any]) -> None:
    posted = await admin.post(f"/admin/batches/{answer['batch']['batch_id']}/post")
    assert posted.json()["posted"] is True


def transaction(**changes: Any) -> dict[str, Any]:
    body = {
        "job_id": "1003",
        "cost_code": "01-100",
        "category": "L",
        "date": "2026-11-03",
        "description": "Superintendent payroll",
        "amount": 4200.0,
        "units": 60.0,
        "paid": 4200.0,
    }
    return {**body, **changes}


async def test_the_summary_follows_what_is_posted_changed_and_deleted_in_sage(sage, now, admin):
    answer = await sage.get("/v1/jobs/1003/job_costs")
    assert answer.json() == {"job_id": "1003", "as_of": "2026-11-20T12:00:00+00:00", "lines": []}

    estimate = await created(
        sage,
        "/v1/estimates",
        {
            "job_id": "1003",
            "lines": [{"cost_code": "03-300", "category": "S", "original_estimate": 125000.0}],
        },
    )
    assert await lines(sage) == {}  # waiting for a person to post it
    await post_batch(admin, estimate)
    change = await created(
        sage,
        "/v1/estimate_changes",
        {
            "job_id": "1003",
            "date": "2026-11-21",
            "chg_mgt_ref_1": "PCCO-007",
            "lines": [
                {"cost_code": "03-300", "category": "S", "description": "Canopy", "amount": 18000.0}
            ],
        },
    )
    await post_batch(admin, change)
    moved = [("03-300", "S", -5000.0), ("01-100", "L", 5000.0)]
    budget_modification = await created(
        sage,
        "/v1/estimate_transfers",
        {
            "job_id": "1003",
            "date": "2026-11-21",
            "lines": [
                {"cost_code": c, "category": k, "transfer_amount": amount} for c, k, amount in moved
            ],
        },
    )
    await post_batch(admin, budget_modification)
    await created(sage, "/v1/commitments", subcontract(job_id="1003"))
    await created(
        sage,
        "/v1/commitment_change_orders",
        {
            "job_id": "1003",
            "commitment_id": "SC-0042",
            "change_order_id": "SC-0042-01",
            "description": "Added footings",
            "date": "2026-11-21",
            "status": "approved",
            "items": [{"item_id": "1", "units": None, "amount": 2500.0}],
        },
    )
    invoice = await created(
        sage,
        "/v1/ap_invoices",
        {
            "vendor_id": "V-100",
            "invoice_id": "INV-001",
            "invoice_date": "2026-11-30",
            "accounting_date": "2026-11-30",
            "original_amount": 5000.0,
            "retainage": 500.0,
            "distributions": [
                {
                    "commitment_id": "SC-0042",
                    "commitment_item": "1",
                    "job_id": "1003",
                    "cost_code": "03-300",
                    "category": "S",
                    "amount": 5000.0,
                    "retainage": 500.0,
                }
            ],
        },
    )
    assert (await lines(sage))["03-300", "S"]["commitment_invoiced"] == 0.0  # not posted yet
    await post_batch(admin, invoice)

    assert figures((await lines(sage))["03-300", "S"]) == {
        "original_estimate": 125000.0,
        "approved_estimate_changes": 13000.0,
        "total_estimate": 138000.0,
        "original_commitment": 12500.0,
        "approved_commitment_changes": 2500.0,
        "revised_commitment": 15000.0,
        "commitment_invoiced": 5000.0,
        "jtd_cost": 5000.0,
        "mtd_cost": 5000.0,
    }

    assert figures((await lines(sage))["01-100", "L"]) == {
        "approved_estimate_changes": 5000.0,
        "total_estimate": 5000.0,
    }

    now.now = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
    december = (await lines(sage))["03-300", "S"]
    assert (december["jtd_cost"], december["mtd_cost"]) == (5000.0, 0.0)

    change_id = change["estimate_change"]["change_id"]
    assert (await sage.delete(f"/v1/estimate_changes/{change_id}")).status_code == 200
    assert (await sage.delete("/v1/commitment_change_orders/SC-0042-01")).status_code == 200
    after = (await lines(sage))["03-300", "S"]
    assert (after["approved_estimate_changes"], after["total_estimate"]) == (-5000.0, 120000.0)
    assert (after["approved_commitment_changes"], after["revised_commitment"]) == (0.0, 12500.0)
    assert (await sage.delete("/v1/commitments/1003/SC-0042")).status_code == 200
    gone = (await lines(sage))["03-300", "S"]
    assert (gone["original_commitment"], gone["revised_commitment"]) == (0.0, 0.0)


async def test_a_transaction_a_person_posts_counts_at_once(sage, admin):
    answer = await admin.post("/admin/job_cost_transactions", json=transaction())

    assert answer.status_code == 201
    record = answer.json()["job_cost_transaction"]
    defaults = {"cost_type": "JC", "extra_id": None, "vendor_id": None, "invoice_id": None}
    assert record == {"transaction_id": record["transaction_id"], **transaction(), **defaults}
    listed = (await admin.get("/admin/records/job_cost_transactions")).json()
    assert record["transaction_id"] in [row["transaction_id"] for row in listed]
    assert figures((await lines(sage))["01-100", "L"]) == {
        "jtd_cost": 4200.0,
        "jtd_units": 60.0,
        "jtd_dollars_paid": 4200.0,
        "mtd_cost": 4200.0,
        "mtd_dollars_paid": 4200.0,
        "mtd_units": 60.0,
    }


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"job_id": "9999"}, 404, "not_found"),
        ({"job_id": "0999"}, 422, "job_closed"),
        ({"cost_code": "02-200"}, 422, "category_not_found"),
        ({"category": "E"}, 422, "category_not_found"),
        ({"date": "2026-13-01"}, 422, "invalid_request"),
        ({"amount": "lots"}, 422, "invalid_request"),
        ({"source": "payroll"}, 422, "invalid_request"),
    ],
)
async def test_sage_refuses_a_transaction_it_cannot_post(sage, changes, status, code, admin):
    answer = await admin.post("/admin/job_cost_transactions", json=transaction(**changes))

    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert await lines(sage) == {}


async def test_seeded_transactions_are_in_the_summary_of_job_1001(sage, now, admin):
    seeded = [
        row
        for row in (await admin.get("/admin/records/job_cost_transactions")).json()
        if row["job_id"] == "1001"
    ]
    assert len(seeded) >= 3
    latest = max(dt.date.fromisoformat(row["date"]) for row in seeded)
    now.now = dt.datetime(latest.year, latest.month, 28, tzinfo=dt.UTC)

    summary = await lines(sage, "1001")

    assert sum(line["jtd_cost"] for line in summary.values()) == sum(r["amount"] for r in seeded)
    assert sum(line["jtd_dollars_paid"] for line in summary.values()) == sum(
        r["paid"] for r in seeded
    )
    this_month = [r for r in seeded if r["date"][:7] == latest.isoformat()[:7]]
    assert 0 < len(this_month) < len(seeded)  # some this month, some earlier
    assert sum(line["mtd_cost"] for line in summary.values()) == sum(
        r["amount"] for r in this_month
    )


async def test_an_unknown_job_has_no_job_costs(sage):
    assert (await sage.get("/v1/jobs/9999/job_costs")).json() == NOT_FOUND


async def test_a_job_is_summarised_in_its_own_company_only(sage, admin):
    s100 = {"X-Sage-Company": "S100"}

    answer = await sage.get("/v1/jobs/3001/job_costs", headers=s100)

    assert answer.status_code == 200
    summary = {(line["cost_code"], line["category"]): line for line in answer.json()["lines"]}
    assert summary["02-000", "3"]["jtd_cost"] == 2400.0  # the seeded excavator rental
    assert (await sage.get("/v1/jobs/3001/job_costs")).json() == NOT_FOUND
    assert (await sage.get("/v1/jobs/1001/job_costs", headers=s100)).json() == NOT_FOUND
    refused = await admin.post(
        "/admin/job_cost_transactions", json=transaction(job_id="1003"), headers=s100
    )
    assert refused.json() == NOT_FOUND
