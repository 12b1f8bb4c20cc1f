"""`starter.py paid-invoices sync|list PROJECT --as USER [--json]`: Sage's payments of the
project's exported subcontractor invoices (domain/paid_invoices.py).

sync: the permissions matrix's "Sync Paid Invoice Notifications from ERP into Procore" (Admin on
ERP Integrations), decided by the project's ErpProject against the roster it holds; the sync
schedule runs it too once an invoice was exported. list: each paid invoice, Paid or Partly
paid, with its checks (ERP Admin, or Admin on the invoices' tool; against the held roster).
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
from client.errors import OK, REFUSED, UserError
from client.projects import known_project
from contract import erp_project as ep
from domain.paid_invoices import (
    PAID_INVOICE_HEADERS,
    authorize_paid_invoice_view,
    paid_invoice_rows,
    paid_invoices,
)
from domain.permissions import NotPermitted
from runtime.config import Config


async def cmd_paid_invoices(args: argparse.Namespace, cfg: Config) -> int:
    """paid-invoices sync|list PROJECT --as USER [--json]."""
    settings = known_project(cfg.erp_projects_file, args.project)
    request = request_as(ep.ProjectRequest, args.actor)  # a careless --as: a usage line
    client = await open_client(cfg)
    if args.action == "sync":
        await ensure_project(client, cfg, settings)
        record = await project_update(client, args, ep.SYNC_PAID_INVOICES_UPDATE, request)
        if not args.json:
            out(f"{args.project}: {record.audit[-1].outcome}")
            return OK
    else:
        record = await project_record(client, args.project)
        try:
            where = f"project {args.project}"
            authorize_paid_invoice_view(record.settings.roster, args.actor, where)
        except NotPermitted as err:
            raise UserError(str(err), REFUSED) from None
    if args.json:
        rows = paid_invoices(record.invoice_payments)
        out(json.dumps([row.model_dump(mode="json") for row in rows], indent=2))
        return OK
    output.table(
        PAID_INVOICE_HEADERS,
        paid_invoice_rows(record.invoice_payments),
        title=f"Subcontractor invoices of project {args.project} paid in Sage",
        right=["Paid", "Amount"],
        empty="(no invoice paid in Sage yet)",
    )
    return OK


def add_commands(command: Any) -> None:
    """Register this module's commands on starter.py's parser."""
    p = command(
        "paid-invoices",
        cmd_paid_invoices,
        "note Sage's payments of the project's exported subcontractor invoices, or list them",
    )
    p.add_argument("action", choices=["sync", "list"])
    p.add_argument("project", metavar="PROJECT")
    p.add_argument(
        "--as",
        dest="actor",
        required=True,
        metavar="USER",
        help="sync: Admin on ERP Integrations; list: that, or Admin on Commitments",
    )
    add_key(p)
    p.add_argument("--json", action="store_true")
