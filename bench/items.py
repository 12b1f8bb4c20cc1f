"""Item files and commands for the benchmarks, made from the examples a user reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle

from bench.stack import ROOT, bounded
from client.items import command as run_command
from client.items import start_item
from client.projects import load_projects
from domain.commands import CommandRequest
from domain.items import ItemBase, parse_item
from domain.settings import ProjectSettings, ProjectsFile
from domain.status import ItemStatus
from runtime.config import Config

EXAMPLES = ROOT / "examples" / "items"
ADMIN = "pm.alex"
"""Admin on every item tool: sends."""
APPROVER = "acct.admin"
"""ERP admin with Can Push to Accounting: may accept every type (PCCOs need ERP admin)."""
CONCURRENCY = 64
"""Calls in flight at once from a benchmark client, as `starter.py start` does."""


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def copies(template: str, prefix: str, count: int) -> list[ItemBase]:
    """`count` copies of an example, numbered `<prefix>00001`..: short enough for every Sage
    ID limit (commitment IDs take 12 characters)."""
    data = example(template)
    return [parse_item({**data, "number": f"{prefix}{n:05d}"}) for n in range(1, count + 1)]


def write_copies(template: str, prefix: str, count: int, folder: Path) -> list[str]:
    """The same copies as item files in `folder`, as a user would have them; their IDs."""
    data = example(template)
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for n in range(1, count + 1):
        number = f"{prefix}{n:05d}"
        (folder / f"{data['type']}-{number}.json").write_text(
            json.dumps({**data, "number": number})
        )
        ids.append(f"{data['type']}:{data['project']}:{number}")
    return ids


def projects(cfg: Config) -> ProjectsFile:
    return load_projects(cfg.erp_projects_file)


def project(cfg: Config, item: ItemBase) -> ProjectSettings:
    return projects(cfg).projects[item.project]


async def start_all(client: Client, cfg: Config, items: list[ItemBase]) -> None:
    found = projects(cfg)
    await bounded(
        CONCURRENCY,
        (
            lambda item=item: start_item(client, cfg, item, found.projects[item.project])
            for item in items
        ),
    )


async def status(client: Client, workflow_id: str) -> ItemStatus:
    return await client.get_workflow_handle(workflow_id).query("status", result_type=ItemStatus)


async def settled(client: Client, items: list[ItemBase]) -> None:
    """Wait until each item has run its first workflow task (a query needs a worker, and it
    adds nothing to the history), so later commands are not batched with the start."""
    await bounded(32, (lambda item=item: status(client, item.workflow_id) for item in items))


async def send(client: Client, workflow_id: str) -> ItemStatus:
    return await run_command(client, workflow_id, "send", CommandRequest(actor=ADMIN))


async def send_all(client: Client, items: list[ItemBase]) -> None:
    await bounded(CONCURRENCY, (lambda item=item: send(client, item.workflow_id) for item in items))


def handle(client: Client, workflow_id: str) -> WorkflowHandle[Any, Any]:
    return client.get_workflow_handle(workflow_id)
