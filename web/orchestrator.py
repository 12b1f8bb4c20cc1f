"""The page's one door to the orchestrator: list items, read an item's status, give a command,
all through the client layer (client/) the command line uses: the same update names, the same
signing, the same mapping of failures to words.

Every command is the update the command line sends (domain.commands / domain.approval
requests), in the logged-in user's name, signed with their key from ERP_SIGNING_KEYS_DIR when
they have one (the workflow's rules: a user with a registered key must sign; a signature from
a user without one counts as unsigned). Failures become one `ActionError` with a message a
person can read and an HTTP status; nothing here prints a traceback to a page.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from temporalio.client import Client

from client import items as item_client
from client.errors import NO_SUCH_ITEM, REFUSED, UNREACHABLE, USAGE, UserError
from client.signing import signed
from contract.approval import RESPOND
from domain.approval import Approval, RespondRequest
from domain.status import ItemStatus

LIST_LIMIT = 500

HTTP_STATUS = {REFUSED: 409, USAGE: 400, NO_SUCH_ITEM: 404, UNREACHABLE: 503}
"""The command line's exit codes (client/errors.py), as the page's HTTP answers."""


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


def _action_error(err: UserError) -> ActionError:
    return ActionError(str(err), HTTP_STATUS.get(err.code, 409))


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
        """The running items of `projects` (in `states`, of `item_type` when given)."""
        if not projects:
            return []
        filters = {"project": projects, "state": states, "type": item_type}
        try:
            found = await item_client.list_items(
                self.client, filters, LIST_LIMIT, running_only=True
            )
        except UserError as err:
            raise _action_error(err) from None
        rows = [
            ItemRow(
                workflow_id=row["item"],
                item_type=row["type"] or "",
                project=row["project"] or "",
                state=row["state"] or "",
                export_mode=row["export_mode"] or "",
                amount=row["amount"],
                error_code=row["error_code"],
                attention=row["attention"],
                running=row["running"],
            )
            for row in found
        ]
        return sorted(rows, key=lambda r: r.workflow_id)

    async def status(self, workflow_id: str) -> ItemStatus:
        try:
            return await item_client.item_status(self.client, workflow_id)
        except UserError as err:
            raise _action_error(err) from None

    # --- commands ---

    async def command(self, user: str, workflow_id: str, name: str, request: Any) -> ItemStatus:
        """`name` (accept, reject, retry, reset, ...) as `user`: the request names them, and
        carries their signature when they have a key."""
        if getattr(request, "actor", None) != user:
            raise ActionError("a command is given in the logged-in user's name only", 403)
        return await self._update(workflow_id, name, request, user)

    async def respond(self, user: str, workflow_id: str, request: RespondRequest) -> Approval:
        """A response to the item's current approval step (its approval workflow's update)."""
        if request.actor != user:
            raise ActionError("a response is given in the logged-in user's name only", 403)
        status = await self.status(workflow_id)
        child = status.approval_workflow_id
        if not child:
            raise ActionError(f"{workflow_id}: no approval step is waiting for a response")
        return await self._update(child, RESPOND, request, user, Approval, label=workflow_id)

    async def _update(
        self,
        workflow_id: str,
        name: str,
        request: Any,
        user: str,
        result_type: type = ItemStatus,
        label: str | None = None,
    ) -> Any:
        key = self.keys_dir / f"{user}.key" if self.keys_dir else None
        try:
            request = signed(request, workflow_id, name, key if key and key.exists() else None)
            return await item_client.command(
                self.client, workflow_id, name, request, result_type, label=label
            )
        except UserError as err:
            raise _action_error(err) from None
