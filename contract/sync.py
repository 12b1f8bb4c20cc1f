"""What the import direction's workflows (ErpProject, ErpCompany, PrimeContractSync) share on
the wire: the audit line, the `sync` signal, the `schedule` request, and the project's sync
schedule (the ProjectSync workflow, its input, and the activity that lists what it refreshes)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from contract import search_attributes as sa
from domain.commands import CommandRequest
from domain.signing import Signature

SYNC = "sync"
"""Signal (and, on PrimeContractSync, update) of that name: refresh from Sage."""
SETTINGS = "settings"
"""Update and signal of that name: new settings from an ERP Admin of the held roster."""
SCHEDULE = "schedule"
"""Update of that name: set or delete the project's sync schedule."""

PROJECT_SYNC_WORKFLOW = "ProjectSync"
"""What the project's sync schedule runs."""
LIST_SYNCS_ACTIVITY = "list_prime_contract_syncs"
"""The activity that lists the running workflows a project's schedule refreshes."""


class AuditLine(BaseModel):
    at: datetime
    actor: str
    action: str
    outcome: str


class SyncSignal(BaseModel):
    """The `sync` signal's payload: `{"actor": USER}` from a person (signed when the roster
    gives them a key), `{"actor": USER, "schedule": true}` from the project's sync schedule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    actor: str = Field(min_length=1, max_length=100)
    schedule: bool = Field(
        default=False, description="sent by the sync schedule the actor set (starter.py schedule)"
    )
    signature: Signature | None = None

    def signed_arguments(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"signature"})


class ScheduleRequest(CommandRequest):
    """schedule: an ERP Admin sets (or, with no interval, deletes) the project's sync schedule;
    its runs then act in that admin's name, checked again on each run."""

    every: timedelta | None = None


class ProjectSyncInput(BaseModel):
    project: str
    actor: str | None = Field(
        default=None,
        description="The ERP Admin who set the schedule: each run acts in their name, checked "
        "again by every workflow it asks (a schedule set before this field names nobody and is "
        "refused: set it again with --as).",
    )


def running_syncs_query(project: str, types: tuple[str, ...]) -> str:
    """The project's running workflows of these types (a visibility query)."""
    names = ", ".join(f"'{name}'" for name in types)
    return (
        f"WorkflowType IN ({names}) AND ExecutionStatus = 'Running' "
        f'AND {sa.PROJECT.name} = "{project}"'
    )


def schedule_id(project: str) -> str:
    """The project's sync schedule. Named when it refreshed prime contracts only; kept so
    existing schedules stay found."""
    return f"prime_contract_sync:{project}"


def project_sync_id(project: str) -> str:
    """The workflow ID of each run of the project's sync schedule."""
    return f"project_sync:{project}"
