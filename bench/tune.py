"""`python -m bench tune [VARIANT ...]`: the embedded default's knobs, each measured.

Each variant gets a stack of its own (a fresh dev server, mock and bench worker) and runs two
things: the throughput benchmark (one round of baseline then items, BENCH_TUNE_ITEMS each,
the mock posting at once so both make the same calls), and a small parked run
(BENCH_TUNE_PARKED items started by `starter.py start`, then sent; 0 skips it) for the start
rate, the worker's CPU per start and per send, and its memory. `default` runs first and last,
so the drift of this shared machine during the matrix shows. The options are those of
bench/bench_worker.py (the product's workers, rebuilt with the option under test) and the dev
server flags of devstack.dev_server_args; nothing in the product changes.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from bench import parked, throughput
from bench.stack import BenchStack


@dataclass(frozen=True)
class Variant:
    what: str
    worker: dict[str, str] = field(default_factory=dict)
    pragmas: tuple[str, ...] | None = None
    server_flags: tuple[str, ...] = ()


ONE_PARTITION = (
    "--dynamic-config-value",
    "matching.numTaskqueueReadPartitions=1",
    "--dynamic-config-value",
    "matching.numTaskqueueWritePartitions=1",
)
VARIANTS: dict[str, Variant] = {
    "default": Variant("as shipped: WAL + synchronous=normal, SDK's worker defaults"),
    "sqlite-defaults": Variant("SQLite's own defaults (no pragma)", pragmas=()),
    "sqlite-sync-off": Variant(
        "WAL + synchronous=off (loses the last commits on a power cut)",
        pragmas=("journal_mode=wal", "synchronous=off"),
    ),
    "one-partition": Variant(
        "task queues of one partition (dev server flag)", server_flags=ONE_PARTITION
    ),
    "slots-10": Variant("max_concurrent_workflow_tasks=10", {"BENCH_WF_TASK_SLOTS": "10"}),
    "cache-100": Variant("max_cached_workflows=100", {"BENCH_CACHED_WORKFLOWS": "100"}),
    "cache-5000": Variant("max_cached_workflows=5000", {"BENCH_CACHED_WORKFLOWS": "5000"}),
    "wf-pollers-2": Variant("2 workflow task pollers", {"BENCH_WF_POLLERS": "2"}),
    "wf-pollers-10": Variant("10 workflow task pollers", {"BENCH_WF_POLLERS": "10"}),
    "activity-pollers-10": Variant("10 Sage activity pollers", {"BENCH_ACTIVITY_POLLERS": "10"}),
    "sandbox-workflows": Variant(
        "workflow modules passed through the sandbox", {"BENCH_SANDBOX": "workflows"}
    ),
    "sandbox-all": Variant(
        "every module passed through the sandbox", {"BENCH_SANDBOX": "passthrough"}
    ),
    "sandbox-off": Variant("no sandbox (reference only)", {"BENCH_SANDBOX": "off"}),
    "no-bytecode-cache": Variant(
        "PYTHONDONTWRITEBYTECODE=1 and no .pyc (as in the Docker image)",
        {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": ""},
    ),
}


@dataclass
class Outcome:
    name: str
    throughput: throughput.Throughput
    parked: parked.Parked | None
    seconds: float


def print_table(outcomes: list[Outcome]) -> None:
    print("\nTuning matrix (each row: a fresh stack; ratios are within the row)")
    print(
        f"   {'variant':<22}{'items/s':>8}{'base/s':>8}{'ratio':>7}"
        f"{'wkr ms':>8}{'srv ms':>8}{'starts/s':>9}{'start ms':>9}{'send ms':>8}"
        f"{'sends/s':>8}{'RSS MB':>8}"
    )
    for o in outcomes:
        t = o.throughput
        items, base = t.items_total, t.baseline_total
        row = (
            f"   {o.name:<22}{items.rate:>8.1f}{base.rate:>8.1f}{t.ratio:>7.2f}"
            f"{items.cpu_per_item_ms('worker'):>8.1f}{items.cpu_per_item_ms('temporal'):>8.1f}"
        )
        if o.parked:
            p = o.parked
            row += (
                f"{p.start_reported_rate:>9.0f}{p.cpu_ms['start']['worker']:>9.1f}"
                f"{p.cpu_ms['send']['worker']:>8.1f}{p.count / p.send_seconds:>8.0f}"
                f"{p.rss_mb['all sent']:>8.0f}"
            )
        print(row)
    print(
        "   items/s, base/s: throughput of items and baseline; wkr/srv ms: worker and Temporal "
        "CPU per item;\n   starts/s, start ms, send ms, sends/s, RSS: the parked run "
        "(worker CPU per start and per send, worker memory at the end)"
    )


async def one(name: str, variant: Variant, items: int, parked_items: int) -> Outcome:
    began = time.monotonic()
    stack = BenchStack.create(keep=os.environ.get("BENCH_KEEP") == "1")
    try:
        stack.start_temporal(
            None if variant.pragmas is None else list(variant.pragmas), variant.server_flags
        )
        stack.start_sage(0)
        stack.start_worker("worker", **variant.worker)
        result = await throughput.run(stack, items, 0, rounds=1)
        stack.stop("worker")
        found = await parked.run(stack, parked_items, variant.worker) if parked_items else None
    finally:
        stack.close()
    return Outcome(name, result, found, time.monotonic() - began)


async def run(names: list[str]) -> int:
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        print(f"unknown variant {', '.join(unknown)}; choose from {', '.join(VARIANTS)}")
        return 2
    chosen = names or [*VARIANTS, "default"]
    items = int(os.environ.get("BENCH_TUNE_ITEMS", 200))
    parked_items = int(os.environ.get("BENCH_TUNE_PARKED", 1000))
    outcomes: list[Outcome] = []
    for name in chosen:
        print(f"{name}: {VARIANTS[name].what} ...", flush=True)
        outcome = await one(name, VARIANTS[name], items, parked_items)
        outcomes.append(outcome)
        print(f"   ({outcome.seconds:.0f} s)", flush=True)
        print_table(outcomes[-1:])
    print_table(outcomes)
    return 0
