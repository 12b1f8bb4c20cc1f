"""Exactly-once exports under crashes, faults and rate limits (issue 4's chaos suite).

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
    assert_exactly_once,
    chaos_stack,
    finish,
    start_and_send,
    wait_until_settled,
    write_workload,
)
from tests.e2e.conftest import Stack

SEED = 4


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


def test_c_sage_failing_before_and_after_commit_never_duplicates(
    stack: Stack, tmp_path: Path
) -> None:
    """20% of calls answered 500/503, 5% of writes committed then answered 500, 5% committed
    then the connection dropped: every retry carries the same Idempotency-Key."""
    stack.admin(
        "PUT",
        "/admin/faults",
        json={
            "error_rate": 0.2,
            "error_statuses": [500, 503],
            "commit_then_fail_rate": 0.05,
            "drop_rate": 0.05,
            "seed": SEED,
        },
    )
    workload = write_workload(tmp_path / "items", "CC", 60, failing_every=20)
    stack.start_worker()
    resent = finish(stack, workload, start_and_send(stack, workload))
    rows = wait_until_settled(stack, workload, timeout=180)

    observed = assert_exactly_once(stack, workload, rows)
    assert observed.injected_5xx > 0  # the faults were really there
    print(observed.line("c", resent=resent))


QUOTA = {"limit": 60, "window_seconds": 10}


def test_d_a_quota_smaller_than_the_workload_is_never_hit_after_the_first_window(
    tmp_path: Path,
) -> None:
    """Sage allows 60 requests per 10 s; the workload needs several windows' worth. The worker
    is told the same quota per hour, so the Sage task queue's server-side rate keeps under it
    (posting polls included) and the activities wait out a used-up window instead of a 429."""
    per_hour = QUOTA["limit"] * 3600 // QUOTA["window_seconds"]
    with chaos_stack(tmp_path / "stack", sage_rate_limit_per_hour=per_hour) as stack:
        stack.admin("PUT", "/admin/quota", json=QUOTA)
        workload = write_workload(tmp_path / "items", "CD", 50, failing_every=20)
        stack.start_worker()
        resent = finish(stack, workload, start_and_send(stack, workload))
        rows = wait_until_settled(stack, workload, timeout=240)

        observed = assert_exactly_once(stack, workload, rows)
        windows = stack.admin("GET", "/admin/quota/windows")
        used = [w["used"] for w in windows]
        refused = [w["refused"] for w in windows]
        waits = (stack.data / "worker.log").read_text().count("sage quota used up")
        print(
            observed.line(
                "d", windows=len(windows), used=used, refused=refused, waits=waits, resent=resent
            )
        )
    assert sum(used) > QUOTA["limit"], "the workload fit in one window: nothing was tested"
    assert refused[1:] == [0] * (len(windows) - 1), f"429s after the first window: {refused}"
