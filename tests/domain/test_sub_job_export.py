"""Sub jobs -> Sage extras: seeds/004 "SUB JOBS" and its "Sub Jobs/Extras" data mapping."""

import json
from datetime import date
from typing import Any

import pytest

from domain.commands import AcceptRequest, CommandRequest, ItemFacts, decide, export_fields
from domain.export_plan import Posting
from domain.exports import kind_of
from domain.exports.jobs import JOB_RULE
from domain.items import SubJob, parse_item
from domain.lifecycle import Command, State
from domain.refusal import Refusal
from tests.domain.builders import APPROVER, EXAMPLES, TOOL_ADMIN, demo_settings

SETTINGS = demo_settings("P-1001")
TODAY = date(2027, 1, 15)


def sub_job(**changes: Any) -> SubJob:
    data = json.loads((EXAMPLES / "items" / "sub_job-SJ-01.json").read_text(encoding="utf-8"))
    item = parse_item({**data, **changes})
    assert isinstance(item, SubJob)
    return item


def test_the_example_sub_job_breaks_no_rule():
    assert kind_of(sub_job()).prerequisites(sub_job(), SETTINGS) == []


def test_a_sub_job_needs_its_project_synced_with_a_job():
    item = sub_job(project="P-1004")
    assert kind_of(item).prerequisites(item, demo_settings("P-1004")) == [JOB_RULE]


# --- export fields: the SubJob ID is prefilled and may be changed at accept ---


def test_the_sub_job_id_is_prefilled_with_the_sub_job_code():
    assert export_fields(sub_job(), {}, {}) == {"sub_job_id": "SJ-01"}


def test_the_approver_may_change_the_sub_job_id_at_accept():
    facts = ItemFacts(item=sub_job(), state=State.SENT, settings=SETTINGS)
    request = AcceptRequest(actor=APPROVER, fields={"sub_job_id": "EW-100"})
    assert decide(facts, Command.ACCEPT, request).export_fields == {"sub_job_id": "EW-100"}


@pytest.mark.parametrize(("bad", "words"), [("", "can't be blank"), ("EW/100", "letters")])
def test_a_sub_job_id_sage_could_not_take_is_refused(bad, words):
    with pytest.raises(Refusal, match=words):
        export_fields(sub_job(), {}, {"sub_job_id": bad})


def test_an_unknown_export_field_is_refused():
    with pytest.raises(Refusal, match="known: sub_job_id"):
        export_fields(sub_job(), {}, {"sage_id": "X"})


# --- the plan: seeds/004 "Sub Jobs/Extras" data mapping ---


def test_a_sub_job_is_one_call_creating_the_extra_on_the_projects_job():
    plan = kind_of(sub_job()).plan(sub_job(), SETTINGS, {"sub_job_id": "EW-100"}, TODAY)
    assert plan.posting is Posting.AUTOMATIC  # master data: nothing waits to be posted
    [step] = plan.steps
    assert (step.name, step.call.method, step.call.path) == ("create_extra", "POST", "/v1/extras")
    assert step.call.body == {
        "job_id": "1001",  # the project's Sage Job ID
        "extra_id": "EW-100",  # Code (the SubJob ID at accept) -> Extra
        "description": "East Wing",  # Sub Job -> Description
        "cost_codes": [  # Cost Code -> Cost Code; Cost Type -> Category
            {"code": "03-300", "description": "Concrete", "categories": ["L", "M"]},
            {"code": "09-250", "description": "Drywall", "categories": ["L", "S"]},
        ],
    }
    assert step.record == "extra"
    assert step.remember == {"extra_id": "extra_id"}
    assert step.batch is None and step.undo is None


def test_the_job_comes_from_the_projects_settings():
    item = sub_job(project="P-1002")
    plan = kind_of(item).plan(item, demo_settings("P-1002"), {"sub_job_id": "SJ-01"}, TODAY)
    assert plan.steps[0].call.body["job_id"] == "1002"


# --- examples/invalid ---


def test_the_invalid_sub_job_file_is_refused_at_send_in_the_rules_words():
    assert [p.name for p in (EXAMPLES / "invalid").glob("sub_job-*.json")] == [
        "sub_job-project-not-synced.json"
    ]
    path = EXAMPLES / "invalid" / "sub_job-project-not-synced.json"
    item = parse_item(json.loads(path.read_text(encoding="utf-8")))
    facts = ItemFacts(item=item, state=State.DRAFT, settings=demo_settings(item.project))
    with pytest.raises(Refusal) as refused:
        decide(facts, Command.SEND, CommandRequest(actor=TOOL_ADMIN))
    assert str(refused.value) == f"cannot send {item.workflow_id}: {JOB_RULE}"
