"""The item commands: start, send, retrieve, resend, cancel, edit, accept, retry, reject,
respond, reset, status, list, watch."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cli import output
from cli.common import add_actor, item_files, read_item, signed
from cli.duplicates import print_duplicate
from cli.output import out
from client.connection import open_client
from client.errors import OK, REFUSED, UNREACHABLE, USAGE, UserError
from client.items import command, item_status, list_items, start_item, watch
from client.projects import find_project, load_projects
from contract.approval import RESPOND
from domain import erp
from domain.approval import Approval, RespondRequest, Response
from domain.commands import AcceptRequest, CommandRequest, EditRequest, RejectRequest, ResetRequest
from domain.items import ItemBase, ItemType, parse_item
from domain.lifecycle import State
from domain.settings import ProjectSettings
from domain.status import AuditEntry, ItemStatus
from domain.text import printable
from runtime.config import Config

START_CONCURRENCY = 64


def parse_fields(pairs: Sequence[str] | None) -> dict[str, str]:
    fields = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UserError(f"--field {pair!r}: expected KEY=VALUE", USAGE)
        fields[key.strip()] = value
    return fields


# --- printing ---


def print_status(status: ItemStatus, as_json: bool) -> None:
    if as_json:
        out(status.model_dump_json(indent=2))
        return
    item = parse_item(status.item)
    out(f"{status.workflow_id}  [{status.state.value}]")
    out(f"  {item.summary()}")
    out(f"  export mode: {status.export_mode.value}")
    out(f"  next: {status.next_action}")
    for warning in status.warnings:
        out(f"  warning: {warning}")
    if status.forecast:  # issue 18: seeds/004 Cost Forecast Data
        off = "not exported: the project's Export Forecast Amounts is off"
        out(f"  cost forecast ({'exported with the item' if status.exports_forecast else off}):")
        for line in status.forecast:
            out(f"    {line}")
    if status.export_fields:
        out("  export fields: " + ", ".join(f"{k}={v}" for k, v in status.export_fields.items()))
    if status.sage_ids:
        out("  sage: " + ", ".join(f"{k}={v}" for k, v in status.sage_ids.items()))
    if status.links:
        out("  links: " + ", ".join(f"{k}={v}" for k, v in status.links.items()))
    if status.batches:
        out("  batches: " + ", ".join(status.batches))
    if status.approval and status.approval_workflow_id:
        out(f"  approval: {status.approval.describe()} [{status.approval_workflow_id}]")
    for leftover in status.leftovers:
        out(f"  left in Sage (reset undoes it): {leftover.summary}")
    if status.last_error:
        error = status.last_error
        out(f"  last error [{error.code}]: {error.message}")
        out(f"    cause: {error.cause}")
        out(f"    solution: {error.solution}")
        out(f"    this tool: {error.what_this_tool_did}")
        if error.seed_solution:
            out(f'    the vendor\'s advice: "{error.seed_solution}"')
    print_duplicate(status)  # issue 20: a duplicate that differs, ours beside Sage's
    output.table(
        ["AT (UTC)", "ACTOR", "ACTION", "OUTCOME", "STATE", "DETAIL"],
        (
            [
                f"{entry.at:%Y-%m-%d %H:%M:%S}",
                entry.actor,
                entry.action,
                entry.outcome.value,
                f"{entry.state_before.value} -> {entry.state_after.value}",
                " ".join(
                    part
                    for part in (entry.detail, f'"{entry.comment}"' if entry.comment else "")
                    if part
                ),
            ]
            for entry in status.audit
        ),
        title="audit:",
        indent=2,
    )


def print_outcome(status: ItemStatus) -> None:
    out(f"{status.workflow_id}: {status.state.value}; next: {status.next_action}")


def audit_line(entry: AuditEntry) -> str:
    detail = f" — {printable(entry.detail)}" if entry.detail else ""
    return (
        f"{entry.at:%H:%M:%S} {printable(entry.actor)}: {printable(entry.action)} "
        f"({entry.outcome.value}) {entry.state_before.value} -> {entry.state_after.value}{detail}"
    )


def print_list(rows: list[dict[str, Any]]) -> None:
    output.table(
        ["ITEM", "STATE", "AMOUNT", "ERROR", "ATTENTION"],
        (
            [
                r["item"],
                r["state"] or "?",
                f"{r['amount']:,.2f}" if r["amount"] is not None else "",
                r["error_code"] or "",
                r["attention"] or "",
            ]
            for r in rows
        ),
        right=["AMOUNT"],
    )


# --- commands ---


async def cmd_start(args: argparse.Namespace, cfg: Config) -> int:
    if args.send and not args.actor:
        raise UserError("--send needs --as USER", USAGE)
    projects = load_projects(cfg.erp_projects_file)
    problems: list[str] = []
    planned: list[tuple[ItemBase, ProjectSettings]] = []
    refused: list[str] = []
    for path in item_files(args.paths):
        try:
            item = read_item(path)
            project = find_project(projects, item.project, cfg.erp_projects_file, str(path))
        except UserError as err:
            problems.append(str(err))
            continue
        try:
            erp.require_export(project.erp, item.type, project.project)
        except erp.ErpRefused as err:  # the project's ERP cannot take it: refused, not started
            refused.append(f"{path}: not started: {err}")
            continue
        planned.append((item, project))
    if problems:
        raise UserError(
            "nothing started; fix these files first:\n  " + "\n  ".join(problems), USAGE
        )
    client = await open_client(cfg)
    gate = asyncio.Semaphore(START_CONCURRENCY)
    unreachable: list[str] = []
    began = time.monotonic()

    async def one(item: ItemBase, project: ProjectSettings, count: Callable[[], None]) -> None:
        async with gate:
            try:
                await start_item(client, cfg, item, project)
                if args.send:
                    send = signed(args, item.workflow_id, "send", CommandRequest(actor=args.actor))
                    await command(client, item.workflow_id, "send", send)
                if len(planned) <= 20:
                    out(f"started {item.workflow_id}" + (" and sent it" if args.send else ""))
            except UserError as err:
                (refused if err.code == REFUSED else unreachable).append(str(err))
            count()

    with output.progress(len(planned), "starting") as count:
        await asyncio.gather(*(one(item, project, count) for item, project in planned))
    elapsed = time.monotonic() - began
    if len(planned) > 20:
        rate = len(planned) / elapsed if elapsed else 0.0
        out(
            f"started {len(planned) - len(refused) - len(unreachable)} of {len(planned)} items "
            f"in {elapsed:.1f} s ({rate:.0f}/s)"
        )
    for message in refused + unreachable:
        out(message, file=sys.stderr)
    if unreachable:
        return UNREACHABLE
    return REFUSED if refused else OK


async def _command(args: argparse.Namespace, cfg: Config, request: CommandRequest) -> int:
    client = await open_client(cfg)
    request = signed(args, args.item, args.command, request)
    print_outcome(await command(client, args.item, args.command, request))
    return OK


async def cmd_simple(args: argparse.Namespace, cfg: Config) -> int:
    return await _command(args, cfg, CommandRequest(actor=args.actor, comment=args.comment))


async def cmd_edit(args: argparse.Namespace, cfg: Config) -> int:
    item = read_item(Path(args.file))
    request = EditRequest(actor=args.actor, item=item.model_dump(mode="json"), comment=args.comment)
    return await _command(args, cfg, request)


async def cmd_accept(args: argparse.Namespace, cfg: Config) -> int:
    request = AcceptRequest(actor=args.actor, fields=parse_fields(args.field), comment=args.comment)
    return await _command(args, cfg, request)


async def cmd_reject(args: argparse.Namespace, cfg: Config) -> int:
    if not args.reason.strip():
        raise UserError("--reason can't be blank", USAGE)
    return await _command(args, cfg, RejectRequest(actor=args.actor, reason=args.reason))


async def cmd_respond(args: argparse.Namespace, cfg: Config) -> int:
    """Answer the current step of an item's delegated approval workflow."""
    request = RespondRequest(actor=args.actor, response=args.response, comment=args.comment)
    client = await open_client(cfg)
    status = await item_status(client, args.item)
    if not status.approval_workflow_id:
        raise UserError(
            f"{args.item}: no approval workflow is waiting for a response "
            f"(the item is {status.state.value}, Direct Export {status.export_mode.value})",
            REFUSED,
        )
    request = signed(args, status.approval_workflow_id, RESPOND, request)
    approval = await command(client, status.approval_workflow_id, RESPOND, request, Approval)
    out(f"{args.item}: {args.response} recorded; {approval.describe()}")
    return OK


async def cmd_reset(args: argparse.Namespace, cfg: Config) -> int:
    request = ResetRequest(actor=args.actor, to=args.to, comment=args.comment)
    return await _command(args, cfg, request)


async def cmd_status(args: argparse.Namespace, cfg: Config) -> int:
    client = await open_client(cfg)
    print_status(await item_status(client, args.item), args.json)
    return OK


async def cmd_list(args: argparse.Namespace, cfg: Config) -> int:
    filters = {
        "state": args.state,
        "type": args.type,
        "project": args.project,
        "error_code": args.error_code,
        "attention": args.attention,
    }
    client = await open_client(cfg)
    rows = await list_items(client, filters, args.limit)
    if args.json:
        out(json.dumps(rows, indent=2))
        return OK
    print_list(rows)
    out(f"{len(rows)} item(s)")
    return OK


async def cmd_watch(args: argparse.Namespace, cfg: Config) -> int:
    client = await open_client(cfg)
    with output.waiting(f"{args.item}: waiting ...") as show:
        async for entries, status in watch(client, args.item, args.interval):
            for entry in entries:
                out(entry.model_dump_json() if args.json else audit_line(entry), flush=True)
            show(f"{status.workflow_id} is {status.state.value}; next: {status.next_action}")
            last = status
    if args.json:
        out(last.model_dump_json())
    else:
        out(f"{last.workflow_id} settled in {last.state.value}; next: {last.next_action}")
    return OK


def add_commands(command_: Any) -> None:
    """Register the item commands on the parser."""
    p = command_("start", cmd_start, "start one workflow per item file")
    p.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
    p.add_argument("--send", action="store_true", help="send each item once started")
    add_actor(p, required=False)

    for name, help_text in (
        ("send", "send a draft item to the accounting approver (or straight to export)"),
        ("retrieve", "take a sent item back to draft before anyone responds"),
        ("resend", "send a rejected item again"),
        ("cancel", "cancel an item that is not exported yet"),
    ):
        p = command_(name, cmd_simple, help_text)
        p.add_argument("item", metavar="ITEM")
        add_actor(p)
        p.add_argument("--comment")

    p = command_("edit", cmd_edit, "replace a draft or rejected item with the content of FILE")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("file", metavar="FILE")
    add_actor(p)
    p.add_argument("--comment")

    for name, help_text in (
        ("accept", "accept a sent item for export, with the export fields Sage needs"),
        ("retry", "export a failed item again, optionally with changed fields"),
    ):
        p = command_(name, cmd_accept, help_text)
        p.add_argument("item", metavar="ITEM")
        add_actor(p)
        p.add_argument("--field", action="append", metavar="KEY=VALUE")
        p.add_argument("--comment")

    p = command_("reject", cmd_reject, "reject a sent or failed item, with the reason")
    p.add_argument("item", metavar="ITEM")
    add_actor(p)
    p.add_argument("--reason", required=True)

    p = command_("respond", cmd_respond, "answer the current step of a delegated approval")
    p.add_argument("item", metavar="ITEM")
    add_actor(p)
    p.add_argument("response", choices=[r.value for r in Response])
    p.add_argument("--comment")

    p = command_("reset", cmd_reset, "undo what a failed export left in Sage (ERP admin)")
    p.add_argument("item", metavar="ITEM")
    add_actor(p)
    p.add_argument("--to", choices=["rejected", "sent"], default="rejected")
    p.add_argument("--comment")

    p = command_("status", cmd_status, "show an item: state, export fields, error, audit trail")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("--json", action="store_true")

    p = command_("list", cmd_list, "list items, filtered through Temporal's visibility")
    p.add_argument("--state", choices=[s.value for s in State])
    p.add_argument("--type", choices=[t.value for t in ItemType])
    p.add_argument("--project")
    p.add_argument("--error-code")
    p.add_argument("--attention", choices=["reminder", "escalated"])
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--json", action="store_true")

    p = command_("watch", cmd_watch, "follow an item live until it settles")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("--json", action="store_true", help="one JSON line per audit entry")
    p.add_argument("--interval", type=float, default=1.0, help=argparse.SUPPRESS)
