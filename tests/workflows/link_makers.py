"""A workflow that made links, as a home asks it (`links.made`): the tests' stand-in for an
item or a prime contract sync whose export or import linked records. The homes' fixtures
run it beside the home, with the real `links.verify` activity (activities/links.py), so a
home's note intake is tested as it runs: a note is taken only when its maker holds it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporalio.client import Client, WorkflowHandle
    from temporalio.common import WorkflowIDConflictPolicy

    from activities.links import LinkActivities
    from contract import item
    from contract.links import LINK_SIGNAL, LINKS_QUERY, MADE_LINKS_QUERY, LinksMade, LinksView


@workflow.defn(name=item.WORKFLOW_TYPE)
class LinkMaker:
    """Holds the links it is told it made until it is told otherwise."""

    @workflow.init
    def __init__(self, made: LinksMade) -> None:
        self._made = made

    @workflow.run
    async def run(self, made: LinksMade) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.query(name=MADE_LINKS_QUERY)
    def made_links(self) -> LinksMade:
        return self._made

    @workflow.signal
    def holds(self, made: LinksMade) -> None:
        self._made = made


def verify_activity(client: Client, task_queue: str) -> Any:
    """The real `links.verify`, for a home's worker (it reads no company file)."""
    return LinkActivities(client, task_queue, Path("/nonexistent")).verify


async def made_by(
    client: Client,
    home: WorkflowHandle[Any, Any],
    item_id: str,
    project: str,
    *links: dict[str, Any],
    sage_company: str | None = None,
) -> WorkflowHandle[Any, Any]:
    """A maker `item_id` of `project` holding `links` (Link fields), on the home's queue."""
    queue = (await home.describe()).task_queue
    made = LinksMade(project=project, sage_company=sage_company, links=list(links))
    return await client.start_workflow(
        LinkMaker.run,
        made,
        id=item_id,
        task_queue=queue,
        id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING,
    )


NOTED_AT = "2026-12-01T00:00:00Z"


async def linked_by(
    client: Client,
    home: WorkflowHandle[Any, Any],
    item_id: str,
    project: str,
    *links: dict[str, Any],
    sage_company: str | None = None,
) -> WorkflowHandle[Any, Any]:
    """A maker holding `links` (Link fields; `item` and `at` filled in when not given), and its
    note to `home`, as an export that linked them sends; back once the home took them (it asks
    the maker first)."""
    links = tuple({"item": item_id, "at": NOTED_AT, **link} for link in links)
    maker = await made_by(client, home, item_id, project, *links, sage_company=sage_company)
    await home.signal(LINK_SIGNAL, {"item": item_id, "links": list(links)})
    wanted = {(link["kind"], link["procore"]) for link in links}
    for _ in range(200):
        view = await home.query(LINKS_QUERY, result_type=LinksView)
        if wanted <= {(ln.kind.value, ln.procore) for ln in view.registry.links}:
            return maker
        await asyncio.sleep(0.05)
    raise AssertionError(f"{home.id} never took the links of {item_id}: {view.registry.links}")
