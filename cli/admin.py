"""`settings apply FILE`, `keys new USER`, `setup`: what an ERP Admin or an operator does for a
whole project or cluster."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from temporalio.service import RPCError

from cli.common import add_actor, signed
from cli.output import out
from client.connection import open_client
from client.entities import project_syncs
from client.errors import NO_SUCH_ITEM, OK, REFUSED, UserError, rpc_error
from client.items import command, open_items_query, running
from client.projects import load_projects
from contract import erp_project as ep
from contract import prime_contract_sync as pcw
from contract.item import SETTINGS_COMMAND
from domain.commands import SettingsRequest
from domain.signing import new_key_pair
from runtime.config import Config
from runtime.connection import register_search_attributes


async def cmd_settings_apply(args: argparse.Namespace, cfg: Config) -> int:
    """Push project settings to every open item of each project in FILE, and to the project's
    ErpProject and prime contract syncs: each takes them only from an ERP Admin of the roster
    it already holds (the file's roster decides nothing), signed when that roster has a key."""
    projects = load_projects(Path(args.file))
    client = await open_client(cfg)
    failed = False
    for name, project in projects.projects.items():
        base = SettingsRequest(actor=args.actor, comment=args.comment, settings=project)
        took, refusals = 0, []
        for wf_id in await running(client, open_items_query(name), "settings apply"):
            request = signed(args, wf_id, SETTINGS_COMMAND, base)
            try:
                await command(client, wf_id, SETTINGS_COMMAND, request)
                took += 1
            except UserError as err:
                if err.code not in (REFUSED, NO_SUCH_ITEM):
                    raise
                refusals.append(str(err))
        line = f"{name}: settings taken by {took} open item(s), refused by {len(refusals)}"
        if refusals:
            line += f" (first: {refusals[0]})"
        out(line)
        project_wf = ep.workflow_id(name)
        for wf_id in [project_wf, *await project_syncs(client, name)]:
            result = ep.ProjectRecord if wf_id == project_wf else pcw.SyncStatus
            request = signed(args, wf_id, SETTINGS_COMMAND, base)
            try:
                await command(client, wf_id, SETTINGS_COMMAND, request, result)
                out(f"{name}: settings taken by {wf_id}")
            except UserError as err:
                if err.code == NO_SUCH_ITEM and wf_id == project_wf:
                    continue  # the project has no ErpProject workflow (yet): nothing to tell
                if err.code not in (REFUSED, NO_SUCH_ITEM):
                    raise
                refusals.append(str(err))
                out(f"{name}: settings refused: {err}")
        failed = failed or bool(refusals)
    return REFUSED if failed else OK


async def cmd_keys_new(args: argparse.Namespace, cfg: Config) -> int:
    folder = Path(args.dir)
    path = folder / f"{args.user}.key"
    if path.exists():
        raise UserError(f"{path} exists already; remove it first to replace the key", REFUSED)
    private, public = new_key_pair()
    folder.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(private + "\n")
    out(f"private key: {path} (keep it secret; never commit it)")
    out(f'public key for the roster: "{args.user}": {{..., "public_key": "{public}"}}')
    return OK


async def cmd_setup(args: argparse.Namespace, cfg: Config) -> int:
    """Register the custom search attributes on an existing cluster (idempotent)."""
    client = await open_client(cfg)
    try:
        added = await register_search_attributes(client, cfg.temporal_namespace)
    except RPCError as err:
        raise rpc_error(err, "setup") from None
    names = ", ".join(added) or "none (all were registered)"
    out(f"search attributes on namespace {cfg.temporal_namespace}: added {names}")
    return OK


def add_commands(command_: Any) -> None:
    p = command_("keys", cmd_keys_new, "create a signing key pair for a roster user")
    p.add_argument("action", choices=["new"])
    p.add_argument("user", metavar="USER")
    p.add_argument("--dir", default="keys", help="where USER.key is written (default: keys/)")

    p = command_(
        "settings",
        cmd_settings_apply,
        "push project settings to open items (taken only from an ERP Admin of their roster)",
    )
    p.add_argument("action", choices=["apply"])
    p.add_argument("file", metavar="FILE")
    add_actor(p)
    p.add_argument("--comment")

    command_("setup", cmd_setup, "register the search attributes on an existing cluster")
