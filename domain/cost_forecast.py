"""Cost forecast data -> Sage 300 CRE® Misc Worksheet 1 and 2 transactions (seeds/004 "Cost
Forecast Data", data mapping overview footnote 3).

"If enabled, the information tracked in the Procore Budget for Forecast to Complete and
Estimated Cost at Complete will be included in the export any time an original budget amount,
or budget modfications are exported from Procore to Sage 300 CRE®. This is an optional setting
that can be enabled using the Export Forecast Amounts feature under ERP Settings in the project
Budget Configuration Settings." The setting is the project's `export_forecast_amounts` (off by
default; changed by `settings apply`, which takes settings from an ERP Admin only).

"For each budget line item, 2 transaction types (Misc worksheet1 and Misc worksheet 2) are
created in Sage 300 CRE®. When posted, these will update the Msc cat amt 1 and Msc cat amt 2
fields on the Category record." So the budget's and the budget modification's plans end with
one more import: two transactions per line item that carries a forecast, in a batch a person
posts like the estimate's. Exports recorded before this release replay without the step
(`COST_FORECAST_PATCH`, ExportStep.since).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.export_plan import ExportStep, SageCall
from domain.items import Budget, BudgetLine, BudgetModification, BudgetModificationLine, ItemBase
from domain.settings import ProjectSettings

COST_FORECAST_PATCH = "cost-forecast-misc-worksheets"
"""Patch ID of the forecast step (workflow.patched through ExportStep.since)."""

MISC_WORKSHEET_1 = "misc_worksheet_1"
MISC_WORKSHEET_2 = "misc_worksheet_2"
ECAC_DESCRIPTION = "Estimated Cost at Complete"
FTC_DESCRIPTION = "Forecast to Complete"
"""The descriptions Sage receives: "Automatically assigned 'Estimated Cost at Complete'" and
"Automatically assigned 'Forecast to Complete'" (the mapping table's words, kept as written)."""

PATH = "/v1/misc_worksheet_transactions"


@dataclass(frozen=True)
class Row:
    """One row of the seed's mapping table: the Procore field, the Sage field, and the field
    of the wire transaction that carries it."""

    procore: str
    sage: str
    wire: str


MAPPING: dict[str, tuple[Row, ...]] = {
    MISC_WORKSHEET_1: (
        Row("Sage Job ID", "Job", "job_id"),
        Row("Sage Sub Job ID", "Extra", "extra_id"),
        Row("Cost Code", "Cost Code", "cost_code"),
        Row("Cost Type", "Category", "category"),
        Row("System Date automatically assigned", "Transaction Date", "date"),
        Row("Estimated Cost at Complete", "Amount", "amount"),
        Row("Automatically assigned 'Estimated Cost at Complete'", "Description", "description"),
    ),
    MISC_WORKSHEET_2: (
        Row("Sage Job ID", "Job", "job_id"),
        Row("Sage Sub Job ID", "Extra", "extra_id"),
        Row("Cost Code", "Cost Code", "cost_code"),
        Row("Cost Type", "Category", "category"),
        Row("System Date automatically assigned", "Transaction Date", "date"),
        Row("Forecast to Complete", "Amount", "amount"),
        Row("Automatically assigned 'Forecast to Complete'", "Description", "description"),
    ),
}
"""seeds/004 "Cost Forecast Data": Estimated Cost at Complete -> Misc Worksheet 1, Forecast to
Complete -> Misc Worksheet 2, seven rows each."""

TITLES = {MISC_WORKSHEET_1: "Misc Worksheet 1", MISC_WORKSHEET_2: "Misc Worksheet 2"}

MISSING_RULE = (
    "Line {n}: Export Forecast Amounts is enabled for this project, so each budget line item's "
    "Estimated Cost at Complete and Forecast to Complete go to Sage 300 CRE® (Misc Worksheet 1 "
    "and 2): give estimated_cost_at_completion and forecast_to_complete."
)


_Line = BudgetLine | BudgetModificationLine
"""A budget line item as a budget or a budget modification names it."""


def forecast_rule(lines: Sequence[_Line], settings: ProjectSettings) -> list[str]:
    """With the setting on, every line item sent must carry its forecast (Procore's Budget has
    one for every line; a file without it would leave Sage's category amounts stale)."""
    if not settings.export_forecast_amounts:
        return []
    return [MISSING_RULE.format(n=n) for n, ln in enumerate(lines, start=1) if not ln.has_forecast]


Transaction = dict[str, str | float | None]
"""One Misc Worksheet transaction as the wire carries it."""


def transactions(job: str, lines: Sequence[_Line], today: date) -> list[Transaction]:
    """Misc Worksheet 1 then Misc Worksheet 2 for each line item that carries a forecast, each
    with the seven fields of the mapping table (MAPPING), in its order."""

    def one(kind: str, line: _Line, amount: Decimal, description: str) -> Transaction:
        return {
            "transaction_type": kind,
            "job_id": job,
            "extra_id": line.sub_job,
            "cost_code": line.cost_code,
            "category": line.category,
            "date": today.isoformat(),
            "amount": float(amount),
            "description": description,
        }

    made: list[Transaction] = []
    for line in lines:
        ecac, ftc = line.estimated_cost_at_completion, line.forecast_to_complete
        if ecac is None or ftc is None:  # sent before the setting was on: nothing to forecast
            continue
        made.append(one(MISC_WORKSHEET_1, line, ecac, ECAC_DESCRIPTION))
        made.append(one(MISC_WORKSHEET_2, line, ftc, FTC_DESCRIPTION))
    return made


def forecast_steps(
    job: str, lines: Sequence[_Line], settings: ProjectSettings, today: date, what: str
) -> list[ExportStep]:
    """The plan's last step when the project exports forecast amounts: one import of the
    transactions, in a batch a person posts. No undo: it is the last step, so no later step's
    failure can ask for one."""
    if not settings.export_forecast_amounts:
        return []
    made = transactions(job, lines, today)
    if not made:
        return []
    return [
        ExportStep(
            name="create_cost_forecast",
            summary=f"Export the cost forecast of {what} as {len(made)} Misc Worksheet 1/2 "
            f"transactions on Sage job {job}",
            call=SageCall(method="POST", path=PATH, body={"job_id": job, "transactions": made}),
            record="misc_worksheet",
            remember={"forecast_id": "import_id"},
            batch="batch_id",
            since=COST_FORECAST_PATCH,
        )
    ]


def forecast_lines(lines: Sequence[_Line]) -> list[str]:
    """What `status` shows of a budget's or a modification's forecast, one line per line item."""
    shown = []
    for line in lines:
        if not line.has_forecast:
            continue
        extra = f" extra {line.sub_job}" if line.sub_job else ""
        ecac, ftc = line.estimated_cost_at_completion, line.forecast_to_complete
        shown.append(
            f"{line.cost_code}/{line.category}{extra}: "
            f"{TITLES[MISC_WORKSHEET_1]} {ECAC_DESCRIPTION} ${ecac:,.2f}, "
            f"{TITLES[MISC_WORKSHEET_2]} {FTC_DESCRIPTION} ${ftc:,.2f}"
        )
    return shown


def forecast_of(item: ItemBase) -> list[str]:
    """The forecast lines of a budget or a budget modification (`status`); none for others."""
    if isinstance(item, Budget | BudgetModification):
        return forecast_lines(item.lines)
    return []
