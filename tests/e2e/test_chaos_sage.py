"""Exactly-once exports while Sage misbehaves (issue 4's chaos suite, its Sage half; the
crashes are in test_chaos.py, so the two halves can run in parallel).

Each scenario has a stack of its own: a Temporal dev server on its SQLite file, the mock Sage
over HTTP with the scenario's faults or quota, a worker, and `starter.py` as a user runs it.
`pytest -s` shows the counts.
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.chaos import (
    SEED,
    assert_exactly_once,
    chaos_stack,
    finish,
    start_and_send,
    wait_until_settled,
    write_workload,
)


def test_c_sage_failing_before_and_after_commit_never_duplicates(tmp_path: Path) -> None:
    """20% of calls answered 500/503, 5% of writes committed then answered 500, 5% committed
    then the connection dropped: every retry carries the same Idempotency-Key."""
    with chaos_stack(tmp_path / "stack") as stack:
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
