"""The mock's prime contract import API: billing methods, status, links and admin changes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sage_mock import create_app
from tests.sage_mock.conftest import ADMIN_AUTH, AUTH


def client(config) -> TestClient:
    """One app, two callers: `http` the orchestrator (API key), `http.admin` a person in Sage
    (admin key)."""
    app = create_app(config)
    http = TestClient(app, headers=AUTH)
    http.admin = TestClient(app, headers=ADMIN_AUTH)
    return http


def test_each_billing_method_is_presented_for_import(config):
    http = client(config)
    [lump] = http.get("/v1/prime_contracts", params={"contract_id": "2001-PC"}).json()["contracts"]
    assert (lump["billing_method"], lump["status"], len(lump["items"])) == (
        "contracts",
        "approved",
        1,
    )
    [job] = http.get("/v1/prime_contracts", params={"contract_id": "2002"}).json()["contracts"]
    assert (job["billing_level"], [w["code"] for w in job["worksheet"]]) == ("job", ["JOB"])
    division = http.get("/v1/prime_contracts/2003/2003").json()
    assert [w["code"] for w in division["worksheet"]] == ["01", "03", "09"]
    section = http.get("/v1/prime_contracts/2004/2004").json()
    assert section["billing_level"] == "section" and section["worksheet"][0]["code"] == "01-100"
    assert http.get("/v1/prime_contracts/2003/2003-PC").status_code == 404


def test_a_person_approves_adds_and_modifies_contract_items(config):
    http = client(config)
    assert http.get("/v1/prime_contracts/2001/2001-ALT").json()["status"] == "unapproved"
    http.admin.put("/admin/prime_contracts/2001/2001-ALT/status", json={"status": "approved"})
    assert http.get("/v1/prime_contracts/2001/2001-ALT").json()["status"] == "approved"
    added = http.admin.post(
        "/admin/contracts/2001/2001-ALT/items",
        json={"item_code": "002", "description": "Canopy", "original_amount": 5},
    )
    assert added.status_code == 201
    changed = http.admin.put(
        "/admin/contracts/2001/2001-ALT/items/001", json={"original_amount": 7}
    )
    assert changed.json()["revised_amount"] == 7
    items = http.get("/v1/prime_contracts/2001/2001-ALT").json()["items"]
    assert [(i["item_code"], i["original_amount"]) for i in items] == [("001", 7), ("002", 5)]
    assert http.admin.put("/admin/contracts/2001/2001-ALT/items/999", json={}).status_code == 404
    http.admin.put(
        "/admin/misc_worksheets/2003/16", json={"description": "Electrical", "amount": 9}
    )
    codes = [w["code"] for w in http.get("/v1/prime_contracts/2003/2003").json()["worksheet"]]
    assert codes == ["01", "03", "09", "16"]


def test_a_contract_links_to_one_project_unless_a_person_adds_a_second(config):
    http = client(config)
    link = "/v1/prime_contracts/2001/2001-PC/links"
    assert http.put(f"{link}/P-1005").json()["linked_projects"] == ["P-1005"]
    assert http.put(f"{link}/P-1005").status_code == 200  # again: the same link
    other = http.put(f"{link}/P-2")
    assert other.status_code == 409 and "two projects" in other.json()["message"]
    http.admin.post("/admin/prime_contracts/2001/2001-PC/links", json={"project": "P-2"})
    view = http.get("/v1/prime_contracts/2001/2001-PC").json()
    assert view["linked_projects"] == ["P-1005", "P-2"]
