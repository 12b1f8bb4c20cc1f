"""Each company's standard cost codes and categories, and cost codes added to a job from them
(the refresh before a budget export): new cost codes are created in the ERP, not in Procore."""

import httpx

S100 = {"X-Sage-Company": "S100"}
NOT_STANDARD = (
    "Cost code [{code}] is not on the standard cost code list. "
    "New cost codes must be created in your ERP system."
)


def refresh(*codes: tuple[str, list[str]]) -> dict[str, object]:
    return {
        "cost_codes": [
            {"code": code, "description": "", "categories": categories}
            for code, categories in codes
        ]
    }


async def categories_of(client: httpx.AsyncClient, job: str, **kw: object) -> dict[str, list]:
    answer = await client.get(f"/v1/jobs/{job}", **kw)  # type: ignore[arg-type]
    return {c["code"]: c["categories"] for c in answer.json()["cost_codes"]}


async def test_each_company_has_its_own_standard_lists(client: httpx.AsyncClient) -> None:
    cre = {c["code"]: c for c in (await client.get("/v1/standard_cost_codes")).json()}
    s100 = {
        c["code"]: c for c in (await client.get("/v1/standard_cost_codes", headers=S100)).json()
    }

    assert {"01-100", "03-300", "05-120", "09-250", "15-400", "16-100", "02-200"} <= cre.keys()
    assert cre["07-100"] == {"code": "07-100", "description": "Roofing", "active": True}
    assert cre["10-100"] == {"code": "10-100", "description": "Specialties", "active": False}
    assert {"02-000", "03-000", "06-000", "07-000", "09-000", "15-000", "16-000"} <= s100.keys()
    assert not cre.keys() & s100.keys()
    assert (await client.get("/v1/standard_categories")).json() == [
        {"category": "L", "description": "Labor"},
        {"category": "M", "description": "Material"},
        {"category": "S", "description": "Subcontract"},
        {"category": "O", "description": "Other"},
        {"category": "E", "description": "Equipment"},
    ]
    assert [
        c["category"] for c in (await client.get("/v1/standard_categories", headers=S100)).json()
    ] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]


async def test_the_job_gets_what_it_lacks_and_a_repeat_adds_nothing(
    client: httpx.AsyncClient,
) -> None:
    wanted = refresh(("07-100", ["L", "M"]), ("03-300", ["S", "E"]), ("01-100", ["L"]))
    first = await client.post("/v1/jobs/1001/cost_codes", json=wanted)
    again = await client.post("/v1/jobs/1001/cost_codes", json=wanted)

    assert first.status_code == 200
    assert first.json()["added"] == [
        {"code": "07-100", "category": "L"},
        {"code": "07-100", "category": "M"},
        {"code": "03-300", "category": "E"},
    ]
    roofing = next(c for c in first.json()["job"]["cost_codes"] if c["code"] == "07-100")
    assert roofing == {"code": "07-100", "description": "Roofing", "categories": ["L", "M"]}
    assert (await categories_of(client, "1001"))["03-300"] == ["L", "M", "S", "E"]
    assert again.status_code == 200
    assert again.json()["added"] == []
    assert again.json()["job"] == first.json()["job"]


async def test_a_budget_line_on_an_added_cost_code_is_then_accepted(
    client: httpx.AsyncClient,
) -> None:
    estimate = {
        "job_id": "1001",
        "lines": [{"cost_code": "07-100", "category": "S", "original_estimate": 42000.0}],
    }
    assert (await client.post("/v1/estimates", json=estimate)).status_code == 422
    await client.post("/v1/jobs/1001/cost_codes", json=refresh(("07-100", ["S"])))
    assert (await client.post("/v1/estimates", json=estimate)).status_code == 201


async def test_a_cost_code_not_on_the_standard_list_or_inactive_is_refused_and_nothing_added(
    client: httpx.AsyncClient,
) -> None:
    before = await categories_of(client, "1001")
    for code in ("99-999", "10-100"):
        answer = await client.post(
            "/v1/jobs/1001/cost_codes", json=refresh(("07-100", ["L"]), (code, ["L"]))
        )
        assert answer.status_code == 422
        assert answer.json() == {
            "code": "cost_code_not_standard",
            "message": NOT_STANDARD.format(code=code),
        }
    assert await categories_of(client, "1001") == before


async def test_a_category_not_on_the_standard_list_is_refused(client: httpx.AsyncClient) -> None:
    answer = await client.post("/v1/jobs/1001/cost_codes", json=refresh(("07-100", ["X"])))

    assert answer.status_code == 422
    assert answer.json() == {
        "code": "category_not_found",
        "message": "No entities could be found of type [Category] with given where clause.",
    }
    assert "07-100" not in await categories_of(client, "1001")


async def test_a_sage_100_job_takes_codes_and_cost_types_from_its_own_list(
    client: httpx.AsyncClient,
) -> None:
    ok = await client.post(
        "/v1/jobs/3001/cost_codes", json=refresh(("07-000", ["1", "4"])), headers=S100
    )
    cre_code = await client.post(
        "/v1/jobs/3001/cost_codes", json=refresh(("07-100", ["4"])), headers=S100
    )
    cre_category = await client.post(
        "/v1/jobs/3001/cost_codes", json=refresh(("09-000", ["L"])), headers=S100
    )

    assert ok.json()["added"] == [
        {"code": "07-000", "category": "1"},
        {"code": "07-000", "category": "4"},
    ]
    assert cre_code.json()["message"] == NOT_STANDARD.format(code="07-100")
    assert cre_category.json()["code"] == "category_not_found"
    assert (await categories_of(client, "3001", headers=S100))["07-000"] == ["1", "4"]


async def test_unknown_and_closed_jobs_are_refused(client: httpx.AsyncClient) -> None:
    unknown = await client.post("/v1/jobs/4242/cost_codes", json=refresh(("07-100", ["L"])))
    closed = await client.post("/v1/jobs/0999/cost_codes", json=refresh(("07-100", ["L"])))

    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert closed.json() == {"code": "job_closed", "message": "Job has been closed."}


async def test_each_pair_added_to_a_job_is_one_addition_record_of_its_company(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    """`GET /admin/records/cost_code_additions`: what a person counts to see an accepted
    project cost code reach the job once (a repeat adds no record; a refusal none)."""
    wanted = refresh(("07-100", ["L", "M"]), ("01-100", ["L"]))
    await client.post("/v1/jobs/1001/cost_codes", json=wanted)
    await client.post("/v1/jobs/1001/cost_codes", json=wanted)
    await client.post("/v1/jobs/1001/cost_codes", json=refresh(("99-999", ["L"])))
    await client.post("/v1/jobs/3001/cost_codes", json=refresh(("07-000", ["1"])), headers=S100)

    rows = (await admin.get("/admin/records/cost_code_additions")).json()
    assert [(r["job_id"], r["code"], r["category"]) for r in rows] == [
        ("1001", "07-100", "L"),
        ("1001", "07-100", "M"),
    ]
    assert rows[0]["added_at"].endswith("Z") or "T" in rows[0]["added_at"]
    s100 = (await admin.get("/admin/records/cost_code_additions", headers=S100)).json()
    assert [(r["job_id"], r["code"], r["category"]) for r in s100] == [("3001", "07-000", "1")]
