"""`starter.py report PROJECT --as USER [--json]`: the accountant report for ERP (ERP Admin):
what is ready to export, failed, synced and posted, with amounts. The list of synced sub jobs,
from the same reads, is `sub-jobs list` (cli/sub_jobs.py)."""

from __future__ import annotations

import argparse
from typing import Any

from cli import output
from cli.output import out
from client.connection import open_client
from client.projects import known_project
from client.report import project_report
from domain.report import AccountantReport, ReportLine, Section
from runtime.config import Config

TITLES = {
    Section.READY: "Ready to export (waiting for an accounting approver)",
    Section.FAILED: "Export failed (fix the cause, then retry or reject)",
    Section.SYNCED: "Synced with Sage (batch not posted yet)",
    Section.POSTED: "Posted in Sage",
}


def _detail(line: ReportLine, section: Section) -> str:
    if section is Section.FAILED:
        return f"[{line.error_code}] {line.error_message}" if line.error_code else ""
    if section is Section.READY:
        return ""
    sage = ", ".join(f"{k}={v}" for k, v in line.sage_ids.items())
    batches = ", ".join(line.batches)
    return "; ".join(part for part in (sage, f"batch {batches}" if batches else "") if part)


def print_report(report: AccountantReport) -> None:
    out(f"Accountant report for ERP: project {report.project}")
    for total in report.sections:
        detail = "ERROR" if total.section is Section.FAILED else "SAGE"
        out()
        output.table(
            ["ITEM", "TYPE", "STATE", "AMOUNT", detail],
            [
                [
                    line.item,
                    line.type.value,
                    line.state.value,
                    f"{line.amount:,.2f}",
                    _detail(line, total.section),
                ]
                for line in total.lines
            ],
            title=f"{TITLES[total.section]}: {total.count}, ${total.amount:,.2f}",
            right=["AMOUNT"],
            totals=["total", "", "", f"{total.amount:,.2f}", ""] if total.lines else None,
            empty="(none)",
        )
    if report.elsewhere:
        out()
        out(
            "Not in the report: "
            + ", ".join(f"{count} {state.value}" for state, count in report.elsewhere.items())
        )


async def cmd_report(args: argparse.Namespace, cfg: Config) -> int:
    """report PROJECT --as USER [--json]."""
    settings = known_project(cfg.erp_projects_file, args.project)
    client = await open_client(cfg)
    report = await project_report(client, cfg, settings, args.actor)
    if args.json:
        out(report.model_dump_json(indent=2))
    else:
        print_report(report)
    return 0


def add_commands(command: Any) -> None:
    """Register this module's commands on starter.py's parser."""
    p = command(
        "report",
        cmd_report,
        "the accountant report for ERP: a project's items ready, failed, synced and posted",
    )
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--as", dest="actor", required=True, metavar="USER", help="an ERP Admin")
    p.add_argument("--json", action="store_true")
