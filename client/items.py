"""Items: start them, command them (updates), read their status, list and follow them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from client.errors import REFUSED, USAGE, UserError, first_line, rpc_error, update_error
from contract import item as item_contract
from contract import search_attributes as sa
from domain.items import ItemBase
from domain.lifecycle import State
from domain.settings import ProjectSettings
from domain.status import AuditEntry, ItemStatus, ItemWorkflowInput
from runtime.config import Config

SETTLED = frozenset({State.POSTED, State.CANCELLED, State.EXPORT_FAILED, State.REJECTED})
"""Where `watch` stops: the item waits on nobody's command but a person's decision."""

FILTERS = {
    "state": sa.STATE,
    "type": sa.ITEM_TYPE,
    "project": sa.PROJECT,
    "error_code": sa.ERROR_CODE,
    "attention": sa.ATTENTION,
}
"""What `list_items` filters on, by name."""


def start_attributes(item: ItemBase, project: ProjectSettings) -> TypedSearchAttributes:
    return sa.typed(
        sa.item_values(
            item_type=item.type.value,
            project=item.project,
            state=State.DRAFT.value,
            export_mode=project.export_mode(item.type).value,
            amount=float(item.amount),
        )
    )


async def start_item(
    client: Client, cfg: Config, item: ItemBase, project: ProjectSettings
) -> WorkflowHandle[Any, Any]:
    try:
        return await client.start_workflow(
            item_contract.WORKFLOW_TYPE,
            ItemWorkflowInput(item=item.model_dump(mode="json"), settings=project),
            id=item.workflow_id,
            task_queue=cfg.temporal_task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=start_attributes(item, project),
            static_summary=item.summary(),
        )
    except WorkflowAlreadyStartedError:
        raise UserError(f"{item.workflow_id}: already started", REFUSED) from None
    except RPCError as err:
        raise rpc_error(err, item.workflow_id) from None


async def command(
    client: Client,
    wf_id: str,
    name: str,
    request: Any,
    result_type: type = ItemStatus,
    *,
    label: str | None = None,
    missing: str | None = None,
) -> Any:
    """Run the update `name` on `wf_id` (an item's command, or any workflow's): its answer, or
    the UserError that says why not (client/errors.py `update_error`)."""
    handle = client.get_workflow_handle(wf_id)
    try:
        return await handle.execute_update(name, request, result_type=result_type)
    except (WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, RPCError) as err:
        finished = isinstance(err, RPCError) and await _finished(handle)
        check = f"starter.py status {wf_id}" if result_type is ItemStatus else None
        mapped = update_error(
            err, wf_id, name, label=label, finished=finished, missing=missing, check=check
        )
        assert mapped is not None
        raise mapped from None


async def _finished(handle: WorkflowHandle[Any, Any]) -> bool:
    try:
        described = await handle.describe()
    except RPCError:
        return False
    return described.status != WorkflowExecutionStatus.RUNNING


async def item_status(client: Client, item: str) -> ItemStatus:
    try:
        return await client.get_workflow_handle(item).query(
            item_contract.STATUS_QUERY, result_type=ItemStatus
        )
    except RPCError as err:
        raise rpc_error(err, item) from None
    except WorkflowFailureError as err:
        raise UserError(f"{item}: {first_line(err)}", REFUSED) from None


Filters = Mapping[str, str | Sequence[str] | None]
"""FILTERS by name: one value (equal to it), several (any of them), or None (no filter)."""


def visibility_query(filters: Filters, running_only: bool = False) -> str:
    """Items matching every given filter (FILTERS names them)."""
    clauses = [f"WorkflowType = '{item_contract.WORKFLOW_TYPE}'"]
    for name, value in filters.items():
        values = [value] if isinstance(value, str) else list(value or [])
        if not any(values):
            continue
        for one in values:
            if '"' in one or "\\" in one:
                raise UserError(f"filter value {one!r} may not contain quotes", USAGE)
        attribute = FILTERS[name].name
        quoted = [f'"{one}"' for one in values]
        if len(quoted) == 1:
            clauses.append(f"{attribute} = {quoted[0]}")
        else:
            clauses.append(f"{attribute} IN ({', '.join(quoted)})")
    if running_only:
        clauses.append("ExecutionStatus = 'Running'")
    return " AND ".join(clauses)


def open_items_query(project: str) -> str:
    """The project's running items."""
    return visibility_query({"project": project}, running_only=True)


async def list_items(
    client: Client, filters: Filters, limit: int = 1000, running_only: bool = False
) -> list[dict[str, Any]]:
    """One row per item: its ID, search attributes, and whether it still runs."""
    rows: list[dict[str, Any]] = []
    try:
        query = visibility_query(filters, running_only)
        async for wf in client.list_workflows(query, limit=limit):
            attrs = wf.typed_search_attributes
            rows.append(
                {
                    "item": wf.id,
                    "type": attrs.get(sa.ITEM_TYPE),
                    "project": attrs.get(sa.PROJECT),
                    "state": attrs.get(sa.STATE),
                    "export_mode": attrs.get(sa.EXPORT_MODE),
                    "amount": attrs.get(sa.AMOUNT),
                    "error_code": attrs.get(sa.ERROR_CODE),
                    "attention": attrs.get(sa.ATTENTION),
                    "running": wf.status == WorkflowExecutionStatus.RUNNING,
                }
            )
    except RPCError as err:
        raise rpc_error(err, "list") from None
    return rows


async def running(client: Client, query: str, label: str) -> list[str]:
    """The IDs of the workflows a visibility query finds."""
    try:
        return [wf.id async for wf in client.list_workflows(query)]
    except RPCError as err:
        raise rpc_error(err, label) from None


async def watch(
    client: Client, item: str, interval: float = 1.0
) -> AsyncIterator[tuple[list[AuditEntry], ItemStatus]]:
    """The item's new audit entries and status on each look, until it settles (SETTLED)."""
    seen = 0
    while True:
        status = await item_status(client, item)
        yield status.audit[seen:], status
        seen = len(status.audit)
        if status.state in SETTLED:
            return
        await asyncio.sleep(interval)
