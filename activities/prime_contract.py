"""The one activity that reads Temporal itself: which prime contract syncs a project has."""

from __future__ import annotations

from temporalio import activity
from temporalio.client import Client

from workflows.prime_contract import LIST_ACTIVITY, running_syncs_query


class SyncActivities:
    """The one activity that reads Temporal itself: which prime contracts a project has."""

    def __init__(self, client: Client) -> None:
        self._client = client

    @activity.defn(name=LIST_ACTIVITY)
    async def list_syncs(self, project: str) -> list[str]:
        return [wf.id async for wf in self._client.list_workflows(running_syncs_query(project))]
