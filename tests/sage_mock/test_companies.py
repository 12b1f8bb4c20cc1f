"""One mock, several Sage companies: the request's company (`X-Sage-Company`), what each sees,
and what a Sage 100 Contractor® company refuses (sage_mock/API.md "Companies and flavours")."""

import sqlite3
from pathlib import Path

import httpx
import pytest

from sage_mock import MockConfig, create_app
from sage_mock import store as store_module
from sage_mock.__main__ import main as sage_mock_main
from sage_mock.records import billing, master_data
from tests.sage_mock.conftest import API_KEY, AUTH, subcontract

S100 = {"X-Sage-Company": "S100"}


async def test_each_company_says_which_erp_it_is(client: httpx.AsyncClient) -> None:
    default = await client.get("/v1/company")
    sage100 = await client.get("/v1/company", headers=S100)

    assert default.json() == {"company_id": "CRE", "name": "Demo Builders", "erp": "sage300"}
    assert sage100.json() == {"company_id": "S100", "name": "Demo Builders 100", "erp": "sage100"}


async def test_an_unknown_company_is_refused_on_api_and_admin_calls(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    for caller, path in ((client, "/v1/jobs"), (admin, "/admin/records/jobs")):
        answer = await caller.get(path, headers={"X-Sage-Company": "ACME"})
        assert answer.status_code == 404
        assert answer.json() == {"code": "unknown_company", "message": "Company [ACME] not found."}


async def test_a_wrong_key_is_refused_before_the_company_is_looked_at(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get(
        "/v1/jobs", headers={"Authorization": "Bearer nope", "X-Sage-Company": "ACME"}
    )
    assert answer.status_code == 401


REFUSED = [
    ("POST", "/v1/extras", "sub jobs (extras)"),
    ("GET", "/v1/extras/3001/SJ-01", "sub jobs (extras)"),
    ("POST", "/v1/estimate_changes", "prime contract change orders"),
    ("POST", "/v1/schedule_value_changes", "prime contract change orders"),
    ("POST", "/v1/contracts/3001/3001-PC/items", "prime contract change orders"),
    ("DELETE", "/v1/contracts/3001/3001-PC/items/001", "prime contract change orders"),
    ("GET", "/v1/contracts/3001", "prime contract import (Contracts application)"),
    ("GET", "/v1/contracts/3001/3001-PC", "prime contract import (Contracts application)"),
    (
        "GET",
        "/v1/prime_contracts?contract_id=3001",
        "prime contract import (Contracts application)",
    ),
    ("GET", "/v1/prime_contracts/3001/3001", "prime contract import (Contracts application)"),
    (
        "PUT",
        "/v1/prime_contracts/3001/3001/links/P-1004",
        "prime contract import (Contracts application)",
    ),
    ("GET", "/v1/vendors/S-10/insurance", "vendor insurance (AP Vendor Insurance)"),
]


@pytest.mark.parametrize(("method", "path", "feature"), REFUSED)
async def test_sage_100_refuses_what_it_has_no_notion_of(
    client: httpx.AsyncClient, method: str, path: str, feature: str
) -> None:
    body = {"job_id": "3001"} if method in {"POST", "PUT"} else None
    answer = await client.request(method, path, json=body, headers=S100)

    assert answer.status_code == 422
    assert answer.json() == {
        "code": "not_supported",
        "message": f"Sage 100 Contractor® does not support {feature}.",
    }
    assert "X-Rate-Limit-Remaining" in answer.headers  # counted like any other call


async def test_sage_300_still_serves_what_sage_100_refuses(client: httpx.AsyncClient) -> None:
    contract = await client.get("/v1/contracts/1001/1001-PC")
    extra = await client.post(
        "/v1/extras",
        json={"job_id": "1001", "extra_id": "SJ-01", "cost_codes": []},
    )
    assert (contract.status_code, extra.status_code) == (200, 201)


async def test_a_refused_write_leaves_nothing_behind(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    extra = {"job_id": "3001", "extra_id": "SJ-01", "cost_codes": []}
    await client.post("/v1/extras", json=extra, headers=S100)
    assert (await admin.get("/admin/records/extras")).json() == []


async def test_sage_100_has_its_own_jobs_and_vendors(client: httpx.AsyncClient) -> None:
    jobs = (await client.get("/v1/jobs", headers=S100)).json()
    vendors = (await client.get("/v1/vendors", headers=S100)).json()

    assert [(j["job_id"], j["name"], j["status"]) for j in jobs] == [
        ("3001", "Oak Street Apartments", "open"),
        ("3002", "Elm Park Townhomes", "open"),
    ]
    oak = {c["code"]: c["categories"] for c in jobs[0]["cost_codes"]}
    assert oak["02-000"] == ["2", "3", "4"]
    assert oak["03-000"] == ["1", "2", "4"]
    assert [(v["vendor_id"], v["name"], v["city"]) for v in vendors] == [
        ("S-10", "Granite Masonry Co", "Fresno"),
        ("S-20", "Pacific Plumbing", "Oakland"),
        ("S-30", "Summit Roofing", "Fresno"),
        ("S-31", "Summit Roofing", "Visalia"),
    ]
    assert vendors[0]["telephone"] == "559-555-0110"


async def test_a_job_or_vendor_of_another_company_is_invisible(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/jobs/1001", headers=S100)).status_code == 404
    assert (await client.get("/v1/vendors/V-100", headers=S100)).status_code == 404
    assert (await client.get("/v1/jobs/3001")).status_code == 404
    assert (await client.get("/v1/vendors/S-10")).status_code == 404
    assert "3001" not in [j["job_id"] for j in (await client.get("/v1/jobs")).json()]
    assert "V-100" not in [
        v["vendor_id"] for v in (await client.get("/v1/vendors", headers=S100)).json()
    ]


async def test_a_write_naming_another_companys_job_or_vendor_answers_as_for_an_unknown_one(
    client: httpx.AsyncClient,
    admin: httpx.AsyncClient,
) -> None:
    on_cre_job = await client.post("/v1/commitments", json=subcontract(), headers=S100)
    with_cre_vendor = await client.post(
        "/v1/commitments", json=_s100_commitment(vendor_id="V-100"), headers=S100
    )
    close_from_cre = await admin.put("/admin/jobs/3001", json={"status": "closed"})

    assert [a.status_code for a in (on_cre_job, with_cre_vendor, close_from_cre)] == [404] * 3
    assert on_cre_job.json()["code"] == "not_found"
    assert (await admin.get("/admin/records/commitments")).json() == []
    assert (await client.get("/v1/jobs/3001", headers=S100)).json()["status"] == "open"


async def test_records_reached_through_a_job_are_scoped_by_it(client: httpx.AsyncClient) -> None:
    created = await client.post("/v1/commitments", json=_s100_commitment(), headers=S100)
    assert created.status_code == 201

    assert (await client.get("/v1/commitments/3001/PO-7", headers=S100)).status_code == 200
    assert (await client.get("/v1/commitments/3001/PO-7")).status_code == 404
    assert (await client.delete("/v1/commitments/3001/PO-7")).status_code == 404
    assert (await client.get("/v1/commitments/3001/PO-7", headers=S100)).status_code == 200


async def test_jobs_and_vendors_are_created_in_the_requests_company(
    client: httpx.AsyncClient,
) -> None:
    job = {"job_id": "3003", "name": "Birch Court", "cost_codes": []}
    vendor = {"vendor_id": "S-40", "name": "Valley Glass"}
    assert (await client.post("/v1/jobs", json=job, headers=S100)).status_code == 201
    assert (await client.post("/v1/vendors", json=vendor, headers=S100)).status_code == 201

    assert (await client.get("/v1/jobs/3003", headers=S100)).status_code == 200
    assert (await client.get("/v1/vendors/S-40", headers=S100)).status_code == 200
    assert (await client.get("/v1/jobs/3003")).status_code == 404
    assert (await client.get("/v1/vendors/S-40")).status_code == 404


async def test_a_code_another_company_holds_is_refused_without_showing_its_record(
    client: httpx.AsyncClient,
) -> None:
    job = await client.post(
        "/v1/jobs", json={"job_id": "1001", "name": "Riverside", "cost_codes": []}, headers=S100
    )
    vendor = await client.post(
        "/v1/vendors", json={"vendor_id": "V-100", "name": "ACME"}, headers=S100
    )

    assert job.status_code == vendor.status_code == 409
    assert job.json() == {"code": "job_exists", "message": "A job with that code already exists."}
    assert vendor.json() == {
        "code": "vendor_exists",
        "message": "A vendor with that ID already exists.",
    }
    assert (await client.get("/v1/jobs/1001")).json()["name"] == "Riverside Medical Center"


def _database_made_before_companies(path: Path, *created_jobs: str) -> None:
    """The tables and seed of a version without companies, with jobs created through its API."""
    old = sqlite3.connect(path, isolation_level=None)
    old.row_factory = sqlite3.Row
    old.executescript(store_module.SCHEMA)  # the tables as an older version made them
    old.executescript(billing.SCHEMA)
    old.execute("BEGIN")
    master_data.seed(old)
    old.execute("INSERT INTO meta (key, value) VALUES ('seeded', '1')")
    for job_id in created_jobs:
        old.execute(
            "INSERT INTO jobs (job_id, name, status) VALUES (?, 'A job', 'open')", (job_id,)
        )
        old.execute(
            "INSERT INTO job_addresses (job_id, address, city, state, zip, created_at)"
            " VALUES (?, '', '', '', '', 1)",
            (job_id,),
        )
    old.execute("COMMIT")
    old.close()


async def test_a_database_made_before_companies_opens_with_every_record_in_the_default_company(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sage.sqlite"
    _database_made_before_companies(path, "1004")

    app = create_app(MockConfig(db_path=path, api_key=API_KEY))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://s", headers=AUTH) as http:
        cre_jobs = {j["job_id"]: j for j in (await http.get("/v1/jobs")).json()}
        s100_jobs = [j["job_id"] for j in (await http.get("/v1/jobs", headers=S100)).json()]
        acme = (await http.get("/v1/vendors/V-100")).json()
    app.state.services.store.close()

    assert {"1001", "0999", "1004"} <= cre_jobs.keys()
    assert "3001" not in cre_jobs
    assert (cre_jobs["1001"]["origin"], cre_jobs["1004"]["origin"]) == ("sage", "procore")
    assert s100_jobs == ["3001", "3002"]
    assert acme["address"] == "1 Cement Way"


def test_an_old_database_holding_a_seeded_companys_code_stops_the_mock_naming_make_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "sage.sqlite"
    _database_made_before_companies(path, "3001")
    monkeypatch.setenv("SAGE_API_KEY", API_KEY)

    with pytest.raises(SystemExit) as stopped:
        sage_mock_main(["--db", str(path), "--port", "0"])

    assert "make clean" in str(stopped.value.code)
    assert "Traceback" not in capsys.readouterr().err


def _s100_commitment(**changes: object) -> dict[str, object]:
    item = {**subcontract()["items"][0], "cost_code": "03-000", "category": "4"}
    return {
        **subcontract(job_id="3001", commitment_id="PO-7", vendor_id="S-10", items=[item]),
        **changes,
    }
