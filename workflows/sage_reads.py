"""What the workflows of the import direction share (ErpProject, ErpCompany): one Sage call
for a company, an audit trail, and refusals that reach the caller without failing anything.

Workflow code: deterministic.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import erp
    from domain.saga import SageCall
    from workflows import export_saga

REFUSED = "Refused"
"""ApplicationError type of every refusal: the update fails, the workflow lives on."""

RECOVERABLE = (erp.ErpRefused, LookupError, ValueError)
"""What a refresh may meet: the ERP lacks it, Sage has no such record, Sage refused."""


class AuditLine(BaseModel):
    at: datetime
    actor: str
    action: str
    outcome: str


async def sage_json(
    method: Literal["GET", "PUT"], path: str, company: str | None, key: str | None = None
) -> dict[str, Any]:
    """One Sage call for `company`: its answer, LookupError if Sage has no such record (or no
    such company), ValueError with Sage's words for any other refusal."""
    call = SageCall(method=method, path=path, company=company)
    key = key or f"{workflow.info().workflow_id}/{workflow.uuid4()}"
    try:
        return await export_saga.call_sage(call, key, f"{method} {path}", None)
    except ActivityError as err:
        failure = export_saga.sage_failure(err)
        if failure.code in ("not_found", "unknown_company"):
            raise LookupError(f"Sage: {failure.message} ({path})") from None
        raise ValueError(f"Sage refused: {failure.message}") from None


def record(audit: list[AuditLine], actor: str, action: str, outcome: str) -> None:
    audit.append(AuditLine(at=workflow.now(), actor=actor, action=action, outcome=outcome))


def refusal(audit: list[AuditLine], actor: str, action: str, err: Exception) -> ApplicationError:
    """Record the refusal, and the error that tells the caller why."""
    message = str(err)
    if isinstance(err, ValidationError):
        message = f"Sage answered something unexpected ({err.error_count()} problems)"
    record(audit, actor, action, f"refused: {message}")
    return ApplicationError(message, type=REFUSED, non_retryable=True)


async def run_each(
    audit: list[AuditLine], actor: str, steps: list[tuple[str, Callable[[str], Awaitable[None]]]]
) -> None:
    """What the sync schedule asks for: every step, a refusal recorded rather than raised."""
    for action, step in steps:
        try:
            await step(actor)
        except RECOVERABLE as err:
            refusal(audit, actor, action, err)


def schedule_actor(payload: tuple[Any, ...]) -> str:
    """Who a `sync` signal names (the schedule by default); anything else is ignored."""
    return payload[0] if payload and isinstance(payload[0], str) and payload[0] else "schedule"
