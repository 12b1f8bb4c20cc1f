"""The ErpProject workflow's contract: its name, its ID, what it starts with, takes and shows."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from contract.sync import AuditLine
from domain.budget_import import ImportedBudget
from domain.commands import CommandRequest
from domain.cost_code_acceptance import SentCostCode
from domain.cost_codes import CostCodeRefresh
from domain.direct_costs import DirectCosts
from domain.job_costs import JobCostSummary
from domain.job_import import SageJob
from domain.links import LinkRegistry
from domain.paid_invoices import InvoicePayment
from domain.settings import ProjectSettings
from domain.signing import Signature
from domain.sub_job_import import ImportedSubJob

WORKFLOW_TYPE = "ErpProject"
ITEM_TYPE = "erp_project"
IMPORT_SUB_JOB_UPDATE = "import_sub_job"
"""A Sage extra added as a sub job of the project (`ProjectRequest.extra_id`)."""
IMPORT_BUDGET_UPDATE = "import_budget"
"""The Sage job's budget imported (again: refreshed) into the project's budget."""
SEND_COST_CODE = "send_cost_code"
ACCEPT_COST_CODE = "accept_cost_code"
REJECT_COST_CODE = "reject_cost_code"
"""A project cost code sent for acceptance, accepted (exported to the Sage job) or rejected
(`CostCodeRequest`): updates, and signals of the same names for the UI's "Send Signal"."""
COST_CODE_COMMANDS = {
    "send": SEND_COST_CODE,
    "accept": ACCEPT_COST_CODE,
    "reject": REJECT_COST_CODE,
}
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
    cost_codes_sent: list[SentCostCode] = Field(
        default_factory=list,
        description="Project cost codes sent for acceptance (domain/cost_code_acceptance.py).",
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
    signature: Signature | None = Field(
        default=None,
        description="The actor's signature (domain/signing.py), required when the held roster "
        "gives them a key: over the ErpProject's workflow ID and the update's name.",
    )

    def signed_arguments(self) -> dict[str, Any]:
        """Everything the signature covers besides workflow, command, timestamp and nonce."""
        return self.model_dump(mode="json", exclude={"signature"})


class ProjectRecord(ProjectStart):
    workflow_id: str
    project: str


class CostCodeRequest(CommandRequest):
    """send_cost_code, accept_cost_code, reject_cost_code: the project cost code (checked by
    the workflow: domain/cost_code_acceptance.py), the cost types sent with it (none: its
    standard code's defaults at acceptance), the comment a rejection needs."""

    code: str = Field(max_length=100)
    categories: list[str] = Field(default_factory=list, max_length=50)
