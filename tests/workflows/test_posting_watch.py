"""The posting watch on the time-skipping server: one watch per company tells waiting items."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contract.posting_watch import WatchStatus, watch_id
from domain.commands import CommandRequest
from domain.lifecycle import State
from domain.settings import DirectExportMode
from domain.status import ItemStatus, ItemWorkflowInput
from runtime.sandbox import RUNNER
from tests.workflows.fake_notices import FakeNotices
from tests.workflows.fake_sage import FakeSage
from tests.workflows.test_item_workflow import (
    ADMIN,
    commitment,
    project,
    result_of,
    status,
    until,
)
from workflows.approval import ApprovalWorkflow
from workflows.item import ItemWorkflow
from workflows.policies import POSTING_SAFETY_TIMER
from workflows.posting_watch import PostingWatch


class Stack:
    def __init__(self, env: WorkflowEnvironment, sage: FakeSage, queue: str) -> None:
        self.env, self.sage, self.queue = env, sage, queue
        self.items: list[WorkflowHandle[Any, Any]] = []

    async def exported(self, number: str) -> WorkflowHandle[Any, Any]:
        """A Direct Export commitment, sent: exported, and waiting for its posting."""
        handle = await self.env.client.start_workflow(
            ItemWorkflow.run,
            ItemWorkflowInput(
                item=commitment(number=number),
                settings=project(DirectExportMode.ENABLED),
                unlink_window=timedelta(0),  # ends at posted: result() need not skip 30 days
            ),
            id=f"commitment:P-1002:{number}:{uuid.uuid4().hex[:6]}",
            task_queue=self.queue,
        )
        self.items.append(handle)
        await handle.execute_update("send", CommandRequest(actor=ADMIN), result_type=ItemStatus)
        await until(handle, State.EXPORTED)
        return handle

    def watch(self) -> WorkflowHandle[Any, Any]:
        return self.env.client.get_workflow_handle(watch_id(None, self.queue))

    async def watch_status(self) -> WatchStatus:
        return await self.watch().query("status", result_type=WatchStatus)

    async def watching(self, items: int) -> WatchStatus:
        for _ in range(200):
            with contextlib.suppress(RPCError):
                found = await self.watch_status()
                if found.items == items:
                    return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"the watch never held {items} items")


@asynccontextmanager
async def stack(
    env: WorkflowEnvironment, sage: FakeSage, history_limit: int = 10_000
) -> AsyncIterator[Stack]:
    queue = f"items-{uuid.uuid4()}"
    async with (
        Worker(
            env.client,
            task_queue=queue,
            workflows=[ItemWorkflow, ApprovalWorkflow, PostingWatch],
            activities=[
                FakeNotices().send_notice,
                *sage.watch_activities(env.client, history_limit=history_limit),
            ],
            workflow_runner=RUNNER,
        ),
        Worker(env.client, task_queue=f"{queue}-sage", activities=sage.activities()),
    ):
        found = Stack(env, sage, queue)
        try:
            yield found
        finally:
            for handle in [*found.items, found.watch()]:
                with contextlib.suppress(RPCError):
                    await handle.terminate("test finished")


async def batch_of(handle: WorkflowHandle[Any, Any]) -> str:
    return (await status(handle)).batches[0]


async def test_one_watch_tells_each_waiting_item_when_its_batch_posts(own_time_skipping_env):
    sage = FakeSage(posted_batches=set())
    async with stack(own_time_skipping_env, sage) as s:
        items = [await s.exported(f"SC-9{n}") for n in range(3)]
        await s.watching(3)
        first, second, third = [await batch_of(h) for h in items]

        sage.posted_batches.add(second)
        assert (await result_of(items[1])).state is State.POSTED
        assert (await status(items[0])).state is State.EXPORTED
        assert (await status(items[2])).state is State.EXPORTED

        sage.posted_batches.update({first, third})
        assert (await result_of(items[0])).state is State.POSTED
        assert (await result_of(items[2])).state is State.POSTED
        assert (await s.watch_status()).items == 0

    assert sage.polls == 0  # no item polled its own batch
    assert sage.told_asks == 3  # each confirmed its notice with the watch (no Sage request)
    assert sage.item_looks == 0


async def test_a_notice_the_watch_did_not_send_moves_nothing(own_time_skipping_env):
    sage = FakeSage(posted_batches=set())
    async with stack(own_time_skipping_env, sage) as s:
        item = await s.exported("SC-93")
        await s.watching(1)
        batch = await batch_of(item)

        # Anyone can signal from the UI; the watch has not seen it posted, nor has Sage.
        await item.signal("batches_posted", {"batches": [batch]})
        await item.signal("batches_posted", "not a notice")
        for _ in range(200):
            if sage.item_looks == 1:
                break
            await asyncio.sleep(0.05)
        assert sage.told_asks == 1 and sage.item_looks == 1  # the watch: no; Sage: no
        assert (await status(item)).state is State.EXPORTED

        sage.posted_batches.add(batch)  # now a person posts it: the watch tells, the item ends
        assert (await result_of(item)).state is State.POSTED
    assert sage.told_asks == 2 and sage.item_looks == 1


async def test_looks_are_spaced_however_many_automatic_exports_come(own_time_skipping_env):
    sage = FakeSage(posted_batches=set())
    async with stack(own_time_skipping_env, sage) as s:
        items = []
        for n in range(12):  # an automatic export every 10 s for two minutes, none posted
            items.append(await s.exported(f"SC-7{n:02d}"))
            await own_time_skipping_env.sleep(timedelta(seconds=10))
        looks = sage.watch_looks

        sage.posted_batches.update([await batch_of(h) for h in items])
        finals = [await result_of(h) for h in items]

    assert looks <= 7  # one look per 20 s at most (each export alone would bring 2-3)
    assert [f.state for f in finals] == [State.POSTED] * 12
    assert sage.item_looks == 0


async def test_an_item_whose_watch_is_lost_registers_again_after_a_day(own_time_skipping_env):
    sage = FakeSage(posted_batches=set())
    async with stack(own_time_skipping_env, sage) as s:
        item = await s.exported("SC-91")
        await s.watching(1)
        await s.watch().terminate("the watch is lost")
        sage.posted_batches.add(await batch_of(item))

        looks = sage.watch_looks
        final = await result_of(item)  # time skips to the item's safety timer: a new watch

    assert final.state is State.POSTED
    assert sage.watch_looks > looks  # the new watch looked back to the export and told it
    assert sage.item_looks == 0
    assert sage.polls == 0


async def test_a_quiet_day_costs_no_sage_read_when_the_watch_has_the_item(own_time_skipping_env):
    sage = FakeSage(posted_batches=set())
    async with stack(own_time_skipping_env, sage) as s:
        item = await s.exported("SC-94")
        await s.watching(1)
        # a quiet day and a bit: the item's safety timer fires (it re-registers, reads nothing)
        await own_time_skipping_env.sleep(POSTING_SAFETY_TIMER + timedelta(hours=2))
        assert (await status(item)).state is State.EXPORTED
        assert (await s.watch_status()).items == 1

        sage.posted_batches.add(await batch_of(item))
        assert (await result_of(item)).state is State.POSTED
    assert sage.item_looks == 0


async def test_the_interval_is_seconds_while_automatic_postings_are_due(own_time_skipping_env):
    sage = FakeSage(posted_batches=set())
    async with stack(own_time_skipping_env, sage) as s:
        await s.exported("SC-92")  # a commitment: Sage posts it by itself
        fast = await s.watching(1)
        await own_time_skipping_env.sleep(timedelta(minutes=11))  # overdue: as if manual
        slow = await s.watch_status()
        looks = sage.watch_looks
        await own_time_skipping_env.sleep(timedelta(hours=1))
        hour_later = sage.watch_looks - looks

    assert fast.interval_seconds == 5
    assert slow.interval_seconds == 300
    assert 10 <= hour_later <= 13  # one look per 5 minutes for the company, not per item


async def test_the_watch_continues_as_new_and_keeps_the_waiting_items(own_time_skipping_env):
    sage = FakeSage(posted_batches=set())
    async with stack(own_time_skipping_env, sage, history_limit=60) as s:
        items = [await s.exported(f"SC-8{n}") for n in range(4)]
        await s.watching(4)
        first_run = (await s.watch().describe()).run_id
        await own_time_skipping_env.sleep(timedelta(hours=12))  # hundreds of looks later
        assert (await s.watch().describe()).run_id != first_run
        assert (await s.watch_status()).items == 4

        sage.posted_batches.update([await batch_of(h) for h in items])
        finals = [await result_of(h) for h in items]

    assert [f.state for f in finals] == [State.POSTED] * 4
