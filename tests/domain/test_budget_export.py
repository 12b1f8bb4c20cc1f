"""Budgets -> the Sage original estimate: seeds/004 "BUDGET" and its "Budgets" data mapping,
seeds/002's budget workflow (lock, then send), and manual posting."""

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.commands import CommandRequest, ItemFacts, decide, export_fields
from domain.errors import CATALOGUE, Remedy
from domain.export_plan import Posting
from domain.exports import budget as budget_export
from domain.exports import kind_of
from domain.exports.jobs import JOB_RULE
from domain.items import Budget, parse_item
from domain.lifecycle import Command, State
from domain.refusal import Refusal
from tests.domain.builders import EXAMPLES, TOOL_ADMIN, demo_settings, settings

SETTINGS = demo_settings("P-1001")
TODAY = date(2027, 1, 15)

LOCK_RULE = (
    "Budget. Lock the budget before you send it to ERP Integrations for accounting acceptance."
)
LINES_RULE = (
    "Budget. Must include at least one (1) budget line item with a Sage 300 CRE® cost code "
    "and category."
)


def budget(**changes: Any) -> Budget:
    data = json.loads((EXAMPLES / "items" / "budget-BUD-1001.json").read_text(encoding="utf-8"))
    item = parse_item({**data, **changes})
    assert isinstance(item, Budget)
    return item


def broken(item: Budget, settings=SETTINGS) -> list[str]:
    return kind_of(item).prerequisites(item, settings)


def test_the_example_budget_breaks_no_rule_and_adds_up():
    assert broken(budget()) == []
    assert budget().amount == Decimal("2767000.00")


@pytest.mark.parametrize(
    ("changes", "rule"),
    [({"locked": False}, LOCK_RULE), ({"lines": []}, LINES_RULE)],
    ids=["not-locked", "no-lines"],
)
def test_each_rule_alone(changes, rule):
    assert broken(budget(**changes)) == [rule]


def test_a_budget_needs_its_project_synced_with_a_job():
    assert broken(budget(project="P-1004"), demo_settings("P-1004")) == [JOB_RULE]


def test_every_broken_rule_is_named():
    item = budget(project="P-1004", locked=False, lines=[])
    assert broken(item, demo_settings("P-1004")) == [JOB_RULE, LOCK_RULE, LINES_RULE]


def test_a_budget_has_no_export_fields():
    assert export_fields(budget(), {}, {}) == {}
    with pytest.raises(Refusal, match="known: none"):
        export_fields(budget(), {}, {"sage_id": "X"})


# --- the plan: seeds/004 "Budgets" data mapping ---


def test_a_budget_is_one_estimate_that_waits_for_a_person_to_post_it():
    plan = kind_of(budget()).plan(budget(), SETTINGS, {}, TODAY)
    assert plan.posting is Posting.MANUAL
    [_refresh, step] = plan.steps
    assert (step.name, step.call.method, step.call.path) == (
        "create_estimate",
        "POST",
        "/v1/estimates",
    )
    assert step.record == "estimate"
    assert step.remember == {"estimate_id": "estimate_id"}
    assert step.batch == "batch_id"
    assert step.undo is None
    assert "BUD-1001" in step.summary and "1001" in step.summary


def test_each_line_is_its_original_estimate_per_cost_code_and_category():
    body = kind_of(budget()).plan(budget(), SETTINGS, {}, TODAY).steps[-1].call.body
    assert body == {
        "job_id": "1001",  # the project's Sage Job ID
        "lines": [  # Cost Code -> Cost Code, Category -> Category,
            # Original Budget -> Original Estimate
            {"cost_code": "01-100", "category": "L", "original_estimate": 185000.0},
            {"cost_code": "01-100", "category": "O", "original_estimate": 42000.0},
            {"cost_code": "03-300", "category": "S", "original_estimate": 1250000.0},
            {"cost_code": "09-250", "category": "M", "original_estimate": 310000.0},
            {"cost_code": "16-100", "category": "S", "original_estimate": 980000.0},
        ],
    }


def test_units_are_not_synced_the_budget_sync_is_amount_based_only():
    line = budget().lines[3]
    assert (line.unit_qty, line.uom) == (Decimal("24000"), "sqft")
    body = kind_of(budget()).plan(budget(), SETTINGS, {}, TODAY).steps[-1].call.body
    assert set(body["lines"][3]) == {"cost_code", "category", "original_estimate"}


def test_a_second_budget_export_is_refused_by_sage_unless_it_is_the_same_budget():
    locked = CATALOGUE["budget_locked"]
    assert locked.remedy is Remedy.LINK and not locked.retryable
    assert "budget modification" in locked.solution
    assert "After exporting a Procore budget to Sage 300 CRE®" in locked.cause


# --- the automatic cost code refresh (seeds/004 release note of 02/03/2025) ---


def test_the_jobs_cost_codes_are_refreshed_before_the_estimate_with_every_budget_code_once():
    refresh, create = kind_of(budget()).plan(budget(), SETTINGS, {}, TODAY).steps
    assert (refresh.name, refresh.call.method, refresh.call.path) == (
        "refresh_cost_codes",
        "POST",
        "/v1/jobs/1001/cost_codes",
    )
    assert refresh.call.body == {
        "cost_codes": [  # 01-100 has two budget lines: one code, both categories
            {"code": "01-100", "description": "", "categories": ["L", "O"]},
            {"code": "03-300", "description": "", "categories": ["S"]},
            {"code": "09-250", "description": "", "categories": ["M"]},
            {"code": "16-100", "description": "", "categories": ["S"]},
        ]
    }
    assert refresh.undo is None and refresh.batch is None
    assert create.name == "create_estimate"


def test_budgets_exported_by_an_older_release_replay_without_the_refresh():
    plan = kind_of(budget()).plan(budget(), SETTINGS, {}, TODAY)
    assert plan.steps[0].since == budget_export.COST_CODE_REFRESH
    old = plan.released(lambda patch: False)
    assert [s.name for s in old.steps] == ["create_estimate"]
    assert plan.released(lambda patch: True) == plan


def test_a_plan_for_a_sage_company_addresses_every_call_and_undo_to_it():
    plan = kind_of(budget()).plan(budget(), SETTINGS, {}, TODAY).for_company("S100")
    assert {s.call.company for s in plan.steps} == {"S100"}
    assert (
        kind_of(budget())
        .plan(budget(), SETTINGS, {}, TODAY)
        .for_company(None)
        .steps[0]
        .call.company
        is None
    )


# --- examples/invalid ---

INVALID = {
    "budget-project-not-synced.json": JOB_RULE,
    "budget-not-locked.json": LOCK_RULE,
    "budget-no-lines.json": LINES_RULE,
}


def test_every_invalid_budget_file_is_listed_here():
    assert {p.name for p in (EXAMPLES / "invalid").glob("budget-*.json")} == set(INVALID)


@pytest.mark.parametrize(("name", "rule"), sorted(INVALID.items()))
def test_each_invalid_file_is_refused_at_send_for_its_one_rule(name, rule):
    item = parse_item(json.loads((EXAMPLES / "invalid" / name).read_text(encoding="utf-8")))
    settings = demo_settings(item.project)
    assert broken(item, settings) == [rule]
    facts = ItemFacts(item=item, state=State.DRAFT, settings=settings)
    with pytest.raises(Refusal) as refused:
        decide(facts, Command.SEND, CommandRequest(actor=TOOL_ADMIN))
    assert str(refused.value) == f"cannot send {item.workflow_id}: {rule}"


# --- seeds/002 "Update and Export a Budget": "If you need to update a budget in Procore after
# exporting it to Sage 100 Contractor®, use the workflow below as a guideline." (add a partial
# budget line item / delete a budget line item / edit a budget -> send -> accept) ---


def test_a_sage100_budget_updated_after_its_export_is_sent_and_planned_again():
    """The orchestrator keeps no lock of its own: the updated budget (here a new budget item
    with a line edited, one added) meets every rule and plans the same two calls; Sage 100
    Contractor® takes it and it replaces the job's estimate (sage_mock/records/estimates.py)."""
    s100 = settings(erp="sage100", sage_company="S100", sage_job_id="3001")
    lines = [
        {"cost_code": "03-000", "category": "1", "original_budget": "150000.00"},
        {"cost_code": "16-000", "category": "2", "original_budget": "40000.00"},
    ]
    updated = budget(project="P-1001", number="BUD-3001-2", lines=lines)
    assert kind_of(updated).prerequisites(updated, s100) == []
    facts = ItemFacts(item=updated, state=State.DRAFT, settings=s100)
    assert decide(facts, Command.SEND, CommandRequest(actor=TOOL_ADMIN)) is not None
    steps = kind_of(updated).plan(updated, s100, {}, TODAY).steps
    assert [s.call.path for s in steps] == ["/v1/jobs/3001/cost_codes", "/v1/estimates"]
    assert steps[1].call.body["lines"][1] == {
        "cost_code": "16-000",
        "category": "2",
        "original_estimate": 40000.0,
    }
