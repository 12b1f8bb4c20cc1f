"""`starter.py budgets import PROJECT --as USER [--json]`: the Sage job's budget imported into
the project's budget (seeds/004 permissions matrix, "Import a Budget from ERP": Standard or
Admin on ERP Integrations), through the project's ErpProject workflow (`import_budget`), which
checks its held roster, refuses a budget exported from Procore (seeds/004 BUDGET restrictions)
and, run again, refreshes the lines it imported. Prints the lines as imported.
"""

from __future__ import annotations

import argparse
from typing import Any

from cli import output
from cli.common import add_key, project_update, request_as
from cli.output import out
from client.connection import open_client
from client.entities import ensure_project
from client.errors import OK, REFUSED, UserError
from client.projects import known_project
from contract import erp_project as ep
from domain.budget_import import describe
from runtime.config import Config


async def cmd_budgets(args: argparse.Namespace, cfg: Config) -> int:
    """budgets import PROJECT --as USER [--json]."""
    settings = known_project(cfg.erp_projects_file, args.project)
    request = request_as(ep.ProjectRequest, args.actor)
    client = await open_client(cfg)
    await ensure_project(client, cfg, settings)
    record = await project_update(client, args, ep.IMPORT_BUDGET_UPDATE, request)
    budget = record.budget
    if budget is None:  # never: the update answers only once it holds the budget
        raise UserError(f"{args.project}: no budget imported", REFUSED)
    if args.json:
        out(budget.model_dump_json(indent=2))
        return OK
    out(f"{args.project}: {describe(budget, args.project)}")
    output.table(
        ["COST CODE", "CATEGORY", "ORIGINAL BUDGET"],
        [[ln.cost_code, ln.category, f"{ln.original_budget:,.2f}"] for ln in budget.lines],
        right=["ORIGINAL BUDGET"],
        totals=["", "", f"{budget.amount:,.2f}"],
    )
    return OK


def add_commands(command: Any) -> None:
    """Register this module's commands on starter.py's parser."""
    p = command(
        "budgets",
        cmd_budgets,
        "import the Sage job's budget into the project's budget (again: refresh it)",
    )
    p.add_argument("action", choices=["import"])
    p.add_argument("project", metavar="PROJECT")
    p.add_argument(
        "--as",
        dest="actor",
        required=True,
        metavar="USER",
        help="Standard or Admin on ERP Integrations",
    )
    add_key(p)
    p.add_argument("--json", action="store_true")
