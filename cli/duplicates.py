"""`link-existing ITEM` and `export-as ITEM NEW_ID` (an ERP Admin): what to do with a record Sage
already holds under the item's code that differs from what was sent (issue 20). `status`
shows our fields beside Sage's (`print_duplicate`); the item workflow decides
(domain/duplicates.py)."""

from __future__ import annotations

import argparse
from typing import Any

from pydantic import ValidationError

from cli.common import add_actor, signed
from cli.output import out
from client.connection import open_client
from client.errors import OK, USAGE, UserError
from client.items import command
from contract.item import EXPORT_AS_COMMAND, LINK_EXISTING_COMMAND
from domain.commands import CommandRequest
from domain.duplicates import ExportAsRequest
from domain.status import ItemStatus
from runtime.config import Config


def print_duplicate(status: ItemStatus) -> None:
    """Our fields beside Sage's, and the two commands."""
    duplicate = status.duplicate
    if duplicate is None:
        return
    out(f"  Sage already holds a different record ({duplicate.code}, step {duplicate.step}):")
    rows = duplicate.differences() or [("(none)", "", "")]
    width = max(len(name) for name, _, _ in rows)
    out(f"    {'field':<{width}}  {'ours':<30}  sage")
    for name, ours, theirs in rows:
        out(f"    {name:<{width}}  {ours:<30}  {theirs}")
    item = status.workflow_id
    out(f"    an ERP Admin: starter.py {LINK_EXISTING_COMMAND} {item} --as USER")
    out(f"             or: starter.py {EXPORT_AS_COMMAND} {item} NEW_ID --as USER")


async def _run(args: argparse.Namespace, cfg: Config, name: str, request: Any) -> int:
    client = await open_client(cfg)
    status = await command(client, args.item, name, signed(args, args.item, name, request))
    out(f"{status.workflow_id}: {name} taken; now {status.state.value}: {status.next_action}")
    return OK


async def cmd_link_existing(args: argparse.Namespace, cfg: Config) -> int:
    request = CommandRequest(actor=args.actor, comment=args.comment)
    return await _run(args, cfg, LINK_EXISTING_COMMAND, request)


async def cmd_export_as(args: argparse.Namespace, cfg: Config) -> int:
    try:
        request = ExportAsRequest(actor=args.actor, new_id=args.new_id, comment=args.comment)
    except ValidationError as err:
        problem = err.errors()[0]["msg"] if err.errors() else str(err)
        raise UserError(f"export-as: NEW_ID {args.new_id!r}: {problem}", USAGE) from None
    return await _run(args, cfg, EXPORT_AS_COMMAND, request)


def add_commands(command_: Any) -> None:
    p = command_(
        LINK_EXISTING_COMMAND,
        cmd_link_existing,
        "an ERP Admin takes the record Sage already holds (differing) as this item's export",
    )
    p.add_argument("item", metavar="ITEM")
    add_actor(p)
    p.add_argument("--comment")
    p = command_(
        EXPORT_AS_COMMAND,
        cmd_export_as,
        "an ERP Admin exports a failed item again under an unused Sage ID",
    )
    p.add_argument("item", metavar="ITEM")
    p.add_argument("new_id", metavar="NEW_ID")
    add_actor(p)
    p.add_argument("--comment")
