"""Runs the Temporal workers: item workflows on the task queue, Sage calls on their own queue.

The Sage queue's server-side rate (`max_task_queue_activities_per_second`) comes from
`SAGE_RATE_LIMIT_PER_HOUR`, so the workers stay under Sage's quota instead of hitting it,
however many worker processes run. SIGINT/SIGTERM stop both workers cleanly.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import timedelta
from pathlib import Path

import structlog
from temporalio.client import Client
from temporalio.worker import Worker

from activities.cost_codes import CostCodeActivities
from activities.links import LinkActivities
from activities.notices import NoticeActivities
from activities.posting import PostingActivities
from activities.sage import SageActivities, sage_http_client
from activities.sync_listing import SyncActivities
from runtime import logs
from runtime.codec import InvalidKeys
from runtime.config import Config, config
from runtime.connection import connect
from runtime.sandbox import FAST_RUNNER
from workflows.approval import ApprovalWorkflow
from workflows.erp_company import ErpCompany
from workflows.erp_project import ErpProject
from workflows.item import ItemWorkflow
from workflows.posting_watch import PostingWatch
from workflows.prime_contract_sync import PrimeContractSync, ProjectSync

log = structlog.get_logger("worker")

SHUTDOWN_GRACE = timedelta(seconds=10)
"""On SIGTERM, Sage calls under way get this long to finish before they are cancelled (and
retried elsewhere: their idempotency keys make that safe)."""

QUOTA_HEADROOM = 1.0
"""Share of SAGE_RATE_LIMIT_PER_HOUR the Sage queue's server-side rate uses. At 0.9 the quota
benchmark used 80-92% of the quota; at 1.0, 78-98%, with no 429 either way, because the Sage
activity also reads X-Rate-Limit-Remaining/Reset and holds a call back before Sage would refuse
it (bench/README.md). To leave room for people and other tools, give this tool a smaller
SAGE_RATE_LIMIT_PER_HOUR than Sage's own quota."""


def sage_rate_per_second(limit_per_hour: int) -> float:
    return limit_per_hour * QUOTA_HEADROOM / 3600


NOTICES_LEDGER = Path(__file__).resolve().parent / ".data" / "notices-ledger.sqlite"
"""Which notices were sent (ERP_NOTICES_LEDGER overrides): a retried notice is not resent."""


def build_workers(
    client: Client,
    cfg: Config,
    activities: SageActivities,
    notices: NoticeActivities | None = None,
) -> list[Worker]:
    notices = notices or NoticeActivities.from_env(NOTICES_LEDGER)
    watch_register, posting_reads = PostingActivities(
        activities, client, cfg.temporal_task_queue
    ).all()
    items = Worker(
        client,
        task_queue=cfg.temporal_task_queue,
        workflows=[
            ItemWorkflow,
            ApprovalWorkflow,
            PrimeContractSync,
            ProjectSync,
            ErpProject,
            ErpCompany,
            PostingWatch,
        ],
        activities=[
            SyncActivities(client).list_syncs,
            notices.send_notice,
            *watch_register,
            *LinkActivities(client, cfg.temporal_task_queue, cfg.erp_company_file).all(),
            *CostCodeActivities(client).all(),
        ],
        workflow_runner=FAST_RUNNER,
        graceful_shutdown_timeout=SHUTDOWN_GRACE,
    )
    sage = Worker(
        client,
        task_queue=cfg.sage_task_queue,
        activities=[activities.call, activities.wait_posted, *posting_reads],
        max_task_queue_activities_per_second=sage_rate_per_second(cfg.sage_rate_limit_per_hour),
        max_concurrent_activities=50,
        graceful_shutdown_timeout=SHUTDOWN_GRACE,
    )
    return [items, sage]


async def run(cfg: Config) -> None:
    client = await connect(cfg)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with sage_http_client(
        cfg.sage_api_url, cfg.sage_api_key.get_secret_value(), cfg.sage_timeout_seconds
    ) as http:
        workers = build_workers(client, cfg, SageActivities(http))
        log.info(
            "worker started",
            task_queue=cfg.temporal_task_queue,
            sage_task_queue=cfg.sage_task_queue,
            sage_rate_per_second=round(sage_rate_per_second(cfg.sage_rate_limit_per_hour), 3),
            temporal=cfg.temporal_address,
            sage=cfg.sage_api_url,
        )
        running = [asyncio.create_task(w.run()) for w in workers]
        stopped = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([*running, stopped], return_when=asyncio.FIRST_COMPLETED)
        log.info("worker stopping")
        for worker in workers:
            await worker.shutdown()
        for task in running:
            if task in done and task.exception():
                raise task.exception()  # type: ignore[misc]
    log.info("worker stopped")


def main() -> int:
    cfg = config()
    logs.configure(cfg.log_level, cfg.log_format)
    try:
        asyncio.run(run(cfg))
    except InvalidKeys as err:
        log.error("payload encryption keys are invalid", error=str(err))
        return 2
    except RuntimeError as err:
        log.error("worker failed", error=str(err))
        return 4
    return 0


if __name__ == "__main__":
    sys.exit(main())
