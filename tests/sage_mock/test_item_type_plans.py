"""The orchestrator's plans for projects, sub jobs, companies, budgets and budget
modifications, sent as they are to the mock: accepted, and a repeat is recognised as the
same record (so the item links instead of failing)."""

import json
from datetime import date

import httpx
import pytest

from domain.errors import StepOutcome, on_step_failure
from domain.export_plan import same_content
from domain.exports import kind_of
from domain.items import parse_item
from domain.settings import parse_projects
from tests.sage_mock.conftest import PROJECT_ROOT

EXAMPLES = PROJECT_ROOT / "examples"
PROJECTS = parse_projects((EXAMPLES / "projects.json").read_text(encoding="utf-8")).projects
FIELDS = {
    "project-1004.json": {"sage_job_id": "1004"},
    "company-C-5001.json": {"erp_company_id": "V-500"},
}


def planned_steps(name: str):
    item = parse_item(json.loads((EXAMPLES / "items" / name).read_text(encoding="utf-8")))
    kind = kind_of(item)
    fields = {**kind.default_fields(item), **FIELDS.get(name, {})}
    return kind.plan(item, PROJECTS[item.project], fields, date(2027, 1, 15)).steps


async def prepared(client: httpx.AsyncClient, name: str):
    """The plan's last step (the record), once the steps before it are done in the mock."""
    *before, step = planned_steps(name)
    for earlier in before:  # a budget's cost code refresh
        answer = await client.request(
            earlier.call.method, earlier.call.path, json=earlier.call.body
        )
        assert answer.status_code == 200, answer.json()
    return step


@pytest.mark.parametrize(
    "name",
    [
        "project-1004.json",
        "sub_job-SJ-01.json",
        "company-C-5001.json",
        "budget-BUD-1001.json",
        "budget_modification-BM-001.json",
    ],
)
async def test_the_mock_takes_the_planned_request(client: httpx.AsyncClient, name: str) -> None:
    step = await prepared(client, name)
    answer = await client.request(step.call.method, step.call.path, json=step.call.body)

    assert answer.status_code == 201, answer.json()
    record = answer.json()[step.record]
    assert same_content(step.call.body, record)
    for remembered_as, path in step.remember.items():
        assert record[path], remembered_as
    if step.batch:
        batch = record[step.batch]
        assert (await client.get(f"/v1/batches/{batch}")).json()["auto_post"] is False


@pytest.mark.parametrize(
    "name",
    ["project-1004.json", "sub_job-SJ-01.json", "company-C-5001.json", "budget-BUD-1001.json"],
)
async def test_a_repeat_is_refused_with_a_record_of_the_same_content(
    client: httpx.AsyncClient, name: str
) -> None:
    step = await prepared(client, name)
    await client.request(step.call.method, step.call.path, json=step.call.body)
    again = await client.request(step.call.method, step.call.path, json=step.call.body)

    assert again.status_code == 409
    matches = same_content(step.call.body, again.json()["existing"])
    assert on_step_failure(again.json()["code"], matches) is StepOutcome.LINK


async def test_the_budgets_cost_code_refresh_adds_nothing_to_a_job_that_has_them(
    client: httpx.AsyncClient,
) -> None:
    refresh, _ = planned_steps("budget-BUD-1001.json")
    answer = await client.request(refresh.call.method, refresh.call.path, json=refresh.call.body)
    assert answer.status_code == 200
    assert answer.json()["added"] == []  # job 1001 has every code and category of BUD-1001
