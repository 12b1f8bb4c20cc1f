"""What an item workflow is given at start, and what its `status` query answers."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, computed_field, field_validator

from domain.approval import Approval
from domain.cost_forecast import forecast_of
from domain.duplicates import Duplicate
from domain.errors import SageError
from domain.export_plan import LeftoverUndo, Posting
from domain.exports import kind_of
from domain.items import InvalidItem, parse_item
from domain.lifecycle import State
from domain.links import Link
from domain.settings import DirectExportMode, ProjectSettings


class Outcome(StrEnum):
    DONE = "done"
    REFUSED = "refused"
    REMINDER = "reminder"
    ESCALATED = "escalated"


ACTOR_LIMIT = 100
ACTION_LIMIT = 100
DETAIL_LIMIT = 1000
COMMENT_LIMIT = 2000
AUDIT_LIMIT = 500
"""Entries an item keeps; older ones are folded into one summary (refused signals cost
nothing to send, so an attacker must not be able to grow the history without bound)."""


def bounded(text: str | None, limit: int) -> str | None:
    """`text` cut to `limit` characters, saying how much was cut."""
    if text is None or len(text) <= limit:
        return text
    note = f"... ({len(text) - limit + 40} more characters)"
    return text[: limit - len(note)] + note


class AuditEntry(BaseModel):
    at: datetime
    actor: str
    action: str
    outcome: Outcome
    state_before: State
    state_after: State
    detail: str | None = None
    comment: str | None = None
    folded: int | None = None
    """On a summary entry: how many older entries it stands for..."""
    folded_refused: int | None = None
    """... and how many of those were refusals."""

    @field_validator("actor", "action", "detail", "comment", mode="before")
    @classmethod
    def _bounded(cls, text: object, info: Any) -> object:
        limits = {"actor": ACTOR_LIMIT, "action": ACTION_LIMIT, "comment": COMMENT_LIMIT}
        if isinstance(text, str):
            return bounded(text, limits.get(info.field_name, DETAIL_LIMIT))
        return text


def folded_audit(audit: list[AuditEntry], limit: int = AUDIT_LIMIT) -> list[AuditEntry]:
    """The audit trail with at most `limit` entries: the oldest folded into one summary that
    counts them (and how many were refusals); the newest kept as they are."""
    if len(audit) <= limit:
        return audit
    old, kept = audit[: len(audit) - limit + 1], audit[len(audit) - limit + 1 :]
    count = sum(entry.folded or 1 for entry in old)
    refused = sum(
        entry.folded_refused or 0 if entry.folded else entry.outcome is Outcome.REFUSED
        for entry in old
    )
    summary = AuditEntry(
        at=old[0].at,  # a summary's time is where its span starts
        actor="system",
        action="earlier entries",
        outcome=Outcome.DONE,
        state_before=old[0].state_before,
        state_after=old[-1].state_after,
        detail=f"{count} earlier entries folded ({refused} refused), "
        f"from {old[0].at.isoformat()} to {old[-1].at.isoformat()}",
        folded=count,
        folded_refused=refused,
    )
    return [summary, *kept]


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
    resets: int = 0
    """Resets so far: each one's idempotency keys are new, across runs too."""
    approval_token: str | None = None
    audit: list[AuditEntry] = Field(default_factory=list)
    duplicate: Duplicate | None = None
    """A duplicate that differs from what was sent: ours beside Sage's (issue 20)."""
    links: dict[str, str] = Field(default_factory=dict)
    """The Sage IDs the item's prerequisites resolved to at send (issue 16, domain/links.py)."""
    made_links: list[Link] = Field(default_factory=list)
    """The live links the item's own export made: what its homes take from its notes."""


class ItemWorkflowInput(BaseModel):
    item: dict[str, Any]
    settings: ProjectSettings
    """The project's settings as they were at start (validators decide from this snapshot)."""
    carried: CarriedState | None = None
    """Set when the item continues as new: everything it knew, its audit trail included."""
    history_limit: int = Field(default=20_000, ge=10)
    """Continue as new past this many history events, or when Temporal suggests it."""
    unlink_window: timedelta | None = None
    """How long a posted item that may be unlinked keeps its run open (None: domain/links.py
    UNLINK_WINDOW, 30 days; zero: it ends at posted, as before issue 16)."""


class ItemStatus(BaseModel):
    """The `status` query's answer; also what the UI's current details are made from."""

    workflow_id: str
    item: dict[str, Any]
    state: State
    export_mode: DirectExportMode
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
    posting: Posting = Posting.AUTOMATIC
    resetting: bool = False
    audit: list[AuditEntry] = Field(default_factory=list)
    duplicate: Duplicate | None = None
    """Sage holds a record under our code that differs: our fields beside Sage's; an ERP Admin
    runs `link-existing` or `export-as NEW_ID` (issue 20)."""
    links: dict[str, str] = Field(default_factory=dict)
    """What the item leans on, resolved against the link registry at send: 'job', 'vendor',
    'commitment' -> the Sage ID (issue 16)."""
    exports_forecast: bool = False
    """The project exports forecast amounts (`export_forecast_amounts`, seeds/004 Cost Forecast
    Data) in the settings the item holds (issue 18)."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def next_action(self) -> str:
        """Who must act next, and how: what an operator looks for first."""
        state, attention = self.state, f" ({self.attention})" if self.attention else ""
        if state is State.DRAFT:
            return "a tool admin edits or sends it"
        if state is State.SENT and self.approval is not None and self.approval_workflow_id:
            return self.approval.describe() + attention
        if state is State.SENT:
            return "an accounting approver accepts or rejects it" + attention
        if state is State.REJECTED:
            return "a tool admin edits and resends it, or cancels it"
        if state is State.ACCEPTED:
            return f"the orchestrator exports it to Sage (attempt {self.export_generation})"
        if self.resetting:
            return "the orchestrator undoes what the failed export left in Sage (reset)"
        if state is State.EXPORT_FAILED:
            error = self.last_error
            if error is not None and error.person:  # the catalogue names who acts (issue 20)
                return f"{error.person}: {error.solution}"
            solution = f": {error.solution}" if error else ""
            return f"an accounting approver fixes the cause, then retries or rejects it{solution}"
        if state is State.EXPORTED:
            batches = ", ".join(self.batches) or "its batch"
            if self.posting is Posting.MANUAL:
                return f"a person posts batch {batches} in Sage"
            return f"Sage posts batch {batches} automatically"
        return "nothing: the item is done"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def warnings(self) -> list[str]:
        """What an approver should know that blocks nothing (e.g. a budget modification
        that does not net to zero), in the seed's words."""
        try:
            item = parse_item(self.item)
        except InvalidItem:  # an item this version cannot read: nothing to warn about
            return []
        return kind_of(item).warnings(item)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def forecast(self) -> list[str]:
        """A budget's or a modification's cost forecast, one line per budget line item: what
        Misc Worksheet 1 and 2 receive when the project exports forecast amounts."""
        try:
            return forecast_of(parse_item(self.item))
        except InvalidItem:
            return []

    def details(self, summary: str) -> str:
        """The UI's current details (markdown): state, next action, last error, Sage IDs."""
        lines = [f"**{self.state.value}** — {summary}", f"Next: {self.next_action}"]
        if self.last_error:
            error = self.last_error
            lines += [
                f"Last error `{error.code}`: {error.message}",
                f"Cause: {error.cause}",
                f"Solution: {error.solution}",
            ]
        if self.sage_ids:
            lines.append("Sage: " + ", ".join(f"{k}={v}" for k, v in self.sage_ids.items()))
        return "\n\n".join(lines)
