"""Benchmark 4, parked scale: many items waiting in `sent`, as a user would put them there.

A folder of P copies of examples/items/commitment-SC-0042.json (project P-1001: an approver
must accept, so `send` parks them in `sent`) is started with `python starter.py start DIR`,
as a user runs it; the figure is the starter's own count of starts per second (it times the
start calls only), beside the command's wall time (interpreter, reading and checking P files
included). Then every item is sent by a client loop with 64 commands in flight (what
`start --send` does, timed apart), and `python starter.py list --state sent --limit P`
answers. The worker is the product's own process (`python worker.py`) on a task queue of its
own; its resident memory is read from /proc when idle, after the starts, after the sends.
"""

from __future__ import annotations

import asyncio
import re
import resource
import time
from dataclasses import dataclass, field

from bench import items as bi
from bench.stack import BenchStack, bounded
from client.items import command as run_command
from domain.commands import CommandRequest

TEMPLATE = "commitment-SC-0042.json"
QUEUE = "bench-parked"
STARTED = re.compile(r"started (\d+) of (\d+) items in ([\d.]+) s \((\d+)/s\)")
LISTED = re.compile(r"^(\d+) item\(s\)$", re.M)


@dataclass
class Parked:
    count: int
    start_reported_rate: float
    start_wall: float
    started: int
    send_seconds: float
    list_seconds: float
    listed: int
    list_default_seconds: float
    listed_default: int
    rss_mb: dict[str, float] = field(default_factory=dict)
    catch_up_seconds: float = 0.0
    """After `start` returned: until the worker had run every item's first workflow task."""
    worker: str = "worker.py"
    cpu_ms: dict[str, dict[str, float]] = field(default_factory=dict)
    """CPU ms per item, by stage (start, send), of the worker and the Temporal server."""

    def print(self) -> None:
        n = self.count
        print(f"\n4. Parked scale: {n} commitments waiting in sent (P-1001), {self.worker}")
        verdict = "meets" if self.start_reported_rate >= 100 else "BELOW"
        print(
            f"   starter.py start DIR ({n} files): {self.start_reported_rate:.0f} starts/s "
            f"({verdict} the goal >= 100/s); {self.started} started; whole command "
            f"{self.start_wall:.1f} s = {n / self.start_wall:.0f} items/s with reading the files"
        )
        print(
            f"   the worker caught up with the starts {self.catch_up_seconds:.0f} s later; "
            f"then send, 64 in flight: {n / self.send_seconds:.0f} sends/s "
            f"({self.send_seconds:.1f} s)"
        )
        print(
            f"   starter.py list --state sent --limit {n}: {self.list_seconds:.1f} s, "
            f"{self.listed} rows; without --limit (1000): {self.list_default_seconds:.1f} s, "
            f"{self.listed_default} rows"
        )
        rss = ", ".join(f"{k} {v:.0f} MB" for k, v in self.rss_mb.items())
        print(f"   worker RSS: {rss}")
        cpu = "; ".join(
            f"{stage}: " + ", ".join(f"{p} {ms:.1f}" for p, ms in by.items())
            for stage, by in self.cpu_ms.items()
        )
        print(f"   CPU ms per item: {cpu}")


async def quiet(stack: BenchStack, name: str, timeout: float = 300) -> None:
    """Wait until the worker has caught up: under 5% of a core used for a whole second."""
    deadline = time.monotonic() + timeout
    before = stack.usage(name).cpu_seconds
    while time.monotonic() < deadline:
        await asyncio.sleep(1)
        now = stack.usage(name).cpu_seconds
        if now - before < 0.05:
            return
        before = now


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _cpu(stack: BenchStack, worker: str) -> dict[str, float]:
    return {p: stack.usage(p).cpu_seconds for p in (worker, "temporal")}


def _per_item(before: dict[str, float], after: dict[str, float], n: int) -> dict[str, float]:
    names = {"temporal": "temporal"}
    return {names.get(p, "worker"): 1000 * (after[p] - before[p]) / n for p in before}


async def run(stack: BenchStack, count: int, tuning: dict[str, str] | None = None) -> Parked:
    """`tuning`: bench worker options (bench/bench_worker.py) instead of worker.py."""
    worker = "parked-worker"
    env = {"TEMPORAL_TASK_QUEUE": QUEUE}
    if tuning is None:
        stack.start_worker(worker, ["worker.py"], **env)
    else:
        stack.start_worker(worker, **env, **tuning)
    client = await stack.client()
    folder = stack.data / "parked"
    ids = bi.write_copies(TEMPLATE, "P", count, folder)
    await asyncio.sleep(3)
    await quiet(stack, worker)
    rss = {"idle": stack.usage(worker).rss_mb}

    cpu = {"start": _cpu(stack, worker)}
    children = _children_cpu()
    began = time.perf_counter()
    done = stack.starter("start", str(folder), env=env)
    wall = time.perf_counter() - began
    starter_cpu = _children_cpu() - children
    found = STARTED.search(done.stdout)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"starter.py start failed ({done.returncode}): {done.stderr[-2000:]}")
    caught_up = time.perf_counter()
    await quiet(stack, worker)
    catch_up = time.perf_counter() - caught_up
    rss["started"] = stack.usage(worker).rss_mb
    cpu["send"] = _cpu(stack, worker)

    request = CommandRequest(actor=bi.ADMIN)
    began = time.perf_counter()
    await bounded(
        bi.CONCURRENCY,
        (lambda wid=wid: run_command(client, wid, "send", request) for wid in ids),
    )
    sent = time.perf_counter() - began
    await quiet(stack, worker)
    usage = stack.usage(worker)
    rss["all sent"] = usage.rss_mb
    rss["peak"] = usage.peak_rss_mb
    after = _cpu(stack, worker)
    cpu_ms = {
        "start": {
            **_per_item(cpu["start"], cpu["send"], count),
            "starter.py": 1000 * starter_cpu / count,
        },
        "send": _per_item(cpu["send"], after, count),
    }

    began = time.perf_counter()
    listed = stack.starter("list", "--state", "sent", "--limit", str(count), env=env)
    list_seconds = time.perf_counter() - began
    began = time.perf_counter()
    listed_default = stack.starter("list", "--state", "sent", env=env)
    list_default_seconds = time.perf_counter() - began
    stack.stop(worker)
    return Parked(
        count=count,
        start_reported_rate=float(found.group(4)),
        start_wall=wall,
        started=int(found.group(1)),
        send_seconds=sent,
        list_seconds=list_seconds,
        listed=_rows(listed.stdout),
        list_default_seconds=list_default_seconds,
        listed_default=_rows(listed_default.stdout),
        rss_mb=rss,
        catch_up_seconds=catch_up,
        worker="worker.py" if tuning is None else f"bench worker {tuning}",
        cpu_ms=cpu_ms,
    )


def _rows(output: str) -> int:
    found = LISTED.search(output)
    return int(found.group(1)) if found else -1
