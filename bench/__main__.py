"""`python -m bench [NAME ...]`: run the benchmarks against a stack of their own and print figures.

NAME is any of latency, history, throughput, quota, parked, priority, waiting (default: all, in
that order, so the latency is taken while the server is idle; waiting's figures close the run).
`python -m bench tune` instead runs the tuning matrix (bench/tune.py). Sizes come from the
environment; the defaults fit `make bench` in under 10 minutes on the 2-core machine:

  BENCH_ITEMS=200            throughput: commitments per run (item run and baseline run)
  BENCH_THROUGHPUT_AUTO_POST_SECONDS=0  the same, from the throughput benchmark on
  BENCH_AUTO_POST_SECONDS=1  the mock posts commitment batches this long after the export
  BENCH_HOLD_SECONDS=10      history: how long manual-posting items wait before posting
  BENCH_QUOTA_LIMIT=40       quota: requests per window
  BENCH_QUOTA_WINDOW=10      quota: window, seconds
  BENCH_QUOTA_ITEMS=80       quota: commitments (2 requests each)
  BENCH_QUOTA_FULL=1         quota: also run with headroom 1.0 (what worker.py's 0.9 costs)
  BENCH_PARKED=10000         parked: items waiting in sent (about 5.5 min of the ~9)
  BENCH_LATENCY_ITEMS=30     latency: items, one at a time
  BENCH_WAITING=100,1000,10000   waiting: items waiting for a person to post (watch)
  BENCH_WAITING_POLLING=100,1000 waiting: the same with per-item polling (baseline)
  BENCH_WAITING_SECONDS=60   waiting: the measured period, real seconds
  BENCH_WAITING_SCALE=10     waiting: time scale (intervals / k, quota rate x k)
  BENCH_KEEP=1               keep the stack's folder (SQLite files, logs) for a look afterwards
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bench import history, latency, parked, priority, quota, throughput, waiting
from bench.stack import BenchStack

NAMES = ("latency", "history", "throughput", "quota", "parked", "priority", "waiting")


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{platform.node()}: {os.cpu_count()} cores, load average {load}"


async def run(names: list[str]) -> int:
    auto_post = env_float("BENCH_AUTO_POST_SECONDS", 1)
    stack = BenchStack.create(keep=os.environ.get("BENCH_KEEP") == "1")
    print(f"bench {datetime.now():%Y-%m-%d %H:%M} on {machine()}; stack in {stack.data}")
    began = time.monotonic()
    results: dict[str, Any] = {}
    failed = 0
    posting_set = False
    try:
        stack.start_temporal()
        stack.start_sage(auto_post)
        stack.start_worker("worker")
        phases: dict[str, Callable[[], Awaitable[Any]]] = {
            "latency": lambda: latency.run(stack, env_int("BENCH_LATENCY_ITEMS", 30)),
            "history": lambda: history.run(stack, env_float("BENCH_HOLD_SECONDS", 10)),
            "throughput": lambda: throughput.run(
                stack,
                env_int("BENCH_ITEMS", 200),
                env_float("BENCH_THROUGHPUT_AUTO_POST_SECONDS", 0),
            ),
            "quota": lambda: quota.run(
                stack,
                env_int("BENCH_QUOTA_LIMIT", 40),
                env_float("BENCH_QUOTA_WINDOW", 10),
                env_int("BENCH_QUOTA_ITEMS", 80),
                os.environ.get("BENCH_QUOTA_FULL", "1") == "1",
            ),
            "parked": lambda: parked.run(stack, env_int("BENCH_PARKED", 10_000)),
            "priority": priority.run,
            "waiting": lambda: waiting.run(stack),
        }
        for name in names:
            if name in ("throughput", "quota") and not posting_set:
                await posting_at_once(stack, auto_post)
                posting_set = True
            phase_began = time.monotonic()
            try:
                results[name] = await phases[name]()
            except Exception:
                failed += 1
                print(f"\n{name}: FAILED", file=sys.stderr)
                traceback.print_exc()
                continue
            results[name].print()
            print(f"   ({name} took {time.monotonic() - phase_began:.0f} s)", flush=True)
    finally:
        stack.close()
    summary(results)
    print(f"\nall benchmarks took {time.monotonic() - began:.0f} s; {machine()}")
    if w := results.get("waiting"):
        w.print_last_line()  # the waiting benchmark's figures close the run
    return 1 if failed else 0


async def posting_at_once(stack: BenchStack, auto_post: float) -> None:
    """From the throughput benchmark on, the mock posts at once
    (BENCH_THROUGHPUT_AUTO_POST_SECONDS=0): each commitment then makes exactly one POST and
    one batch GET. With a delay, the number of posting checks depends on timing (an item's
    first check comes after its transition, a baseline's at once), so the item and baseline
    runs would not make the same calls, and the quota's workload would trail off in retries."""
    delay = env_float("BENCH_THROUGHPUT_AUTO_POST_SECONDS", 0)
    if delay != auto_post:
        stack.restart_sage(delay)


def summary(results: dict[str, Any]) -> None:
    print("\nSummary")
    if t := results.get("throughput"):
        print(
            f"  1. throughput: {t.items_total.rate:.1f} items/s, {t.ratio:.2f} x the baseline's "
            f"{t.baseline_total.rate:.1f}/s (goal >= 0.8)"
        )
    if h := results.get("history"):
        rows = [*h.rows, h.delegated]
        lean = ", ".join(f"{r.label.split(' ')[0]} {r.total}" for r in h.rows[:-1])
        grows = any(added for r in [*rows, h.child, h.parked] for _, _, added in r.waits)
        print(
            f"  2. history: events per happy path: {lean}; Direct Export {h.rows[-1].total}; "
            f"delegated approval {h.delegated.total} + child {h.child.total}; "
            f"waiting adds events: {'YES' if grows else 'no'}"
        )
    if q := results.get("quota"):
        main = q.runs[0]
        print(
            f"  3. quota: {main.share:.0%} of the quota used (goal >= 90%), "
            f"{main.refused_first} 429s in the first window, {main.refused_later} later (goal 0)"
        )
    if p := results.get("parked"):
        print(
            f"  4. parked: {p.count} in sent; starter.py start {p.start_reported_rate:.0f} "
            f"starts/s (goal >= 100); list --state sent {p.list_seconds:.1f} s; worker RSS "
            f"{p.rss_mb['all sent']:.0f} MB"
        )
    if lat := results.get("latency"):
        from bench.stack import percentile

        print(
            f"  5. latency accept -> exported: p50 "
            f"{1000 * percentile(lat.accept_to_exported, 0.5):.0f} ms, p95 "
            f"{1000 * percentile(lat.accept_to_exported, 0.95):.0f} ms; mock POST p50 "
            f"{1000 * percentile(lat.mock_post, 0.5):.0f} ms, p95 "
            f"{1000 * percentile(lat.mock_post, 0.95):.0f} ms"
        )


def main(argv: list[str]) -> int:
    if argv[:1] == ["tune"]:
        from bench import tune

        return asyncio.run(tune.run(argv[1:]))
    unknown = [name for name in argv if name not in NAMES]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(NAMES)} or tune")
        return 2
    return asyncio.run(run(argv or list(NAMES)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
