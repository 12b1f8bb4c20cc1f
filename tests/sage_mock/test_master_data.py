"""The jobs and vendors a fresh database starts with."""

import httpx


async def test_a_fresh_database_holds_the_promised_jobs_and_vendors(
    client: httpx.AsyncClient,
) -> None:
    jobs = {job["job_id"]: job for job in (await client.get("/v1/jobs")).json()}
    assert {j: (jobs[j]["name"], jobs[j]["status"]) for j in jobs} == {
        "0999": ("Old Warehouse Reno", "closed"),
        "1001": ("Riverside Medical Center", "open"),
        "1002": ("Harbor View Offices", "open"),
        "1003": ("Northgate School", "open"),
        "2001": ("Lakeside Lofts", "open"),  # prime contract imports (records/billing.py)
        "2002": ("Cedar Park Library", "open"),
        "2003": ("Mill Street Clinic", "open"),
        "2004": ("Pine Ridge Fire Station", "open"),
    }
    riverside = (await client.get("/v1/jobs/1001")).json()
    assert {c["code"]: c["categories"] for c in riverside["cost_codes"]} == {
        "01-100": ["L", "M", "O"],
        "03-300": ["L", "M", "S"],
        "05-120": ["M", "S"],
        "09-250": ["L", "M", "S"],
        "16-100": ["L", "M", "S", "E"],
    }
    vendors = (await client.get("/v1/vendors")).json()
    assert [(v["vendor_id"], v["status"]) for v in vendors] == [
        ("V-100", "active"),
        ("V-200", "active"),
        ("V-300", "active"),
        ("V-900", "inactive"),
    ]
    assert (await client.get("/v1/vendors/V-300")).json() == {
        "vendor_id": "V-300",
        "name": "Steel Works Inc",
        "status": "active",
        "address": "5 Forge Rd",
        "city": "Corona",
        "state": "CA",
        "zip": "92880",
        "telephone": "",
        "fax": "",
    }
