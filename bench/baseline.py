"""The baseline workflow of the throughput benchmark: the same Sage calls, no lifecycle.

It makes exactly the HTTP calls a Direct Export commitment makes (one create-commitment POST,
then batch GETs until Sage has posted it), through the same activities on the same Sage task
queue with the same time-outs and retry policies, and nothing else: no updates, no audit
trail, no search attributes, no plan built in the workflow. What the item workflow costs
beyond this is the price of its lifecycle.
"""

from __future__ import annotations

from temporalio import workflow

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
