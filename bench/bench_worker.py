"""The benchmarks' worker process: the product's workers, plus the baseline workflow.

`worker.build_workers` builds exactly what `python worker.py` runs (item workflows on the task
queue, Sage activities on the Sage queue). Beside them runs one more workflow worker, with the
item worker's own configuration, for the baseline workflow on `<task queue>-baseline`; its Sage
calls go to the same Sage worker. Options under test come from the environment and are applied
to both workflow workers alike, so the product and the baseline always run the same way:

  BENCH_WF_TASK_SLOTS      max_concurrent_workflow_tasks of the workflow workers
  BENCH_CACHED_WORKFLOWS   max_cached_workflows of the workflow workers
  BENCH_WF_POLLERS         workflow task pollers of the workflow workers
  BENCH_ACTIVITY_POLLERS   activity task pollers of the Sage worker
  BENCH_ACTIVITY_SLOTS     max_concurrent_activities of the Sage worker
  BENCH_SANDBOX            "default"; "workflows" (the workflow modules passed through the
                           sandbox, not re-imported for each workflow run); "passthrough"
                           (every module passed through); or "off" (unsandboxed: a reference
                           point, never a recommendation)
  BENCH_QUOTA_HEADROOM     replaces worker.QUOTA_HEADROOM (share of Sage's quota used)
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any

import structlog
from temporalio.worker import PollerBehaviorSimpleMaximum, UnsandboxedWorkflowRunner, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

import worker as product
from activities.sage import SageActivities, sage_http_client
from bench.baseline import BASELINE_QUEUE_SUFFIX, BaselineWorkflow, PollingWaitWorkflow
from runtime import logs
from runtime.config import config
from runtime.connection import connect

log = structlog.get_logger("bench.worker")


def _int(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    return int(value) if value else None


def workflow_options() -> dict[str, Any]:
    options: dict[str, Any] = {}
    if (slots := _int("BENCH_WF_TASK_SLOTS")) is not None:
        options["max_concurrent_workflow_tasks"] = slots
    if (cached := _int("BENCH_CACHED_WORKFLOWS")) is not None:
        options["max_cached_workflows"] = cached
    if (pollers := _int("BENCH_WF_POLLERS")) is not None:
        options["workflow_task_poller_behavior"] = PollerBehaviorSimpleMaximum(pollers)
    sandbox = os.environ.get("BENCH_SANDBOX", "default")
    if sandbox == "workflows":
        restrictions = SandboxRestrictions.default.with_passthrough_modules("workflows", "bench")
        options["workflow_runner"] = SandboxedWorkflowRunner(restrictions=restrictions)
    elif sandbox == "passthrough":
        restrictions = SandboxRestrictions.default.with_passthrough_all_modules()
        options["workflow_runner"] = SandboxedWorkflowRunner(restrictions=restrictions)
    elif sandbox == "off":
        options["workflow_runner"] = UnsandboxedWorkflowRunner()
    return options


def activity_options() -> dict[str, Any]:
    options: dict[str, Any] = {}
    if (pollers := _int("BENCH_ACTIVITY_POLLERS")) is not None:
        options["activity_task_poller_behavior"] = PollerBehaviorSimpleMaximum(pollers)
    if (slots := _int("BENCH_ACTIVITY_SLOTS")) is not None:
        options["max_concurrent_activities"] = slots
    return options


async def run() -> None:
    cfg = config()
    if headroom := os.environ.get("BENCH_QUOTA_HEADROOM"):
        product.QUOTA_HEADROOM = float(headroom)
    client = await connect(cfg)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with sage_http_client(
        cfg.sage_api_url, cfg.sage_api_key.get_secret_value(), cfg.sage_timeout_seconds
    ) as http:
        activities = SageActivities(http)
        if workflow_options() or activity_options():
            # A worker's options are fixed once built, and a client takes one worker per task
            # queue: build the product's workers on a spare client, then rebuild them, with
            # the options under test, on the real one.
            spare = await connect(cfg)
            items, sage = product.build_workers(spare, cfg, activities)
            items = Worker(**{**items.config(), "client": client, **workflow_options()})
            sage = Worker(**{**sage.config(), "client": client, **activity_options()})
        else:
            items, sage = product.build_workers(client, cfg, activities)
        baseline_config = {
            **items.config(),
            "task_queue": cfg.temporal_task_queue + BASELINE_QUEUE_SUFFIX,
            "workflows": [BaselineWorkflow, PollingWaitWorkflow],
        }
        workers = [items, sage, Worker(**baseline_config)]
        log.info("bench worker started", workflow_options=sorted(workflow_options()))
        running = [asyncio.create_task(w.run()) for w in workers]
        stopped = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([*running, stopped], return_when=asyncio.FIRST_COMPLETED)
        for w in workers:
            await w.shutdown()
        for task in running:
            if task in done and task.exception():
                raise task.exception()  # type: ignore[misc]


def main() -> int:
    cfg = config()
    logs.configure(cfg.log_level, cfg.log_format)
    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
