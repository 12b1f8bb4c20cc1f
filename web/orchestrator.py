"""The page's one door to Temporal: list items, read an item's status, give a command.

Every command is the update the command line sends (domain.commands / domain.approval
requests), in the logged-in user's name, signed with their key from ERP_SIGNING_KEYS_DIR when
they have one (the workflow's rules: a user with a registered key must sign; a signature from
a user without one counts as unsigned). Failures become one `ActionError` with a message a
person can read; nothing here prints a traceback to a page.

Until the house's client layer lands, this adapter talks to Temporal itself (runtime's
`connect`, the same update names, the same failure mapping as the command line).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from contract import search_attributes as sa
from domain.approval import Approval, RespondRequest
from domain.signing import load_private_key, sign
from domain.status import ItemStatus

ITEM_WORKFLOW = "ErpItem"
LIST_LIMIT = 500


class ActionError(Exception):
    """A command or a read that did not happen, said in words (and an HTTP status)."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class ItemRow:
    """One item as visibility lists it (no query needed)."""

    workflow_id: str
    item_type: str
    project: str
    state: str
    export_mode: str
    amount: float | None
    error_code: str | None
    attention: str | None
    running: bool


def _quoted(value: str) -> str:
    if '"' in value or "\\" in value:
        raise ActionError(f"a filter value may not contain quotes: {value!r}", 400)
    return f'"{value}"'


def visibility_query(
    projects: list[str], states: list[str] | None = None, item_type: str | None = None
) -> str:
    clauses = [f"WorkflowType = '{ITEM_WORKFLOW}'", "ExecutionStatus = 'Running'"]
    clauses.append(f"{sa.PROJECT.name} IN ({', '.join(_quoted(p) for p in projects)})")
    if states:
        clauses.append(f"{sa.STATE.name} IN ({', '.join(_quoted(s) for s in states)})")
    if item_type:
        clauses.append(f"{sa.ITEM_TYPE.name} = {_quoted(item_type)}")
    return " AND ".join(clauses)


def _message(err: BaseException) -> str:
    cause = getattr(err, "cause", None)
    if isinstance(cause, ApplicationError):
        return cause.message
    text = str(cause or err).strip()
    return text.splitlines()[0] if text else type(err).__name__


class Orchestrator:
    def __init__(self, client: Client, keys_dir: Path | None = None) -> None:
        self.client = client
        self.keys_dir = keys_dir

    @classmethod
    def keys_from_env(cls) -> Path | None:
        folder = os.environ.get("ERP_SIGNING_KEYS_DIR")
        return Path(folder) if folder else None

    # --- reading ---

    async def items(
        self, projects: list[str], states: list[str] | None = None, item_type: str | None = None
    ) -> list[ItemRow]:
        if not projects:
            return []
        rows: list[ItemRow] = []
        try:
            query = visibility_query(projects, states, item_type)
            async for wf in self.client.list_workflows(query, limit=LIST_LIMIT):
                attrs = wf.typed_search_attributes
                rows.append(
                    ItemRow(
                        workflow_id=wf.id,
                        item_type=attrs.get(sa.ITEM_TYPE) or "",
                        project=attrs.get(sa.PROJECT) or "",
                        state=attrs.get(sa.STATE) or "",
                        export_mode=attrs.get(sa.EXPORT_MODE) or "",
                        amount=attrs.get(sa.AMOUNT),
                        error_code=attrs.get(sa.ERROR_CODE),
                        attention=attrs.get(sa.ATTENTION),
                        running=wf.status == WorkflowExecutionStatus.RUNNING,
                    )
                )
        except RPCError as err:
            raise ActionError(f"Temporal cannot list items: {err.message}", 503) from None
        return sorted(rows, key=lambda r: r.workflow_id)

    async def status(self, workflow_id: str) -> ItemStatus:
        handle = self.client.get_workflow_handle(workflow_id)
        try:
            return await handle.query("status", result_type=ItemStatus)
        except RPCError as err:
            if err.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.INVALID_ARGUMENT):
                raise ActionError(f"{workflow_id}: no such item", 404) from None
            raise ActionError(f"Temporal cannot be reached: {err.message}", 503) from None
        except (WorkflowQueryFailedError, WorkflowFailureError) as err:
            raise ActionError(f"{workflow_id}: {_message(err)}", 409) from None

    # --- commands ---

    async def command(self, user: str, workflow_id: str, name: str, request: Any) -> ItemStatus:
        """`name` (accept, reject, retry, reset, ...) as `user`: the request names them, and
        carries their signature when they have a key."""
        if getattr(request, "actor", None) != user:
            raise ActionError("a command is given in the logged-in user's name only", 403)
        return await self._update(workflow_id, name, self._signed(user, workflow_id, name, request))

    async def respond(self, user: str, workflow_id: str, request: RespondRequest) -> Approval:
        """A response to the item's current approval step (its approval workflow's update)."""
        if request.actor != user:
            raise ActionError("a response is given in the logged-in user's name only", 403)
        status = await self.status(workflow_id)
        child = status.approval_workflow_id
        if not child:
            raise ActionError(f"{workflow_id}: no approval step is waiting for a response")
        signed = self._signed(user, child, "respond", request)
        return await self._update(child, "respond", signed, Approval)

    def _signed(self, user: str, target: str, name: str, request: BaseModel) -> Any:
        if self.keys_dir is None:
            return request
        path = self.keys_dir / f"{user}.key"
        if not path.exists():
            return request
        try:
            key = load_private_key(path.read_text())
        except (OSError, ValueError) as err:
            raise ActionError(f"{user}'s signing key cannot be read ({err})", 500) from None
        signature = sign(key, target, name, request.signed_arguments(), datetime.now(UTC))  # type: ignore[attr-defined]
        return request.model_copy(update={"signature": signature})

    async def _update(
        self, workflow_id: str, name: str, request: Any, result_type: type = ItemStatus
    ) -> Any:
        handle = self.client.get_workflow_handle(workflow_id)
        try:
            return await handle.execute_update(name, request, result_type=result_type)
        except WorkflowUpdateFailedError as err:
            raise ActionError(_message(err), 409) from None
        except WorkflowUpdateRPCTimeoutOrCancelledError:
            raise ActionError(
                f"Temporal did not confirm the {name} in time; it may still take effect "
                "(reload the page)",
                504,
            ) from None
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise ActionError(
                    f"{workflow_id}: the item is finished or does not exist; nothing more can "
                    "be done",
                    409,
                ) from None
            raise ActionError(f"Temporal cannot be reached: {err.message}", 503) from None
