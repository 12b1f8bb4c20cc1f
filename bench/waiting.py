"""Benchmark 6, waiting: N items exported and waiting for a person to post, quota 3,600/h.

For each N (`BENCH_WAITING`, default 100,1000,10000) and each way of waiting:
- `watch`: N budget modifications (P-1001, copies of examples/items/budget_modification-
  BM-001.json: a person posts their batches) started, sent, accepted and exported by the
  product's workers; they wait through the company's posting watch;
- `polling` (`BENCH_WAITING_POLLING`, default 100,1000): N baseline workflows
  (bench/baseline.py `BenchPollingWait`) making the same export call and then waiting as items
  waited before the watch: one activity retrying up to every 5 minutes.
The setup runs without a quota. Then the mock's quota becomes 3,600 requests per hour and the
measured period runs `BENCH_WAITING_SECONDS` (60) of real time. Time is scaled by
`BENCH_WAITING_SCALE` (k = 10): every interval is divided by k (the watch's 5 s / 5 min, the
polling's 2 s ... 5 min, the automatic-posting window) and the quota's rate multiplied by k
(3,600 * k per real hour: 600 requests per 60 s window), so one real second is k seconds of the
product's life; figures per hour are per scaled hour, latencies are printed in both.
During the period: 30 new P-1001 commitments (sent beforehand) are accepted one at a time and
timed accept -> exported; 20 waiting batches are posted by a person (the admin call) one at a
time and timed post -> the item's `posted` (the baseline's completion). Posting checks are the
mock's own count of batch reads (`batch_reads` in /admin/stats: the watch's list, items' own
looks and the baseline's polls).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from temporalio.client import Client
from temporalio.common import RetryPolicy

from bench import items as bi
from bench.baseline import BASELINE_QUEUE_SUFFIX, PollingWaitInput, PollingWaitWorkflow
from bench.latency import exported_at
from bench.stack import UNLIMITED, BenchStack, bounded, percentile
from contract.posting_watch import STATUS_QUERY, WatchStatus, watch_id
from contract.sage import SageRequest, sage_task_queue
from domain.commands import AcceptRequest
from domain.exports import kind_of
from domain.items import ItemBase
from workflows import policies

WAITING = "budget_modification-BM-001.json"
EXPORTING = "commitment-SC-0042.json"
NEW_EXPORTS = 30
POSTS = 20
QUOTA_PER_HOUR = 3600
WINDOW = 60.0
"""The mock's quota window, real seconds (the rate is QUOTA_PER_HOUR per scaled hour)."""


def _sizes(name: str, default: str) -> list[int]:
    return [int(n) for n in os.environ.get(name, default).split(",") if n.strip()]


@dataclass
class WaitingRun:
    mode: str
    count: int
    scale: float
    seconds: float
    checks: int
    export_ms: list[float]
    posted_s: list[float]
    setup_s: float
    rss_mb: float
    """The worker that ran the setup (every item started, sent, accepted, exported), at its end."""
    waiting_rss_mb: float = 0.0
    """The worker restarted for the measured period (N waiting, posts, exports), at its end."""
    notes: list[str] = field(default_factory=list)

    @property
    def per_hour(self) -> float:
        """Posting checks per hour of the product's (scaled) time."""
        return self.checks / (self.seconds * self.scale / 3600)


@dataclass
class Waiting:
    runs: list[WaitingRun]
    scale: float

    def find(self, mode: str, count: int) -> WaitingRun | None:
        return next((r for r in self.runs if r.mode == mode and r.count == count), None)

    def print(self) -> None:
        k = self.scale
        print(
            f"\n6. Waiting: N items exported, waiting for a person to post; quota "
            f"{QUOTA_PER_HOUR}/h; time scaled x{k:g} (1 real s = {k:g} s)"
        )
        print(
            f"   {'':<18}{'checks/h':>9}{'export p95 ms':>15}{'posted p50 s':>14}"
            f"{'posted p95 s':>14}{'setup s':>9}{'worker MB':>11}{'waiting MB':>12}"
        )
        for r in self.runs:
            exp = f"{percentile(r.export_ms, 0.95):.0f}" if r.export_ms else "-"
            p50 = percentile(r.posted_s, 0.5) * k if r.posted_s else float("nan")
            p95 = percentile(r.posted_s, 0.95) * k if r.posted_s else float("nan")
            print(
                f"   {r.mode + ' ' + str(r.count):<18}{r.per_hour:>9.0f}{exp:>15}"
                f"{p50:>14.1f}{p95:>14.1f}{r.setup_s:>9.0f}{r.rss_mb:>11.0f}"
                f"{r.waiting_rss_mb:>12.0f}" + (f"   ({'; '.join(r.notes)})" if r.notes else "")
            )
        print(
            "   checks/h: per scaled hour; posted: a person's post -> the item's posted, scaled "
            f"seconds (real = /{k:g}); export p95: 30 accepts -> exported, real ms"
        )
        print(
            "   worker MB: RSS of the worker that set the N items up, at the setup's end; "
            "waiting MB: of the worker restarted for the period, at its end"
        )
        self.print_last_line()

    def print_last_line(self) -> None:
        r1, r2 = self.find("watch", 100), self.find("watch", 1000)
        p = self.find("watch", 1000)
        print(
            f"posting checks per hour: {r1.per_hour if r1 else float('nan'):.0f} at 100 "
            f"waiting, {r2.per_hour if r2 else float('nan'):.0f} at 1000 waiting; export p95 "
            f"{percentile(p.export_ms, 0.95) if p and p.export_ms else float('nan'):.0f} ms "
            "at 1000 waiting"
        )


def _scaled_retry(scale: float) -> RetryPolicy:
    base = policies.POSTING_RETRY
    return RetryPolicy(
        initial_interval=base.initial_interval / scale,
        backoff_coefficient=base.backoff_coefficient,
        maximum_interval=(base.maximum_interval or timedelta(minutes=5)) / scale,
        maximum_attempts=0,
    )


def _worker_env(queue: str, scale: float, per_hour: int) -> dict[str, str]:
    return {
        "TEMPORAL_TASK_QUEUE": queue,
        "SAGE_RATE_LIMIT_PER_HOUR": str(per_hour),
        "POSTING_WATCH_FAST_SECONDS": str(5 / scale),
        "POSTING_WATCH_SLOW_SECONDS": str(300 / scale),
        "POSTING_WATCH_MIN_GAP_SECONDS": str(20 / scale),
        "POSTING_WATCH_AUTOMATIC_DUE_SECONDS": str(600 / scale),
    }


async def _accept_all(client: Client, items: list[ItemBase]) -> None:
    request = AcceptRequest(actor=bi.APPROVER)
    await bounded(
        bi.CONCURRENCY,
        (lambda i=i: bi.run_command(client, i.workflow_id, "accept", request) for i in items),
    )


async def _watch_items(stack: BenchStack, client: Client, queue: str, n: int) -> list[str]:
    """Watch mode's setup: N budget modifications exported and registered with the watch."""
    cfg = stack.settings(temporal_task_queue=queue)
    items = bi.copies(WAITING, f"W{n}-", n)
    await bi.start_all(client, cfg, items)
    await bi.send_all(client, items)
    await _accept_all(client, items)
    handle = client.get_workflow_handle(watch_id(None, queue))
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        try:
            found = await handle.query(STATUS_QUERY, result_type=WatchStatus)
            if found.items >= n:
                break
        except Exception:  # the watch has not started yet
            pass
        await asyncio.sleep(1)
    return [i.workflow_id for i in items]


async def _polling_items(
    stack: BenchStack, client: Client, queue: str, n: int, scale: float
) -> list[str]:
    """Polling mode's setup: N baseline workflows, each exporting then polling its batch."""
    cfg = stack.settings(temporal_task_queue=queue)
    items = bi.copies(WAITING, f"P{n}-", n)
    ids = []
    jobs = []
    for item in items:
        kind = kind_of(item)
        plan = kind.plan(item, bi.project(cfg, item), kind.default_fields(item), date.today())
        step = plan.steps[0]
        job = PollingWaitInput(
            request=SageRequest(call=step.call, idempotency_key=f"bench-wait/{item.workflow_id}"),
            record=step.record or "estimate_transfer",
            sage_task_queue=sage_task_queue(queue),
            retry=_scaled_retry(scale),
        )
        wid = f"polling:{item.workflow_id}"
        ids.append(wid)
        jobs.append((wid, job))
    await bounded(
        bi.CONCURRENCY,
        (
            lambda wid=wid, job=job: client.start_workflow(
                PollingWaitWorkflow.run, job, id=wid, task_queue=queue + BASELINE_QUEUE_SUFFIX
            )
            for wid, job in jobs
        ),
    )
    return ids


async def _batch(client: Client, mode: str, wid: str) -> str:
    if mode == "polling":
        while True:  # the baseline keeps its batch in its first activity's result
            history = await client.get_workflow_handle(wid).fetch_history()
            for event in history.events:
                if event.HasField("activity_task_completed_event_attributes"):
                    data = event.activity_task_completed_event_attributes.result.payloads[0].data
                    answer = json.loads(data)
                    body = answer.get("body", {})
                    record = next(v for v in body.values() if isinstance(v, dict))
                    return str(record["batch_id"])
            await asyncio.sleep(0.5)
    status = await bi.status(client, wid)
    return status.batches[0]


async def _exports(client: Client, ids: list[str], period: float) -> list[float]:
    """Accept one new commitment at a time, spread over the period: accept -> exported, ms."""
    times = []
    gap = period / (len(ids) + 1)
    for wid in ids:
        began_wait = time.perf_counter()
        follower = asyncio.create_task(exported_at(client, wid))
        await asyncio.sleep(0.05)
        began = time.perf_counter()
        await bi.run_command(client, wid, "accept", AcceptRequest(actor=bi.APPROVER))
        times.append(1000 * (await asyncio.wait_for(follower, 1800) - began))
        await asyncio.sleep(max(0.0, gap - (time.perf_counter() - began_wait)))
    return times


async def _posts(
    stack: BenchStack, client: Client, mode: str, ids: list[str], period: float
) -> list[float]:
    """A person posts one waiting batch at a time: post -> the item's posted, real seconds."""
    gap = period / (len(ids) + 1)
    waits = []

    async def one(wid: str) -> float:
        batch = await _batch(client, mode, wid)
        handle = client.get_workflow_handle(wid)
        done = asyncio.create_task(handle.result())
        await asyncio.sleep(0.05)
        began = time.perf_counter()
        await stack.admin("POST", f"/admin/batches/{batch}/post")
        await asyncio.wait_for(done, 1800)
        return time.perf_counter() - began

    for wid in ids:
        waits.append(asyncio.create_task(one(wid)))
        await asyncio.sleep(gap)
    return list(await asyncio.gather(*waits))


async def one_run(stack: BenchStack, mode: str, n: int, scale: float, seconds: float) -> WaitingRun:
    queue = f"bench-wait-{mode}-{n}"
    worker = f"waiting-{mode}-{n}"
    stack.start_worker(worker, **_worker_env(queue, scale, UNLIMITED))
    client = await stack.client()
    cfg = stack.settings(temporal_task_queue=queue)
    began = time.perf_counter()
    exports = bi.copies(EXPORTING, f"E{mode[0]}{len(str(n))}-", NEW_EXPORTS)  # ID <= 12
    await bi.start_all(client, cfg, exports)  # while the server is idle: sent, to be accepted
    await bi.send_all(client, exports)
    if mode == "watch":
        waiting = await _watch_items(stack, client, queue, n)
    else:
        waiting = await _polling_items(stack, client, queue, n, scale)
    setup = time.perf_counter() - began
    notes = []
    if mode == "polling":  # today's backoff reaches its cap (5 min, scaled) after ~8.5 min
        warm = 520 / scale - setup
        if warm > 0:
            await asyncio.sleep(warm)
        notes.append("polls at their 5-min cap")
    rss = stack.usage(worker).rss_mb
    # the quota: 3,600 per scaled hour, the workers' rate to match
    stack.stop(worker)
    stack.start_worker(worker, **_worker_env(queue, scale, round(QUOTA_PER_HOUR * scale)))
    limit = round(QUOTA_PER_HOUR * scale * WINDOW / 3600)
    await stack.admin("PUT", "/admin/quota", json={"limit": limit, "window_seconds": WINDOW})
    try:
        before = (await stack.admin("GET", "/admin/stats"))["batch_reads"]
        began = time.perf_counter()
        posted_ids = waiting[:: max(1, len(waiting) // POSTS)][:POSTS]
        export_ms, posted_s = await asyncio.gather(
            _exports(client, [i.workflow_id for i in exports], seconds),
            _posts(stack, client, mode, posted_ids, seconds),
        )
        elapsed = max(seconds, time.perf_counter() - began)
        await asyncio.sleep(max(0.0, seconds - (time.perf_counter() - began)))
        checks = (await stack.admin("GET", "/admin/stats"))["batch_reads"] - before
        waiting_rss = stack.usage(worker).rss_mb
    finally:
        await stack.admin("PUT", "/admin/quota", json={"limit": UNLIMITED, "window_seconds": 3600})
        stack.stop(worker)
    return WaitingRun(
        mode=mode,
        count=n,
        scale=scale,
        seconds=elapsed,
        checks=checks,
        export_ms=export_ms,
        posted_s=posted_s,
        setup_s=setup,
        rss_mb=rss,
        waiting_rss_mb=waiting_rss,
        notes=notes,
    )


async def run(stack: BenchStack) -> Waiting:
    scale = float(os.environ.get("BENCH_WAITING_SCALE", "10"))
    seconds = float(os.environ.get("BENCH_WAITING_SECONDS", "60"))
    runs = []
    polling = set(_sizes("BENCH_WAITING_POLLING", "100,1000"))
    for n in _sizes("BENCH_WAITING", "100,1000,10000"):
        for mode in ("watch", "polling"):
            if mode == "polling" and n not in polling:
                continue
            try:
                run_ = await one_run(stack, mode, n, scale, seconds)
            except Exception as err:  # one size failing keeps the others' figures
                print(f"   waiting {mode} {n}: FAILED ({type(err).__name__}: {err})", flush=True)
                continue
            print(
                f"   waiting {mode} {n}: {run_.per_hour:.0f} checks/h, export p95 "
                f"{percentile(run_.export_ms, 0.95):.0f} ms, posted p50/p95 "
                f"{percentile(run_.posted_s, 0.5) * scale:.1f}/"
                f"{percentile(run_.posted_s, 0.95) * scale:.1f} s (scaled), setup "
                f"{run_.setup_s:.0f} s, worker {run_.rss_mb:.0f} MB after the setup, "
                f"{run_.waiting_rss_mb:.0f} MB waiting",
                flush=True,
            )
            runs.append(run_)
    return Waiting(runs, scale)
