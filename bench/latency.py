"""Benchmark 5, latency at idle: accept -> exported, one item at a time, beside the mock's own.

The items are commitments of project P-1001 (an accounting approver accepts them), copies of
examples/items/commitment-SC-0042.json, started and sent before the clock runs. For each in
turn, the clock starts when `accept` is called and stops when the item's history shows it
exported (the search attribute `ErpState` set to `exported`, read through a long poll on the
history, so no polling loop adds load or rounds the figure up). The mock's own figure is the
same create-commitment POST, timed directly with one pooled httpx client, as many times.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from dataclasses import dataclass
from datetime import date

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

from bench import items as bi
from bench.stack import BenchStack, percentile
from client.items import command as run_command
from contract import search_attributes as sa
from domain.commands import AcceptRequest
from domain.exports import kind_of

TEMPLATE = "commitment-SC-0042.json"  # project P-1001: an approver accepts
EXPORTED = b'"exported"'


STAGES = (
    "accept's workflow task, to Sage call scheduled",
    "Sage call waits on its task queue",
    "Sage call runs (HTTP POST)",
    "call done, to exported recorded",
)


@dataclass
class Latency:
    accept_to_exported: list[float]
    mock_post: list[float]
    stages: list[list[float]]
    """Per item, the server's own times between the history events of each stage."""

    def print(self) -> None:
        n = len(self.accept_to_exported)

        def ms(values: list[float], share: float) -> str:
            return f"{1000 * percentile(values, share):>8.0f}"

        print(f"\n5. Latency at idle: {n} items one at a time, and {n} direct POSTs to the mock")
        print(f"   {'':<34}{'p50 ms':>8}{'p95 ms':>8}{'mean ms':>9}")
        for label, values in (
            ("accept -> exported (item)", self.accept_to_exported),
            ("create-commitment POST (mock)", self.mock_post),
        ):
            mean = 1000 * statistics.fmean(values)
            print(f"   {label:<34}{ms(values, 0.5)}{ms(values, 0.95)}{mean:>9.0f}")
        over = percentile(self.accept_to_exported, 0.5) - percentile(self.mock_post, 0.5)
        print(f"   orchestration adds {1000 * over:.0f} ms at the median; where (server times):")
        for n, stage in enumerate(STAGES):
            values = [item[n] for item in self.stages]
            print(f"     {stage:<48}{ms(values, 0.5)}{ms(values, 0.95)}")


async def exported_at(client: Client, workflow_id: str) -> float:
    """The moment the item's history shows it exported (a long poll on new events)."""
    handle = client.get_workflow_handle(workflow_id)
    async for event in handle.fetch_history_events(wait_new_event=True):
        if _state(event) == EXPORTED:
            return time.perf_counter()
    raise RuntimeError(f"{workflow_id} completed without being exported")


async def stages(client: Client, workflow_id: str) -> list[float]:
    """Seconds between the history events of the export, by the server's clock."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    events = history.events
    exported = next(n for n, e in enumerate(events) if _state(e) == EXPORTED)
    accepted = max(n for n in range(exported) if _is(events[n], ET.UPDATE_ACCEPTED))
    task = max(n for n in range(accepted) if _is(events[n], ET.WORKFLOW_TASK_SCHEDULED))
    scheduled = next(n for n in range(accepted, exported) if _is(events[n], ET.SCHEDULED))
    started = next(n for n in range(scheduled, exported) if _is(events[n], ET.STARTED))
    done = next(n for n in range(started, exported) if _is(events[n], ET.COMPLETED))
    marks = [events[n].event_time.ToDatetime() for n in (task, scheduled, started, done, exported)]
    return [(b - a).total_seconds() for a, b in itertools.pairwise(marks)]


def _state(event: HistoryEvent) -> bytes | None:
    """The `ErpState` an event sets, if it is a search attribute upsert that sets it."""
    fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
    payload = fields.indexed_fields.get(sa.STATE.name)
    return payload.data if payload is not None else None


def _is(event: HistoryEvent, event_type: int) -> bool:
    return event.event_type == event_type


class ET:
    UPDATE_ACCEPTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    WORKFLOW_TASK_SCHEDULED = EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED
    SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    STARTED = EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
    COMPLETED = EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED


async def one(client: Client, workflow_id: str) -> float:
    follower = asyncio.create_task(exported_at(client, workflow_id))
    await asyncio.sleep(0.05)  # the long poll is in place
    began = time.perf_counter()
    await run_command(client, workflow_id, "accept", AcceptRequest(actor=bi.APPROVER))
    return await asyncio.wait_for(follower, 60) - began


async def mock_posts(stack: BenchStack, count: int, prefix: str = "M-") -> list[float]:
    cfg = stack.settings()
    times = []
    async with stack.sage_http() as http:
        for item in bi.copies(TEMPLATE, prefix, count):
            kind = kind_of(item)
            fields = kind.default_fields(item)
            call = kind.plan(item, bi.project(cfg, item), fields, date.today()).steps[0].call
            began = time.perf_counter()
            response = await http.request(
                call.method,
                call.path,
                json=call.body,
                headers={"Idempotency-Key": f"bench-latency/{item.number}"},
            )
            times.append(time.perf_counter() - began)
            response.raise_for_status()
    return times


async def run(stack: BenchStack, count: int) -> Latency:
    client = await stack.client()
    items = bi.copies(TEMPLATE, "L-", count + 1)
    await bi.start_all(client, stack.settings(), items)
    await bi.settled(client, items)
    await bi.send_all(client, items)
    await asyncio.sleep(1)
    await one(client, items[0].workflow_id)  # warm-up, not counted
    await mock_posts(stack, 1, prefix="N-")
    times = [await one(client, item.workflow_id) for item in items[1:]]
    breakdown = [await stages(client, item.workflow_id) for item in items[1:]]
    return Latency(
        accept_to_exported=times, mock_post=await mock_posts(stack, count), stages=breakdown
    )
