"""Does the dev server honour task queue priority and fairness? (issue 17: exports first)

`python -m bench priority`. For each dev server configuration (as shipped; with
`matching.useNewMatcher`; with `matching.enableFairness` too) a fresh in-memory dev server
gets a backlog on one activity queue while no activity worker runs: 30 background reads at
priority 5 (posting watch, schedules, refreshes), then 5 exports at priority 1; and, for
fairness, 24 calls of project P-BIG then 4 of P-SMALL at one priority. Then one activity worker
(one slot) drains the queue and the order the calls ran in is printed: where the exports came
(honoured: among the first few), where P-SMALL came (fair: interleaved early, not last).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import uuid
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.common import Priority
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    from devtools import devstack

ONE_PARTITION = [
    "--dynamic-config-value",
    "matching.numTaskqueueReadPartitions=1",
    "--dynamic-config-value",
    "matching.numTaskqueueWritePartitions=1",
]
FAIRNESS = [
    "--dynamic-config-value",
    "matching.useNewMatcher=true",
    "--dynamic-config-value",
    "matching.enableFairness=true",
]
CONFIGS: dict[str, list[str]] = {
    "as shipped (4 partitions)": [],
    "one partition": ONE_PARTITION,
    "as shipped + enableFairness": FAIRNESS,
    "one partition + enableFairness": ONE_PARTITION + FAIRNESS,
    "devstack's flags (make run, e2e)": devstack.dynamic_config_flags(),
}
"""Priority and fairness apply per task queue partition; the dev server has 4 by default."""
RAN: list[str] = []


@activity.defn(name="probe_call")
async def probe_call(label: str) -> None:
    RAN.append(label)


@dataclass
class Calls:
    labels: list[str]
    priority_key: int | None = None
    fairness_key: str | None = None


@workflow.defn(name="PriorityProbe")
class PriorityProbe:
    @workflow.run
    async def run(self, calls: Calls) -> None:
        priority = Priority(priority_key=calls.priority_key, fairness_key=calls.fairness_key)
        await asyncio.gather(
            *(
                workflow.execute_activity(
                    "probe_call",
                    label,
                    task_queue=f"{workflow.info().task_queue}-calls",
                    start_to_close_timeout=timedelta(seconds=30),
                    priority=priority,
                )
                for label in calls.labels
            )
        )


async def backlog(client: Client, queue: str, batches: list[Calls]) -> list[str]:
    """Queue every call with no activity worker, then drain with one slot: the run order."""
    RAN.clear()
    async with Worker(client, task_queue=queue, workflows=[PriorityProbe]):
        handles = []
        for calls in batches:
            handles.append(
                await client.start_workflow(
                    PriorityProbe.run, calls, id=f"probe-{uuid.uuid4()}", task_queue=queue
                )
            )
            await asyncio.sleep(1.5)  # each group is scheduled before the next
        async with Worker(
            client,
            task_queue=f"{queue}-calls",
            activities=[probe_call],
            max_concurrent_activities=1,
        ):
            await asyncio.gather(*(h.result() for h in handles))
    return list(RAN)


def positions(order: list[str], prefix: str) -> list[int]:
    return [n + 1 for n, label in enumerate(order) if label.startswith(prefix)]


async def probe(name: str, extra: list[str]) -> tuple[list[int], list[int]]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=shutil.which("temporal")
        or str(__import__("pathlib").Path(sys.executable).parent / "temporal"),
        dev_server_extra_args=extra,
    )
    try:
        order = await backlog(
            env.client,
            "probe-priority",
            [
                Calls([f"background-{n}" for n in range(30)], priority_key=5),
                Calls([f"export-{n}" for n in range(5)], priority_key=1),
            ],
        )
        exports = positions(order, "export")
        order = await backlog(
            env.client,
            "probe-fairness",
            [
                Calls([f"P-BIG-{n}" for n in range(24)], priority_key=3, fairness_key="P-BIG"),
                Calls([f"P-SMALL-{n}" for n in range(4)], priority_key=3, fairness_key="P-SMALL"),
            ],
        )
        small = positions(order, "P-SMALL")
    finally:
        await env.shutdown()
    return exports, small


@dataclass
class PriorityResult:
    rows: list[tuple[str, list[int], list[int]]]

    def print(self) -> None:
        print("\n0. Task queue priority and fairness on the dev server (temporal CLI's own)")
        print("   30 background calls (priority 5) queued, then 5 exports (priority 1): where")
        print("   the exports ran (of 35); 24 calls of P-BIG queued, then 4 of P-SMALL (same")
        print("   priority, fairness keys): where P-SMALL ran (of 28). One activity slot drains.")
        print("   In FIFO order the exports would run at 31-35 and P-SMALL at 25-28.")
        for name, exports, small in self.rows:
            honoured = "honoured" if sum(exports) / len(exports) <= 10 else "NOT honoured"
            fair = "fair" if sum(small) / len(small) <= 16 else "NOT fair (FIFO)"
            print(f"   {name:<33} exports at {exports} ({honoured}); P-SMALL at {small} ({fair})")


async def run() -> PriorityResult:
    rows = []
    for name, extra in CONFIGS.items():
        exports, small = await probe(name, extra)
        rows.append((name, exports, small))
    return PriorityResult(rows)


if __name__ == "__main__":
    asyncio.run(run()).print()
    sys.stdout.flush()
    __import__("os")._exit(0)  # the SDK's runtime threads can trip Python's finalisation
