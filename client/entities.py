"""The long-lived workflows beside the items: a project's ErpProject, a Sage company's
ErpCompany, a project's PrimeContractSync workflows. Started on first use, commanded by update,
read by their `status` query."""

from __future__ import annotations

from typing import Any

from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from client.errors import NO_SUCH_ITEM, REFUSED, UserError, rpc_error
from client.items import command, running
from contract import erp_company as ec
from contract import erp_project as ep
from contract import item as item_contract
from contract import prime_contract_sync as pcw
from contract import search_attributes as sa
from contract.sync import running_syncs_query
from domain.company_account import CompanyAccount
from domain.settings import ProjectSettings
from runtime.config import Config


async def start_entity(
    client: Client,
    cfg: Config,
    workflow_type: str,
    start: Any,
    wf_id: str,
    pairs: list[SearchAttributePair[Any]],
    summary: str,
) -> None:
    """Start a long-lived workflow (a project's or a Sage company's) unless it runs already."""
    try:
        await client.start_workflow(
            workflow_type,
            start,
            id=wf_id,
            task_queue=cfg.temporal_task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            search_attributes=TypedSearchAttributes(pairs),
            static_summary=summary,
        )
    except RPCError as err:
        raise rpc_error(err, wf_id) from None


async def entity_status(client: Client, wf_id: str, result_type: type, missing: str) -> Any:
    """A workflow's `status` query; `missing` says what to do when there is no such workflow."""
    try:
        return await client.get_workflow_handle(wf_id).query(
            item_contract.STATUS_QUERY, result_type=result_type
        )
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise UserError(missing, NO_SUCH_ITEM) from None
        raise rpc_error(err, wf_id) from None


# --- the project's ErpProject ---


async def ensure_project(client: Client, cfg: Config, settings: ProjectSettings) -> None:
    """Start the project's ErpProject workflow unless it runs already."""
    pairs = [
        SearchAttributePair(sa.ITEM_TYPE, ep.ITEM_TYPE),
        SearchAttributePair(sa.PROJECT, settings.project),
    ]
    summary = f"Project {settings.project} and its Sage job"
    wf_id = ep.workflow_id(settings.project)
    await start_entity(
        client, cfg, ep.WORKFLOW_TYPE, ep.ProjectStart(settings=settings), wf_id, pairs, summary
    )


async def project_command(
    client: Client, project: str, name: str, request: Any
) -> ep.ProjectRecord:
    wf_id = ep.workflow_id(project)
    return await command(client, wf_id, name, request, ep.ProjectRecord, label=project)


async def project_record(client: Client, project: str) -> ep.ProjectRecord:
    missing = (
        f"project {project} has no synced Sage data yet (run: starter.py cost-codes refresh "
        f"{project} --as USER, or job-costs {project} --sync --as USER)"
    )
    return await entity_status(client, ep.workflow_id(project), ep.ProjectRecord, missing)


# --- the Sage company's ErpCompany ---


async def ensure_company(
    client: Client, cfg: Config, sage_company: str, account: CompanyAccount
) -> None:
    """Start the Sage company's ErpCompany workflow unless it runs already."""
    start = ec.CompanyStart(sage_company=sage_company, account=account)
    pairs = [SearchAttributePair(sa.ITEM_TYPE, ec.ITEM_TYPE)]
    summary = f"Sage company {sage_company}: vendors and standard cost codes"
    wf_id = ec.workflow_id(sage_company)
    await start_entity(client, cfg, ec.WORKFLOW_TYPE, start, wf_id, pairs, summary)


async def company_command(
    client: Client, sage_company: str, name: str, request: ec.CompanyRequest
) -> ec.CompanyRecord:
    wf_id = ec.workflow_id(sage_company)
    return await command(client, wf_id, name, request, ec.CompanyRecord, label=sage_company)


async def company_record(client: Client, sage_company: str, first: str) -> ec.CompanyRecord:
    missing = f"Sage company {sage_company}: nothing read from Sage yet (run: {first})"
    return await entity_status(client, ec.workflow_id(sage_company), ec.CompanyRecord, missing)


# --- the project's prime contracts ---


async def start_prime_contract(
    client: Client, cfg: Config, project: ProjectSettings, contract: str
) -> str:
    """Start the PrimeContractSync of `contract`; refused when it is imported already."""
    wf_id = pcw.workflow_id(project.project, contract)
    try:
        await client.start_workflow(
            pcw.WORKFLOW_TYPE,
            pcw.SyncStart(project=project.project, contract=contract, settings=project),
            id=wf_id,
            task_queue=cfg.temporal_task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(sa.ITEM_TYPE, pcw.ITEM_TYPE),
                    SearchAttributePair(sa.PROJECT, project.project),
                ]
            ),
            static_summary=f"Prime contract {contract} of {project.project}",
        )
    except WorkflowAlreadyStartedError:
        raise UserError(
            f"{wf_id}: already imported (prime-contract reimport brings in changes)", REFUSED
        ) from None
    except RPCError as err:
        raise rpc_error(err, wf_id) from None
    return wf_id


async def prime_command(
    client: Client, wf_id: str, name: str, request: Any, result_type: type = pcw.SyncStatus
) -> Any:
    missing = (
        f"no such prime contract: {wf_id} (import it first: starter.py prime-contract "
        "import PROJECT CONTRACT --as USER)"
    )
    return await command(client, wf_id, name, request, result_type, missing=missing)


async def prime_status(client: Client, wf_id: str) -> pcw.SyncStatus:
    return await entity_status(client, wf_id, pcw.SyncStatus, f"no such prime contract: {wf_id}")


async def project_syncs(client: Client, project: str) -> list[str]:
    """The running prime contract syncs of the project."""
    query = running_syncs_query(project, (pcw.WORKFLOW_TYPE,))
    return sorted(await running(client, query, project))
