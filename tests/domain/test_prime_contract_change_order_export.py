"""Prime contract change orders: the seed's rules, the ERP Admin who accepts them, the new
contract item codes, and the saga (contract items, estimate changes, schedule value changes)."""

import copy
import json
from datetime import date
from typing import Any

import pytest

from domain.commands import AcceptRequest, CommandRequest, ItemFacts, decide, export_fields
from domain.export_plan import Posting, SageCall, fill
from domain.exports import kind_of
from domain.exports.prime_contract_change_order import COST_CODE_REFRESH
from domain.items import InvalidItem, PrimeContractChangeOrder, parse_item
from domain.lifecycle import Command, State
from domain.permissions import NotPermitted
from domain.refusal import Refusal
from tests.domain.builders import (
    APPROVER,
    ERP_ADMIN,
    EXAMPLES,
    TOOL_ADMIN,
    demo_settings,
    settings,
)

SETTINGS = demo_settings()
TODAY = date(2027, 1, 15)
EXAMPLE: dict[str, Any] = json.loads(
    (EXAMPLES / "items" / "prime_contract_change_order-PCCO-007.json").read_text(encoding="utf-8")
)

# seeds/004 "PRIME CONTRACT CHANGE ORDERS (PCCO)" prerequisites, in the seed's own words
# (its "two (20)" included).
TITLE_RULE = "Title. Must be 255 characters or less."
NUMBER_RULE = "Number (#). Must be two (20) characters or less."
STATUS_RULE = "Status. Must be in the Approved status."

PADS = {
    "contract_item": "002",
    "description": "Equipment pads",
    "cost_code": "03-300",
    "category": "M",
    "amount": "4500.00",
}
CANOPY = {
    "description": "Entrance canopy steel",
    "cost_code": "05-120",
    "category": "S",
    "amount": "18000.00",
}
NEW = {"new_contract_items": "006"}


def pcco(**changes: Any) -> PrimeContractChangeOrder:
    data = copy.deepcopy(EXAMPLE)
    data.update(copy.deepcopy(changes))
    item = parse_item(data)
    assert isinstance(item, PrimeContractChangeOrder)
    return item


def broken(item, project_settings=SETTINGS) -> list[str]:
    return kind_of(item).prerequisites(item, project_settings)


def plan(item, fields=NEW):
    return kind_of(item).plan(item, SETTINGS, fields, TODAY)


# --- the item file and prerequisites ---


def test_the_demo_pcco_breaks_no_rule():
    item = pcco()
    assert item.workflow_id == "prime_contract_change_order:P-1001:PCCO-007"
    assert str(item.amount) == "22500.00"
    assert broken(item) == []


def test_limits_are_inclusive():
    assert broken(pcco(title="T" * 255, number="N" * 20)) == []


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"title": "T" * 256}, TITLE_RULE),
        ({"number": "PCCO-2026-0000000901"}, None),
        ({"number": "PCCO-2026-00000009012"}, NUMBER_RULE),
        ({"status": "pending_pricing"}, STATUS_RULE),
        ({"status": "no_charge"}, STATUS_RULE),
    ],
    ids=["title-256", "number-20", "number-21", "pending", "no-charge"],
)
def test_each_rule_alone(changes, rule):
    assert broken(pcco(**changes)) == ([rule] if rule else [])


def test_all_three_rules_together():
    item = pcco(title="T" * 300, number="N" * 21, status="draft")
    assert broken(item) == [TITLE_RULE, NUMBER_RULE, STATUS_RULE]


def test_a_project_not_synced_with_a_sage_job_cannot_send_pccos():
    rules = broken(pcco(), settings(sage_job_id=None))
    assert len(rules) == 1 and "synced with a Sage 300 CRE® job" in rules[0]


@pytest.mark.parametrize(
    "changes",
    [
        {"sov": []},
        {"sov": [{**CANOPY, "cost_code": None}]},
        {"prime_contract": {"sage_contract_id": "1001-PC"}},
        {"prime_contract": {"number": "1001-PC", "sage_contract_id": "../1001-PC"}},
    ],
    ids=["no-lines", "line-without-cost-code", "no-prime-contract-number", "hostile-contract"],
)
def test_a_malformed_pcco_file_is_refused(changes):
    with pytest.raises(InvalidItem):
        pcco(**changes)


INVALID = {
    "prime_contract_change_order-title-too-long.json": TITLE_RULE,
    "prime_contract_change_order-number-too-long.json": NUMBER_RULE,
    "prime_contract_change_order-not-approved.json": STATUS_RULE,
}


def test_every_invalid_pcco_example_is_covered():
    found = {p.name for p in (EXAMPLES / "invalid").glob("prime_contract_change_order-*.json")}
    assert found == set(INVALID)


@pytest.mark.parametrize("name", sorted(INVALID))
def test_each_invalid_example_is_refused_at_send_for_its_one_rule(name):
    item = parse_item(json.loads((EXAMPLES / "invalid" / name).read_text(encoding="utf-8")))
    assert broken(item) == [INVALID[name]]
    facts = ItemFacts(item=item, state=State.DRAFT, settings=SETTINGS)
    with pytest.raises(Refusal) as refused:
        decide(facts, Command.SEND, CommandRequest(actor=TOOL_ADMIN))
    assert str(refused.value) == f"cannot send {item.workflow_id}: {INVALID[name]}"


# --- who accepts, and the new contract item codes ---


def sent(item=None) -> ItemFacts:
    return ItemFacts(item=item or pcco(), state=State.SENT, settings=SETTINGS)


def test_a_standard_accounting_approver_cannot_accept_a_pcco():
    with pytest.raises(NotPermitted, match="needs Admin on the ERP Integrations tool"):
        decide(sent(), Command.ACCEPT, AcceptRequest(actor=APPROVER, fields=NEW))


def test_an_erp_admin_accepts_it_giving_the_new_contract_item_code():
    decision = decide(sent(), Command.ACCEPT, AcceptRequest(actor=ERP_ADMIN, fields=NEW))
    assert decision.next_state is State.ACCEPTED
    assert decision.export_fields == {"new_contract_items": "006"}


def test_a_new_line_needs_its_contract_item_code_at_accept():
    with pytest.raises(Refusal) as refused:
        decide(sent(), Command.ACCEPT, AcceptRequest(actor=ERP_ADMIN))
    assert "must assign a new contract item code to each new line" in str(refused.value)
    assert "SOV line 2" in str(refused.value)
    assert "--field new_contract_items=CODE1" in str(refused.value)


@pytest.mark.parametrize(
    ("sov", "given", "problem"),
    [
        ([PADS], "006", "has no new line"),
        ([PADS, CANOPY, CANOPY], "006", "2 needed, for SOV line 2, 3; 1 given"),
        ([PADS, CANOPY, CANOPY], "006,006", "each new contract item needs its own code"),
        ([PADS, CANOPY], "0 06", "use letters, digits"),
        ([PADS, CANOPY], "002", "already change contract item 002"),
    ],
    ids=["none-needed", "too-few", "twice", "bad-characters", "an-existing-item"],
)
def test_bad_new_contract_item_codes_are_refused(sov, given, problem):
    with pytest.raises(Refusal, match=problem):
        export_fields(pcco(sov=sov), {}, {"new_contract_items": given})


def test_a_pcco_without_new_lines_needs_no_field():
    assert export_fields(pcco(sov=[PADS]), {}, {}) == {"new_contract_items": ""}


def test_codes_are_read_in_line_order_and_spaces_around_commas_do_not_matter():
    fields = export_fields(pcco(sov=[CANOPY, PADS, CANOPY]), {}, {"new_contract_items": "A, B"})
    steps = plan(pcco(sov=[CANOPY, PADS, CANOPY]), fields).steps
    assert [s.call.body["item_code"] for s in steps[1:3]] == ["A", "B"]
    svc_lines = steps[-1].call.body["lines"]
    assert [line["contract_item"] for line in svc_lines] == ["A", "002", "B"]


# --- the plan: mapping and order ---


def test_the_jobs_cost_codes_are_refreshed_before_anything_else():
    """seeds/004 release note 02/03/2025: cost codes refreshed and exported automatically
    before financial exports; a PCCO's estimate changes land on the job's cost codes."""
    step = plan(pcco()).steps[0]
    assert (step.name, step.call.method, step.call.path) == (
        "refresh_cost_codes",
        "POST",
        "/v1/jobs/1001/cost_codes",
    )
    assert step.call.body == {
        "cost_codes": [
            {"code": "03-300", "description": "", "categories": ["M"]},
            {"code": "05-120", "description": "", "categories": ["S"]},
        ]
    }
    assert step.undo is None and step.batch is None
    assert step.since == COST_CODE_REFRESH  # PCCOs recorded before it replay without it
    older = plan(pcco()).released(lambda patch: patch != COST_CODE_REFRESH)
    assert older.steps[0].name == "create_contract_item_1"


def test_the_new_contract_item_is_created_first_with_no_original_amount():
    step = plan(pcco()).steps[1]
    assert step.name == "create_contract_item_1"
    assert step.call == SageCall(
        method="POST",
        path="/v1/contracts/1001/1001-PC/items",
        body={
            "item_code": "006",
            "description": "Entrance canopy steel",
            "cost_code": "05-120",
            "original_amount": 0.0,
        },
    )
    assert step.undo == SageCall(method="DELETE", path="/v1/contracts/1001/1001-PC/items/006")
    assert step.batch is None


def test_one_estimate_change_per_sov_line_with_the_pcco_number_in_chg_mgt_ref_1():
    step = plan(pcco()).steps[2]
    assert step.name == "post_estimate_changes"
    assert step.call.path == "/v1/estimate_changes"
    assert step.call.body == {
        "job_id": "1001",
        "job_name": SETTINGS.name,
        "job_address": SETTINGS.address,
        "job_city": SETTINGS.city,
        "job_state": SETTINGS.state,
        "job_zip": SETTINGS.zip,
        "date": "2027-01-15",
        "chg_mgt_ref_1": "PCCO-007",
        "chg_mgt_ref_2": "HH2",
        "lines": [
            {
                "cost_code": "03-300",
                "category": "M",
                "description": "Equipment pads",
                "amount": 4500.0,
            },
            {
                "cost_code": "05-120",
                "category": "S",
                "description": "Entrance canopy steel",
                "amount": 18000.0,
            },
        ],
    }
    assert step.undo == SageCall(method="DELETE", path="/v1/estimate_changes/{estimate_change_id}")
    assert step.remember == {"estimate_change_id": "change_id"}
    assert step.batch == "batch_id"


def test_schedule_value_changes_go_on_the_contract_items_last():
    exported = plan(pcco())
    step = exported.steps[-1]
    assert step.name == "post_schedule_value_changes"
    assert step.call.body == {
        "job_id": "1001",
        "contract_id": "1001-PC",
        "date": "2027-01-15",
        "chg_mgt_ref_1": "PCCO-007",
        "chg_mgt_ref_2": "HH2",
        "lines": [
            {"contract_item": "002", "description": "Equipment pads", "amount": 4500.0},
            {"contract_item": "006", "description": "Entrance canopy steel", "amount": 18000.0},
        ],
    }
    assert step.batch == "batch_id"
    # the estimate changes wait for a person to post their Job Cost batch
    assert exported.posting is Posting.MANUAL


def test_a_pcco_on_existing_contract_items_only_creates_none():
    steps = plan(pcco(sov=[PADS]), {"new_contract_items": ""}).steps
    assert [s.name for s in steps] == [
        "refresh_cost_codes",
        "post_estimate_changes",
        "post_schedule_value_changes",
    ]


def test_when_the_schedule_value_change_is_refused_everything_before_is_undone_newest_first():
    steps = plan(pcco()).steps
    failing = next(i for i, s in enumerate(steps) if s.name == "post_schedule_value_changes")
    answers = {"contract_item_1": "006", "estimate_change_id": "EC-000007"}
    undo = [fill(s.undo, answers) for s in reversed(steps[:failing]) if s.undo]
    assert [(c.method, c.path) for c in undo] == [
        ("DELETE", "/v1/estimate_changes/EC-000007"),
        ("DELETE", "/v1/contracts/1001/1001-PC/items/006"),
    ]


# --- Quickbill jobs: the PCCO data mapping's footnote 7, "Includes miscellaneous worksheet
# transactions"; "If the job has a billing method of Use Contracts, once the entries are posted
# in Job Cost, it will also send transactions to the Contracts application" (only then) ---


def test_a_pcco_on_a_quickbill_job_changes_its_misc_worksheet_not_a_contract():
    """A Quickbill job's prime contract is its Miscellaneous Worksheet (contract number = the
    job; prime contract import, seeds/004): the PCCO's lines name worksheet codes (JOB, a
    division, a section) and the plan creates no Contracts-application item."""
    quickbill = settings(project="P-1001", sage_job_id="2002")
    item = pcco(
        prime_contract={"number": "PC-2002", "sage_contract_id": "2002"},
        sov=[{**PADS, "contract_item": "JOB"}],
    )
    assert kind_of(item).prerequisites(item, quickbill) == []
    steps = kind_of(item).plan(item, quickbill, kind_of(item).default_fields(item), TODAY).steps
    assert [s.name for s in steps] == [
        "refresh_cost_codes",  # the worksheet's lines still post to the job's cost codes
        "post_estimate_changes",
        "post_schedule_value_changes",
    ]
    svc = steps[-1].call.body
    assert (svc["job_id"], svc["contract_id"]) == ("2002", "2002")
    assert [line["contract_item"] for line in svc["lines"]] == ["JOB"]
