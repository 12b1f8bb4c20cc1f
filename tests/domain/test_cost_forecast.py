"""Cost forecast data -> Misc Worksheet 1 and 2 (seeds/004 "Cost Forecast Data", l.1501-1527,
and footnote 3 of the data mapping overview, l.1272: "Exports the 'Estimated Cost at Completion'
and 'Forecast to Complete' values from a Procore budget to Sage 300 CRE®")."""

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain import cost_forecast as cf
from domain.commands import SettingsRequest, decide_settings
from domain.exports import kind_of
from domain.items import Budget, BudgetModification, InvalidItem, parse_item
from domain.refusal import Refusal
from domain.settings import ProjectSettings
from tests.domain.builders import APPROVER, ERP_ADMIN, EXAMPLES, settings

TODAY = date(2027, 1, 15)
ON = settings(export_forecast_amounts=True)
OFF = settings()


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / "items" / name).read_text(encoding="utf-8"))


def budget(**changes: Any) -> Budget:
    item = parse_item({**example("budget-BUD-1001.json"), **changes})
    assert isinstance(item, Budget)
    return item


FORECAST = {"estimated_cost_at_completion": "7600.00", "forecast_to_complete": "2100.00"}


def modification(**changes: Any) -> BudgetModification:
    data = example("budget_modification-BM-001.json")
    data["lines"] = [{**line, **FORECAST} for line in data["lines"]]
    item = parse_item({**data, **changes})
    assert isinstance(item, BudgetModification)
    return item


def bare() -> BudgetModification:
    """The example modification as it is: no forecast amounts."""
    item = parse_item(example("budget_modification-BM-001.json"))
    assert isinstance(item, BudgetModification)
    return item


def forecast_body(item: Budget | BudgetModification, on: ProjectSettings = ON) -> dict[str, Any]:
    [step] = [s for s in kind_of(item).plan(item, on, {}, TODAY).steps if s.call.path == cf.PATH]
    assert step.call.body is not None
    return step.call.body


# --- the setting: "an optional setting that can be enabled using the Export Forecast Amounts
# feature under ERP Settings in the project Budget Configuration Settings" ---


def test_the_setting_is_off_unless_enabled_and_then_no_forecast_is_sent():
    assert ProjectSettings.model_fields["export_forecast_amounts"].default is False
    for item in (budget(), modification()):
        steps = kind_of(item).plan(item, OFF, {}, TODAY).steps
        assert [s.call.path for s in steps if s.call.path == cf.PATH] == []


def test_only_an_erp_admin_enables_it_through_settings_apply():
    with pytest.raises(Refusal, match="needs Admin on the ERP Integrations tool"):
        decide_settings(OFF, SettingsRequest(actor=APPROVER, settings=ON))
    changed = decide_settings(OFF, SettingsRequest(actor=ERP_ADMIN, settings=ON))
    assert changed == ["export_forecast_amounts"]


def test_a_sage_100_project_cannot_enable_it():
    with pytest.raises(ValueError, match="export_forecast_amounts is on"):
        settings(erp="sage100", sage_company="S100", export_forecast_amounts=True)


# --- the mapping table: 7 rows for Misc Worksheet 1, 7 for Misc Worksheet 2 ---

SEED_TABLE = [  # seeds/004 l.1511-1526, as written
    ("Sage Job ID", "Job"),
    ("Sage Sub Job ID", "Extra"),
    ("Cost Code", "Cost Code"),
    ("Cost Type", "Category"),
    ("System Date automatically assigned", "Transaction Date"),
]


def test_the_mapping_is_the_seeds_fourteen_rows():
    ecac = [(r.procore, r.sage) for r in cf.MAPPING[cf.MISC_WORKSHEET_1]]
    ftc = [(r.procore, r.sage) for r in cf.MAPPING[cf.MISC_WORKSHEET_2]]
    assert ecac == [
        *SEED_TABLE,
        ("Estimated Cost at Complete", "Amount"),
        ("Automatically assigned 'Estimated Cost at Complete'", "Description"),
    ]
    assert ftc == [
        *SEED_TABLE,
        ("Forecast to Complete", "Amount"),
        ("Automatically assigned 'Forecast to Complete'", "Description"),
    ]


def test_every_row_of_the_mapping_is_a_field_of_each_transaction():
    for transaction in forecast_body(budget())["transactions"]:
        rows = cf.MAPPING[transaction["transaction_type"]]
        assert set(transaction) == {"transaction_type"} | {row.wire for row in rows}


def test_each_budget_line_item_makes_one_misc_worksheet_1_and_one_misc_worksheet_2():
    """ "For each budget line item, 2 transaction types (Misc worksheet1 and Misc worksheet 2)
    are created in Sage 300 CRE®.\""""
    item = budget()
    body = forecast_body(item)
    assert body["job_id"] == "1001"
    kinds = [t["transaction_type"] for t in body["transactions"]]
    assert kinds == [cf.MISC_WORKSHEET_1, cf.MISC_WORKSHEET_2] * len(item.lines)
    first, second = body["transactions"][:2]
    assert first == {
        "transaction_type": "misc_worksheet_1",
        "job_id": "1001",  # Sage Job ID -> Job
        "extra_id": None,  # Sage Sub Job ID -> Extra (the line has none)
        "cost_code": "01-100",  # Cost Code -> Cost Code
        "category": "L",  # Cost Type -> Category
        "date": "2027-01-15",  # System Date automatically assigned -> Transaction Date
        "amount": 188500.0,  # Estimated Cost at Complete -> Amount
        "description": "Estimated Cost at Complete",  # automatically assigned
    }
    assert second == first | {
        "transaction_type": "misc_worksheet_2",
        "amount": 188500.0,  # Forecast to Complete -> Amount
        "description": "Forecast to Complete",
    }


def test_a_line_on_a_sub_job_names_its_extra():
    data = example("budget-BUD-1001.json")
    data["lines"][0]["sub_job"] = "EW"
    item = parse_item(data)
    assert isinstance(item, Budget)
    extras = {t["extra_id"] for t in forecast_body(item)["transactions"][:2]}
    assert extras == {"EW"}
    assert "01-100/L extra EW" in cf.forecast_lines(item.lines)[0]


def test_a_budget_modification_exports_the_forecast_of_the_line_items_it_changes():
    """ "... any time an original budget amount, or budget modfications are exported\""""
    item = modification()
    steps = kind_of(item).plan(item, ON, {}, TODAY).steps
    assert [s.name for s in steps] == [
        "refresh_cost_codes",
        "create_estimate_transfer",
        "create_cost_forecast",
    ]
    forecast = steps[-1]
    assert forecast.since == cf.COST_FORECAST_PATCH  # old histories replay without it
    assert forecast.undo is None and forecast.batch == "batch_id"
    assert forecast.remember == {"forecast_id": "import_id"}
    rows = [
        (t["transaction_type"], t["cost_code"], t["category"], t["amount"], t["description"])
        for t in forecast.call.body["transactions"]  # type: ignore[index]
    ]
    assert rows == [
        ("misc_worksheet_1", "01-100", "L", 7600.0, "Estimated Cost at Complete"),
        ("misc_worksheet_2", "01-100", "L", 2100.0, "Forecast to Complete"),
        ("misc_worksheet_1", "09-250", "M", 7600.0, "Estimated Cost at Complete"),
        ("misc_worksheet_2", "09-250", "M", 2100.0, "Forecast to Complete"),
    ]


def test_the_budgets_plan_ends_with_the_forecast_and_keeps_its_estimate():
    steps = kind_of(budget()).plan(budget(), ON, {}, TODAY).steps
    assert [s.name for s in steps] == [
        "refresh_cost_codes",
        "create_estimate",
        "create_cost_forecast",
    ]
    off = kind_of(budget()).plan(budget(), OFF, {}, TODAY).steps
    assert steps[1] == off[1]  # the estimate is the same with or without the forecast


# --- the item files: optional, both or neither, dollars and cents, never below zero ---


def test_files_without_forecast_amounts_still_load():
    assert not any(line.has_forecast for line in bare().lines)


def test_with_the_setting_on_every_line_item_needs_its_forecast_at_send():
    item = modification()
    stripped = example("budget_modification-BM-001.json")
    stripped["lines"][0] |= FORECAST
    half = parse_item(stripped)
    assert kind_of(item).prerequisites(item, ON) == []
    assert kind_of(half).prerequisites(half, ON) == [cf.MISSING_RULE.format(n=2)]
    assert kind_of(half).prerequisites(half, OFF) == []


def test_a_line_sent_before_the_setting_was_on_is_not_forecast():
    """Settings apply can turn the setting on under an item already sent: its lines without a
    forecast send nothing for them (no made-up zero overwrites Sage's category amounts)."""
    data = example("budget_modification-BM-001.json")
    data["lines"][0] |= FORECAST
    item = parse_item(data)
    assert isinstance(item, BudgetModification)
    kinds = [t["cost_code"] for t in forecast_body(item)["transactions"]]
    assert kinds == ["01-100", "01-100"]
    assert cf.forecast_steps("1001", bare().lines, ON, TODAY, "BM-001") == []


HOSTILE = [
    ("-1", "greater than or equal to 0"),
    ("NaN", "finite number"),
    ("Infinity", "finite number"),
    ("1e400", "less than or equal to 999999999999.99"),
    ("1000000000000", "less than or equal to 999999999999.99"),
    ("12.345", "no more than 2 decimal places"),
    ("lots", "valid decimal"),
    (True, "should be an integer, float, string or Decimal"),
    ([1], "should be an integer, float, string or Decimal"),
]


@pytest.mark.parametrize(("value", "words"), HOSTILE, ids=[str(v) for v, _ in HOSTILE])
@pytest.mark.parametrize("field", ["estimated_cost_at_completion", "forecast_to_complete"])
def test_a_careless_forecast_amount_is_refused_naming_the_field(field, value, words):
    data = example("budget-BUD-1001.json")
    data["lines"][2][field] = value
    with pytest.raises(InvalidItem) as refused:
        parse_item(data)
    assert f"field 'lines.2.{field}'" in str(refused.value)
    assert words in str(refused.value)


def test_one_forecast_amount_without_the_other_is_refused():
    data = example("budget-BUD-1001.json")
    del data["lines"][1]["forecast_to_complete"]
    with pytest.raises(InvalidItem, match="give both estimated_cost_at_completion and"):
        parse_item(data)


def test_zero_and_the_largest_amount_are_taken():
    data = example("budget-BUD-1001.json")
    data["lines"][0] |= {
        "estimated_cost_at_completion": 0,
        "forecast_to_complete": "999999999999.99",
    }
    item = parse_item(data)
    assert isinstance(item, Budget)
    assert item.lines[0].forecast_to_complete == Decimal("999999999999.99")
    assert forecast_body(item)["transactions"][1]["amount"] == 999999999999.99


def test_status_shows_each_line_items_forecast():
    shown = cf.forecast_lines(budget().lines)
    assert shown[0] == (
        "01-100/L: Misc Worksheet 1 Estimated Cost at Complete $188,500.00, "
        "Misc Worksheet 2 Forecast to Complete $188,500.00"
    )
    assert len(shown) == 5
    assert cf.forecast_lines(bare().lines) == []
