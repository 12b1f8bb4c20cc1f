"""The Sage activities' contract: their names, their queue, and what crosses between workflow
and activity (a filled call with its idempotency key; the answer; a business failure)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from domain.export_plan import SageCall

SAGE_CALL_ACTIVITY = "sage_call"
WAIT_POSTED_ACTIVITY = "sage_wait_posted"
"""Activity names, shared by the workflow (which calls them by name) and the worker."""

SAGE_QUEUE_SUFFIX = "-sage"
"""Sage calls run on a task queue of their own, whose server-side rate keeps under the quota."""

COMPANY_HEADER = "X-Sage-Company"
"""Names the Sage company a call is for (sage_mock/API.md "Companies and flavours")."""


def sage_task_queue(task_queue: str) -> str:
    """The Sage activities' queue beside the workflows' `task_queue`."""
    return f"{task_queue}{SAGE_QUEUE_SUFFIX}"


class SageRequest(BaseModel):
    """What the workflow hands the Sage activity: a filled call and its idempotency key."""

    call: SageCall
    idempotency_key: str


class SageAnswer(BaseModel):
    status: int
    body: dict[str, Any] = Field(default_factory=dict)


class SageFailure(BaseModel):
    """A business answer from Sage, as the activity reports it to the workflow."""

    status: int
    code: str
    message: str
    existing: dict[str, Any] | None = None
