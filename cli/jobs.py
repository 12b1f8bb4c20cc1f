"""`jobs import`, `cost-codes refresh|show` and `job-costs`: the import direction of a project.

Each acts on the project's ErpProject workflow (workflows/erp_project.py), started on first use.
A Sage job imported as a new project is written into the project settings file, so the next
command finds the project like any other.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from cli import cost_codes, output
from cli.common import add_key, project_update
from cli.output import out
from client.connection import open_client
from client.entities import ensure_project, project_record
from client.errors import NO_SUCH_ITEM, OK, REFUSED, USAGE, UserError
from client.projects import known_project, load_projects
from contract import erp_project as ep
from domain import erp
from domain.job_costs import job_cost_table
from domain.job_import import ImportRefused, require_new_project
from domain.permissions import ErpAction, NotPermitted, authorize_erp_action
from domain.settings import ProjectSettings
from runtime.config import Config

# --- jobs import ---


async def cmd_jobs_import(args: argparse.Namespace, cfg: Config) -> int:
    """Add a Sage job to Procore as a new project, its team and rules copied from --like."""
    projects_file = cfg.erp_projects_file
    projects = load_projects(projects_file)
    try:
        require_new_project(projects, args.project, args.job)
    except ImportRefused as err:
        raise UserError(str(err), REFUSED) from None
    template = projects.projects.get(args.like)
    if template is None:
        known = ", ".join(sorted(projects.projects)) or "none"
        raise UserError(f"--like {args.like!r}: no such project (known: {known})", USAGE)
    try:
        authorize_erp_action(template.roster, args.actor, ErpAction.ADD_ERP_JOB, args.like)
    except NotPermitted as err:
        raise UserError(f"{args.project}: {err}", REFUSED) from None
    start = template.model_copy(
        update={
            "project": args.project,
            "name": "",
            "sage_company": args.company or template.sage_company,
            "sage_job_id": None,
            "sov_controlled_by": "sage",
        }
    )
    client = await open_client(cfg)
    await ensure_project(client, cfg, start)
    record = await project_record(client, args.project)
    if record.origin == "imported" and record.job and record.job.job_id == args.job:
        # imported before, but the settings file lost it (restored, or the write was cut short)
        write_project(projects_file, record.settings)
        out(f"{args.project}: imported from Sage job {args.job} before; settings written again")
        return OK
    request = ep.ProjectRequest(actor=args.actor, job_id=args.job)
    record = await project_update(client, args, "import_job", request)
    write_project(projects_file, record.settings)
    job = record.job
    assert job is not None
    categories = sum(len(c.categories) for c in job.cost_codes)
    out(
        f"{args.project}: added from {erp.profile(record.settings.erp).title} job {job.job_id} "
        f"({job.name}) with {len(job.cost_codes)} cost codes and {categories} categories; "
        f"settings written to {projects_file}"
    )
    return OK


def write_project(path: Path, settings: ProjectSettings) -> None:
    """Add the project to the settings file: a new file beside it, then renamed over it."""
    data = json.loads(path.read_text())
    data["projects"][settings.project] = settings.model_dump(mode="json", exclude_defaults=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as out:
        out.write(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, path)


# --- cost codes ---


async def cmd_cost_codes(args: argparse.Namespace, cfg: Config) -> int:
    """cost-codes refresh|show PROJECT: the Sage job's cost codes and categories (send, accept,
    reject, list: cli/cost_codes.py)."""
    if args.action in cost_codes.PROJECT_ACTIONS:
        return await cost_codes.cmd_project_cost_codes(args, cfg)
    if args.code is not None:
        raise UserError(f"cost-codes {args.action} takes no CODE", USAGE)
    settings = known_project(cfg.erp_projects_file, args.project)
    if args.action == "refresh" and not args.actor:
        raise UserError("cost-codes refresh needs --as USER", USAGE)
    client = await open_client(cfg)
    if args.action == "refresh":
        await ensure_project(client, cfg, settings)
        request = ep.ProjectRequest(actor=args.actor)
        record = await project_update(client, args, "refresh_cost_codes", request)
    else:
        record = await project_record(client, args.project)
    if args.json:
        out(record.model_dump_json(include={"project", "job", "last_refresh", "refreshed_at"}))
        return OK
    job = record.job
    if job is None:
        out(f"{args.project}: cost codes not refreshed yet")
        return OK
    when = f"{record.refreshed_at:%Y-%m-%d %H:%M} UTC" if record.refreshed_at else "never"
    out(f"{args.project}: Sage job {job.job_id} ({job.name}), cost codes as of {when}")
    if record.last_refresh is not None:
        out(f"  last refresh: {'; '.join(record.last_refresh.lines())}")
    output.table(
        ["COST CODE", "DESCRIPTION", "CATEGORIES"],
        ([code.code, code.description, ", ".join(code.categories)] for code in job.cost_codes),
        indent=2,
    )
    return OK


# --- job costs ---


async def cmd_job_costs(args: argparse.Namespace, cfg: Config) -> int:
    """job-costs PROJECT --as USER [--sync] [--json]: the job cost summary from Sage (ERP
    Admin, the permissions matrix's "View an ERP Job Costs Report")."""
    settings = known_project(cfg.erp_projects_file, args.project)
    try:
        erp.require(settings.erp, erp.Capability.JOB_COSTS_SYNC, settings.project)
    except erp.ErpRefused as err:
        raise UserError(str(err), REFUSED) from None
    if args.sync and not args.actor:
        raise UserError("job-costs --sync needs --as USER", USAGE)
    if not args.actor:
        raise UserError("job-costs needs --as USER (an ERP Admin views job costs)", USAGE)
    client = await open_client(cfg)
    if args.sync:
        await ensure_project(client, cfg, settings)
        request = ep.ProjectRequest(actor=args.actor)
        record = await project_update(client, args, "sync_job_costs", request)
    else:
        record = await project_record(client, args.project)
    try:  # the matrix's "View an ERP Job Costs Report", against the roster the project holds
        where = f"project {args.project}"
        authorize_erp_action(record.settings.roster, args.actor, ErpAction.VIEW_JOB_COSTS, where)
    except NotPermitted as err:
        raise UserError(str(err), REFUSED) from None
    summary = record.job_costs
    if summary is None:
        message = f"{args.project}: job costs not synced yet (job-costs {args.project} --sync)"
        raise UserError(message, NO_SUCH_ITEM)
    if args.json:
        out(summary.model_dump_json(indent=2))
    else:
        drawn = job_cost_table(summary)
        output.table(
            drawn.headers,
            drawn.rows,
            title=drawn.title,
            right=drawn.right,
            totals=drawn.totals,
            empty="(no cost code has any figure yet)",
        )
    return OK


def add_commands(command: Any) -> None:
    """Register this module's commands on starter.py's parser."""
    p = command("jobs", cmd_jobs_import, "add a Sage job to Procore as a new project")
    p.add_argument("action", choices=["import"])
    p.add_argument("job", metavar="JOB", help="the Sage job ID")
    p.add_argument("--project", required=True, help="the new project's ID, e.g. P-3001")
    p.add_argument("--like", required=True, metavar="PROJECT", help="copy team and rules from")
    p.add_argument("--company", help="the Sage company of the job (default: the template's)")
    p.add_argument("--as", dest="actor", required=True, metavar="USER")
    add_key(p)

    p = command(
        "cost-codes",
        cmd_cost_codes,
        "refresh or show a project's Sage cost codes; send, accept, reject or list the project "
        "cost codes sent for acceptance",
    )
    p.add_argument("action", choices=["refresh", "show", *cost_codes.PROJECT_ACTIONS])
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("code", nargs="?", metavar="CODE", help="send, accept, reject: the cost code")
    p.add_argument(
        "--category",
        action="append",
        metavar="COST_TYPE",
        help="send: a cost type of the code (repeat; none: its standard code's defaults)",
    )
    p.add_argument("--comment", metavar="TEXT", help="reject: why")
    p.add_argument("--as", dest="actor", metavar="USER")
    add_key(p)
    p.add_argument("--json", action="store_true")

    p = command("job-costs", cmd_job_costs, "print a project's job costs per cost code/category")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--sync", action="store_true", help="sync them from Sage first")
    p.add_argument("--as", dest="actor", metavar="USER")
    add_key(p)
    p.add_argument("--json", action="store_true")
