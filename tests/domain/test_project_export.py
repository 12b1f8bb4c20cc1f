"""Projects -> Sage jobs: seeds/004 "projects" and "Job Setup", the PROJECTS rows of its
troubleshooting table, and its "Projects/Jobs" data mapping table."""

import json
from datetime import date
from typing import Any

import pytest

from domain.commands import AcceptRequest, CommandRequest, ItemFacts, decide, export_fields
from domain.export_plan import Posting
from domain.exports import kind_of
from domain.exports.jobs import JOB_RULE, NoSageJob
from domain.items import Project, parse_item
from domain.lifecycle import Command, State
from domain.refusal import Refusal
from tests.domain.builders import APPROVER, EXAMPLES, TOOL_ADMIN, commitment, demo_settings

UNSYNCED = demo_settings("P-1004")  # a project with no Sage job yet
TODAY = date(2027, 1, 15)

NAME_RULE = "[Name] is too long, maximum length is 30 characters."
CITY_RULE = "[AddressCity] is too long, maximum length is 15 characters."
ZIP_RULE = "[AddressZip] is too long, maximum length is 10 characters."
PRE_EXISTING_RULE = (
    "Projects that are in-progress or created before connection of the integration cannot be "
    "synced."
)
SYNCED_RULE = (
    "Project. It is already synced with Sage 300 CRE® job 1001. Jobs must be created in one "
    "location and pushed to the other, jobs CANNOT be created in both locations and linked "
    "together."
)


def project(**changes: Any) -> Project:
    data = json.loads((EXAMPLES / "items" / "project-1004.json").read_text(encoding="utf-8"))
    item = parse_item({**data, **changes})
    assert isinstance(item, Project)
    return item


def broken(item: Project, settings=UNSYNCED) -> list[str]:
    return kind_of(item).prerequisites(item, settings)


def test_the_example_project_breaks_no_rule():
    assert broken(project()) == []


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"name": "Lakeside Library and Community Hall"}, NAME_RULE),
        ({"city": "Lakeside Heights"}, CITY_RULE),
        ({"zip": "92040-12345"}, ZIP_RULE),
        ({"existing_before_integration": True}, PRE_EXISTING_RULE),
    ],
    ids=["name-31", "city-16", "zip-11", "pre-existing"],
)
def test_each_rule_alone(changes, rule):
    assert broken(project(**changes)) == [rule]


def test_limits_are_inclusive():
    assert broken(project(name="N" * 30, city="C" * 15, zip="Z" * 10)) == []


def test_a_project_already_synced_with_a_job_is_not_exported_again():
    assert broken(project(project="P-1001"), demo_settings("P-1001")) == [SYNCED_RULE]


def test_every_broken_rule_is_named():
    item = project(
        name="Lakeside Library and Community Hall",
        city="Lakeside Heights",
        zip="92040-12345",
        existing_before_integration=True,
    )
    assert broken(item) == [PRE_EXISTING_RULE, NAME_RULE, CITY_RULE, ZIP_RULE]


def test_cost_codes_listed_twice_are_refused_when_the_file_is_read():
    with pytest.raises(ValueError, match="cost code 01-100 is listed twice"):
        project(cost_codes=[{"code": "01-100"}, {"code": "01-100", "cost_types": ["L"]}])


# --- export fields: the approver enters the Sage Job ID ---


def test_the_sage_job_id_has_no_default_and_accept_without_it_is_refused():
    with pytest.raises(Refusal) as refused:
        export_fields(project(), {}, {})
    message = str(refused.value)
    assert message.startswith("export field 'sage_job_id' can't be blank")
    assert "entered manually by an accounting approver" in message


def test_accept_with_the_sage_job_id_keeps_it():
    facts = ItemFacts(item=project(), state=State.SENT, settings=UNSYNCED)
    decision = decide(
        facts, Command.ACCEPT, AcceptRequest(actor=APPROVER, fields={"sage_job_id": "1004"})
    )
    assert decision.next_state is State.ACCEPTED
    assert decision.export_fields == {"sage_job_id": "1004"}


@pytest.mark.parametrize("bad", ["10/04", "10 04", "-1004"])
def test_a_sage_job_id_sage_could_not_take_is_refused(bad):
    with pytest.raises(Refusal, match="letters, digits"):
        export_fields(project(), {}, {"sage_job_id": bad})


def test_send_names_the_broken_rule():
    facts = ItemFacts(item=project(zip="92040-12345"), state=State.DRAFT, settings=UNSYNCED)
    with pytest.raises(Refusal) as refused:
        decide(facts, Command.SEND, CommandRequest(actor=TOOL_ADMIN))
    assert str(refused.value) == f"cannot send project:P-1004:1004: {ZIP_RULE}"


# --- the plan: seeds/004 "Projects/Jobs" data mapping ---


def test_a_project_is_one_call_creating_the_job_with_its_cost_codes():
    plan = kind_of(project()).plan(project(), UNSYNCED, {"sage_job_id": "1004"}, TODAY)
    assert plan.posting is Posting.AUTOMATIC  # master data: nothing waits to be posted
    [step] = plan.steps
    assert (step.name, step.call.method, step.call.path) == ("create_job", "POST", "/v1/jobs")
    assert step.call.body == {
        "job_id": "1004",  # Sage Job ID (entered by the approver) -> Job ID
        "name": "Lakeside Library",  # Project Name -> Job Name
        "address": "200 Shore Drive",  # Address -> Address
        "city": "Lakeside",  # City -> City
        "state": "CA",  # State -> State
        "zip": "92040",  # ZIP -> Zip
        "cost_codes": [  # Cost Code (code, description) -> Cost Code; Cost Type -> Category
            {"code": "01-100", "description": "General Conditions", "categories": ["L", "M", "O"]},
            {"code": "03-300", "description": "Concrete", "categories": ["L", "M", "S"]},
            {"code": "09-250", "description": "Drywall", "categories": ["L", "M", "S"]},
            {"code": "16-100", "description": "Electrical", "categories": ["L", "M", "S"]},
        ],
    }
    assert step.record == "job"
    assert step.remember == {"job_id": "job_id"}
    assert step.batch is None and step.undo is None
    assert "1004" in step.summary


def test_the_job_id_is_the_approvers_not_the_project_number():
    body = kind_of(project()).plan(project(), UNSYNCED, {"sage_job_id": "LL-24"}, TODAY)
    assert body.steps[0].call.body["job_id"] == "LL-24"


def test_cost_codes_go_in_code_order_as_sage_lists_them():
    item = project(cost_codes=[{"code": "16-100"}, {"code": "01-100", "cost_types": ["L"]}])
    body = kind_of(item).plan(item, UNSYNCED, {"sage_job_id": "1004"}, TODAY).steps[0].call.body
    assert [c["code"] for c in body["cost_codes"]] == ["01-100", "16-100"]
    assert body["cost_codes"][1] == {"code": "16-100", "description": "", "categories": []}


# --- items that land on a job cannot be sent before the project has one ---


@pytest.mark.parametrize(
    "example",
    ["sub_job-SJ-01.json", "budget-BUD-1001.json", "budget_modification-BM-001.json"],
)
def test_job_bound_items_of_an_unsynced_project_are_refused_at_send(example):
    data = json.loads((EXAMPLES / "items" / example).read_text(encoding="utf-8"))
    item = parse_item({**data, "project": "P-1004"})
    assert kind_of(item).prerequisites(item, UNSYNCED)[0] == JOB_RULE
    with pytest.raises(NoSageJob):
        kind_of(item).plan(item, UNSYNCED, kind_of(item).default_fields(item), TODAY)


def test_a_commitment_of_an_unsynced_project_is_refused_at_send():
    item = commitment(project="P-1004")
    assert kind_of(item).prerequisites(item, UNSYNCED) == [JOB_RULE]
    facts = ItemFacts(item=item, state=State.DRAFT, settings=UNSYNCED)
    with pytest.raises(Refusal, match="must be synced with a Sage 300 CRE® job"):
        decide(facts, Command.SEND, CommandRequest(actor=TOOL_ADMIN))


# --- examples/invalid: one file per rule, refused at send in the seed's words ---

INVALID = {
    "project-already-synced.json": SYNCED_RULE,
    "project-pre-existing.json": PRE_EXISTING_RULE,
    "project-name-too-long.json": NAME_RULE,
    "project-city-too-long.json": CITY_RULE,
    "project-zip-too-long.json": ZIP_RULE,
}


def test_every_invalid_project_file_is_listed_here():
    assert {p.name for p in (EXAMPLES / "invalid").glob("project-*.json")} == set(INVALID)


@pytest.mark.parametrize(("name", "rule"), sorted(INVALID.items()))
def test_each_invalid_file_is_refused_at_send_for_its_one_rule(name, rule):
    data = json.loads((EXAMPLES / "invalid" / name).read_text(encoding="utf-8"))
    item = parse_item(data)
    settings = demo_settings(item.project)
    assert broken(item, settings) == [rule]
    facts = ItemFacts(item=item, state=State.DRAFT, settings=settings)
    with pytest.raises(Refusal) as refused:
        decide(facts, Command.SEND, CommandRequest(actor=TOOL_ADMIN))
    assert str(refused.value) == f"cannot send {item.workflow_id}: {rule}"
