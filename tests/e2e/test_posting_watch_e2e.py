"""Waiting for a person to post costs the company's watch, not each item (issue 17)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from contract.posting_watch import STATUS_QUERY, WatchStatus, watch_id
from tests.e2e.conftest import ROOT, Stack

ADMIN, APPROVER = "pm.alex", "acct.ana"
ITEMS = 4


def ok(done) -> str:
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr}"
    return done.stdout


async def watch_status(stack: Stack) -> WatchStatus:
    client = await Client.connect(
        f"127.0.0.1:{stack.temporal_port}", data_converter=pydantic_data_converter
    )
    handle = client.get_workflow_handle(watch_id(None, "erp-export"))
    return await handle.query(STATUS_QUERY, result_type=WatchStatus)


def own_looks(stack: Stack, batches: set[str]) -> int:
    """`GET /v1/batches/{id}` of these batches: their items' own looks (the watch reads the
    list). Other tests' items on this stack may look at theirs meanwhile; they do not count."""
    by_batch = stack.admin("GET", "/admin/stats")["batch_reads_by_batch"]
    return sum(n for batch, n in by_batch.items() if batch in batches)


async def test_budget_modifications_posted_by_hand_reach_posted_through_one_watch(
    stack: Stack, tmp_path: Path
):
    data = json.loads((ROOT / "examples" / "items" / "budget_modification-BM-001.json").read_text())
    items = []
    for n in range(ITEMS):
        number = f"W-BM-{n}"
        path = tmp_path / f"budget_modification-{number}.json"
        path.write_text(json.dumps({**data, "number": number}))
        ok(stack.starter("start", str(path), "--send", "--as", ADMIN))
        item = f"budget_modification:{data['project']}:{number}"
        ok(stack.starter("accept", item, "--as", APPROVER))
        items.append(item)
    batches = {item: stack.wait_for_state(item, "exported")["batches"] for item in items}

    ours = {batch for item in items for batch in batches[item]}
    before, reads_before = await watch_status(stack), own_looks(stack, ours)
    time.sleep(6)  # several of the watch's intervals, every item waiting
    after, reads_after = await watch_status(stack), own_looks(stack, ours)

    assert after.items >= ITEMS
    # every posting check while they wait is one of the company's looks, none an item's own
    assert reads_after == reads_before
    assert after.looks > before.looks

    for item in items:
        for batch in batches[item]:
            stack.admin("POST", f"/admin/batches/{batch}/post")
    for item in items:
        assert stack.wait_for_state(item, "posted")["state"] == "posted"
