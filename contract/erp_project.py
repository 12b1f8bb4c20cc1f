"""The ErpProject workflow's contract: its name, its ID, what it starts with, takes and shows."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from contract.sync import AuditLine
from domain.budget_import import ImportedBudget
from domain.cost_codes import CostCodeRefresh
from domain.direct_costs import DirectCosts
from domain.job_costs import JobCostSummary
from domain.job_import import SageJob
from domain.links import LinkRegistry
from domain.paid_invoices import InvoicePayment
from domain.settings import ProjectSettings
from domain.sub_job_import import ImportedSubJob

WORKFLOW_TYPE = "ErpProject"
ITEM_TYPE = "erp_project"
IMPORT_SUB_JOB_UPDATE = "import_sub_job"
"""A Sage extra added as a sub job of the project (`ProjectRequest.extra_id`)."""
IMPORT_BUDGET_UPDATE = "import_budget"
"""The Sage job's budget imported (again: refreshed) into the project's budget."""
SYNC_DIRECT_COSTS_UPDATE = "sync_direct_costs"
"""The Sage job's cost transactions synced into the project's Direct Costs (again: updated)."""
SYNC_PAID_INVOICES_UPDATE = "sync_paid_invoices"
"""Sage's payments of the project's exported subcontractor invoices noted (each once)."""


def workflow_id(project: str) -> str:
    return f"{ITEM_TYPE}:{project}"


class ProjectStart(BaseModel):
    settings: ProjectSettings
    origin: Literal["imported", "exported"] | None = None
    job: SageJob | None = None
    last_refresh: CostCodeRefresh | None = None
    refreshed_at: datetime | None = None
    job_costs: JobCostSummary | None = None
    audit: list[AuditLine] = Field(default_factory=list)
    schedule_actor: str | None = Field(
        default=None, description="The ERP Admin whose sync schedule runs in their name."
    )
    nonces: dict[str, datetime] = Field(
        default_factory=dict, description="Signatures seen lately (a replay is refused)."
    )
    links: LinkRegistry = Field(
        default_factory=LinkRegistry,
        description="The project's link registry (domain/links.py, contract/links.py).",
    )
    sub_jobs: list[ImportedSubJob] = Field(
        default_factory=list,
        description="Sub jobs imported from Sage extras (domain/sub_job_import.py).",
    )
    budget: ImportedBudget | None = Field(
        default=None,
        description="The budget imported from the Sage job's estimate (domain/budget_import.py).",
    )
    direct_costs: DirectCosts | None = Field(
        default=None,
        description="Direct costs synced from the job's cost transactions "
        "(domain/direct_costs.py).",
    )
    invoice_payments: list[InvoicePayment] = Field(
        default_factory=list,
        description="Sage's payments of exported subcontractor invoices (domain/paid_invoices.py).",
    )


class ProjectRequest(BaseModel):
    actor: str = Field(min_length=1, max_length=100)
    job_id: str | None = Field(default=None, description="import_job: the Sage job")
    extra_id: str | None = Field(
        default=None, description="import_sub_job: the Sage extra's code (checked there)"
    )
    settings: ProjectSettings | None = Field(
        default=None,
        description="Ignored: kept so that older requests still decode. New settings reach "
        "the workflow only through its `settings` update.",
    )


class ProjectRecord(ProjectStart):
    workflow_id: str
    project: str
