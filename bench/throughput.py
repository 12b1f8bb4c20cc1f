"""Benchmark 1, throughput: N Direct Export commitments from send to posted, beside a baseline.

The items are commitments of project P-1002 (Direct Export `enabled`: `send` goes straight to
export), copies of examples/items/commitment-SC-2001.json. They are started first (not timed,
and each has run its first workflow task), then the clock runs from the first `send` to the
last item's completion (`posted`). The baseline (bench/baseline.py) makes the same Sage calls
through the same activities for N other commitments, from `start` to completion, with no
lifecycle. Both runs use the same worker process, the same mock and the same client
concurrency; the ratio of their rates is the figure (the machine's noise hits both).

Beside the rates: Sage requests per item (the mock's own count: the two runs must make the
same calls), history events per item, and CPU seconds per item of the worker, the Temporal
server and the mock, read from /proc (where the time goes when the ratio is low).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date

from temporalio.client import Client

from bench import items as bi
from bench.baseline import BASELINE_QUEUE_SUFFIX, BaselineInput, BaselineWorkflow
from bench.stack import BenchStack
from contract.sage import SageRequest
from domain.exports import kind_of
from domain.items import ItemBase

TEMPLATE = "commitment-SC-2001.json"  # project P-1002, Direct Export enabled
WAITS = 500
"""Concurrent result waits (long polls): well under the dev server's poller limit."""
PROCESSES = ("worker", "temporal", "sage")


@dataclass
class Run:
    name: str
    count: int
    elapsed: float
    sage_requests: int
    events_per_item: float
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.count / self.elapsed

    def cpu_per_item_ms(self, process: str) -> float:
        return 1000 * self.cpu_seconds[process] / self.count


@dataclass
class Throughput:
    baseline: list[Run]
    items: list[Run]
    auto_post_seconds: float

    @staticmethod
    def total(runs: list[Run], name: str) -> Run:
        return Run(
            name=name,
            count=sum(r.count for r in runs),
            elapsed=sum(r.elapsed for r in runs),
            sage_requests=sum(r.sage_requests for r in runs),
            events_per_item=sum(r.events_per_item * r.count for r in runs)
            / sum(r.count for r in runs),
            cpu_seconds={p: sum(r.cpu_seconds[p] for r in runs) for p in runs[0].cpu_seconds},
        )

    @property
    def baseline_total(self) -> Run:
        return self.total(self.baseline, "baseline, all rounds")

    @property
    def items_total(self) -> Run:
        return self.total(self.items, "items, all rounds")

    @property
    def ratio(self) -> float:
        return self.items_total.rate / self.baseline_total.rate

    def print(self) -> None:
        n = self.items[0].count
        print(
            f"\n1. Throughput: {n} Direct Export commitments per run, send -> exported -> posted "
            f"(mock auto-posts after {self.auto_post_seconds:g} s); baseline and items "
            f"alternate, {len(self.items)} rounds"
        )
        print(
            f"   {'':<22}{'items/s':>8}{'elapsed s':>11}{'sage calls':>12}{'events':>8}"
            f"   CPU ms/item: {'worker':>7}{'temporal':>9}{'sage':>6}{'client':>8}"
        )
        rounds = [run for pair in zip(self.baseline, self.items, strict=True) for run in pair]
        for run in [*rounds, self.baseline_total, self.items_total]:
            print(
                f"   {run.name:<22}{run.rate:>8.1f}{run.elapsed:>11.1f}"
                f"{run.sage_requests / run.count:>12.2f}{run.events_per_item:>8.1f}"
                f"   {'':13}{run.cpu_per_item_ms('worker'):>7.1f}"
                f"{run.cpu_per_item_ms('temporal'):>9.1f}{run.cpu_per_item_ms('sage'):>6.1f}"
                f"{run.cpu_per_item_ms('client'):>8.1f}"
            )
        verdict = "meets" if self.ratio >= 0.8 else "BELOW"
        print(f"   ratio item/baseline: {self.ratio:.2f} ({verdict} the goal >= 0.8)")
        calls = [r.sage_requests / r.count for r in (self.baseline_total, self.items_total)]
        if abs(calls[0] - calls[1]) > 0.05 * calls[0]:
            print(
                f"   note: the runs did not make the same Sage calls ({calls[0]:.2f} vs "
                f"{calls[1]:.2f} per item): the first posting check of one came after Sage "
                "had posted, of the other before"
            )


async def measure(
    stack: BenchStack, name: str, count: int, body: Callable[[], Awaitable[list[str]]]
) -> Run:
    """Run `body` (which returns the workflow IDs it ran) and take what it cost."""
    client = await stack.client()
    before = await _counters(stack)
    began = time.perf_counter()
    ids = await body()
    elapsed = time.perf_counter() - began
    after = await _counters(stack)
    sample = ids[:: max(1, len(ids) // 20)]
    events = [len((await client.get_workflow_handle(i).fetch_history()).events) for i in sample]
    return Run(
        name=name,
        count=count,
        elapsed=elapsed,
        sage_requests=after["requests"] - before["requests"],
        events_per_item=sum(events) / len(events),
        cpu_seconds={p: after[p] - before[p] for p in (*PROCESSES, "client")},
    )


async def _counters(stack: BenchStack) -> dict[str, float]:
    stats = await stack.admin("GET", "/admin/stats")
    found: dict[str, float] = {"requests": stats["requests"], "client": time.process_time()}
    for process in PROCESSES:
        found[process] = stack.usage(process).cpu_seconds
    return found


async def run_items(client: Client, items: list[ItemBase]) -> list[str]:
    sends, waits = asyncio.Semaphore(bi.CONCURRENCY), asyncio.Semaphore(WAITS)

    async def one(item: ItemBase) -> str:
        async with sends:
            await bi.send(client, item.workflow_id)
        async with waits:
            await bi.handle(client, item.workflow_id).result()
        return item.workflow_id

    return list(await asyncio.gather(*(one(item) for item in items)))


def baseline_inputs(stack: BenchStack, count: int, prefix: str) -> list[BaselineInput]:
    """The create-commitment calls of `count` more copies, from the same export plan."""
    cfg = stack.settings()
    inputs = []
    for item in bi.copies(TEMPLATE, prefix, count):
        kind = kind_of(item)
        plan = kind.plan(item, bi.project(cfg, item), kind.default_fields(item), date.today())
        request = SageRequest(call=plan.steps[0].call, idempotency_key=f"bench/{item.number}")
        inputs.append(BaselineInput(request=request, sage_task_queue=cfg.sage_task_queue))
    return inputs


async def run_baseline(stack: BenchStack, client: Client, inputs: list[BaselineInput]) -> list[str]:
    cfg = stack.settings()
    queue = cfg.temporal_task_queue + BASELINE_QUEUE_SUFFIX
    starts, waits = asyncio.Semaphore(bi.CONCURRENCY), asyncio.Semaphore(WAITS)

    async def one(job: BaselineInput) -> str:
        workflow_id = f"bench-baseline:{job.request.idempotency_key}"
        async with starts:
            handle = await client.start_workflow(
                BaselineWorkflow.run, job, id=workflow_id, task_queue=queue
            )
        async with waits:
            await handle.result()
        return workflow_id

    return list(await asyncio.gather(*(one(job) for job in inputs)))


async def prepare_items(
    stack: BenchStack, client: Client, prefix: str, count: int
) -> list[ItemBase]:
    items = bi.copies(TEMPLATE, prefix, count)
    await bi.start_all(client, stack.settings(), items)
    await bi.settled(client, items)
    return items


async def run(
    stack: BenchStack, count: int, auto_post_seconds: float, rounds: int = 2, tag: str = ""
) -> Throughput:
    client = await stack.client()
    # warm up both paths (sandbox imports, connections), then the timed runs
    warm = await prepare_items(stack, client, f"W{tag}-", 5)
    await run_items(client, warm)
    await run_baseline(stack, client, baseline_inputs(stack, 5, f"V{tag}-"))

    result = Throughput(baseline=[], items=[], auto_post_seconds=auto_post_seconds)
    for n in range(1, rounds + 1):
        inputs = baseline_inputs(stack, count, f"B{tag}{n}-")
        items = await prepare_items(stack, client, f"T{tag}{n}-", count)

        async def baseline(inputs: list[BaselineInput] = inputs) -> list[str]:
            return await run_baseline(stack, client, inputs)

        async def lifecycle(items: list[ItemBase] = items) -> list[str]:
            return await run_items(client, items)

        result.baseline.append(await measure(stack, f"baseline, round {n}", count, baseline))
        result.items.append(await measure(stack, f"items, round {n}", count, lifecycle))
    return result
