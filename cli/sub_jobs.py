"""`starter.py sub-jobs import|list PROJECT [EXTRA] --as USER [--json]`: the project's sub jobs
and Sage extras (seeds/004 permissions matrix).

- `import PROJECT EXTRA`: "Import an ERP Sub Job to a Procore Project" (Standard or Admin on
  ERP Integrations): the extra of the project's Sage job becomes a sub job, through the
  project's ErpProject workflow (`import_sub_job`), which checks its held roster and links the
  two in its registry.
- `list PROJECT`: "View a List of Synced Sub Jobs" (Standard or Admin on ERP Integrations and
  Admin on the Directory tool): exported ones Sage holds and imported ones, one table.

A list of its own rather than rows of `links`: the matrix gives it its own permission, and it
shows what `links` does not (the sub job's name, the export's state).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from cli import output
from cli.common import add_key, project_update, request_as
from cli.output import out
from client.connection import open_client
from client.entities import ensure_project
from client.errors import OK, REFUSED, USAGE, UserError
from client.projects import known_project
from client.report import sub_job_list
from contract import erp_project as ep
from domain.sub_job_import import SubJobImportRefused, check_extra_code
from runtime.config import Config


async def cmd_sub_jobs(args: argparse.Namespace, cfg: Config) -> int:
    """sub-jobs import|list PROJECT [EXTRA] --as USER [--json]."""
    settings = known_project(cfg.erp_projects_file, args.project)
    if args.action == "list":
        if args.extra is not None:
            raise UserError("sub-jobs list takes no EXTRA (sub-jobs list PROJECT --as USER)", USAGE)
        return await _list(args, cfg, settings)
    if args.extra is None:
        raise UserError("sub-jobs import needs the Sage extra's code (EXTRA)", USAGE)
    try:
        extra_id = check_extra_code(args.extra)
    except SubJobImportRefused as err:
        raise UserError(f"{args.project}: {err}", REFUSED) from None
    request = request_as(ep.ProjectRequest, args.actor, extra_id=extra_id)
    client = await open_client(cfg)
    await ensure_project(client, cfg, settings)
    record = await project_update(client, args, ep.IMPORT_SUB_JOB_UPDATE, request)
    sub_job = next(s for s in record.sub_jobs if s.code == extra_id)
    if args.json:
        out(sub_job.model_dump_json(indent=2))
        return OK
    out(
        f"{args.project}: sub job {sub_job.code} ({sub_job.name}) added from extra "
        f"{sub_job.code} of Sage job {sub_job.job_id} with {len(sub_job.cost_codes)} cost codes"
    )
    return OK


async def _list(args: argparse.Namespace, cfg: Config, settings: Any) -> int:
    client = await open_client(cfg)
    rows = await sub_job_list(client, cfg, settings, args.actor)
    if args.json:
        out(json.dumps([row.model_dump(mode="json") for row in rows], indent=2))
        return OK
    job = settings.sage_job_id or "(not synced)"
    output.table(
        ["SUB JOB", "NAME", "SAGE EXTRA", "ORIGIN", "STATE", "ITEM"],
        [
            [row.number, row.name, row.extra_id, row.origin, row.state, row.item or ""]
            for row in rows
        ],
        title=f"Sub jobs of project {settings.project} synced with Sage job {job}",
        empty="(no sub job synced yet)",
    )
    return OK


def add_commands(command: Any) -> None:
    """Register this module's commands on starter.py's parser."""
    p = command(
        "sub-jobs",
        cmd_sub_jobs,
        "import a Sage extra as a sub job, or list the project's sub jobs synced with Sage",
    )
    p.add_argument("action", choices=["import", "list"])
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("extra", nargs="?", metavar="EXTRA", help="import: the Sage extra's code")
    p.add_argument(
        "--as",
        dest="actor",
        required=True,
        metavar="USER",
        help="import: Standard or Admin on ERP Integrations; list: also Admin on Directory",
    )
    add_key(p)
    p.add_argument("--json", action="store_true")
