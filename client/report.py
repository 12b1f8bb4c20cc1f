"""The accountant report's and the synced sub job list's reads: who may see them (the roster
the project's ErpProject holds), then the project's items from Temporal visibility and each
one's `status` query."""

from __future__ import annotations

import asyncio

from temporalio.client import Client

from client.entities import ensure_project, project_record
from client.errors import REFUSED, UserError
from client.items import item_status, list_items
from domain.items import ItemType
from domain.permissions import (
    ErpAction,
    NotPermitted,
    authorize_erp_action,
    authorize_sub_job_list,
)
from domain.report import (
    AccountantReport,
    ReportLine,
    SyncedSubJob,
    accountant_report,
    report_line,
    synced_sub_job_list,
)
from domain.settings import ProjectSettings
from runtime.config import Config

QUERY_CONCURRENCY = 16
"""Status queries in flight at once (each may replay a closed item on a worker)."""


async def authorize_report(client: Client, cfg: Config, settings: ProjectSettings, actor: str):
    """Refuse unless `actor` is an ERP Admin on the roster the project's ErpProject holds (the
    settings file only starts it when it is not running; it never decides)."""
    await ensure_project(client, cfg, settings)
    held = (await project_record(client, settings.project)).settings
    try:
        authorize_erp_action(
            held.roster, actor, ErpAction.VIEW_ACCOUNTANT_REPORT, f"project {held.project}"
        )
    except NotPermitted as err:
        raise UserError(str(err), REFUSED) from None


async def project_lines(client: Client, project: str, item_type: str | None = None):
    """One report line per item of the project (of one type, if given), from its status."""
    rows = await list_items(client, {"project": project, "type": item_type})
    gate = asyncio.Semaphore(QUERY_CONCURRENCY)

    async def line(item: str) -> ReportLine:
        async with gate:
            return report_line(await item_status(client, item))

    return list(await asyncio.gather(*(line(row["item"]) for row in rows)))


async def sub_job_list(
    client: Client, cfg: Config, settings: ProjectSettings, actor: str
) -> list[SyncedSubJob]:
    """The project's synced sub jobs (exported, and imported from Sage extras), for a user the
    held roster lets see them."""
    await ensure_project(client, cfg, settings)
    record = await project_record(client, settings.project)
    held = record.settings
    try:
        authorize_sub_job_list(held.roster, actor, f"project {held.project}")
    except NotPermitted as err:
        raise UserError(str(err), REFUSED) from None
    lines = await project_lines(client, settings.project, ItemType.SUB_JOB.value)
    return synced_sub_job_list(lines, record.sub_jobs)


async def project_report(
    client: Client, cfg: Config, settings: ProjectSettings, actor: str
) -> AccountantReport:
    await authorize_report(client, cfg, settings, actor)
    return accountant_report(settings.project, await project_lines(client, settings.project))
