"""Budget modifications -> Sage estimate transfers: seeds/004 "BUDGET CHANGES" and its
"Budget Modifications" data mapping: "1 Typically Budget Modifications are used to move money
from one budget line item to another, usually with a zero sum effect." (typically, usually: a
warning, not a rule)."""

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.commands import CommandRequest, ItemFacts, decide, export_fields
from domain.export_plan import Posting
from domain.exports import kind_of
from domain.exports.jobs import JOB_RULE
from domain.items import BudgetModification, parse_item
from domain.lifecycle import Command, State
from domain.refusal import Refusal
from domain.settings import DirectExportMode
from domain.status import ItemStatus
from tests.domain.builders import EXAMPLES, TOOL_ADMIN, demo_settings

SETTINGS = demo_settings("P-1001")
TODAY = date(2027, 1, 15)

FROM_TO_RULE = (
    "From/To. A budget modification moves money from at least one budget line item (a 'from' "
    "line) to another (a 'to' line)."
)
QUESTION_MARK = (
    'Line items with a "?" will not allow a user to create a Budget Change into/from the line item.'
)


SEED_LINE = (
    "Typically Budget Modifications are used to move money from one budget line item to "
    "another, usually with a zero sum effect"
)


FROM = {"direction": "from", "cost_code": "01-100", "category": "L", "amount": "7500.00"}
TO = {"direction": "to", "cost_code": "09-250", "category": "M", "amount": "7500.00"}


def modification(**changes: Any) -> BudgetModification:
    path = EXAMPLES / "items" / "budget_modification-BM-001.json"
    item = parse_item({**json.loads(path.read_text(encoding="utf-8")), **changes})
    assert isinstance(item, BudgetModification)
    return item


def broken(item: BudgetModification, settings=SETTINGS) -> list[str]:
    return kind_of(item).prerequisites(item, settings)


def test_the_example_breaks_no_rule_and_its_amount_is_what_moves():
    assert broken(modification()) == []
    assert modification().amount == Decimal("7500.00")


def test_a_change_that_does_not_net_to_zero_is_sent_with_a_warning_in_the_seeds_words():
    """'usually with a zero sum effect': not a rule, so nothing refuses it; `status` says so."""
    item = modification(lines=[FROM, {**TO, "amount": "7600.00"}])
    assert broken(item) == []
    [warning] = kind_of(item).warnings(item)
    assert SEED_LINE in warning
    assert "'from' lines ($7,500.00) and the 'to' lines ($7,600.00)" in warning
    assert "change the budget by $+100.00" in warning
    facts = ItemFacts(item=item, state=State.DRAFT, settings=SETTINGS)
    assert decide(facts, Command.SEND, CommandRequest(actor=TOOL_ADMIN)) is not None


def test_the_unbalanced_change_is_exported_as_it_is():
    item = modification(lines=[FROM, {**TO, "amount": "7000.00"}])
    body = kind_of(item).plan(item, SETTINGS, {}, TODAY).steps[-1].call.body
    assert [line["transfer_amount"] for line in body["lines"]] == [-7500.0, 7000.0]


def test_a_change_that_nets_to_zero_warns_of_nothing():
    assert kind_of(modification()).warnings(modification()) == []


def test_the_warning_is_in_the_items_status():
    item = modification(lines=[FROM, {**TO, "amount": "7000.00"}])
    status = ItemStatus(
        workflow_id=item.workflow_id,
        item=item.model_dump(mode="json"),
        state=State.SENT,
        export_mode=DirectExportMode.DISABLED,
    )
    [warning] = status.warnings
    assert SEED_LINE in warning and "$-500.00" in warning
    assert status.model_dump(mode="json")["warnings"] == [warning]
    assert ItemStatus.model_validate(status.model_dump(mode="json")).warnings == [warning]


def test_several_lines_may_net_to_zero_together():
    lines = [
        FROM,
        {**FROM, "cost_code": "03-300", "category": "S", "amount": "2500"},
        {**TO, "amount": "4000"},
        {**TO, "cost_code": "16-100", "category": "S", "amount": "6000"},
    ]
    assert broken(modification(lines=lines)) == []


@pytest.mark.parametrize("lines", [[TO], [FROM], []], ids=["only-to", "only-from", "no-lines"])
def test_money_moves_from_a_line_to_another(lines):
    assert broken(modification(lines=lines)) == [FROM_TO_RULE]


@pytest.mark.parametrize(
    ("line", "n"),
    [({**TO, "cost_code": "?"}, 2), ({**TO, "category": "?"}, 2)],
    ids=["cost-code", "category"],
)
def test_a_line_item_with_a_question_mark_cannot_take_a_budget_change(line, n):
    assert broken(modification(lines=[FROM, line])) == [f"Line {n}: {QUESTION_MARK}"]


def test_amounts_are_positive_the_direction_says_which_way():
    with pytest.raises(ValueError, match="amount"):
        modification(lines=[FROM, {**TO, "amount": "-7500"}])


def test_a_modification_needs_its_project_synced_with_a_job():
    item = modification(project="P-1004")
    assert broken(item, demo_settings("P-1004")) == [JOB_RULE]


def test_a_modification_has_no_export_fields():
    assert export_fields(modification(), {}, {}) == {}


# --- the plan: seeds/004 "Budget Modifications" data mapping ---


def test_a_modification_is_one_transfer_that_waits_for_a_person_and_cannot_be_undone():
    plan = kind_of(modification()).plan(modification(), SETTINGS, {}, TODAY)
    assert plan.posting is Posting.MANUAL
    [_refresh, step] = plan.steps
    assert (step.name, step.call.method, step.call.path) == (
        "create_estimate_transfer",
        "POST",
        "/v1/estimate_transfers",
    )
    assert step.undo is None  # "Once a budget change has been created, it cannot be ... deleted."
    assert step.record == "estimate_transfer"
    assert step.remember == {"transfer_id": "transfer_id"}
    assert step.batch == "batch_id"


def test_the_transfer_follows_the_data_mapping():
    body = kind_of(modification()).plan(modification(), SETTINGS, {}, TODAY).steps[-1].call.body
    assert body == {
        "job_id": "1001",  # Sage Job ID -> Job ID
        "job_name": "Riverside Medical Center",  # Project Name -> Job Name
        "job_address": "1200 River Road",  # Address -> Job Address
        "job_city": "Riverside",  # City -> Job City
        "job_state": "CA",  # State -> Job State
        "job_zip": "92501",  # Zip -> Job Zip Code
        "date": "2027-01-15",  # System date assigned at time of export -> Transaction Date
        "lines": [  # From/To -> Cost Code ID, Category Description, Category ID
            {
                "cost_code": "01-100",
                "category": "L",
                "category_description": "Labor",
                "transfer_amount": -7500.0,  # Amount -> Transfer Amount: out of the 'from' line
            },
            {
                "cost_code": "09-250",
                "category": "M",
                "category_description": "Material",
                "transfer_amount": 7500.0,  # into the 'to' line
            },
        ],
    }


# --- examples/invalid ---

INVALID = {
    "budget_modification-project-not-synced.json": JOB_RULE,
    "budget_modification-question-mark-line.json": f"Line 2: {QUESTION_MARK}",
    "budget_modification-no-from-line.json": FROM_TO_RULE,
}


def test_every_invalid_budget_modification_file_is_listed_here():
    found = {p.name for p in (EXAMPLES / "invalid").glob("budget_modification-*.json")}
    assert found == set(INVALID)


@pytest.mark.parametrize(("name", "rule"), sorted(INVALID.items()))
def test_each_invalid_file_is_refused_at_send_for_its_one_rule(name, rule):
    item = parse_item(json.loads((EXAMPLES / "invalid" / name).read_text(encoding="utf-8")))
    settings = demo_settings(item.project)
    assert broken(item, settings) == [rule]
    facts = ItemFacts(item=item, state=State.DRAFT, settings=settings)
    with pytest.raises(Refusal) as refused:
        decide(facts, Command.SEND, CommandRequest(actor=TOOL_ADMIN))
    assert str(refused.value) == f"cannot send {item.workflow_id}: {rule}"
