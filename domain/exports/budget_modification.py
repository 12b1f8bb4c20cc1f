"""Budget modifications -> a Sage 300 CRE estimate transfer (approved estimate changes).

Rules: seeds/004 "BUDGET CHANGES" (Things to Know) and note 1 of its "Budget Modifications"
data mapping table: "Typically Budget Modifications are used to move money from one budget
line item to another, usually with a zero sum effect." Typically and usually: a change that
does not net to zero is exported as it is, with a warning in `status` (`warnings`), never
refused. Mapping: that table (job header, one line per from/to line, the system date).
The transfer lands in a batch a person posts in Sage. Sage cannot delete it afterwards
("Once a budget change has been created, it cannot be edited or deleted."), and it is a
single import, so the plan has nothing to undo.
"""

from __future__ import annotations

from datetime import date

from domain.cost_forecast import forecast_rule, forecast_steps
from domain.export_plan import ExportPlan, ExportStep, Posting, SageCall
from domain.exports.jobs import cost_code_refresh, job_rule, synced_job
from domain.items import BudgetModification
from domain.settings import ProjectSettings

EXPORT_FIELDS: dict[str, str] = {}

FROM_TO_RULE = (
    "From/To. A budget modification moves money from at least one budget line item (a 'from' "
    "line) to another (a 'to' line)."
)
QUESTION_MARK_RULE = (
    'Line {n}: Line items with a "?" will not allow a user to create a Budget Change '
    "into/from the line item."
)
NOT_NET_ZERO_WARNING = (
    "From/To. Typically Budget Modifications are used to move money from one budget line item "
    "to another, usually with a zero sum effect; this one does not: the 'from' lines "
    "(${moved_from:,.2f}) and the 'to' lines (${moved_to:,.2f}) change the budget by "
    "${change:+,.2f}."
)


def prerequisites(item: BudgetModification, settings: ProjectSettings) -> list[str]:
    broken = job_rule(settings)
    directions = {line.direction for line in item.lines}
    if directions != {"from", "to"}:
        broken.append(FROM_TO_RULE)
    broken += [
        QUESTION_MARK_RULE.format(n=n)
        for n, line in enumerate(item.lines, start=1)
        if "?" in line.cost_code or "?" in line.category
    ]
    return broken + forecast_rule(item.lines, settings)


def warnings(item: BudgetModification) -> list[str]:
    """What an approver should know but that blocks nothing: a change that does not net to
    zero (the seed's "usually", not a rule)."""
    moved_from, moved_to = item.total("from"), item.total("to")
    if not moved_from or not moved_to or moved_from == moved_to:
        return []
    return [
        NOT_NET_ZERO_WARNING.format(
            moved_from=moved_from, moved_to=moved_to, change=moved_to - moved_from
        )
    ]


def default_fields(item: BudgetModification) -> dict[str, str]:
    return {}


def check_fields(item: BudgetModification, fields: dict[str, str]) -> list[str]:
    return []


def plan(
    item: BudgetModification, settings: ProjectSettings, fields: dict[str, str], today: date
) -> ExportPlan:
    """One call: the job header and a signed transfer amount per line ('from' lines take
    money out, 'to' lines put it in), dated the day of export, posted by a person; then, when
    the project exports forecast amounts, the line items' Misc Worksheet 1 and 2 transactions
    (domain/cost_forecast.py)."""
    job = synced_job(settings)
    body = {
        "job_id": job,
        "job_name": settings.name,
        "job_address": settings.address,
        "job_city": settings.city,
        "job_state": settings.state,
        "job_zip": settings.zip,
        "date": today.isoformat(),
        "lines": [
            {
                "cost_code": line.cost_code,
                "category": line.category,
                "category_description": line.category_description,
                "transfer_amount": float(-line.amount if line.direction == "from" else line.amount),
            }
            for line in item.lines
        ],
    }
    create = ExportStep(
        name="create_estimate_transfer",
        summary=f"Export budget modification {item.number} as an estimate transfer on Sage "
        f"job {job}",
        call=SageCall(method="POST", path="/v1/estimate_transfers", body=body),
        record="estimate_transfer",
        remember={"transfer_id": "transfer_id"},
        batch="batch_id",
    )
    lines = [(line.cost_code, line.category) for line in item.lines]
    refresh = cost_code_refresh(job, lines, "budget modification", COST_CODE_REFRESH)
    what = f"budget modification {item.number}"
    forecast = forecast_steps(job, item.lines, settings, today, what)
    return ExportPlan(steps=[refresh, create, *forecast], posting=Posting.MANUAL)


COST_CODE_REFRESH = "budget_modification-cost-code-refresh"
"""Patch ID: modifications exported before the refresh (issue 16) replay without it."""
