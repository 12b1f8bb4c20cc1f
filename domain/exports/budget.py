"""Budgets -> the Sage 300 CRE original estimate of the project's job.

Rules: seeds/004 "BUDGET" (Things to Know) and the budget workflow of seeds/002 (lock the
budget, then send it to ERP); mapping: the "Budgets" data mapping table. The estimate lands
in a batch a person posts in Sage (Job Cost), so the item waits in `exported` until then.
Once exported, a Sage 300 CRE® job's budget is locked: another budget export is refused there
(`budget_locked`); budget modifications remain the way to change it. Sage 100 Contractor®
takes an updated budget sent again ("Update and Export a Budget", seeds/002).

Before the estimate, the job's cost codes are refreshed: the budget's cost codes and categories
the Sage job lacks are added from the standard cost code list (seeds/004 release note of
02/03/2025: "any new cost codes are automatically refreshed and exported"; "Any project level
cost codes that are not synced will automatically sync with your ERP when exporting your
budget"). A code that is not on the standard list is refused by Sage: new cost codes must be
created in the ERP system.
"""

from __future__ import annotations

from datetime import date

from domain.cost_forecast import forecast_rule, forecast_steps
from domain.export_plan import ExportPlan, ExportStep, Posting, SageCall
from domain.exports.jobs import cost_code_refresh, job_rule, synced_job
from domain.items import Budget
from domain.settings import ProjectSettings

EXPORT_FIELDS: dict[str, str] = {}
COST_CODE_REFRESH = "budget-cost-code-refresh"
"""Patch ID: budgets exported before the automatic cost code refresh replay without it."""

LOCK_RULE = (
    "Budget. Lock the budget before you send it to ERP Integrations for accounting acceptance."
)
LINES_RULE = (
    "Budget. Must include at least one (1) budget line item with a Sage 300 CRE® cost code "
    "and category."
)

IMPORTED_BUDGET = "(imported budget)"
"""The Procore side of an imported budget's link: the project's one budget. No item number can
be this (item numbers start with a letter or digit), so an exported budget's link never
collides with it."""

ONE_SYSTEM = (
    "You cannot create a budget in both systems and then sync the budgets a later time. Once "
    "it is set up as desired, updates to the budget must be managed in the system in which it "
    "was created."
)
"""seeds/002 Set Up and Manage a Budget."""

IMPORTED_RULE = (
    "Budget. The project's budget was imported from Sage (estimate {sage_id}): " + ONE_SYSTEM
)
"""Why a budget export is refused once the project's budget came from Sage."""


def prerequisites(item: Budget, settings: ProjectSettings) -> list[str]:
    broken = job_rule(settings)
    if not item.locked:
        broken.append(LOCK_RULE)
    if not item.lines:
        broken.append(LINES_RULE)
    return broken + forecast_rule(item.lines, settings)


def default_fields(item: Budget) -> dict[str, str]:
    return {}


def check_fields(item: Budget, fields: dict[str, str]) -> list[str]:
    return []


def plan(
    item: Budget, settings: ProjectSettings, fields: dict[str, str], today: date
) -> ExportPlan:
    """Two calls: the cost code refresh, then the original estimate per cost code and category
    (amounts only: the budget sync does not carry units), posted by a person in Sage; a third
    when the project exports forecast amounts: the lines' Misc Worksheet 1 and 2 transactions
    (domain/cost_forecast.py)."""
    job = synced_job(settings)
    lines = [(line.cost_code, line.category) for line in item.lines]
    refresh = cost_code_refresh(job, lines, "budget", COST_CODE_REFRESH)
    body = {
        "job_id": job,
        "lines": [
            {
                "cost_code": line.cost_code,
                "category": line.category,
                "original_estimate": float(line.original_budget),
            }
            for line in item.lines
        ],
    }
    create = ExportStep(
        name="create_estimate",
        summary=f"Export budget {item.number} as the original estimate of Sage job {job}",
        call=SageCall(method="POST", path="/v1/estimates", body=body),
        record="estimate",
        remember={"estimate_id": "estimate_id"},
        batch="batch_id",
    )
    forecast = forecast_steps(job, item.lines, settings, today, f"budget {item.number}")
    return ExportPlan(steps=[refresh, create, *forecast], posting=Posting.MANUAL)
