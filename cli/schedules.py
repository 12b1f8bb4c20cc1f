"""`schedule set|show|delete PROJECT` and `sync PROJECT`: the project's refresh from Sage (its
prime contracts, and the cost codes and job costs of its ErpProject), in the name of an ERP
Admin checked by every workflow it asks."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from cli.common import add_actor, project_update, signing_key_file
from cli.output import out
from client.connection import open_client
from client.entities import ensure_project, prime_command, project_syncs
from client.errors import OK, USAGE, UserError
from client.projects import known_project
from client.schedules import delete_schedule, set_schedule, show_schedule
from contract import erp_project as ep
from contract.sync import SYNC, schedule_id
from runtime.config import Config


def parse_every(text: str) -> timedelta:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number, unit = text[:-1], text[-1:].lower()
    if unit not in units or not number.isdigit() or int(number) <= 0:
        message = f"--every {text!r}: expected a count and a unit, e.g. 90s, 30m, 6h, 1d"
        raise UserError(message, USAGE)
    return timedelta(seconds=int(number) * units[unit])


async def cmd_schedule(args: argparse.Namespace, cfg: Config) -> int:
    """schedule set|show|delete PROJECT, run in the name of the ERP Admin who set it."""
    project = known_project(cfg.erp_projects_file, args.project)
    if args.action in ("set", "delete") and not args.actor:
        raise UserError(f"schedule {args.action} needs --as USER (an ERP Admin)", USAGE)
    every = None
    if args.action == "set":
        if not args.every:
            raise UserError("schedule set needs --every INTERVAL (e.g. 6h)", USAGE)
        every = parse_every(args.every)
    client = await open_client(cfg)
    sid = schedule_id(args.project)
    if args.action == "set":
        assert every is not None
        done = await set_schedule(client, cfg, project, args.actor, signing_key_file(args), every)
        out(f"{sid}: {done}, every {every}, in the name of {args.actor}")
    elif args.action == "show":
        view = await show_schedule(client, args.project)
        out(f"{sid}: every {', '.join(str(e) for e in view.every) or 'no interval'}")
        out(f"  runs in the name of {view.actor or 'nobody (set it again with --as USER)'}")
        if view.next_run:
            out(f"  next run {view.next_run:%Y-%m-%d %H:%M:%S %Z}")
        if view.last_run:
            out(f"  last run {view.last_run:%Y-%m-%d %H:%M:%S %Z}")
    else:
        await delete_schedule(client, cfg, project, args.actor, signing_key_file(args))
        out(f"{sid}: deleted")
    return OK


async def cmd_sync(args: argparse.Namespace, cfg: Config) -> int:
    """sync PROJECT --as USER: refresh the project from Sage now: prime contracts (a re-import:
    ERP Admin and Prime Contracts Admin), cost codes and job costs (ERP Admin)."""
    project = known_project(cfg.erp_projects_file, args.project)
    client = await open_client(cfg)
    ids = await project_syncs(client, args.project)
    for wf_id in ids:
        outcome = await prime_command(client, wf_id, SYNC, args.actor, str)
        out(f"{wf_id}: {outcome}")
    out(f"{len(ids)} prime contract(s) of {args.project} refreshed from Sage")
    if not project.sage_job_id:
        out(f"{args.project} has no Sage job yet: no cost codes or job costs to refresh")
        return OK
    await ensure_project(client, cfg, project)
    request = ep.ProjectRequest(actor=args.actor)
    await project_update(client, args, "refresh_cost_codes", request)
    record = await project_update(client, args, "sync_job_costs", request)
    job = record.job
    lines = len(record.job_costs.lines) if record.job_costs else 0
    codes = len(job.cost_codes) if job else 0
    out(f"Sage job {project.sage_job_id}: {codes} cost codes, {lines} job cost lines refreshed")
    return OK


def add_commands(command: Any) -> None:
    p = command("schedule", cmd_schedule, "set, show or delete a project's sync schedule")
    p.add_argument("action", choices=["set", "show", "delete"])
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--every", metavar="INTERVAL", help="e.g. 6h, 30m, 1d")
    add_actor(p, required=False)

    p = command("sync", cmd_sync, "refresh a project from Sage now (prime contracts, cost codes)")
    p.add_argument("project", metavar="PROJECT")
    add_actor(p)
