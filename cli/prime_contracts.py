"""`prime-contract import|add|reimport|status|edit-sov|readiness|link PROJECT CONTRACT`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cli import output
from cli.common import read_json, request_as
from cli.output import out
from client.connection import open_client
from client.entities import prime_command, prime_status, start_prime_contract
from client.errors import OK, REFUSED, USAGE, UserError
from client.projects import known_project
from contract import prime_contract_sync as pcw
from domain import erp
from domain import prime_contract as pc
from domain.items import describe_validation_error
from domain.text import printable
from runtime.config import Config


def print_prime(status: pcw.SyncStatus, as_json: bool) -> None:
    if as_json:
        out(status.model_dump_json(indent=2))
        return
    out(f"{status.workflow_id}: {'imported' if status.imported else 'not imported'}")
    prime = status.prime
    if prime is not None:
        h = prime.header
        out(f"  contract #{h.number}  {h.title}  status {h.status}  created {h.date_created}")
        sources = ", ".join(f"{c.contract_id} (job {c.job_id})" for c in prime.imported.values())
        out(f"  SOV controlled by {prime.sov_controlled_by.value}; Sage contracts: {sources}")
        output.table(
            ["SOV", "DESCRIPTION", "AMOUNT"],
            ([line.code, line.description, pc.money(line.amount)] for line in prime.sov),
            right=["AMOUNT"],
            totals=["total", "", pc.money(prime.sov_total)],
            indent=2,
        )
        out(
            f"  Sage original {pc.money(prime.sage_original_total)}, revised "
            f"{pc.money(prime.sage_revised_total)}"
        )
    if status.readiness is not None:
        out(f"  {status.readiness.message}")
    for line in status.audit[-5:]:
        out(
            f"  {line.at:%Y-%m-%d %H:%M:%S} {printable(line.actor)}: {printable(line.action)}: "
            f"{printable(line.outcome)}"
        )


async def cmd_prime_contract(args: argparse.Namespace, cfg: Config) -> int:
    """prime-contract import|add|reimport|status|edit-sov|readiness PROJECT CONTRACT"""
    project = known_project(cfg.erp_projects_file, args.project)
    wf_id = pcw.workflow_id(project.project, args.contract)
    if args.action in ("import", "add", "reimport", "edit-sov", "readiness", "link") and not (
        args.actor
    ):
        raise UserError(f"prime-contract {args.action} needs --as USER", USAGE)
    if args.action == "edit-sov":
        if not args.file:
            message = "prime-contract edit-sov needs the SOV file: a JSON list of lines"
            raise UserError(message, USAGE)
        try:
            edit = pc.SovEdit(actor=args.actor, lines=read_json(Path(args.file)))
        except ValidationError as err:
            raise UserError(f"{args.file}: {describe_validation_error(err)}", USAGE) from None
    if args.action == "link":
        link = _link_request(args)
    client = await open_client(cfg)
    if args.action == "link":  # seeds/000 3c: the Procore prime contract exists already
        try:
            erp.require(project.erp, erp.Capability.PRIME_CONTRACT_IMPORT, project.project)
            pc.authorize_import(project, args.actor)
        except (pc.ImportRefused, erp.ErpRefused) as err:
            raise UserError(f"{wf_id}: {err}", REFUSED) from None
        await start_prime_contract(client, cfg, project, args.contract)
        print_prime(await prime_command(client, wf_id, pcw.LINK_UPDATE, link), False)
    elif args.action == "import":
        try:
            erp.require(project.erp, erp.Capability.PRIME_CONTRACT_IMPORT, project.project)
            pc.authorize_import(project, args.actor)
        except (pc.ImportRefused, erp.ErpRefused) as err:
            raise UserError(f"{wf_id}: {err}", REFUSED) from None
        await start_prime_contract(client, cfg, project, args.contract)
        request = pcw.ImportRequest(actor=args.actor)
        print_prime(await prime_command(client, wf_id, "import", request), False)
    elif args.action == "add":
        if not args.into:
            raise UserError("prime-contract add needs --into CONTRACT (the imported one)", USAGE)
        wf_id = pcw.workflow_id(project.project, args.into)
        request = pcw.ImportRequest(actor=args.actor, contract=args.contract)
        print_prime(await prime_command(client, wf_id, "add_contract", request), False)
    elif args.action == "reimport":
        request = pcw.ImportRequest(actor=args.actor)
        print_prime(await prime_command(client, wf_id, "reimport", request), False)
    elif args.action == "edit-sov":
        print_prime(await prime_command(client, wf_id, "edit_sov", edit), False)
    elif args.action == "readiness":
        answer = await prime_command(client, wf_id, "readiness", args.actor, pc.Readiness)
        if args.json:
            out(answer.model_dump_json(indent=2))
        else:
            out(f"{wf_id}: {answer.message}")
        return OK if answer.ready else REFUSED
    else:
        print_prime(await prime_status(client, wf_id), args.json)
    return OK


def _link_request(args: argparse.Namespace) -> pcw.LinkRequest:
    """The existing Procore prime contract's file: {"number", "title", "sov": [lines]}."""
    if not args.file:
        raise UserError(
            "prime-contract link needs the Procore prime contract's file: a JSON object with "
            'its "number", "title" and "sov" lines',
            USAGE,
        )
    data = read_json(Path(args.file))
    try:
        prime = pc.ProcoreContract.model_validate(data)
    except ValidationError as err:
        raise UserError(f"{args.file}: {describe_validation_error(err)}", USAGE) from None
    return request_as(pcw.LinkRequest, args.actor, prime=prime)


def add_commands(command: Any) -> None:
    p = command("prime-contract", cmd_prime_contract, "import, re-import, inspect a prime contract")
    p.add_argument(
        "action",
        choices=["import", "add", "reimport", "status", "edit-sov", "readiness", "link"],
    )
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("contract", metavar="CONTRACT", help="Sage contract (Quickbill: the job)")
    p.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        help="edit-sov: a JSON list of SOV lines; link: the Procore prime contract",
    )
    p.add_argument("--as", dest="actor", metavar="USER")
    p.add_argument("--into", metavar="CONTRACT", help="add: the imported prime contract")
    p.add_argument("--json", action="store_true")
