"""`links PROJECT|COMPANY [--json]`: what is synced with what (the link registry), and
`unlink ITEM --as USER`: a person ends an item's link without touching Sage (issue 16)."""

from __future__ import annotations

import argparse
from typing import Any

from cli import output
from cli.common import add_actor, signed
from cli.output import out
from client.connection import open_client
from client.errors import OK
from client.items import command
from client.links import links_of
from contract.links import UNLINK_COMMAND
from domain.commands import CommandRequest
from runtime.config import Config


async def cmd_links(args: argparse.Namespace, cfg: Config) -> int:
    client = await open_client(cfg)
    view = await links_of(client, args.name)
    if args.json:
        out(view.model_dump_json(indent=2))
        return OK
    live = view.registry.links
    out(f"{view.home}: {len(live)} link(s)")
    rows = [
        [ln.kind.value, ln.procore, ln.sage_id, ln.origin.value, ln.parent or "", ln.item or ""]
        for ln in live
    ]
    rows += [
        ["vendor", company, vendor, "vendor link", "", ""]
        for company, vendor in sorted(view.directory_vendors.items())
    ]
    if rows:
        output.table(["KIND", "PROCORE", "SAGE", "HOW", "ON", "ITEM"], rows, indent=2)
    if view.registry.ended:
        out(f"  ended lately: {len(view.registry.ended)}")
        for ended in view.registry.ended[-10:]:
            out(
                f"    {ended.describe()}: unlinked by {ended.ended_by} "
                f"{ended.ended_at:%Y-%m-%d %H:%M} UTC"
            )
    return OK


async def cmd_unlink(args: argparse.Namespace, cfg: Config) -> int:
    client = await open_client(cfg)
    request = signed(
        args, args.item, UNLINK_COMMAND, CommandRequest(actor=args.actor, comment=args.comment)
    )
    status = await command(client, args.item, UNLINK_COMMAND, request)
    out(
        f"{status.workflow_id}: unlinked (Sage untouched); now {status.state.value}: "
        f"{status.next_action}"
    )
    return OK


def add_commands(command_: Any) -> None:
    p = command_("links", cmd_links, "what a project's or a Sage company's records are synced with")
    p.add_argument("name", metavar="PROJECT|COMPANY")
    p.add_argument("--json", action="store_true")
    p = command_(
        UNLINK_COMMAND,
        cmd_unlink,
        "end a synced item's link (Sage untouched); it can be edited and sent again",
    )
    p.add_argument("item", metavar="ITEM")
    add_actor(p)
    p.add_argument("--comment")
