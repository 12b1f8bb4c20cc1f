"""`pay-app create|list|resync|delete|submit PROJECT CONTRACT [NUMBER]`: the pay applications
of a lump-sum prime contract (seeds/000 3d and its validation notes), held by its
PrimeContractSync workflow (domain/pay_applications.py decides)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from cli import output
from cli.common import request_as
from cli.output import out
from client.connection import open_client
from client.entities import prime_command, prime_status
from client.errors import OK, USAGE, UserError
from client.projects import known_project
from contract import prime_contract_sync as pcw
from domain import pay_applications as pay
from domain import prime_contract as pc
from domain.text import printable
from runtime.config import Config

UPDATES = {
    "create": pcw.PAY_APP_CREATE,
    "resync": pcw.PAY_APP_RESYNC,
    "delete": pcw.PAY_APP_DELETE,
    "submit": pcw.PAY_APP_SUBMIT,
}


def print_pay_apps(status: pcw.SyncStatus, as_json: bool) -> None:
    if as_json:
        data = {
            "workflow_id": status.workflow_id,
            "pay_applications": [p.model_dump(mode="json") for p in status.pay_applications],
        }
        out(json.dumps(data, indent=2))
        return
    prime = status.prime
    output.table(
        ["#", "STATUS", "SOV LINES", "TOTAL", "SAGE REVISED", "SOV TAKEN", "BY"],
        (
            [
                p.number,
                p.status.value + (" (SOV changed since)" if prime and pay.stale(p, prime) else ""),
                len(p.sov),
                pc.money(p.total),
                pc.money(p.sage_revised_total),
                f"{p.sov_taken_at:%Y-%m-%d %H:%M}",
                p.sov_taken_by,
            ]
            for p in status.pay_applications
        ),
        title=f"{status.workflow_id}: pay applications",
        right=["TOTAL", "SAGE REVISED"],
        empty="no pay applications yet (pay-app create PROJECT CONTRACT --as USER)",
    )
    if status.readiness is not None:
        out(f"  {status.readiness.message}")


async def cmd_pay_app(args: argparse.Namespace, cfg: Config) -> int:
    """pay-app create|list|resync|delete|submit PROJECT CONTRACT [NUMBER] --as USER"""
    project = known_project(cfg.erp_projects_file, args.project)
    wf_id = pcw.workflow_id(project.project, args.contract)
    if args.action == "list":
        if args.number is not None:
            raise UserError("pay-app list takes no NUMBER", USAGE)
        client = await open_client(cfg)
        print_pay_apps(await prime_status(client, wf_id), args.json)
        return OK
    if not args.actor:
        raise UserError(f"pay-app {args.action} needs --as USER", USAGE)
    if args.action == "create" and args.number is not None:
        raise UserError("pay-app create takes no NUMBER (the next one is given)", USAGE)
    if args.action != "create" and args.number is None:
        raise UserError(f"pay-app {args.action} needs the pay application's NUMBER", USAGE)
    number = None if args.number is None else _number(args.number)
    request = request_as(pay.PayApplicationRequest, args.actor, number=number)
    client = await open_client(cfg)
    status = await prime_command(client, wf_id, UPDATES[args.action], request)
    out(f"{wf_id}: {status.audit[-1].outcome}" if status.audit else wf_id)
    print_pay_apps(status, args.json)
    return OK


def _number(text: str) -> int:
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= pay.MAX_NUMBER):
        raise UserError(
            f"NUMBER {printable(text[:20])!r}: a pay application's number is 1 to {pay.MAX_NUMBER}",
            USAGE,
        )
    return int(text)


def add_commands(command: Any) -> None:
    p = command(
        "pay-app",
        cmd_pay_app,
        "pay applications of a lump-sum prime contract: create (when the SOV matches Sage), "
        "list, resync or delete a draft, submit",
    )
    p.add_argument("action", choices=["create", "list", "resync", "delete", "submit"])
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("contract", metavar="CONTRACT", help="the Sage contract it was imported from")
    p.add_argument("number", metavar="NUMBER", nargs="?", help="the pay application's number")
    p.add_argument("--as", dest="actor", metavar="USER")
    p.add_argument("--json", action="store_true")
