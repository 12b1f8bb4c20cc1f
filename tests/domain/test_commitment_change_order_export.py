"""Commitment change orders: the seed's rules, the approver's CCO ID, the Sage requests (new
lines created first as commitment items, modifications of one line summed)."""

import copy
import json
from datetime import date
from typing import Any

import pytest

from domain.commands import CommandRequest, ItemFacts, decide, export_fields
from domain.export_plan import Posting, SageCall, fill
from domain.exports import kind_of
from domain.exports.commitment_change_order import COST_CODE_REFRESH
from domain.items import CommitmentChangeOrder, InvalidItem, parse_item
from domain.lifecycle import Command, State
from domain.refusal import Refusal
from tests.domain.builders import EXAMPLES, TOOL_ADMIN, demo_settings, settings

SETTINGS = demo_settings()
TODAY = date(2027, 1, 15)
EXAMPLE: dict[str, Any] = json.loads(
    (EXAMPLES / "items" / "commitment_change_order-SC-0042-01.json").read_text(encoding="utf-8")
)

# seeds/004: the CCO workflow ("Important!"), note 1 of the CCO data mapping table, and
# "COMMITMENT CHANGE ORDERS (CCO)" limitations, in the seed's own words.
SYNCED_RULE = (
    "Commitment. Change orders can only be created from synced commitments: export the "
    "commitment to Sage 300 CRE® first."
)
STATUS_RULE = (
    "Status. It is not possible to export a commitment change order with any other status "
    "than approved."
)
LINE_RULE = (
    "To add a Schedule of Values (SOV) line item to a CCO, it must be tied to an existing cost "
    "code and category."
)

EXISTING_1 = {"commitment_line": 1, "description": "Footings at grid C", "amount": "2500.00"}
NEW_LINE = {"description": "Dewatering", "cost_code": "03-300", "category": "L", "amount": "3000"}


def cco(**changes: Any) -> CommitmentChangeOrder:
    data = copy.deepcopy(EXAMPLE)
    data.update(copy.deepcopy(changes))
    item = parse_item(data)
    assert isinstance(item, CommitmentChangeOrder)
    return item


def broken(item, project_settings=SETTINGS) -> list[str]:
    return kind_of(item).prerequisites(item, project_settings)


def plan(item, fields=None):
    fields = fields or kind_of(item).default_fields(item)
    return kind_of(item).plan(item, SETTINGS, fields, TODAY)


# --- the item file ---


def test_the_demo_cco_parses_with_its_commitment_and_lines():
    item = cco()
    assert item.workflow_id == "commitment_change_order:P-1001:SC-0042-01"
    assert item.commitment.sage_id == "SC-0042"
    assert [line.is_new for line in item.sov] == [False, False, True]
    assert str(item.amount) == "6700.00"


@pytest.mark.parametrize(
    "changes",
    [{"sov": []}, {"sov": [{**EXISTING_1, "commitment_line": 0}]}, {"commitment": {}}],
    ids=["no-lines", "line-zero", "no-commitment-number"],
)
def test_a_malformed_cco_file_is_refused_naming_the_field(changes):
    with pytest.raises(InvalidItem, match=r"field '(sov|commitment)"):
        cco(**changes)


# --- prerequisites ---


def test_the_demo_cco_breaks_no_rule():
    assert broken(cco()) == []


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"commitment": {"number": "SC-0902"}}, SYNCED_RULE),
        ({"commitment": {"number": "SC-0902", "sage_id": " "}}, SYNCED_RULE),
        ({"status": "pending_in_review"}, STATUS_RULE),
        ({"sov": [EXISTING_1, {**NEW_LINE, "cost_code": None}]}, f"SOV line 2: {LINE_RULE}"),
        ({"sov": [{**NEW_LINE, "category": None}]}, f"SOV line 1: {LINE_RULE}"),
    ],
    ids=["not-synced", "blank-sage-id", "pending", "new-line-no-cost-code", "new-line-no-category"],
)
def test_each_rule_alone(changes, rule):
    assert broken(cco(**changes)) == [rule]


@pytest.mark.parametrize(
    "status",
    [
        "draft",
        "pending_in_review",
        "pending_revise_and_resubmit",
        "pending_pricing",
        "pending_not_pricing",
        "pending_proceeding",
        "pending_not_proceeding",
        "no_charge",
        "rejected",
        "void",
    ],
)
def test_only_an_approved_cco_can_be_sent(status):
    assert broken(cco(status=status)) == [STATUS_RULE]


def test_a_line_on_an_existing_commitment_line_needs_no_cost_code_of_its_own():
    assert broken(cco(sov=[EXISTING_1])) == []


def test_several_broken_rules_are_all_named():
    item = cco(
        commitment={"number": "SC-0902"},
        status="draft",
        sov=[{"description": "Extra", "amount": "10"}],
    )
    assert broken(item) == [SYNCED_RULE, STATUS_RULE, f"SOV line 1: {LINE_RULE}"]


def test_a_project_not_synced_with_a_sage_job_cannot_send_ccos():
    rules = broken(cco(), settings(sage_job_id=None))
    assert len(rules) == 1 and "synced with a Sage 300 CRE® job" in rules[0]


INVALID = {
    "commitment_change_order-commitment-not-synced.json": SYNCED_RULE,
    "commitment_change_order-not-approved.json": STATUS_RULE,
    "commitment_change_order-new-line-without-cost-code.json": f"SOV line 3: {LINE_RULE}",
}


def test_every_invalid_cco_example_is_covered():
    found = {p.name for p in (EXAMPLES / "invalid").glob("commitment_change_order-*.json")}
    assert found == set(INVALID)


@pytest.mark.parametrize("name", sorted(INVALID))
def test_each_invalid_example_is_refused_at_send_for_its_one_rule(name):
    item = parse_item(json.loads((EXAMPLES / "invalid" / name).read_text(encoding="utf-8")))
    assert broken(item) == [INVALID[name]]
    facts = ItemFacts(item=item, state=State.DRAFT, settings=SETTINGS)
    with pytest.raises(Refusal) as refused:
        decide(facts, Command.SEND, CommandRequest(actor=TOOL_ADMIN))
    assert str(refused.value) == f"cannot send {item.workflow_id}: {INVALID[name]}"


# --- export fields ---


def test_the_cco_id_defaults_to_the_cco_number_and_the_approver_may_change_it():
    assert export_fields(cco(), {}, {}) == {"sage_id": "SC-0042-01"}
    assert export_fields(cco(), {}, {"sage_id": "42-CO1"}) == {"sage_id": "42-CO1"}


@pytest.mark.parametrize(
    ("value", "problem"),
    [("", "can't be blank"), ("42 CO 1", "use letters, digits")],
)
def test_a_bad_cco_id_is_refused(value, problem):
    with pytest.raises(Refusal, match=problem):
        export_fields(cco(), {}, {"sage_id": value})


# --- the plan ---


def test_a_new_line_is_created_as_a_commitment_item_first_then_the_cco():
    steps = plan(cco()).steps
    assert [s.name for s in steps] == [
        "refresh_cost_codes",
        "create_commitment_item_1",
        "create_change_order",
    ]
    assert steps[0].since == COST_CODE_REFRESH  # older CCOs replay without the refresh
    item = steps[1]
    assert item.call == SageCall(
        method="POST",
        path="/v1/commitments/1001/SC-0042/items",
        body={
            "description": "Dewatering",
            "cost_code": "03-300",
            "category": "L",
            "units": None,
            "unit_cost": None,
            "unit_description": None,
            "amount": 0.0,
        },
    )
    assert item.undo == SageCall(
        method="DELETE", path="/v1/commitments/1001/SC-0042/items/{new_item_1}"
    )
    assert item.record == "commitment_item"
    assert item.remember == {"new_item_1": "item_id"}
    assert item.batch is None


def test_the_cco_maps_field_by_field_and_posts_automatically():
    exported = plan(cco(), {"sage_id": "42-CO1"})
    assert exported.posting is Posting.AUTOMATIC
    step = exported.steps[-1]
    assert step.call.method == "POST"
    assert step.call.path == "/v1/commitment_change_orders"
    assert step.call.body == {
        "job_id": "1001",
        "commitment_id": "SC-0042",
        "change_order_id": "42-CO1",
        "description": "Added footings, dewatering",
        "date": "2027-01-15",
        "status": "approved",
        "items": [
            {"item_id": "1", "units": None, "amount": 3700.0},
            {
                "item_id": "{new_item_1}",
                "units": None,
                "amount": 3000.0,
                "description": "Dewatering",
                "cost_code": "03-300",
                "category": "L",
                "unit_cost": None,
                "unit_description": None,
            },
        ],
    }
    assert step.undo == SageCall(method="DELETE", path="/v1/commitment_change_orders/42-CO1")
    assert (step.record, step.batch) == ("change_order", "batch_id")
    assert step.remember == {"change_order_id": "change_order_id"}


def test_several_modifications_of_one_commitment_line_are_summed_into_one_sage_line():
    item = cco(
        sov=[
            {"commitment_line": 2, "amount": "100.00"},
            {"commitment_line": 1, "amount": "40.00"},
            {"commitment_line": 2, "amount": "-30.00"},
            {"commitment_line": 2, "amount": "5.50"},
        ]
    )
    [_refresh, step] = plan(item).steps
    assert step.call.body["items"] == [
        {"item_id": "2", "units": None, "amount": 75.5},
        {"item_id": "1", "units": None, "amount": 40.0},
    ]
    assert sum(i["amount"] for i in step.call.body["items"]) == float(item.amount)


def test_summed_purchase_order_lines_add_their_quantities():
    line = {"commitment_line": 1, "qty": "4", "unit_cost": "812.50"}
    [_refresh, step] = plan(cco(sov=[line, {**line, "qty": "2"}])).steps
    assert step.call.body["items"] == [{"item_id": "1", "units": 6.0, "amount": 4875.0}]
    [_, mixed] = plan(cco(sov=[line, {"commitment_line": 1, "amount": "10"}])).steps
    assert mixed.call.body["items"] == [{"item_id": "1", "units": None, "amount": 3260.0}]


def test_new_lines_are_never_summed_and_each_gets_its_own_sage_item():
    item = cco(sov=[NEW_LINE, EXISTING_1, {**NEW_LINE, "description": "Pumps", "amount": "250"}])
    steps = plan(item).steps
    assert [s.name for s in steps] == [
        "refresh_cost_codes",
        "create_commitment_item_1",
        "create_commitment_item_2",
        "create_change_order",
    ]
    items = steps[-1].call.body["items"]
    assert [(i["item_id"], i["amount"]) for i in items] == [
        ("{new_item_1}", 3000.0),
        ("1", 2500.0),
        ("{new_item_2}", 250.0),
    ]
    filled = fill(steps[-1].call, {"new_item_1": "3", "new_item_2": "4"})
    assert [i["item_id"] for i in filled.body["items"]] == ["3", "1", "4"]


def test_when_the_cco_is_refused_the_added_commitment_items_are_deleted_newest_first():
    item = cco(sov=[NEW_LINE, {**NEW_LINE, "description": "Pumps"}])
    steps = plan(item).steps
    done, answers = steps[:-1], {"new_item_1": "3", "new_item_2": "4"}
    undo = [fill(s.undo, answers) for s in reversed(done) if s.undo]
    assert [(c.method, c.path) for c in undo] == [
        ("DELETE", "/v1/commitments/1001/SC-0042/items/4"),
        ("DELETE", "/v1/commitments/1001/SC-0042/items/3"),
    ]


def test_a_cco_of_existing_lines_only_is_a_single_import():
    [_refresh, step] = plan(cco(sov=[EXISTING_1])).steps
    assert step.name == "create_change_order"


# --- the title: seeds/004 "COMMITMENTS" Prerequisites ("Title. The title must be 30 characters
# or less.") is the commitment's; the "COMMITMENT CHANGE ORDERS (CCO)" section names no limit ---

LONG_TITLE = "Added footings at grid C and D after the soils report of week 12"


def test_a_cco_title_longer_than_a_commitments_30_characters_breaks_no_rule():
    item = cco(title=LONG_TITLE)
    assert len(item.title) > 30
    assert broken(item) == []
    facts = ItemFacts(item=item, state=State.DRAFT, settings=SETTINGS)
    assert decide(facts, Command.SEND, CommandRequest(actor=TOOL_ADMIN)) is not None


def test_the_long_title_reaches_sage_whole():
    [*_, create] = plan(cco(title=LONG_TITLE)).steps
    assert create.call.body["description"] == LONG_TITLE
