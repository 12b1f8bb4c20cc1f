"""`starter.py direct-costs sync|list|unsyncable PROJECT --as USER [--json]`: the Sage job's
cost transactions in the project's Direct Costs (domain/direct_costs.py).

sync: the permissions matrix's "Sync Job Cost Transactions from an Integrated ERP into Procore"
(Admin on ERP Integrations), decided by the project's ErpProject against the roster it holds.
list and unsyncable: "View an ERP Unsyncable Direct Costs Report" (no ERP Integrations
permission; Admin on the project's Budget or Prime Contracts tool), checked against the roster
the workflow returns, never the caller's file.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from cli import output
from cli.common import add_key, project_update, request_as
from cli.output import out
from client.connection import open_client
from client.entities import ensure_project, project_record
from client.errors import NO_SUCH_ITEM, OK, REFUSED, UserError
from client.projects import known_project
from contract import erp_project as ep
from domain import erp
from domain.direct_costs import (
    DirectCostTable,
    authorize_direct_cost_view,
    direct_cost_table,
    unsyncable_table,
)
from domain.permissions import NotPermitted
from runtime.config import Config

_VIEWS = {
    "list": "view the project's direct costs synced from ERP",
    "unsyncable": "view an ERP unsyncable direct costs report",
}


async def cmd_direct_costs(args: argparse.Namespace, cfg: Config) -> int:
    """direct-costs sync|list|unsyncable PROJECT --as USER [--json]."""
    settings = known_project(cfg.erp_projects_file, args.project)
    request = request_as(ep.ProjectRequest, args.actor)  # a careless --as: a usage line
    try:
        erp.require(settings.erp, erp.Capability.JOB_COST_TRANSACTION_SYNC, settings.project)
    except erp.ErpRefused as err:
        raise UserError(str(err), REFUSED) from None
    client = await open_client(cfg)
    if args.action == "sync":
        await ensure_project(client, cfg, settings)
        record = await project_update(client, args, ep.SYNC_DIRECT_COSTS_UPDATE, request)
    else:
        record = await project_record(client, args.project)
        try:
            where = f"project {args.project}"
            authorize_direct_cost_view(
                record.settings.roster, args.actor, _VIEWS[args.action], where
            )
        except NotPermitted as err:
            raise UserError(str(err), REFUSED) from None
    costs = record.direct_costs
    if costs is None:
        message = (
            f"{args.project}: direct costs not synced yet "
            f"(starter.py direct-costs sync {args.project} --as USER)"
        )
        raise UserError(message, NO_SUCH_ITEM)
    if args.action == "sync":
        if args.json:
            out(costs.model_dump_json(indent=2))
        else:
            out(f"{args.project}: {record.audit[-1].outcome}")
        return OK
    if args.action == "list":
        if args.json:
            out(json.dumps([c.model_dump(mode="json") for c in costs.costs], indent=2))
        else:
            _draw(direct_cost_table(args.project, costs), "(no direct cost synced yet)")
        return OK
    if args.json:
        out(json.dumps([u.model_dump(mode="json") for u in costs.unsyncable], indent=2))
    else:
        _draw(unsyncable_table(args.project, costs), "(every transaction synced)")
    return OK


def _draw(drawn: DirectCostTable, empty: str) -> None:
    output.table(
        drawn.headers,
        drawn.rows,
        title=drawn.title,
        right=drawn.right,
        totals=drawn.totals if drawn.rows else None,
        empty=empty,
    )


def add_commands(command: Any) -> None:
    """Register this module's commands on starter.py's parser."""
    p = command(
        "direct-costs",
        cmd_direct_costs,
        "sync the Sage job's cost transactions into the project's Direct Costs, list them, "
        "or show the unsyncable direct costs report",
    )
    p.add_argument("action", choices=["sync", "list", "unsyncable"])
    p.add_argument("project", metavar="PROJECT")
    p.add_argument(
        "--as",
        dest="actor",
        required=True,
        metavar="USER",
        help="sync: Admin on ERP Integrations; list, unsyncable: Admin on Budget or "
        "Prime Contracts",
    )
    add_key(p)
    p.add_argument("--json", action="store_true")
