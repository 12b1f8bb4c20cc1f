"""AP Vendor Insurance (`GET /v1/vendors/{id}/insurance`, `PUT /admin/vendors/{id}/insurance`):
the policies a person enters in Sage, which the company insurance import reads."""

import sqlite3
from pathlib import Path

import httpx

from sage_mock.store import Store

S100 = {"X-Sage-Company": "S100"}
UMBRELLA = {
    "vendor_id": "V-200",
    "level": "global",
    "job_id": None,
    "insurance_type": "Umbrella",
    "policy_number": "UMB-300",
    "insurance_company": "Riverside Casualty",
    "limit": 5_000_000.0,
    "effective_date": "2026-07-01",
    "expiration_date": "2027-06-30",
}


async def test_seeded_policies_global_level_first_then_by_job(client: httpx.AsyncClient) -> None:
    acme = (await client.get("/v1/vendors/V-100/insurance")).json()
    assert [(p["level"], p["job_id"], p["insurance_type"]) for p in acme] == [
        ("global", None, "Automobile"),
        ("global", None, "Builders Risk"),
        ("global", None, "General Liability"),
        ("global", None, "Umbrella"),
        ("global", None, "Worker's"),
        ("job", "1001", "General Liability"),
    ]
    assert (await client.get("/v1/vendors/V-200/insurance")).json() == [UMBRELLA]
    assert (await client.get("/v1/vendors/V-300/insurance")).json() == []


async def test_a_person_enters_a_policy_and_changes_it_in_place(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    entry = {"insurance_type": "General Liability", "policy_number": "GL-9", "limit": 1000.0}
    answer = await admin.put("/admin/vendors/V-200/insurance", json=entry)
    assert answer.status_code == 200
    changed = {**entry, "policy_number": "GL-10", "expiration_date": "2027-01-31"}
    await admin.put("/admin/vendors/V-200/insurance", json=changed)

    listed = (await client.get("/v1/vendors/V-200/insurance")).json()
    assert [(p["insurance_type"], p["policy_number"]) for p in listed] == [
        ("General Liability", "GL-10"),
        ("Umbrella", "UMB-300"),
    ]
    assert listed[0]["expiration_date"] == "2027-01-31"
    assert len((await admin.get("/admin/records/vendor_insurance")).json()) == 8


async def test_careless_entries_are_refused_and_leave_nothing(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    cases = [
        ("/admin/vendors/V-404/insurance", {"insurance_type": "Umbrella"}, 404, "not_found"),
        ("/admin/vendors/V-200/insurance", {"insurance_type": ""}, 422, None),
        ("/admin/vendors/V-200/insurance", {"insurance_type": "U", "limit": -1}, 422, None),
        ("/admin/vendors/V-200/insurance", {"insurance_type": "U", "surprise": 1}, 422, None),
        (
            "/admin/vendors/V-200/insurance",
            {"insurance_type": "U", "job_id": "1001"},
            422,
            "invalid_request",
        ),
        ("/admin/vendors/V-200/insurance", {"insurance_type": "U", "level": "job"}, 422, None),
        (
            "/admin/vendors/V-200/insurance",
            {"insurance_type": "U", "level": "job", "job_id": "9999"},
            404,
            "not_found",
        ),
    ]
    for path, body, status, code in cases:
        answer = await admin.put(path, json=body)
        assert answer.status_code == status, (body, answer.json())
        if code:
            assert answer.json()["code"] == code
    assert (await client.get("/v1/vendors/V-200/insurance")).json() == [UMBRELLA]
    entry = {"insurance_type": "Automobile", "level": "job", "job_id": "1001", "policy_number": "A"}
    assert (await admin.put("/admin/vendors/V-200/insurance", json=entry)).status_code == 200


async def test_another_companys_vendor_is_unknown(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/vendors/V-404/insurance")).status_code == 404
    answer = await client.get("/v1/vendors/S-10/insurance")  # S100's vendor, asked as CRE
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")


def test_an_older_database_gets_the_seeded_policies_once(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE vendor_insurance")
    db.execute("DELETE FROM meta WHERE key = 'vendor_insurance_seeded'")
    db.commit()
    db.close()
    for _ in range(2):
        store = Store(path)
        with store.read() as conn:
            count = conn.execute("SELECT COUNT(*) FROM vendor_insurance").fetchone()[0]
        store.close()
        assert count == 7
