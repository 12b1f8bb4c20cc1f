"""Reading the link registry (contract/links.py): a project's ErpProject, a Sage company's
ErpCompany, by their `links` query."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from client.errors import NO_SUCH_ITEM, UserError, rpc_error
from contract import erp_company as ec
from contract import erp_project as ep
from contract.links import LINKS_QUERY, LinksView


async def _view(
    client: Client, wf_id: str, rpc_timeout: timedelta | None = None
) -> LinksView | None:
    try:
        return await client.get_workflow_handle(wf_id).query(
            LINKS_QUERY, result_type=LinksView, rpc_timeout=rpc_timeout
        )
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        raise rpc_error(err, wf_id) from None


async def links_of(client: Client, name: str) -> LinksView:
    """The links of project `name`, or else of Sage company `name`; exit 3 if neither."""
    for wf_id in (ep.workflow_id(name), ec.workflow_id(name)):
        view = await _view(client, wf_id)
        if view is not None:
            return view
    raise UserError(
        f"no links for {name!r}: no project or Sage company of that name has synced anything "
        "yet (export its project or a company, or import its Sage job)",
        NO_SUCH_ITEM,
    )


async def project_links(
    client: Client, project: str, rpc_timeout: timedelta | None = None
) -> LinksView | None:
    """Project `project`'s links, or None when it has synced nothing yet (no ErpProject)."""
    return await _view(client, ep.workflow_id(project), rpc_timeout)
