"""The cost code acceptance's activity (on the workflows' queue; no Sage request).

A workflow cannot query another workflow: a project's ErpProject, accepting a cost code sent
with no cost type, reads the default cost types its Sage company's ErpCompany holds (the
matrix's "Assign Default Cost Types To ERP Standard Cost Codes") through this. A company that
runs no workflow, or one from before the defaults, has none.
"""

from __future__ import annotations

from temporalio import activity
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from contract import erp_company as ec
from domain.company_account import DEFAULT_SAGE_COMPANY


class CostCodeActivities:
    def __init__(self, client: Client) -> None:
        self._client = client

    def all(self) -> list[object]:
        return [self.read_default_types]

    @activity.defn(name=ec.READ_DEFAULT_COST_TYPES_ACTIVITY)
    async def read_default_types(self, request: ec.DefaultCostTypesRead) -> dict[str, list[str]]:
        wf_id = ec.workflow_id(request.sage_company or DEFAULT_SAGE_COMPANY)
        try:
            return await self._client.get_workflow_handle(wf_id).query(
                ec.DEFAULT_COST_TYPES_QUERY, result_type=dict[str, list[str]]
            )
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return {}
            raise
        except WorkflowQueryFailedError as err:  # a company workflow from before the defaults
            if "unknown queryType" in str(err) or "not found" in str(err).lower():
                return {}
            raise
