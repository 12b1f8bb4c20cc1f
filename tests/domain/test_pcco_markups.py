"""PCCO markups (seeds/004 "Prime Contract Change Orders" data mapping): "Markups used on a
Prime Contract Change Order in Procore are included in the Approved Scheduled Value changes and
can be sent to the Approved Estimate Changes as well."""

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from domain.exports import kind_of
from domain.exports.prime_contract_change_order import MARKUP_CODE_RULE
from domain.items import parse_item
from tests.domain.builders import settings
from tests.domain.test_prime_contract_change_order_export import (
    EXAMPLE,
    NEW,
    SETTINGS,
    TODAY,
    broken,
    pcco,
)

FEE = {"name": "Contractor fee", "percent": "10", "cost_code": "01-900", "category": "O"}
BOND = {"name": "Bond", "percent": "1.5", "cost_code": "01-910", "category": "O"}
TO_ESTIMATES = SETTINGS.model_copy(update={"pcco_markups_to_estimate_changes": True})


def steps(item, project_settings=SETTINGS) -> dict[str, Any]:
    exported = kind_of(item).plan(item, project_settings, NEW, TODAY)
    return {step.name: step.call.body for step in exported.steps}


def test_a_pcco_without_markups_is_its_lines():
    item = pcco()
    assert item.subtotal == item.amount == Decimal("22500.00")
    assert item.marked_up_lines() == [Decimal("4500.00"), Decimal("18000.00")]


def test_markups_are_percents_of_the_subtotal_and_part_of_the_pcco_amount():
    item = pcco(markups=[FEE, BOND])
    assert [dollars for _, dollars in item.markup_amounts()] == [
        Decimal("2250.00"),
        Decimal("337.50"),
    ]
    assert item.amount == Decimal("25087.50")


def test_markups_are_included_in_the_approved_schedule_value_changes():
    body = steps(pcco(markups=[FEE, BOND]))["post_schedule_value_changes"]
    assert body["lines"] == [
        {"contract_item": "002", "description": "Equipment pads", "amount": 5017.5},
        {"contract_item": "006", "description": "Entrance canopy steel", "amount": 20070.0},
    ]
    assert sum(line["amount"] for line in body["lines"]) == 25087.5


def test_the_cents_left_by_rounding_go_on_the_last_line_so_nothing_is_lost():
    thirds = [
        {"contract_item": f"00{k}", "cost_code": "03-300", "category": "M", "amount": "100.00"}
        for k in (2, 3, 4)
    ]
    item = pcco(sov=thirds, markups=[{"name": "Fee", "percent": "3.333"}])
    lines = item.marked_up_lines()
    assert item.amount == Decimal("310.00")  # 3.333% of $300 is $9.999: $10.00
    assert lines == [Decimal("103.33"), Decimal("103.33"), Decimal("103.34")]
    assert sum(lines) == item.amount


def test_a_deductive_pcco_takes_its_markups_off_too():
    credit = [{"contract_item": "002", "cost_code": "03-300", "category": "M", "amount": "-1000"}]
    item = pcco(sov=credit, markups=[FEE])
    assert item.amount == Decimal("-1100.00")
    assert steps(item)["post_schedule_value_changes"]["lines"][0]["amount"] == -1100.0


def test_by_default_markups_are_not_estimate_changes():
    body = steps(pcco(markups=[FEE]))["post_estimate_changes"]
    assert [line["amount"] for line in body["lines"]] == [4500.0, 18000.0]
    refreshed = steps(pcco(markups=[FEE]))["refresh_cost_codes"]["cost_codes"]
    assert "01-900" not in [code["code"] for code in refreshed]


def test_markups_can_be_sent_to_the_approved_estimate_changes_as_well():
    item = pcco(markups=[FEE, BOND])
    assert broken(item, TO_ESTIMATES) == []
    planned = steps(item, TO_ESTIMATES)
    assert planned["post_estimate_changes"]["lines"][2:] == [
        {
            "cost_code": "01-900",
            "category": "O",
            "description": "Contractor fee (10%)",
            "amount": 2250.0,
        },
        {"cost_code": "01-910", "category": "O", "description": "Bond (1.5%)", "amount": 337.5},
    ]
    refreshed = {c["code"]: c["categories"] for c in planned["refresh_cost_codes"]["cost_codes"]}
    assert refreshed["01-900"] == ["O"] and refreshed["01-910"] == ["O"]
    # the schedule value changes are the same either way
    assert planned["post_schedule_value_changes"] == steps(item)["post_schedule_value_changes"]


def test_a_markup_sent_to_the_estimate_changes_needs_its_cost_code_and_category():
    item = pcco(markups=[{"name": "Insurance", "percent": "2"}])
    assert broken(item) == []  # only the schedule value changes: no budget code needed
    assert broken(item, TO_ESTIMATES) == [MARKUP_CODE_RULE]
    assert "pcco_markups_to_estimate_changes" in MARKUP_CODE_RULE


def test_a_lump_sum_pcco_rolls_its_markups_into_the_one_contract_item():
    lump = settings(sov_controlled_by="procore", lump_sum_contract_item="001")
    existing = [{**line, "contract_item": "002"} for line in EXAMPLE["sov"]]
    item = pcco(sov=existing, markups=[FEE])
    exported = kind_of(item).plan(item, lump, {"new_contract_items": ""}, TODAY)
    (line,) = exported.steps[-1].call.body["lines"]
    assert line["contract_item"] == "001" and line["amount"] == 24750.0


@pytest.mark.parametrize(
    "markup",
    [
        {"name": "", "percent": "5"},
        {"name": "Fee", "percent": "-5"},
        {"name": "Fee", "percent": "101"},
        {"name": "Fee", "percent": "ten"},
        {"name": "Fee", "percent": "5", "compounding": True},
        {"name": "Fee", "percent": "5", "cost_code": ""},
        {"name": "x" * 101, "percent": "5"},
    ],
)
def test_a_malformed_markup_is_refused_with_the_file(markup):
    with pytest.raises((ValidationError, ValueError)):
        parse_item({**EXAMPLE, "markups": [markup]})
