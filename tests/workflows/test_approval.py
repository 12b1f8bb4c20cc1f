"""Delegated approval (Direct Export enabled_with_workflow) on the time-skipping server."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)

from domain.approval import Approval, RespondRequest
from domain.commands import AcceptRequest, CommandRequest
from domain.lifecycle import State
from domain.settings import DirectExportMode
from domain.status import ItemStatus, Outcome
from tests.workflows.fake_sage import FakeSage
from tests.workflows.test_item_workflow import (
    ADMIN,
    APPROVER,
    command,
    item_workflow,
    project,
    refusal,
    result_of,
    status,
    until,
)

CONTROLLER = "acct.admin"
DELEGATED = project(DirectExportMode.ENABLED_WITH_WORKFLOW)


async def respond(
    env: Any, item: WorkflowHandle[Any, Any], actor: str, response: str, comment: str = ""
) -> Approval:
    current = await status(item)
    assert current.approval_workflow_id, current
    child = env.client.get_workflow_handle(current.approval_workflow_id)
    await first_task_done(child)
    request = RespondRequest(actor=actor, response=response, comment=comment or None)
    return await child.execute_update("respond", request, result_type=Approval)


async def first_task_done(child: WorkflowHandle[Any, Any]) -> None:
    """Wait until the approval child has completed its first workflow task.

    The item shows the approval as soon as the child is started, but the time-skipping
    test server refuses an update ("Execution not found in mutable state") that reaches
    a workflow before its first task completes; the dev server buffers it instead.
    """
    for _ in range(200):
        async for event in child.fetch_history_events():
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{child.id} never completed its first workflow task")


async def at_step(item: WorkflowHandle[Any, Any], step: int) -> ItemStatus:
    for _ in range(200):
        current = await status(item)
        if current.approval and current.approval_workflow_id and current.approval.step == step:
            return current
        await asyncio.sleep(0.05)
    raise AssertionError(f"never at step {step}: {current}")


async def test_three_tier_approval_with_a_return_then_export(time_skipping_env):
    env, sage = time_skipping_env, FakeSage()
    async with item_workflow(env, sage, DELEGATED) as item:
        sent = await command(item, "send", CommandRequest(actor=ADMIN))
        assert sent.state is State.SENT
        first = await at_step(item, 0)
        assert first.approval.template.name == "commitment three-tier"  # $125,000
        assert "waiting for pm.alex" in first.next_action
        await respond(env, item, ADMIN, "approve", "scope checked")
        second = await at_step(item, 1)
        assert "step 2 of 3 (Accounting): waiting for acct.ana, acct.admin" in second.next_action
        await respond(env, item, APPROVER, "approve")
        await at_step(item, 2)
        await respond(env, item, CONTROLLER, "return", "retainage?")
        await at_step(item, 1)
        await respond(env, item, APPROVER, "approve", "retainage is 10%")
        await at_step(item, 2)
        await respond(env, item, CONTROLLER, "approve")
        final = await result_of(item)
    assert final.state is State.POSTED
    assert len(sage.commitments) == 1
    responses = [(e.actor, e.action, e.comment) for e in final.audit if "respond" in e.action]
    assert responses == [
        (ADMIN, "respond approve", "scope checked"),
        (APPROVER, "respond approve", None),
        (CONTROLLER, "respond return", "retainage?"),
        (APPROVER, "respond approve", "retainage is 10%"),
        (CONTROLLER, "respond approve", None),
    ]
    accept = next(e for e in final.audit if e.action == "accept")
    assert accept.actor == CONTROLLER and accept.state_after is State.ACCEPTED


async def test_a_reject_at_step_two_rejects_the_item_and_resend_starts_over(time_skipping_env):
    env = time_skipping_env
    async with item_workflow(env, FakeSage(), DELEGATED) as item:
        await command(item, "send", CommandRequest(actor=ADMIN))
        await at_step(item, 0)
        await respond(env, item, ADMIN, "approve")
        await at_step(item, 1)
        await respond(env, item, APPROVER, "reject", "wrong vendor")
        rejected = await until(item, State.REJECTED)
        assert rejected.audit[-1].action == "reject"
        assert rejected.audit[-1].comment == "wrong vendor"
        await command(item, "resend", CommandRequest(actor=ADMIN))
        again = await at_step(item, 0)
    assert again.approval_workflow_id and again.approval_workflow_id.endswith("/approval-2")
    assert again.approval.responses == []


async def test_only_a_current_assignee_may_respond(time_skipping_env):
    env = time_skipping_env
    async with item_workflow(env, FakeSage(), DELEGATED) as item:
        await command(item, "send", CommandRequest(actor=ADMIN))
        await at_step(item, 0)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await respond(env, item, APPROVER, "approve")
        assert "acct.ana is not an assignee of step 1" in str(refused.value.cause)
        with pytest.raises(WorkflowUpdateFailedError) as back:
            await respond(env, item, ADMIN, "return")
        assert "no earlier step" in str(back.value.cause)
        assert "delegated approval" in await refusal(item, "accept", AcceptRequest(actor=APPROVER))
        current = await status(item)
    assert current.state is State.SENT and current.approval.responses == []


async def closed(handle: WorkflowHandle[Any, Any]) -> WorkflowExecutionStatus:
    """The run's status once it closed, asked with `describe` (a `result()` long poll on the
    time-skipping server can end empty when the close comes late on a busy machine: "No
    completion event found")."""
    for _ in range(400):
        status = (await handle.describe()).status
        if status is not None and status is not WorkflowExecutionStatus.RUNNING:
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id} still running after 20 s")


async def test_retrieve_only_before_any_response(time_skipping_env):
    env = time_skipping_env
    async with item_workflow(env, FakeSage(), DELEGATED) as item:
        await command(item, "send", CommandRequest(actor=ADMIN))
        first = await at_step(item, 0)
        retrieved = await command(item, "retrieve", CommandRequest(actor=ADMIN))
        assert retrieved.state is State.DRAFT
        cancelled = env.client.get_workflow_handle(first.approval_workflow_id)
        assert await closed(cancelled) in (
            WorkflowExecutionStatus.CANCELED,
            WorkflowExecutionStatus.FAILED,
            WorkflowExecutionStatus.TERMINATED,
        )
        await command(item, "send", CommandRequest(actor=ADMIN))
        await at_step(item, 0)
        await respond(env, item, ADMIN, "approve")
        await at_step(item, 1)
        message = await refusal(item, "retrieve", CommandRequest(actor=ADMIN))
    assert "retrieve is possible only before anyone responds" in message


async def test_retrieve_and_accept_arriving_together_only_one_wins(time_skipping_env):
    async with item_workflow(time_skipping_env, FakeSage()) as item:
        await command(item, "send", CommandRequest(actor=ADMIN))
        outcomes = await asyncio.gather(
            command(item, "retrieve", CommandRequest(actor=ADMIN)),
            command(item, "accept", AcceptRequest(actor=APPROVER)),
            return_exceptions=True,
        )
        current = await status(item)
    won = [o for o in outcomes if isinstance(o, ItemStatus)]
    lost = [o for o in outcomes if isinstance(o, WorkflowUpdateFailedError)]
    assert len(won) == 1 and len(lost) == 1
    assert "cannot" in str(lost[0].cause)
    done = [e.action for e in current.audit if e.outcome is Outcome.DONE]
    assert ("retrieve" in done) != ("accept" in done)


async def test_a_malformed_respond_signal_is_recorded_on_the_item(time_skipping_env):
    env = time_skipping_env
    async with item_workflow(env, FakeSage(), DELEGATED) as item:
        await command(item, "send", CommandRequest(actor=ADMIN))
        first = await at_step(item, 0)
        child = env.client.get_workflow_handle(first.approval_workflow_id)
        await child.signal("respond", {"actor": "viewer.vic", "response": "approve"})
        await child.signal("respond", "garbage")
        for _ in range(200):
            refused = [e for e in (await status(item)).audit if e.outcome is Outcome.REFUSED]
            if len(refused) == 2:
                break
            await asyncio.sleep(0.05)
        current = await status(item)
    assert [e.actor for e in refused] == ["viewer.vic", "unknown"]
    assert current.state is State.SENT and current.approval.step == 0


async def test_a_quiet_approval_step_reminds_then_escalates_and_a_response_clears_it(
    own_time_skipping_env,
):
    env = own_time_skipping_env
    settings = DELEGATED.model_copy(update={"reminder_period": timedelta(days=1)})
    async with item_workflow(env, FakeSage(), settings) as item:
        await command(item, "send", CommandRequest(actor=ADMIN))
        await at_step(item, 0)
        await env.sleep(timedelta(days=2, hours=1))
        escalated = await status(item)
        await respond(env, item, ADMIN, "approve")
        cleared = await at_step(item, 1)
    assert escalated.attention == "escalated"
    assert "escalated to acct.admin" in (escalated.audit[-1].detail or "")
    assert cleared.attention is None


async def test_a_poison_respond_signal_never_stalls_the_approval(time_skipping_env):
    """A signature without a time zone, a huge actor: refused and noted; the step goes on."""
    env = time_skipping_env
    async with item_workflow(env, FakeSage(), DELEGATED) as item:
        await command(item, "send", CommandRequest(actor=ADMIN))
        first = await at_step(item, 0)
        child = env.client.get_workflow_handle(first.approval_workflow_id)
        naive = {"timestamp": "2026-12-01T10:00:00", "nonce": "0" * 32, "value": "AAAA"}
        await child.signal(
            "respond", {"actor": APPROVER, "response": "approve", "signature": naive}
        )
        await child.signal("respond", {"actor": "m" * 700_000, "response": "approve"})
        for _ in range(200):
            refused = [e for e in (await status(item)).audit if e.outcome is Outcome.REFUSED]
            if len(refused) == 2:
                break
            await asyncio.sleep(0.05)
        assert all(len(e.actor) <= 100 for e in refused)
        approval = first.approval
        assert approval is not None
        step = approval.template.steps[0]
        await respond(env, item, step.assignees[0], "approve")
        moved = await at_step(item, 1)
    assert moved.approval is not None and moved.approval.step == 1
