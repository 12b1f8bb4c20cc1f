"""The PrimeContractSync workflow's contract: its name, its ID, what it starts with, takes and
shows, and the error types of its refusals."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from contract.sync import AuditLine
from domain import pay_applications as pay
from domain import prime_contract as pc
from domain.settings import ProjectSettings

WORKFLOW_TYPE = "PrimeContractSync"
ITEM_TYPE = "prime_contract"
REFUSED = "ImportRefused"
NO_SUCH_CONTRACT = "NoSuchContract"


REFRESH_ACTIVITY = "prime_contracts.refresh"
"""A PCCO about to export asks its prime contract's PrimeContractSync to sync from Sage."""


class RefreshRequest(BaseModel):
    """Which prime contract (its Procore number, found in the project's link registry) and in
    whose name: the ERP Admin whose accept (or retry) starts the PCCO's export."""

    project: str
    prime_contract: str
    actor: str = Field(min_length=1, max_length=100)


class RefreshOutcome(BaseModel):
    synced: bool
    """The sync ran (re-imported what changed, or found nothing new)."""
    detail: str


def workflow_id(project: str, contract: str) -> str:
    return f"{ITEM_TYPE}:{project}:{contract}"


class SyncStart(BaseModel):
    project: str
    contract: str
    settings: ProjectSettings
    prime: pc.PrimeContract | None = None
    audit: list[AuditLine] = Field(default_factory=list)
    schedule_actor: str | None = Field(
        default=None, description="The ERP Admin whose sync schedule runs in their name."
    )
    nonces: dict[str, datetime] = Field(
        default_factory=dict, description="Signatures seen lately (a replay is refused)."
    )
    pay_applications: list[pay.PayApplication] = Field(
        default_factory=list, description="The lump-sum prime contract's pay applications."
    )


class ImportRequest(BaseModel):
    actor: str = Field(min_length=1, max_length=100)
    contract: str | None = Field(default=None, description="add_contract: the Sage contract")
    settings: ProjectSettings | None = Field(
        default=None,
        description="Ignored: kept so that older requests still decode. New settings reach "
        "the workflow only through its `settings` update.",
    )


class SyncStatus(BaseModel):
    workflow_id: str
    project: str
    contract: str
    imported: bool
    prime: pc.PrimeContract | None = None
    readiness: pc.Readiness | None = None
    audit: list[AuditLine] = Field(default_factory=list)
    pay_applications: list[pay.PayApplication] = Field(default_factory=list)


# --- seeds/000 3c (link an existing Procore prime contract) and 3d (pay applications) ---

LINK_UPDATE = "link"
PAY_APP_CREATE = "pay_app_create"
PAY_APP_RESYNC = "pay_app_resync"
PAY_APP_DELETE = "pay_app_delete"
PAY_APP_SUBMIT = "pay_app_submit"


class LinkRequest(BaseModel):
    """Link the Procore prime contract `prime` (it exists already) to this Sage contract."""

    model_config = ConfigDict(extra="forbid")

    actor: str = Field(min_length=1, max_length=100)
    prime: pc.ProcoreContract
