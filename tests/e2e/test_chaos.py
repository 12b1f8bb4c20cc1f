"""Exactly-once exports under crashes (issue 4's chaos suite; Sage's faults and quota are in
test_chaos_sage.py, so the two halves can run in parallel).

Real processes only: a Temporal dev server on its SQLite file, the mock Sage over HTTP, worker
processes, and `starter.py` as a user runs it. Each scenario has a stack of its own (fresh
ports, fresh files), so its kills and restarts touch nothing else. Each asserts what a user
would check: every item posted (or export_failed where a business error was seeded), and Sage
holding exactly one record per posted item, never a duplicate. `pytest -s` shows the counts.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.chaos import (
    SEED,
    assert_exactly_once,
    chaos_stack,
    finish,
    start_and_send,
    wait_until_settled,
    write_workload,
)
from tests.e2e.conftest import Stack


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with chaos_stack(tmp_path / "stack") as stack:
        yield stack


def test_a_worker_killed_at_random_moments_exports_each_item_once(
    stack: Stack, tmp_path: Path
) -> None:
    """100 commitments while the worker is SIGKILLed at seeded random moments and restarted."""
    workload = write_workload(tmp_path / "items", "CA", 100, failing_every=25)
    rng = random.Random(SEED)
    stack.start_worker()
    starter = start_and_send(stack, workload)
    kills = 0
    for _ in range(4):
        time.sleep(rng.uniform(1.0, 6.0))
        stack.kill("worker")
        kills += 1
        time.sleep(rng.uniform(0.0, 1.5))
        stack.start_worker()
    resent = finish(stack, workload, starter)

    rows = wait_until_settled(stack, workload, timeout=240)

    observed = assert_exactly_once(stack, workload, rows)
    print(observed.line("a", kills=kills, resent=resent))


def test_b_the_dev_server_restarted_on_its_file_mid_run_loses_nothing(
    stack: Stack, tmp_path: Path
) -> None:
    """The dev server is stopped while items are being exported and posted (Sage answers slowly,
    so calls are in flight; the stop comes once the first five records are in Sage, whatever
    the machine's speed), then started on the same SQLite file and ports; the two workers
    reconnect by themselves and carry on, and the user sends what the stop left unsent."""
    stack.admin("PUT", "/admin/faults", json={"latency_ms": 400})
    workload = write_workload(tmp_path / "items", "CB", 60, failing_every=20)
    workers = [stack.start_worker(f"worker-{n}") for n in (1, 2)]
    starter = start_and_send(stack, workload)
    deadline = time.monotonic() + 120
    while len(stack.admin("GET", "/admin/records/commitments")) < 5:
        assert time.monotonic() < deadline, "no export reached Sage"
        time.sleep(0.1)
    batches_posted_at_stop = sum(b["posted"] for b in stack.admin("GET", "/admin/records/batches"))

    stack.stop("temporal")
    time.sleep(3)
    stack.start_temporal()
    resent = finish(stack, workload, starter)
    rows = wait_until_settled(stack, workload, timeout=180)

    observed = assert_exactly_once(stack, workload, rows)
    assert all(worker.poll() is None for worker in workers), "a worker gave up"
    assert batches_posted_at_stop < len(workload.good), (
        "all was done before the stop: nothing tested"
    )
    print(observed.line("b", batches_posted_at_stop=batches_posted_at_stop, resent=resent))
