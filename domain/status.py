"""What an item workflow is given at start, and what its `status` query answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from domain.approval import Approval
from domain.errors import SageError
from domain.lifecycle import State
from domain.saga import LeftoverUndo, Posting
from domain.settings import DirectExportMode, ProjectSettings


class Outcome(StrEnum):
    DONE = "done"
    REFUSED = "refused"
    REMINDER = "reminder"
    ESCALATED = "escalated"


class AuditEntry(BaseModel):
    at: datetime
    actor: str
    action: str
    outcome: Outcome
    state_before: State
    state_after: State
    detail: str | None = None
    comment: str | None = None


class CarriedState(BaseModel):
    """What an item carries into its next run when it continues as new."""

    state: State
    sender: str | None = None
    sent_item: dict[str, Any] | None = None
    export_fields: dict[str, str] = Field(default_factory=dict)
    export_generation: int = 0
    sage_ids: dict[str, str] = Field(default_factory=dict)
    batches: list[str] = Field(default_factory=list)
    posting: Posting = Posting.AUTOMATIC
    last_error: SageError | None = None
    attention: str | None = None
    approval: Approval | None = None
    approval_round: int = 0
    leftovers: list[LeftoverUndo] = Field(default_factory=list)
    nonces: dict[str, datetime] = Field(default_factory=dict)
    audit: list[AuditEntry] = Field(default_factory=list)


class ItemWorkflowInput(BaseModel):
    item: dict[str, Any]
    settings: ProjectSettings
    """The project's settings as they were at start (validators decide from this snapshot)."""
    carried: CarriedState | None = None
    """Set when the item continues as new: everything it knew, its audit trail included."""
    history_limit: int = Field(default=20_000, ge=10)
    """Continue as new past this many history events, or when Temporal suggests it."""


class ItemStatus(BaseModel):
    workflow_id: str
    item: dict[str, Any]
    state: State
    export_mode: DirectExportMode
    next_action: str
    export_fields: dict[str, str] = Field(default_factory=dict)
    export_generation: int = 0
    sage_ids: dict[str, str] = Field(default_factory=dict)
    batches: list[str] = Field(default_factory=list)
    last_error: SageError | None = None
    attention: str | None = None
    approval: Approval | None = None
    approval_workflow_id: str | None = None
    leftovers: list[LeftoverUndo] = Field(default_factory=list)
    """Steps of a failed export that Sage refused to undo; `reset` undoes them."""
    audit: list[AuditEntry] = Field(default_factory=list)
