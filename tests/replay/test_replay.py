"""Every recorded history must still replay on today's workflow code (non-determinism check)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from runtime.sandbox import RUNNER
from workflows.approval import ApprovalWorkflow
from workflows.erp_company import ErpCompany
from workflows.erp_project import ErpProject
from workflows.item import ItemWorkflow
from workflows.posting_watch import PostingWatch

HISTORIES = sorted((Path(__file__).resolve().parents[1] / "histories").glob("*.json"))


def test_histories_were_recorded():
    assert len(HISTORIES) >= 5, "run `make histories` to record them"


def recorded_id(path: Path) -> str:
    """The ID the history ran under (a workflow that reads its own ID, to name its approval
    child say, replays only under that ID): tests/record_histories.py names an item
    `{type}:{project}:{number}:{scenario}`; other workflows replay under the file's name."""
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    started = history.events[0].workflow_execution_started_event_attributes
    try:
        start = json.loads(started.input.payloads[0].data)
        item = start["item"]
        scenario = path.stem.split("-", 1)[1]
        return f"{item['type']}:{item['project']}:{item['number']}:{scenario}"
    except (IndexError, KeyError, TypeError, ValueError):
        return path.stem


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_history_replays(path: Path):
    history = WorkflowHistory.from_json(recorded_id(path), path.read_text())
    replayer = Replayer(
        workflows=[ItemWorkflow, ApprovalWorkflow, ErpProject, ErpCompany, PostingWatch],
        data_converter=pydantic_data_converter,
        workflow_runner=RUNNER,
    )
    await replayer.replay_workflow(history)
