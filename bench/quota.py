"""Benchmark 3, Sage's quota: a workload larger than the quota, run at the quota's pace.

The mock's quota becomes Q requests per W seconds (`PUT /admin/quota`), and the product's own
worker process (`python worker.py`) starts on a task queue of its own with
SAGE_RATE_LIMIT_PER_HOUR = Q * 3600 / W, as an operator would configure it. Then K Direct
Export commitments (P-1002) go from send to posted: about 2 requests each, several windows'
worth. The mock's `GET /admin/quota/windows` tells, window by window, how many requests it let
through and how many it refused with a 429. The share of the quota used counts the windows
that had work waiting throughout (all but the last).

When worker.py's QUOTA_HEADROOM is below 1.0, the same workload runs again through the bench
worker (worker.build_workers, the same Sage activities) with the headroom set to 1.0
(BENCH_QUOTA_HEADROOM), on another task queue, to show what the headroom costs.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from bench import items as bi
from bench.stack import UNLIMITED, BenchStack
from bench.throughput import TEMPLATE
from worker import QUOTA_HEADROOM


@dataclass
class QuotaRun:
    label: str
    headroom: float
    limit: int
    window: float
    items: int
    elapsed: float
    windows: list[dict[str, Any]]

    @property
    def full(self) -> list[dict[str, Any]]:
        """Windows with work waiting throughout: all but the last."""
        return self.windows[:-1] or self.windows

    @property
    def share(self) -> float:
        return sum(w["used"] for w in self.full) / (self.limit * len(self.full))

    @property
    def refused_first(self) -> int:
        return self.windows[0]["refused"] if self.windows else 0

    @property
    def refused_later(self) -> int:
        return sum(w["refused"] for w in self.windows[1:])


@dataclass
class Quota:
    runs: list[QuotaRun]

    def print(self) -> None:
        first = self.runs[0]
        print(
            f"\n3. Quota: Sage allows {first.limit} requests per {first.window:g} s; "
            f"{first.items} Direct Export commitments, send -> posted"
        )
        print(
            f"   {'':<34}{'quota used':>11}{'429s 1st window':>17}{'429s later':>12}"
            f"{'items/s':>9}   requests per window"
        )
        for run in self.runs:
            per_window = " ".join(
                f"{w['used']}" + (f"+{w['refused']}!" if w["refused"] else "") for w in run.windows
            )
            print(
                f"   {run.label:<34}{run.share:>10.0%}{run.refused_first:>17}"
                f"{run.refused_later:>12}{run.items / run.elapsed:>9.2f}   {per_window}"
            )
        main = self.runs[0]
        verdicts = [
            "meets" if main.share >= 0.9 else "BELOW",
            "none" if main.refused_later == 0 else f"{main.refused_later}",
        ]
        print(
            f"   worker.py: quota used {verdicts[0]} the goal >= 90%; 429s after the first "
            f"window: {verdicts[1]} (goal: none)"
        )
        if len(self.runs) > 1:
            full = self.runs[1]
            print(
                f"   headroom {main.headroom:g}: at most {main.headroom:.0%} of each window by "
                f"design; measured {main.share:.0%} used at {main.items / main.elapsed:.2f} "
                f"items/s, against {full.share:.0%} at {full.items / full.elapsed:.2f} items/s "
                f"with headroom {full.headroom:g}"
            )


async def one_run(
    stack: BenchStack,
    n: int,
    label: str,
    limit: int,
    window: float,
    count: int,
    headroom: float | None,
) -> QuotaRun:
    queue = f"bench-quota-{n}"
    per_hour = round(limit * 3600 / window)
    env = {"TEMPORAL_TASK_QUEUE": queue, "SAGE_RATE_LIMIT_PER_HOUR": str(per_hour)}
    name = f"quota-worker-{queue}"
    if headroom is None:
        stack.start_worker(name, ["worker.py"], **env)
    else:
        stack.start_worker(name, **env, BENCH_QUOTA_HEADROOM=str(headroom))
    try:
        client = await stack.client()
        cfg = stack.settings(temporal_task_queue=queue)
        items = bi.copies(TEMPLATE, f"Q{n}-", count)
        await bi.start_all(client, cfg, items)
        await bi.settled(client, items)
        await stack.admin("PUT", "/admin/quota", json={"limit": limit, "window_seconds": window})
        began = time.perf_counter()
        await bi.send_all(client, items)
        await asyncio.gather(*(bi.handle(client, i.workflow_id).result() for i in items))
        elapsed = time.perf_counter() - began
        windows = await stack.admin("GET", "/admin/quota/windows")
    finally:
        await stack.admin("PUT", "/admin/quota", json={"limit": UNLIMITED, "window_seconds": 3600})
        stack.stop(name)
    return QuotaRun(
        label=label,
        headroom=QUOTA_HEADROOM if headroom is None else headroom,
        limit=limit,
        window=window,
        items=count,
        elapsed=elapsed,
        windows=windows,
    )


async def run(stack: BenchStack, limit: int, window: float, count: int, full: bool) -> Quota:
    runs = [
        await one_run(
            stack, 1, f"worker.py (headroom {QUOTA_HEADROOM:g})", limit, window, count, None
        )
    ]
    if full and QUOTA_HEADROOM != 1.0:
        runs.append(
            await one_run(stack, 2, "bench worker, headroom 1.0", limit, window, count, 1.0)
        )
    return Quota(runs)
