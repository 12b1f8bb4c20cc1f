"""A Sage job's budget (its original estimate) imported into the project's Procore budget
(seeds/004 permissions matrix, "Import a Budget from ERP": Standard or Admin on the ERP
Integrations tool).

The seed's words this module follows:

- "When setting up a new project in Procore, you must always set up the budget in one system
  and then import or export it to the other. You cannot create a budget in both systems and
  then sync the budgets a later time. Once it is set up as desired, updates to the budget
  must be managed in the system in which it was created." (seeds/002, Set Up and Manage a
  Budget): a budget exported from Procore is never imported, and an imported one is never
  exported (`EXPORTED_RULE`, `IMPORTED_RULE`);
- "After exporting a Procore budget to Sage 300 CRE®, the following restrictions are in place:
  You no longer be permitted to import Sage 300 CRE® budget or job data into Procore."
  (seeds/004, BUDGET restrictions);
- "Budget data can also be imported from Sage 300 CRE® into Procore. Budgets can be refreshed
  by doing a Cost Code refresh" (seeds/004, BUDGET): a second import refreshes the lines it
  took, it never adds a second budget;
- the "Budgets" data mapping table, read from Sage to Procore: Original Budget <- Original
  Estimate, Cost Code <- Cost Code, Category <- Category (amounts only: units are not synced).

The rules are ours where the seed is silent: an estimate still waiting in its batch to be
posted in Sage is not Sage's budget yet, and a Sage answer for another job is refused.
Pure: the workflow reads Sage and holds the registry; this decides.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.exports.budget import IMPORTED_BUDGET
from domain.items import BudgetLine
from domain.links import Link, LinkKind, LinkOrigin, LinkRegistry
from domain.refusal import Refusal
from domain.sage_codes import SageCode

EXPORTED_RULE = (
    "After exporting a Procore budget to Sage 300 CRE®, you no longer be permitted to import "
    "Sage 300 CRE® budget or job data into Procore."
)
"""seeds/004 BUDGET restrictions, as the seed words it."""


class BudgetImportRefused(Refusal):
    """A Sage budget that cannot be imported into this project (the reason in its words)."""


class SageEstimateLine(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    cost_code: str = Field(min_length=1, max_length=40)
    category: str = Field(min_length=1, max_length=20)
    original_estimate: Decimal


class SageEstimate(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    estimate_id: SageCode
    job_id: SageCode
    lines: list[SageEstimateLine] = Field(default_factory=list, max_length=5000)
    batch_id: str = Field(default="", max_length=60)
    posted: bool = False


class SageJobEstimate(BaseModel):
    """What Sage answers for a job's budget (`GET /v1/jobs/{job_id}/estimate`)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    job_id: SageCode
    estimate: SageEstimate | None = None


class ImportedBudget(BaseModel):
    """The project's budget as imported from Sage, as the project's ErpProject holds it."""

    model_config = ConfigDict(frozen=True)

    job_id: SageCode = Field(description="the Sage job the estimate is on")
    estimate_id: SageCode
    lines: list[BudgetLine] = Field(
        default_factory=list,
        description="Original Budget <- Original Estimate, Cost Code, Category",
    )
    imported_by: str
    at: datetime
    imports: int = Field(default=1, description="1, then one more at every refresh")

    @property
    def amount(self) -> Decimal:
        return sum((line.original_budget for line in self.lines), Decimal(0))


def check_import(registry: LinkRegistry, project: str) -> None:
    """Refuse, before Sage is read, a project whose budget was exported from Procore."""
    for link in registry.links:
        if link.kind is LinkKind.BUDGET and link.origin is not LinkOrigin.IMPORTED:
            raise BudgetImportRefused(
                f"import budget: budget {link.procore} of project {project} was exported to "
                f"Sage (estimate {link.sage_id}, {link.origin.value}). {EXPORTED_RULE}"
            )


def budget_from_sage(
    answer: SageJobEstimate,
    job_id: str,
    actor: str,
    at: datetime,
    held: ImportedBudget | None = None,
) -> ImportedBudget:
    """The mapping table, read from Sage to Procore. `held` is the budget an earlier import
    took: this one replaces its lines (a refresh), one line per cost code and category."""
    if answer.job_id != job_id:
        raise BudgetImportRefused(
            f"import budget: Sage answered for job {answer.job_id}, not job {job_id}"
        )
    estimate = answer.estimate
    if estimate is None or not estimate.lines:
        raise BudgetImportRefused(
            f"import budget: Sage job {job_id} holds no budget (no original estimate): "
            "nothing to import. Set it up in one system, then import or export it."
        )
    if estimate.job_id != job_id:
        raise BudgetImportRefused(
            f"import budget: Sage answered estimate {estimate.estimate_id} of job "
            f"{estimate.job_id}, not of job {job_id}"
        )
    if not estimate.posted:
        raise BudgetImportRefused(
            f"import budget: estimate {estimate.estimate_id} of Sage job {job_id} waits in "
            f"batch {estimate.batch_id or '?'} to be posted in Sage: not Sage's budget yet"
        )
    by_line: dict[tuple[str, str], Decimal] = {}
    for line in estimate.lines:
        key = (line.cost_code, line.category)
        by_line[key] = by_line.get(key, Decimal(0)) + line.original_estimate
    lines = [
        BudgetLine(cost_code=code, category=category, original_budget=amount)
        for (code, category), amount in sorted(by_line.items())
    ]
    return ImportedBudget(
        job_id=job_id,
        estimate_id=estimate.estimate_id,
        lines=lines,
        imported_by=actor,
        at=at,
        imports=held.imports + 1 if held else 1,
    )


def import_link(registry: LinkRegistry, budget: ImportedBudget) -> LinkRegistry:
    """The registry with the imported budget <-> its Sage estimate; a refresh that found a
    newer estimate moves the link to it (the budget is still the one from Sage)."""
    held = registry.find(LinkKind.BUDGET, IMPORTED_BUDGET)
    if held is not None and held.sage_id != budget.estimate_id:
        registry = registry.model_copy(
            update={"links": [link for link in registry.links if link is not held]}
        )
    return registry.with_link(
        Link(
            kind=LinkKind.BUDGET,
            procore=IMPORTED_BUDGET,
            sage_id=budget.estimate_id,
            origin=LinkOrigin.IMPORTED,
            at=budget.at,
        )
    )


def describe(budget: ImportedBudget, project: str) -> str:
    """One line for the audit trail and the CLI."""
    verb = "imported" if budget.imports == 1 else f"refreshed (import {budget.imports})"
    return (
        f"budget of project {project} {verb} from estimate {budget.estimate_id} of Sage job "
        f"{budget.job_id}: {len(budget.lines)} lines, ${budget.amount:,.2f}"
    )
