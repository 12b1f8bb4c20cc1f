"""The one way workflow code calls Sage: one activity (by name), one queue, one idempotency-key
scheme, one reading of a failure.

Key: `{workflow ID}/g{generation}/{step}` (domain/export_plan.py `idempotency_key`). An export
names its plan's step and its attempt generation (`retry` bumps it), so an activity retried
after a time-out never writes twice. The import direction (ErpProject, ErpCompany,
PrimeContractSync) names the call's step and takes the workflow time of the command as its
generation: a later refresh is a new request, a retried one is the same.

What a failure means comes from the error catalogue (domain/errors.py). Workflow code:
deterministic.
"""

from __future__ import annotations

from typing import Any, Literal

from temporalio import workflow
from temporalio.common import Priority
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from contract import sage
    from contract.sage import SAGE_CALL_ACTIVITY, SageAnswer, SageFailure, SageRequest
    from domain.errors import means_absent
    from domain.export_plan import SageCall, idempotency_key
    from workflows import policies


class SageRefused(ValueError):
    """Sage refused the call for a business reason (its words in `failure.message`)."""

    def __init__(self, failure: SageFailure) -> None:
        super().__init__(f"Sage refused: {failure.message}")
        self.failure = failure


def key(step: str, generation: int, *, undo: bool = False) -> str:
    """This workflow's idempotency key for `step` of `generation`."""
    return idempotency_key(workflow.info().workflow_id, generation, step, undo=undo)


def now_generation() -> int:
    """The import direction's generation: the command's workflow time, in milliseconds."""
    return int(workflow.now().timestamp() * 1000)


def task_queue() -> str:
    """Sage calls run on their own task queue, whose server-side rate keeps under the quota."""
    return sage.sage_task_queue(workflow.info().task_queue)


async def call(
    sage_call: SageCall,
    idempotency_key: str,
    summary: str,
    record_key: str | None = None,
    priority: Priority | None = None,
) -> dict[str, Any]:
    """The answer's body (or its `record_key` record); ActivityError when Sage refused.
    `priority`: None inherits the workflow's (the server's default, 3): background reads."""
    answer = await workflow.execute_activity(
        SAGE_CALL_ACTIVITY,
        SageRequest(call=sage_call, idempotency_key=idempotency_key),
        result_type=SageAnswer,
        task_queue=task_queue(),
        start_to_close_timeout=policies.SAGE_CALL_TIMEOUT,
        retry_policy=policies.SAGE_CALL_RETRY,
        summary=summary,
        priority=priority or Priority.default,
    )
    if record_key is None:
        return answer.body
    record = answer.body.get(record_key)
    return record if isinstance(record, dict) else {}


def failure(err: ActivityError) -> SageFailure:
    """What Sage answered, as the activity reported it (a time-out as code `timeout`)."""
    cause = err.cause
    if isinstance(cause, ApplicationError):
        if cause.details and isinstance(cause.details[0], dict):
            try:
                return SageFailure.model_validate(cause.details[0])
            except ValueError:
                pass
        return SageFailure(status=0, code=cause.type or "unknown", message=cause.message)
    return SageFailure(status=0, code="timeout", message=str(cause or err))


async def request(
    method: Literal["GET", "PUT", "POST"],
    path: str,
    company: str | None,
    step: str | None = None,
    generation: int | None = None,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One call of the import direction: its answer; LookupError when Sage has no such record
    (or company), SageRefused for any other refusal. `step` defaults to the call itself;
    `body` only for a write (a project cost code accepted: `POST .../cost_codes`)."""
    sage_call = SageCall(method=method, path=path, company=company, body=body)
    step = step or f"{method} {path}"
    generation = now_generation() if generation is None else generation
    try:
        return await call(sage_call, key(step, generation), f"{method} {path}")
    except ActivityError as err:
        found = failure(err)
        if means_absent(found.code):
            raise LookupError(f"Sage: {found.message} ({path})") from None
        raise SageRefused(found) from None
