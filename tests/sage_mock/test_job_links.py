"""A job is added in one system and then to the other, never created in both and synced later
(seeds/002, seeds/004): `PUT /v1/jobs/{job}/links/{project}` and the link a new job carries."""

import httpx

S100 = {"X-Sage-Company": "S100"}
ONE_SYSTEM = (
    "You must always add the job/project in one system and then add it to the other. "
    "You cannot create a job in both systems and then sync them at a later time."
)
NEW_JOB = {"job_id": "1004", "name": "Lakeside Library", "cost_codes": []}


async def test_a_seeded_job_comes_from_sage_and_is_linked_to_no_project(
    client: httpx.AsyncClient,
) -> None:
    job = (await client.get("/v1/jobs/1001")).json()
    assert (job["linked_project"], job["origin"]) == (None, "sage")


async def test_a_sage_job_added_to_procore_is_linked_and_linking_again_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    first = await client.put("/v1/jobs/3001/links/P-1004", headers=S100)
    again = await client.put("/v1/jobs/3001/links/P-1004", headers=S100)

    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["job"]["linked_project"] == "P-1004"
    assert again.json() == first.json()
    assert (await client.get("/v1/jobs/3001", headers=S100)).json()["linked_project"] == "P-1004"


async def test_a_job_linked_to_a_project_cannot_be_linked_to_another(
    client: httpx.AsyncClient,
) -> None:
    await client.put("/v1/jobs/3001/links/P-1004", headers=S100)
    answer = await client.put("/v1/jobs/3001/links/P-2000", headers=S100)

    assert answer.status_code == 409
    body = answer.json()
    assert (body["code"], body["message"]) == (
        "job_in_both_systems",
        f"Job [3001] is already synced with Procore project [P-1004]. {ONE_SYSTEM}",
    )
    assert body["existing"]["linked_project"] == "P-1004"
    assert (await client.get("/v1/jobs/3001", headers=S100)).json()["linked_project"] == "P-1004"


async def test_a_job_exported_from_a_procore_project_is_linked_to_it(
    client: httpx.AsyncClient,
) -> None:
    created = await client.post("/v1/jobs", json={**NEW_JOB, "project": "P-1010"})
    same = await client.put("/v1/jobs/1004/links/P-1010")
    other = await client.put("/v1/jobs/1004/links/P-1011")

    assert created.json()["job"]["linked_project"] == "P-1010"
    assert created.json()["job"]["origin"] == "procore"
    assert same.status_code == 200
    assert other.status_code == 409
    assert other.json()["message"] == (
        f"Job [1004] is already synced with Procore project [P-1010]. {ONE_SYSTEM}"
    )


async def test_a_job_exported_from_procore_cannot_be_imported_as_a_project(
    client: httpx.AsyncClient,
) -> None:
    await client.post("/v1/jobs", json=NEW_JOB)  # created from a project it did not name
    answer = await client.put("/v1/jobs/1004/links/P-1004")

    assert answer.status_code == 409
    assert answer.json()["code"] == "job_in_both_systems"
    assert answer.json()["message"] == (
        f"Job [1004] is already synced with a Procore project. {ONE_SYSTEM}"
    )
    assert (await client.get("/v1/jobs/1004")).json()["linked_project"] is None


async def test_unknown_closed_and_other_company_jobs_are_refused(
    client: httpx.AsyncClient,
) -> None:
    unknown = await client.put("/v1/jobs/4242/links/P-1004")
    closed = await client.put("/v1/jobs/0999/links/P-1004")
    elsewhere = await client.put("/v1/jobs/3001/links/P-1004")

    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert closed.status_code == 422
    assert closed.json() == {"code": "job_closed", "message": "Job has been closed."}
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "not_found")
    assert (await client.get("/v1/jobs/3001", headers=S100)).json()["linked_project"] is None
