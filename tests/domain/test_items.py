"""Item files: what parses, what is refused (naming the field), and what an item adds up to."""

from decimal import Decimal

import pytest

from domain.items import (
    Commitment,
    InvalidItem,
    ItemType,
    parse_item,
    workflow_id,
)
from tests.domain.builders import commitment, commitment_data


def refusal(data) -> str:
    with pytest.raises(InvalidItem) as refused:
        parse_item(data)
    return str(refused.value)


def test_a_commitment_file_parses():
    item = parse_item(commitment_data())
    assert isinstance(item, Commitment)
    assert item.type is ItemType.COMMITMENT
    assert item.contract_company.sage_vendor_id == "V-100"


def test_the_workflow_id_is_type_project_number():
    assert commitment().workflow_id == "commitment:P-1001:SC-0042"
    assert workflow_id("budget", "P-1001", "B-1") == "budget:P-1001:B-1"


@pytest.mark.parametrize("data", [None, [], "commitment", 42])
def test_an_item_must_be_an_object(data):
    assert refusal(data) == "an item must be a JSON object"


@pytest.mark.parametrize("raw", [None, "purchase_order", "Commitment"])
def test_an_unknown_type_is_refused_listing_the_known_ones(raw):
    message = refusal({**commitment_data(), "type": raw})
    assert message.startswith(f"field 'type': {raw!r} is not an item type (")
    assert "commitment, commitment_change_order" in message


def test_an_item_without_a_type_is_refused_on_type():
    data = commitment_data()
    del data["type"]
    assert refusal(data).startswith("field 'type': None is not an item type")


def test_every_item_type_has_a_model():
    for item_type in ItemType:
        assert not refusal({"type": item_type.value}).startswith("field 'type'")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"status": "signed"}, "status"),
        ({"commitment_type": "lease"}, "commitment_type"),
        ({"project": "P:1001"}, "project"),
        ({"number": "SC:0042"}, "number"),
        ({"number": ""}, "number"),
        ({"date_created": "yesterday"}, "date_created"),
        ({"default_retainage_percent": "150"}, "default_retainage_percent"),
        ({"default_retainage_percent": "-1"}, "default_retainage_percent"),
        ({"contract_company": {"sage_vendor_id": "V-100"}}, "contract_company"),
        ({"contract_company": {"number": "C:1"}}, "contract_company.number"),
        ({"contract_company": {"name": "A", "vendor": "V"}}, "contract_company.vendor"),
        ({"sov": [{"description": "No price"}]}, "sov.0"),
        ({"sov": [{"amount": "1", "units": "U" * 21}]}, "sov.0.units"),
        ({"retainage": 10}, "retainage"),
    ],
)
def test_a_bad_field_is_refused_by_name(changes, field):
    assert f"field '{field}'" in refusal(commitment_data(**changes))


def test_every_missing_field_is_named():
    message = refusal({"type": "commitment"})
    for field in ("project", "number", "commitment_type", "title", "status", "contract_company"):
        assert f"field '{field}': Field required" in message


def test_a_sov_line_needs_an_amount_or_qty_and_unit_cost():
    message = refusal(commitment_data(sov=[{"qty": "3"}]))
    assert "field 'sov.0'" in message
    assert "give an amount, or qty and unit_cost" in message


@pytest.mark.parametrize(
    ("qty", "unit_cost", "total"),
    [
        ("40", "812.50", Decimal("32500.00")),
        ("3", "0.335", Decimal("1.00")),
        ("2.5", "10", Decimal("25.00")),
    ],
)
def test_a_purchase_order_line_totals_qty_times_unit_cost(qty, unit_cost, total):
    po = commitment(
        commitment_type="purchase_order",
        sov=[{"cost_code": "05-120", "category": "M", "qty": qty, "unit_cost": unit_cost}],
    )
    assert po.sov[0].total == total
    assert po.amount == total


def test_an_amount_given_is_the_lines_total():
    line = commitment(sov=[{"amount": "100.00", "qty": "3", "unit_cost": "50"}]).sov[0]
    assert line.total == Decimal("100.00")


def test_a_commitments_amount_is_the_sum_of_its_lines():
    assert commitment().amount == Decimal("125000.00")
    mixed = commitment(sov=[{"amount": "1000"}, {"qty": "2", "unit_cost": "12.50"}])
    assert mixed.amount == Decimal("1025.00")
    assert commitment(sov=[]).amount == 0


def test_the_summary_names_the_item_project_and_amount():
    assert commitment().summary() == "Commitment SC-0042 · project P-1001 · $125,000.00"


def test_an_item_is_immutable():
    item = commitment()
    with pytest.raises(ValueError):
        item.title = "changed"  # type: ignore[misc]
