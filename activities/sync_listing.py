"""The one activity that reads Temporal itself: which sync workflows a project has."""

from __future__ import annotations

from temporalio import activity
from temporalio.client import Client

from contract import erp_project, prime_contract_sync
from contract.sync import LIST_SYNCS_ACTIVITY, running_syncs_query


class SyncActivities:
    """What the project's sync schedule refreshes: its prime contracts and its ErpProject."""

    def __init__(self, client: Client) -> None:
        self._client = client

    @activity.defn(name=LIST_SYNCS_ACTIVITY)
    async def list_syncs(self, project: str) -> list[str]:
        types = (prime_contract_sync.WORKFLOW_TYPE, erp_project.WORKFLOW_TYPE)
        query = running_syncs_query(project, types)
        return [wf.id async for wf in self._client.list_workflows(query)]
