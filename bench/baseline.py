"""The baseline workflow of the throughput benchmark: the same Sage calls, no lifecycle.

It makes exactly the HTTP calls a Direct Export commitment makes (one create-commitment POST,
then batch GETs until Sage has posted it), through the same activities on the same Sage task
queue with the same time-outs and retry policies, and nothing else: no updates, no audit
trail, no search attributes, no plan built in the workflow. What the item workflow costs
beyond this is the price of its lifecycle.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from contract.sage import SAGE_CALL_ACTIVITY, WAIT_POSTED_ACTIVITY, SageAnswer, SageRequest
    from workflows import policies

BASELINE_QUEUE_SUFFIX = "-baseline"


class BaselineInput(BaseModel):
    request: SageRequest
    """The create-commitment call, built outside the workflow from the same export plan."""
    sage_task_queue: str


@workflow.defn(name="BenchBaseline")
class BaselineWorkflow:
    @workflow.run
    async def run(self, job: BaselineInput) -> str:
        answer = await workflow.execute_activity(
            SAGE_CALL_ACTIVITY,
            job.request,
            result_type=SageAnswer,
            task_queue=job.sage_task_queue,
            start_to_close_timeout=policies.SAGE_CALL_TIMEOUT,
            retry_policy=policies.SAGE_CALL_RETRY,
        )
        batch = str(answer.body["commitment"]["batch_id"])
        await workflow.execute_activity(
            WAIT_POSTED_ACTIVITY,
            batch,
            task_queue=job.sage_task_queue,
            start_to_close_timeout=policies.POSTING_TIMEOUT,
            retry_policy=policies.POSTING_RETRY,
        )
        return batch


class PollingWaitInput(BaseModel):
    request: SageRequest
    """The create call (an estimate transfer: a batch a person posts), built outside."""
    record: str
    """Where the answer keeps the record (and in it the batch ID)."""
    sage_task_queue: str
    retry: RetryPolicy
    """`policies.POSTING_RETRY` with its intervals divided by the benchmark's time scale."""


@workflow.defn(name="BenchPollingWait")
class PollingWaitWorkflow:
    """Per-item polling as items waited before the posting watch (`export_saga
    .wait_until_posted`): the export, then one activity whose retries look at the batch, up to
    every 5 minutes (here scaled): 12 requests an hour per waiting batch."""

    @workflow.run
    async def run(self, job: PollingWaitInput) -> str:
        answer = await workflow.execute_activity(
            SAGE_CALL_ACTIVITY,
            job.request,
            result_type=SageAnswer,
            task_queue=job.sage_task_queue,
            start_to_close_timeout=policies.SAGE_CALL_TIMEOUT,
            retry_policy=policies.SAGE_CALL_RETRY,
        )
        batch = str(answer.body[job.record]["batch_id"])
        await workflow.execute_activity(
            WAIT_POSTED_ACTIVITY,
            batch,
            task_queue=job.sage_task_queue,
            start_to_close_timeout=policies.POSTING_TIMEOUT,
            retry_policy=job.retry,
        )
        return batch
