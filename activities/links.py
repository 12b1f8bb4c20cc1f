"""The link registry's activities (on the workflows' queue; no Sage request).

A workflow cannot query another workflow, nor signal-with-start one, so an item reads and
writes the registry through these:
- `read`: the `links` query of the project's ErpProject and the Sage company's ErpCompany
  (a home that runs no workflow has no links);
- `record`: signal-with-start of each home with the links an export made; ErpProject starts
  with the item's project settings (as `starter.py` starts it), ErpCompany with the company
  account of the worker's ERP_COMPANY_FILE (as `starter.py vendors ...` starts it). The home
  asks the item before it takes a note, so `record` waits (up to `TAKEN_WAIT`) until the
  home holds the links: an item is `exported` only once the next item can lean on it;
- `end`: the same with the link a person unlinked (and waits until it is gone);
- `verify`: a home about to take a note asks the workflow the note names (an item, a prime
  contract sync) what its own history linked (its `links.made` query);
- `refresh_prime_contract`: a PCCO about to export finds its prime contract's link and runs
  the `sync` update of the PrimeContractSync that wrote it (checked there, against the
  roster that workflow holds), answering what happened, a refusal included.
A home that runs already keeps the authority it holds: the start input is then ignored.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.client import Client, WorkflowQueryFailedError, WorkflowUpdateFailedError
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from contract import erp_company as ec
from contract import erp_project as ep
from contract import search_attributes as sa
from contract.links import (
    END_LINK_ACTIVITY,
    LINK_MAKERS,
    LINK_SIGNAL,
    LINKS_QUERY,
    MADE_LINKS_QUERY,
    READ_LINKS_ACTIVITY,
    RECORD_LINKS_ACTIVITY,
    UNLINK_SIGNAL,
    VERIFY_LINKS_ACTIVITY,
    LinkEnd,
    LinkNote,
    LinksAnswer,
    LinksAsk,
    LinksMade,
    LinksRead,
    LinksRecord,
    LinksSnapshot,
    LinksView,
    UnlinkNote,
)
from contract.prime_contract_sync import REFRESH_ACTIVITY, RefreshOutcome, RefreshRequest
from domain.company_account import DEFAULT_SAGE_COMPANY, parse_company_account
from domain.links import LinkKind, home_of
from domain.settings import ProjectSettings

TAKEN_WAIT = 20.0
"""Seconds `record` and `end` wait for the home to take a note (a refused note, a conflict
say, is in the home's audit trail; the item goes on after this wait)."""


def taken(view: LinksView | None, note: LinkNote | UnlinkNote) -> bool:
    """Whether a home's links show `note` taken: every link it made is live there, or the
    link it ended is no longer live in that item's name."""
    if view is None:
        return False
    live = view.registry.links
    if isinstance(note, UnlinkNote):
        return not any(
            ln.kind is note.kind and ln.procore == note.procore and ln.item == note.item
            for ln in live
        )
    held = {(ln.kind, ln.procore, ln.sage_id) for ln in live}
    return all((ln.kind, ln.procore, ln.sage_id) in held for ln in note.links)


async def until_taken(view: Callable[[], Awaitable[LinksView | None]], note: Any) -> bool:
    """Poll `view` until `note` is taken, at most TAKEN_WAIT seconds (heartbeating)."""
    deadline = time.monotonic() + TAKEN_WAIT
    while True:
        if taken(await view(), note):
            return True
        if time.monotonic() > deadline:
            return False
        if activity.in_activity():
            activity.heartbeat()
        await asyncio.sleep(0.1)


class LinkActivities:
    def __init__(self, client: Client, task_queue: str, company_file: Path) -> None:
        self._client = client
        self._task_queue = task_queue
        self._company_file = company_file

    def all(self) -> list[object]:
        return [self.read, self.record, self.end, self.verify, self.refresh_prime_contract]

    @activity.defn(name=READ_LINKS_ACTIVITY)
    async def read(self, request: LinksRead) -> LinksSnapshot:
        project = await self._view(ep.workflow_id(request.project))
        company = await self._view(ec.workflow_id(request.sage_company or DEFAULT_SAGE_COMPANY))
        return LinksSnapshot(project=project, company=company)

    @activity.defn(name=RECORD_LINKS_ACTIVITY)
    async def record(self, request: LinksRecord) -> None:
        for home in ("project", "company"):
            links = [ln for ln in request.note.links if home_of(ln.kind) == home]
            if links:
                note = LinkNote(item=request.note.item, links=links)
                await self._tell(home, request.project, LINK_SIGNAL, note)

    @activity.defn(name=END_LINK_ACTIVITY)
    async def end(self, request: LinkEnd) -> None:
        home = home_of(request.note.kind)
        await self._tell(home, request.project, UNLINK_SIGNAL, request.note)

    @activity.defn(name=VERIFY_LINKS_ACTIVITY)
    async def verify(self, request: LinksAsk) -> LinksAnswer:
        """What the workflow a note names made; a refusal when it is no workflow that makes
        links (a made-up ID, a workflow of another type)."""
        handle = self._client.get_workflow_handle(request.item)
        try:
            described = await handle.describe()
        except RPCError as err:
            if err.status is not RPCStatusCode.NOT_FOUND:
                raise
            return LinksAnswer(refused=f"{request.item} runs no workflow")
        if described.workflow_type not in LINK_MAKERS:
            return LinksAnswer(
                refused=f"{request.item} is a {described.workflow_type}, which makes no links"
            )
        try:
            made = await handle.query(MADE_LINKS_QUERY, result_type=LinksMade)
        except WorkflowQueryFailedError as err:  # a run from before `links.made`
            if "unknown queryType" not in str(err):
                raise
            return LinksAnswer(refused=f"{request.item} cannot say what it linked")
        return LinksAnswer(made=made)

    @activity.defn(name=REFRESH_ACTIVITY)
    async def refresh_prime_contract(self, request: RefreshRequest) -> RefreshOutcome:
        view = await self._view(ep.workflow_id(request.project))
        number = request.prime_contract
        link = view.registry.find(LinkKind.PRIME_CONTRACT, number) if view else None
        if link is None or not link.item:
            return RefreshOutcome(
                synced=False, detail=f"prime contract {number} is not imported any more"
            )
        try:
            detail = await self._client.get_workflow_handle(link.item).execute_update(
                "sync", request.actor, result_type=str
            )
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            message = cause.message if isinstance(cause, ApplicationError) else str(cause)
            return RefreshOutcome(synced=False, detail=f"refused: {message}")
        except RPCError as err:
            if err.status is not RPCStatusCode.NOT_FOUND:
                raise
            return RefreshOutcome(synced=False, detail=f"{link.item} runs no workflow")
        return RefreshOutcome(synced=True, detail=detail)

    async def _view(self, wf_id: str) -> LinksView | None:
        try:
            return await self._client.get_workflow_handle(wf_id).query(
                LINKS_QUERY, result_type=LinksView
            )
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return None
            raise
        except WorkflowQueryFailedError as err:  # a home from before the registry
            if "unknown queryType" in str(err) or "not found" in str(err).lower():
                return LinksView(home=wf_id)
            raise

    async def _tell(
        self, home: str, settings: ProjectSettings, name: str, note: LinkNote | UnlinkNote
    ) -> None:
        """Signal-with-start the home with the note, then wait until it took it (it asks the
        note's item first)."""
        if home == "project":
            wf_type, wf_id = ep.WORKFLOW_TYPE, ep.workflow_id(settings.project)
            start: object = ep.ProjectStart(settings=settings)
            pairs = [
                SearchAttributePair(sa.ITEM_TYPE, ep.ITEM_TYPE),
                SearchAttributePair(sa.PROJECT, settings.project),
            ]
            summary = f"Project {settings.project} and its Sage job"
        else:
            company = settings.sage_company or DEFAULT_SAGE_COMPANY
            try:
                text = self._company_file.read_text(encoding="utf-8")
                account = parse_company_account(text)
            except (OSError, ValueError) as err:
                raise ApplicationError(
                    f"the company account ({self._company_file}) cannot be read: {err}",
                    type="NoCompanyAccount",
                    non_retryable=True,
                ) from None
            wf_type, wf_id = ec.WORKFLOW_TYPE, ec.workflow_id(company)
            start = ec.CompanyStart(sage_company=company, account=account)
            pairs = [SearchAttributePair(sa.ITEM_TYPE, ec.ITEM_TYPE)]
            summary = f"Sage company {company}: vendors and standard cost codes"
        await self._client.start_workflow(
            wf_type,
            start,
            id=wf_id,
            task_queue=self._task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            search_attributes=TypedSearchAttributes(pairs),
            static_summary=summary,
            start_signal=name,
            start_signal_args=[note],
        )
        if not await until_taken(lambda: self._view(wf_id), note):
            activity.logger.warning("%s has not taken %s's note yet", wf_id, note.item)
