"""Helpers of the chaos suite: a stack of its own per scenario, a workload of item files, and
what the user (starter.py) and Sage (its admin calls) say about the outcome."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devtools import devstack
from tests.e2e.conftest import API_KEY, ROOT, Stack, write_item

PROJECT = "P-1002"
"""Direct Export `enabled` for commitments: `start --send` goes straight to export."""
SENDER = "pm.alex"
INACTIVE_VENDOR = {"name": "Defunct Drywall LLC", "sage_vendor_id": "V-900"}
"""A business error Sage answers (`vendor_inactive`): such an item must end `export_failed`."""
SETTLED = ("posted", "export_failed")
UNREACHABLE = 4
"""starter.py's exit code when Temporal did not answer (or confirm a command) in time."""
SEED = 4
"""The seed of every scenario's random choices (kill moments, injected faults)."""


@contextmanager
def chaos_stack(data: Path, sage_rate_limit_per_hour: int = 1_000_000) -> Iterator[Stack]:
    """A dev server on its SQLite file and the mock Sage, on fresh ports; workers are the
    scenario's to start, kill and restart. Everything started is stopped on the way out."""
    data.mkdir(parents=True, exist_ok=True)
    ports = [devstack.free_port() for _ in range(3)]
    env = {
        "TEMPORAL_ADDRESS": f"127.0.0.1:{ports[0]}",
        "SAGE_API_URL": f"http://127.0.0.1:{ports[2]}",
        "SAGE_API_KEY": API_KEY,
        "SAGE_RATE_LIMIT_PER_HOUR": str(sage_rate_limit_per_hour),
        "LOG_FORMAT": "json",
        "ERP_ENV_FILE": "",  # never a developer's .data/demo.env (runtime/config.py)
    }
    stack = Stack(data, ports[0], ports[1], ports[2], env)
    try:
        stack.start_temporal()
        stack.start_sage()
        yield stack
    finally:
        for proc in reversed(stack.procs.values()):  # workers first, Temporal last
            devstack.stop(proc)


@dataclass(frozen=True)
class Workload:
    folder: Path
    good: list[str]
    """Commitment numbers Sage accepts: each must end `posted` with one record in Sage."""
    failing: list[str]
    """Numbers whose vendor is inactive in Sage: each must end `export_failed`, no record."""

    @property
    def numbers(self) -> list[str]:
        return [*self.good, *self.failing]

    def item(self, number: str) -> str:
        return f"commitment:{PROJECT}:{number}"

    def file(self, number: str) -> Path:
        return self.folder / f"commitment-{number}.json"


def write_workload(folder: Path, tag: str, count: int, failing_every: int = 0) -> Workload:
    """`count` commitment files numbered `{tag}-0001`...; every `failing_every`-th one is seeded
    with an inactive vendor."""
    folder.mkdir(parents=True, exist_ok=True)
    good, failing = [], []
    for n in range(1, count + 1):
        number = f"{tag}-{n:04d}"
        assert len(number) <= 12  # Sage's commitment ID limit
        seeded = bool(failing_every) and n % failing_every == 0
        changes: dict[str, Any] = {"project": PROJECT, "number": number}
        if seeded:
            changes["contract_company"] = INACTIVE_VENDOR
        write_item(folder, **changes)
        (failing if seeded else good).append(number)
    return Workload(folder, good, failing)


def start_and_send(stack: Stack, workload: Workload) -> subprocess.Popen[str]:
    """`starter.py start DIR --send --as pm.alex`, in the background, as a user would run it."""
    return subprocess.Popen(
        [sys.executable, "starter.py", "start", str(workload.folder), "--send", "--as", SENDER],
        cwd=ROOT,
        env={**os.environ, **stack.env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(stack: Stack, workload: Workload, starter: subprocess.Popen[str]) -> int:
    """Wait for `start --send`. If Temporal did not confirm some calls in time (exit 4: the
    worker was down, the machine busy), do what a user then does: start the items that are
    missing and send those still in draft. Returns how many items needed that."""
    _, err = starter.communicate(timeout=240)
    assert "Traceback" not in err, err[-3000:]
    assert starter.returncode in (0, UNREACHABLE), f"starter exited {starter.returncode}: {err}"
    if starter.returncode == 0:
        return 0
    return send_the_unsent(stack, workload)


def send_the_unsent(stack: Stack, workload: Workload) -> int:
    redone: set[str] = set()
    for _ in range(5):
        rows = items_by_state(stack)
        unsent = [
            n
            for n in workload.numbers
            if rows.get(workload.item(n), {}).get("state") in (None, "draft")
        ]
        if not unsent:
            return len(redone)
        for number in unsent:
            item = workload.item(number)
            if item in rows:
                done = stack.starter("send", item, "--as", SENDER)
            else:
                done = stack.starter("start", str(workload.file(number)), "--send", "--as", SENDER)
            # 1: refused because the first attempt took effect meanwhile (not a draft any more)
            assert done.returncode in (0, 1, UNREACHABLE), done.stderr
            assert "Traceback" not in done.stderr, done.stderr
            redone.add(item)
        time.sleep(2)
    raise AssertionError(f"items still unsent after five rounds: {unsent}")


def items_by_state(stack: Stack) -> dict[str, dict[str, Any]]:
    """What `starter.py list --project P-1002 --json` shows, by item."""
    done = stack.starter("list", "--project", PROJECT, "--json")
    if done.returncode != 0:
        return {}
    return {row["item"]: row for row in json.loads(done.stdout)}


def wait_until_settled(
    stack: Stack, workload: Workload, timeout: float
) -> dict[str, dict[str, Any]]:
    """Poll the list until every item of the workload is posted or export_failed."""
    deadline = time.monotonic() + timeout
    wanted = {workload.item(n) for n in workload.numbers}
    while True:
        rows = items_by_state(stack)
        if wanted <= rows.keys() and all(rows[i]["state"] in SETTLED for i in wanted):
            return rows
        if time.monotonic() > deadline:
            states = Counter(rows[i]["state"] if i in rows else "missing" for i in wanted)
            stuck = sorted(i for i in wanted if rows.get(i, {}).get("state") not in SETTLED)
            detail = stack.starter("status", stuck[0]).stdout if stuck else ""
            raise AssertionError(f"not settled after {timeout:.0f} s: {dict(states)}\n{detail}")
        time.sleep(1.0)


@dataclass
class Observed:
    items: int
    posted: int
    export_failed: int
    records: int
    stats: dict[str, Any]

    @property
    def injected_5xx(self) -> int:
        by_status = self.stats["by_status"]
        return sum(n for status, n in by_status.items() if status.startswith("5"))

    def line(self, scenario: str, **extra: Any) -> str:
        figures = {
            "items": self.items,
            "posted": self.posted,
            "export_failed": self.export_failed,
            "records": self.records,
            "sage_requests": self.stats["requests"],
            "5xx": self.injected_5xx,
            "dropped": self.stats["dropped"],
            "replayed": self.stats["replayed"],
            "429": self.stats["rate_limited"],
            **extra,
        }
        return f"[chaos {scenario}] " + " ".join(f"{k}={v}" for k, v in figures.items())


def assert_exactly_once(stack: Stack, workload: Workload, rows: dict[str, dict]) -> Observed:
    """Every good item posted, every seeded one export_failed with the Sage error, and Sage
    holds exactly one record per posted item: none deleted, none twice. (A posted commitment's
    workflow stays open for its unlink window, README "Links": posted is the end of its export.)"""
    for number in workload.good:
        row = rows[workload.item(number)]
        assert row["state"] == "posted", row
    for number in workload.failing:
        row = rows[workload.item(number)]
        assert (row["state"], row["error_code"]) == ("export_failed", "vendor_inactive"), row

    records = stack.admin("GET", "/admin/records/commitments")
    ever = Counter(r["commitment_id"] for r in records)
    live = Counter(r["commitment_id"] for r in records if not r.get("deleted"))
    duplicates = {code: n for code, n in ever.items() if n > 1}
    assert not duplicates, f"Sage holds duplicates: {duplicates}"
    assert live == Counter(workload.good), (
        f"missing in Sage: {sorted(set(workload.good) - set(live))}; "
        f"unexpected: {sorted(set(live) - set(workload.good))}"
    )
    assert ever == live, "a record was created, then deleted"
    stats = stack.admin("GET", "/admin/stats")
    assert stats["records"]["commitments"] == len(workload.good)
    return Observed(
        items=len(workload.numbers),
        posted=sum(rows[workload.item(n)]["state"] == "posted" for n in workload.numbers),
        export_failed=sum(
            rows[workload.item(n)]["state"] == "export_failed" for n in workload.numbers
        ),
        records=len(live),
        stats=stats,
    )
