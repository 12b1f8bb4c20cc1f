"""`cost-codes send|accept|reject|list PROJECT [CODE]` and `standard-cost-codes default-types
CODE`: project cost codes sent for acceptance, and the company's default cost types
(domain/cost_code_acceptance.py; seeds/004 permissions matrix).

- `send PROJECT CODE [--category C ...] --as USER`: a cost code of the company's standard list
  sent for acceptance (Admin on the project's Admin tool, no ERP permission); without
  `--category`, the standard code's default cost types are exported at acceptance;
- `accept PROJECT CODE --as USER`: "Accept or Reject Cost Codes for Export to ERP" (an
  accounting approver): the code is added to the Sage job, once;
- `reject PROJECT CODE --comment TEXT --as USER`: nothing reaches Sage; the code may be sent
  again;
- `list PROJECT [--json]`: the codes sent and where each stands;
- `standard-cost-codes default-types CODE [--category C ...] [--company SAGE_CO] --as USER`:
  "Assign Default Cost Types To ERP Standard Cost Codes" (Standard or Admin); no `--category`
  clears them.

Each is an update of the project's ErpProject (the company's ErpCompany for the defaults),
decided against the roster that workflow holds; `cli/jobs.py` and `cli/company.py` parse them
and hand them here.
"""

from __future__ import annotations

import argparse
import json

from cli import output
from cli.common import project_update, request_as, signed
from cli.output import out
from client.connection import open_client
from client.entities import ensure_company, ensure_project, project_record
from client.errors import OK, REFUSED, USAGE, UserError
from client.items import command
from client.projects import known_company, known_project
from contract import erp_company as ec
from contract import erp_project as ep
from domain import cost_code_acceptance as acceptance
from runtime.config import Config

PROJECT_ACTIONS = ("send", "accept", "reject", "list")


def _checked(args: argparse.Namespace, project: str) -> tuple[str, list[str]]:
    """The code and cost types as typed, or one line saying what a code may be."""
    try:
        code = acceptance.check_code(args.code)
        categories = acceptance.check_categories(args.category or [])
    except acceptance.CostCodeRefused as err:
        raise UserError(f"{project}: {err}", REFUSED) from None
    return code, categories


async def cmd_project_cost_codes(args: argparse.Namespace, cfg: Config) -> int:
    settings = known_project(cfg.erp_projects_file, args.project)
    if args.action == "list":
        if args.code is not None:
            raise UserError("cost-codes list takes no CODE (cost-codes list PROJECT)", USAGE)
        return await _list(args, cfg)
    if args.code is None:
        raise UserError(f"cost-codes {args.action} needs the cost code (CODE)", USAGE)
    if not args.actor:
        raise UserError(f"cost-codes {args.action} needs --as USER", USAGE)
    if args.category and args.action != "send":
        raise UserError(
            f"cost-codes {args.action} takes no --category: the cost types are the sender's",
            USAGE,
        )
    if args.action == "reject" and not (args.comment or "").strip():
        raise UserError("cost-codes reject needs --comment TEXT (why it is rejected)", USAGE)
    code, categories = _checked(args, args.project)
    name = ep.COST_CODE_COMMANDS[args.action]
    request = request_as(
        ep.CostCodeRequest, args.actor, code=code, categories=categories, comment=args.comment
    )
    client = await open_client(cfg)
    await ensure_project(client, cfg, settings)
    record = await project_update(client, args, name, request)
    out(f"{args.project}: cost code {code} {record.audit[-1].outcome}")
    return OK


async def _list(args: argparse.Namespace, cfg: Config) -> int:
    client = await open_client(cfg)
    record = await project_record(client, args.project)
    sent = record.cost_codes_sent
    if args.json:
        out(json.dumps([entry.model_dump(mode="json") for entry in sent], indent=2))
        return OK
    output.table(
        ["COST CODE", "STATE", "COST TYPES", "SENT BY", "DECIDED BY", "COMMENT"],
        [
            [
                entry.code,
                entry.state.value,
                ", ".join(entry.exported_categories or entry.categories) or "(defaults)",
                entry.sent_by,
                entry.decided_by or "",
                entry.comment or "",
            ]
            for entry in sent
        ],
        title=f"Cost codes of project {args.project} sent for acceptance",
        empty="(no cost code sent yet)",
    )
    return OK


async def cmd_default_types(args: argparse.Namespace, cfg: Config) -> int:
    """standard-cost-codes default-types CODE [--category C ...] --as USER."""
    account = known_company(cfg.erp_company_file, args.company)
    if args.code is None:
        raise UserError("standard-cost-codes default-types needs the cost code (CODE)", USAGE)
    if not args.actor:
        raise UserError("standard-cost-codes default-types needs --as USER", USAGE)
    code, categories = _checked(args, args.company)
    request = request_as(ec.DefaultCostTypesRequest, args.actor, code=code, categories=categories)
    client = await open_client(cfg)
    await ensure_company(client, cfg, args.company, account)
    wf_id = ec.workflow_id(args.company)
    request = signed(args, wf_id, ec.ASSIGN_DEFAULT_COST_TYPES, request)
    record = await command(
        client, wf_id, ec.ASSIGN_DEFAULT_COST_TYPES, request, ec.CompanyRecord, label=args.company
    )
    out(f"{args.company}: {record.audit[-1].outcome}")
    return OK
