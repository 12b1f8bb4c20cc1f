"""`vendors ...` and `standard-cost-codes ...`: the company-level side of the ERP Integrations tool.

Each acts on the Sage company's ErpCompany workflow (workflows/erp_company.py), started on
first use with the company account (`ERP_COMPANY_FILE`). After that the workflow holds its
account: a changed file reaches it only through `company-account apply --as USER`, taken from
an ERP Admin of the account's roster the workflow already holds.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cli import cost_codes, output
from cli.common import request_as, signed
from cli.output import out
from client.connection import open_client
from client.entities import company_command, company_record, ensure_company
from client.errors import OK, REFUSED, USAGE, UserError
from client.projects import known_company, load_account
from contract import erp_company as ec
from domain import erp
from domain.company_account import (
    DEFAULT_SAGE_COMPANY,
    AccountRequest,
    CompanyAccount,
    VendorState,
)
from domain.insurance import CompanyInsuranceRecord, InsuranceRefused, check_vendor_code
from domain.permissions import ErpAction, NotPermitted, authorize_erp_action
from runtime.config import Config

AUTO_UPDATE = erp.Capability.VENDOR_AUTO_UPDATE
VENDOR_UPDATES = {
    "refresh": "refresh_vendors",
    "link": "link",
    "unlink": "unlink",
    "archive": "archive",
    "unarchive": "unarchive",
    "import": "import_vendor",
}


# --- vendors ---


async def cmd_vendors(args: argparse.Namespace, cfg: Config) -> int:
    """vendors ACTION [VENDOR] [COMPANY]: the Sage vendors and the company directory."""
    account = known_company(cfg.erp_company_file, args.company)
    if args.action == "insurance":
        return await vendor_insurance(args, cfg, account)
    needs_vendor = args.action not in ("refresh", "list")
    if needs_vendor and not args.vendor:
        raise UserError(f"vendors {args.action} needs the Sage vendor ID", USAGE)
    if args.action == "link" and not args.target:
        raise UserError(
            "vendors link needs the Procore company ID: vendors link VENDOR COMPANY", USAGE
        )
    if args.action in ("refresh", "list", "unlink", "archive", "unarchive") and args.target:
        raise UserError(f"vendors {args.action} takes no COMPANY", USAGE)
    if args.action == "list" and args.vendor:
        raise UserError("vendors list takes no VENDOR", USAGE)
    if args.action != "list" and not args.actor:
        raise UserError(f"vendors {args.action} needs --as USER", USAGE)
    client = await open_client(cfg)
    hidden = 0
    if args.action == "list":
        first = f"starter.py vendors refresh --company {args.company} --as USER"
        held = await company_record(client, args.company, first)
        record, hidden = archived_list(held, args.actor)
    else:
        await ensure_company(client, cfg, args.company, account)
        request = ec.CompanyRequest(actor=args.actor, vendor_id=args.vendor, company_id=args.target)
        record = await company_command(client, args.company, VENDOR_UPDATES[args.action], request)
    if args.json:
        out(
            record.model_dump_json(
                include={
                    "workflow_id",
                    "sage_company",
                    "erp",
                    "vendors",
                    "directory",
                    "vendors_refreshed_at",
                    "last_report",
                },
                indent=2,
            )
        )
        return OK
    if args.action == "refresh":
        out(refresh_summary(record, account))
    elif args.action != "list":
        out(f"{args.company}: {record.audit[-1].outcome}")
        return OK
    print_vendors(record)
    if hidden:
        out(
            f"  {hidden} archived vendor(s) not shown: the archived companies list needs "
            "Standard or Admin on the ERP Integrations tool (vendors list --as USER)"
        )
    return OK


async def vendor_insurance(args: argparse.Namespace, cfg: Config, account: CompanyAccount) -> int:
    """vendors insurance [import] VENDOR: the insurance of the company the vendor is synced
    with, as the last import left it; `import` (an ERP Admin of the held roster) reads it from
    the vendor's AP Vendor Insurance in Sage again (seeds/004 "Company Insurance")."""
    importing = args.vendor == "import"
    vendor = args.target if importing else args.vendor
    form = "vendors insurance import VENDOR --as USER" if importing else "vendors insurance VENDOR"
    if not vendor:
        raise UserError(f"vendors insurance needs the Sage vendor ID: {form}", USAGE)
    if args.target and not importing:
        raise UserError(f"vendors insurance takes one VENDOR: {form}", USAGE)
    try:
        vendor = check_vendor_code(vendor)
    except InsuranceRefused as err:
        raise UserError(f"{args.company}: {err}", REFUSED) from None
    request = insurance_request(args.actor, vendor) if importing else None
    client = await open_client(cfg)
    if request is not None:
        await ensure_company(client, cfg, args.company, account)
        record = await company_command(client, args.company, ec.IMPORT_INSURANCE_UPDATE, request)
    else:
        first = f"starter.py vendors insurance import {vendor} --company {args.company} --as USER"
        record = await company_record(client, args.company, first)
    held = next((ins for ins in record.insurance.values() if ins.vendor_id == vendor), None)
    if args.json:
        shown = {
            "workflow_id": record.workflow_id,
            "sage_company": record.sage_company,
            "vendor_id": vendor,
            "insurance": held.model_dump(mode="json") if held else None,
        }
        out(json.dumps(shown, indent=2))
        return OK
    if importing:
        out(f"{args.company}: {record.audit[-1].outcome}")
    if held is None:
        out(
            f"{args.company}: no insurance imported from vendor {vendor} yet "
            f"(starter.py vendors insurance import {vendor} --as USER)"
        )
        return OK
    print_insurance(held)
    return OK


def insurance_request(actor: str | None, vendor: str) -> ec.CompanyRequest:
    """The import's request, or the usage line (a missing or careless --as)."""
    if not actor:
        raise UserError("vendors insurance import needs --as USER", USAGE)
    return request_as(ec.CompanyRequest, actor, vendor_id=vendor)


def print_insurance(held: CompanyInsuranceRecord) -> None:
    output.table(
        ["TYPE", "POLICY NUMBER", "INSURANCE PROVIDER", "LIMIT AMOUNT", "EFFECTIVE", "EXPIRATION"],
        (
            [
                policy.type,
                policy.policy_number,
                policy.insurance_provider,
                "" if policy.limit_amount is None else f"{policy.limit_amount:,.2f}",
                policy.effective_date or "",
                policy.expiration_date or "",
            ]
            for policy in held.policies
        ),
        title=(
            f"Insurance of company {held.company_id} from Sage vendor {held.vendor_id}, "
            f"imported {held.at:%Y-%m-%d %H:%M} UTC by {held.imported_by}"
        ),
        right=["LIMIT AMOUNT"],
        indent=2,
        empty="(no Sage 300 CRE® default insurance type entered)",
    )
    for line in held.left_out:
        out(f"  left out: {line}")


def archived_list(record: ec.CompanyRecord, actor: str | None) -> tuple[ec.CompanyRecord, int]:
    """The permissions matrix's "View Archived Companies List" (Standard or Admin on the ERP
    Integrations tool, on the account roster the ErpCompany holds): with --as such a user the
    list is whole; without --as the archived vendors are left out (and counted); anyone else
    is refused."""
    if actor is not None:
        where = f"company account {record.account.name}"
        try:
            authorize_erp_action(
                record.account.roster, actor, ErpAction.VIEW_ARCHIVED_COMPANIES, where
            )
        except NotPermitted as err:
            raise UserError(str(err), REFUSED) from None
        return record, 0
    shown = [row for row in record.vendors if row.state is not VendorState.ARCHIVED]
    hidden = len(record.directory.archived)
    directory = record.directory.model_copy(update={"archived": frozenset()})
    return record.model_copy(update={"vendors": shown, "directory": directory}), hidden


def refresh_summary(record: ec.CompanyRecord, account: CompanyAccount) -> str:
    """What the refresh did, one line each, and what it could not do."""
    lines = [f"{record.sage_company}: read {len(record.directory.vendors)} vendors from Sage"]
    report = record.last_report
    lines += [f"  {line}" for line in (report.lines() if report else [])] or ["  no change"]
    flavour = erp.profile(record.erp) if record.erp else None
    if account.vendors_auto_update and flavour and not flavour.has(AUTO_UPDATE):
        lines.append(
            f"  'Vendors will be automatically updated' is on, but {flavour.title} cannot "
            f"{AUTO_UPDATE.action}: not applied"
        )
    return "\n".join(lines)


def print_vendors(record: ec.CompanyRecord) -> None:
    title = erp.profile(record.erp).title if record.erp else "unknown ERP"
    when = (
        f"{record.vendors_refreshed_at:%Y-%m-%d %H:%M} UTC"
        if record.vendors_refreshed_at
        else "never"
    )
    out(f"Sage company {record.sage_company} ({title}), vendors as of {when}")
    if not record.vendors:
        out("  no vendors read yet")
        return
    output.table(
        ["VENDOR", "NAME", "STATE", "DETAIL"],
        ([row.vendor_id, row.name, row.state.value, row.detail] for row in record.vendors),
        indent=2,
    )


# --- standard cost codes ---


async def cmd_standard_cost_codes(args: argparse.Namespace, cfg: Config) -> int:
    """standard-cost-codes refresh|show: the company's standard cost codes and categories
    (default-types: cli/cost_codes.py)."""
    if args.action == "default-types":
        return await cost_codes.cmd_default_types(args, cfg)
    if args.code is not None:
        raise UserError(f"standard-cost-codes {args.action} takes no CODE", USAGE)
    account = known_company(cfg.erp_company_file, args.company)
    if args.action == "refresh" and not args.actor:
        raise UserError("standard-cost-codes refresh needs --as USER", USAGE)
    client = await open_client(cfg)
    if args.action == "refresh":
        await ensure_company(client, cfg, args.company, account)
        request = ec.CompanyRequest(actor=args.actor)
        record = await company_command(client, args.company, "refresh_standard_cost_codes", request)
    else:
        first = f"starter.py standard-cost-codes refresh --company {args.company} --as USER"
        record = await company_record(client, args.company, first)
    if args.json:
        include = {
            "workflow_id",
            "sage_company",
            "erp",
            "standard_cost_codes",
            "standard_categories",
            "standard_refreshed_at",
            "default_cost_types",
        }
        out(record.model_dump_json(include=include, indent=2))
        return OK
    if record.standard_refreshed_at is None:
        out(f"{args.company}: standard cost codes not refreshed yet")
        return OK
    out(
        f"Sage company {args.company}: standard cost codes as of "
        f"{record.standard_refreshed_at:%Y-%m-%d %H:%M} UTC"
    )
    output.table(
        ["COST CODE", "DESCRIPTION", "NOTE"],
        (
            [
                code.code,
                code.description,
                "" if code.active else "inactive: reactivate it in Sage to use it",
            ]
            for code in record.standard_cost_codes
        ),
        indent=2,
    )
    categories = ", ".join(f"{c.category} {c.description}" for c in record.standard_categories)
    out(f"  categories: {categories or 'none'}")
    defaults = "; ".join(f"{code}: {', '.join(c)}" for code, c in record.default_cost_types.items())
    out(f"  default cost types: {defaults or 'none assigned'}")
    return OK


# --- the company account ---


async def cmd_company_account(args: argparse.Namespace, cfg: Config) -> int:
    """company-account apply [--company SAGE_CO] --as USER: the account file to the company's
    workflow (each Sage company of the file by default), taken only from an ERP Admin of the
    roster the workflow holds."""
    account = load_account(cfg.erp_company_file)
    companies = [args.company] if args.company else sorted(account.sage_companies)
    for company in companies:
        try:
            account.erp_of(company)
        except LookupError as err:
            raise UserError(f"{cfg.erp_company_file}: {err}", USAGE) from None
    client = await open_client(cfg)
    refused = 0
    for company in companies:
        await ensure_company(client, cfg, company, account)
        wf_id = ec.workflow_id(company)
        request = signed(args, wf_id, "settings", AccountRequest(actor=args.actor, account=account))
        try:
            record = await company_command(client, company, "settings", request)
        except UserError as err:
            if err.code != REFUSED:
                raise
            refused += 1
            out(f"{company}: refused: {err}", file=sys.stderr)
            continue
        out(f"{company}: {record.audit[-1].outcome}")
    return REFUSED if refused else OK


def add_commands(command: Any) -> None:
    """Register this module's commands on starter.py's parser."""
    p = command(
        "vendors",
        cmd_vendors,
        "refresh, list, link, archive or import Sage vendors; show or import their insurance",
    )
    p.add_argument(
        "action",
        choices=["refresh", "list", *sorted(set(VENDOR_UPDATES) - {"refresh"}), "insurance"],
    )
    p.add_argument(
        "vendor",
        metavar="VENDOR",
        nargs="?",
        help="the Sage vendor ID (insurance: VENDOR, or import VENDOR)",
    )
    p.add_argument(
        "target",
        metavar="COMPANY",
        nargs="?",
        help="link: the Procore company; import: the new company's ID (default C-VENDOR)",
    )
    p.add_argument("--company", default=DEFAULT_SAGE_COMPANY, metavar="SAGE_CO")
    p.add_argument("--as", dest="actor", metavar="USER")
    p.add_argument("--json", action="store_true")

    p = command(
        "standard-cost-codes",
        cmd_standard_cost_codes,
        "refresh or show the Sage company's standard cost codes and categories",
    )
    p.add_argument("action", choices=["refresh", "show", "default-types"])
    p.add_argument("code", nargs="?", metavar="CODE", help="default-types: the standard cost code")
    p.add_argument(
        "--category",
        action="append",
        metavar="COST_TYPE",
        help="default-types: a default cost type (repeat; none: clear them)",
    )
    p.add_argument("--company", default=DEFAULT_SAGE_COMPANY, metavar="SAGE_CO")
    p.add_argument("--as", dest="actor", metavar="USER")
    p.add_argument("--key", metavar="FILE", help="sign the command with this private key")
    p.add_argument("--json", action="store_true")

    p = command(
        "company-account",
        cmd_company_account,
        "push the company account file to the Sage companies' workflows (an ERP Admin)",
    )
    p.add_argument("action", choices=["apply"])
    p.add_argument("--company", metavar="SAGE_CO", help="one Sage company (default: each)")
    p.add_argument("--as", dest="actor", required=True, metavar="USER")
    p.add_argument("--key", metavar="FILE", help="sign with this private key")
