"""The saga engine: runs any export plan with one generic Sage activity per step.

Each step carries an idempotency key (workflow ID + export generation + step), so a retried
activity never creates a second record. A duplicate whose content matches what we sent is
linked; any other business failure undoes the completed steps, newest first. An undo that
Sage refuses is returned as a leftover for `reset`. Workflow code: deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from temporalio import workflow
from temporalio.common import Priority
from temporalio.exceptions import ActivityError, is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from contract.sage import WAIT_POSTED_ACTIVITY, SageFailure
    from domain.errors import StepOutcome, UndoOutcome, on_step_failure, on_undo_failure
    from domain.export_plan import (
        ExportPlan,
        ExportStep,
        LeftoverUndo,
        SageCall,
        answered_id_problem,
        dig,
        fill,
        idempotency_key,
        remembered,
        same_content,
    )
    from domain.sage_paths import INVALID_PATH
    from domain.status import Outcome
    from workflows import policies, sage_gateway

LINKED_RECORDS_KEPT_PATCH = "linked-records-kept"
"""Before: a linked (pre-existing) record was on the undo list like one the export wrote."""
CANCEL_LEARNS_OUTCOME_PATCH = "cancel-learns-outcome"
"""Before: a cancel mid-call failed the export as a time-out, the call's outcome unknown."""
ANSWERED_IDS_CHECKED_PATCH = "answered-ids-checked"
"""Before: an ID in Sage's answer went into later paths unchecked (the activity's last check
refused the call, but only once the export had gone on)."""

Note = Callable[[str, Outcome, str | None], None]
"""Tells the item's audit trail what the saga did: (action, outcome, detail)."""


@dataclass
class ExportResult:
    answers: dict[str, str] = field(default_factory=dict)
    batches: list[str] = field(default_factory=list)
    failure: SageFailure | None = None
    leftovers: list[LeftoverUndo] = field(default_factory=list)
    cancelled: bool = False
    """Cancelled in Temporal: what was done is undone (or left over); nothing else ran."""
    failed_step: str | None = None
    failed_body: dict[str, Any] | None = None
    """The step Sage refused and what it was sent (a duplicate's comparison, issue 20)."""


@dataclass
class _Cancel:
    requested: bool = False


async def run_plan(
    plan: ExportPlan,
    workflow_id: str,
    generation: int,
    note: Note,
    link_anyway: str | None = None,
) -> ExportResult:
    """Run `plan`'s steps in order. `link_anyway` names a step whose "already exists" answer
    links the record Sage holds even where it differs (an ERP Admin chose `link-existing`)."""
    result = ExportResult()
    cancel = _Cancel()
    done: list[ExportStep] = []
    """Steps whose record this export wrote: the ones to undo. A linked record (Sage held an
    identical one already) is someone else's and is never undone."""
    for step in plan.steps:
        call = fill(step.call, result.answers)
        key = idempotency_key(workflow_id, generation, step.name)
        try:
            record = await _settled(call, key, step.summary, step.record, cancel)
        except ActivityError as err:
            failure = sage_gateway.failure(err)
            chosen = link_anyway == step.name and failure.existing is not None
            matches = chosen or same_content(call.body, failure.existing)
            if on_step_failure(failure.code, matches) is not StepOutcome.LINK:
                result.leftovers = await _compensate(
                    done, result.answers, workflow_id, generation, note, cancel
                )
                result.failure = failure
                result.failed_step, result.failed_body = step.name, call.body
                result.cancelled = cancel.requested
                return result
            record = failure.existing or {}
            held = "the record Sage held (an ERP Admin chose it)" if chosen else None
            note(f"link {step.name}", Outcome.DONE, held or "Sage already held an identical record")
            if not workflow.patched(LINKED_RECORDS_KEPT_PATCH):
                done.append(step)  # replaying a history from before linked records were kept
        else:
            done.append(step)
        problem = answered_id_problem(plan, step, record)
        if problem is not None and workflow.patched(ANSWERED_IDS_CHECKED_PATCH):
            note(f"check {step.name}'s answer", Outcome.REFUSED, problem)
            result.leftovers = await _compensate(
                done, result.answers, workflow_id, generation, note, cancel
            )
            result.failure = SageFailure(status=0, code=INVALID_PATH, message=problem)
            result.cancelled = cancel.requested
            return result
        result.answers.update(remembered(step, record))
        if step.batch and (batch := dig(record, step.batch)) is not None:
            result.batches.append(str(batch))
        if cancel.requested:
            note("cancel", Outcome.DONE, f"cancelled in Temporal after {step.name}; undoing")
            result.leftovers = await _compensate(
                done, result.answers, workflow_id, generation, note, cancel
            )
            result.cancelled = True
            return result
    return result


async def _settled(
    call: SageCall, key: str, summary: str, record_key: str | None, cancel: _Cancel
) -> dict[str, Any]:
    """The call's answer, even when the workflow is cancelled while it is in flight.

    A cancelled activity may still have reached Sage. Its outcome is learnt by issuing the
    same call again under the same idempotency key: Sage replays the first answer if the
    first call committed, or does it now; either way exactly one record, and we know it.
    The cancellation is noted for the caller, who undoes what was done.
    """
    priority = export_priority()
    try:
        return await sage_gateway.call(call, key, summary, record_key, priority)
    except BaseException as err:  # cancellation is not an Exception
        if not is_cancelled_exception(err) or not workflow.patched(CANCEL_LEARNS_OUTCOME_PATCH):
            raise
        cancel.requested = True
        return await sage_gateway.call(
            call, key, f"{summary} (outcome after cancel)", record_key, priority
        )


def export_priority() -> Priority:
    """A person's export goes first on the Sage queue (priority 1, before background reads),
    and one project's bulk send shares the queue fairly with the others (fairness key: the
    project, from the item's ID `{type}:{project}:{number}`; honoured where the server runs
    with `matching.enableFairness`, see bench/README.md)."""
    parts = workflow.info().workflow_id.split(":")
    project = parts[1] if len(parts) >= 3 else None
    return Priority(priority_key=policies.EXPORT_PRIORITY, fairness_key=project)


async def _compensate(
    done: list[ExportStep],
    answers: dict[str, str],
    workflow_id: str,
    generation: int,
    note: Note,
    cancel: _Cancel,
) -> list[LeftoverUndo]:
    """Undo completed steps, newest first, so a later `retry` starts clean."""
    leftovers: list[LeftoverUndo] = []
    for step in reversed(done):
        if step.undo is None:
            continue
        undo = fill(step.undo, answers)
        key = idempotency_key(workflow_id, generation, step.name, undo=True)
        try:
            await _settled(undo, key, f"Undo: {step.summary}", None, cancel)
            outcome, detail = Outcome.DONE, None
        except ActivityError as err:
            failure = sage_gateway.failure(err)
            if on_undo_failure(failure.code) is UndoOutcome.DONE:
                outcome, detail = Outcome.DONE, "already gone in Sage"
            else:
                outcome, detail = Outcome.REFUSED, f"{failure.code}: {failure.message}"
                leftovers.append(
                    LeftoverUndo(step=step.name, summary=step.summary, call=undo, key=key)
                )
        note(f"undo {step.name}", outcome, detail)
    return leftovers


async def undo_leftovers(
    leftovers: list[LeftoverUndo], attempt: int
) -> tuple[list[LeftoverUndo], SageFailure | None]:
    """`reset`: undo what a failed export left; returns what is still left and why."""
    remaining: list[LeftoverUndo] = []
    failure: SageFailure | None = None
    cancel = _Cancel()  # a reset under way finishes, cancelled or not
    for leftover in leftovers:
        key = f"{leftover.key}/reset{attempt}"
        try:
            await _settled(leftover.call, key, f"Reset: {leftover.summary}", None, cancel)
        except ActivityError as err:
            found = sage_gateway.failure(err)
            if on_undo_failure(found.code) is UndoOutcome.LEFT_OVER:
                failure = found
                remaining.append(leftover)
    return remaining, failure


async def wait_until_posted(batches: list[str]) -> None:
    """Infrequent polling: each look is an activity attempt, so waiting adds no history."""
    for batch in batches:
        await workflow.execute_activity(
            WAIT_POSTED_ACTIVITY,
            batch,
            task_queue=sage_gateway.task_queue(),
            start_to_close_timeout=policies.POSTING_TIMEOUT,
            retry_policy=policies.POSTING_RETRY,
            summary=f"Wait until Sage batch {batch} is posted",
        )
