"""One ErpProject workflow per project synced with a Sage job: how project and job were joined
(a Sage job imported as this project, or the project exported as a job), the job's cost codes
and categories as last refreshed, and its job cost summary as last synced.

`starter.py jobs import` starts it for a new project; `cost-codes refresh`, `job-costs --sync`
and `sync` start it on first use for a project that already has its job; the project's sync
schedule (ProjectSync) signals it to refresh both. Every command is an update whose refusal
reaches the caller at once; nothing Sage answers fails the workflow.

Workflow ID: `erp_project:{project}`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import erp
    from domain.cost_codes import CostCodeRefresh
    from domain.job_costs import JobCostSummary
    from domain.job_import import SageJob, imported_settings
    from domain.permissions import ErpAction, NotPermitted, authorize_erp_action
    from domain.sage_paths import sage_path
    from domain.settings import ProjectSettings
    from workflows import search_attributes as sa
    from workflows.sage_reads import (
        RECOVERABLE,
        REFUSED,
        AuditLine,
        record,
        refusal,
        run_each,
        sage_json,
        schedule_actor,
    )

WORKFLOW_TYPE = "ErpProject"
ITEM_TYPE = "erp_project"


def workflow_id(project: str) -> str:
    return f"{ITEM_TYPE}:{project}"


class ProjectStart(BaseModel):
    settings: ProjectSettings
    origin: Literal["imported", "exported"] | None = None
    job: SageJob | None = None
    last_refresh: CostCodeRefresh | None = None
    refreshed_at: datetime | None = None
    job_costs: JobCostSummary | None = None
    audit: list[AuditLine] = Field(default_factory=list)


class ProjectRequest(BaseModel):
    actor: str = Field(min_length=1)
    job_id: str | None = Field(default=None, description="import_job: the Sage job")
    settings: ProjectSettings | None = Field(
        default=None, description="The project's settings now (roster, job, company)."
    )


class ProjectRecord(ProjectStart):
    workflow_id: str
    project: str


@workflow.defn(name=WORKFLOW_TYPE)
class ErpProject:
    @workflow.init
    def __init__(self, start: ProjectStart) -> None:
        self._state = start.model_copy(update={"audit": list(start.audit)})
        self._lock = asyncio.Lock()
        self._closed = False

    @workflow.run
    async def run(self, start: ProjectStart) -> str:
        await workflow.wait_condition(
            lambda: self._closed or workflow.info().is_continue_as_new_suggested()
        )
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._closed:
            return "not imported"
        workflow.continue_as_new(self._state)

    @workflow.query
    def status(self) -> ProjectRecord:
        return ProjectRecord(
            **self._state.model_dump(),
            workflow_id=workflow.info().workflow_id,
            project=self._settings.project,
        )

    @property
    def _settings(self) -> ProjectSettings:
        return self._state.settings

    # --- updates ---

    @workflow.update
    async def import_job(self, request: ProjectRequest) -> ProjectRecord:
        """Add a Sage job to Procore as this (new) project, with its cost codes."""
        async with self._lock:
            job_id = request.job_id or ""
            try:
                flavour = erp.Erp((await self._call("GET", "/v1/company"))["erp"])
                erp.require(flavour, erp.Capability.JOB_IMPORT, self._settings.project)
                path = sage_path("/v1/jobs", job_id, "links", self._settings.project)
                answer = await self._call("PUT", path, key=f"{workflow.info().workflow_id}/link")
                job = SageJob.model_validate(answer.get("job", {}))
            except RECOVERABLE as err:
                if self._state.job is None:
                    self._closed = True  # nothing was imported: a later attempt starts afresh
                raise self._refusal(request.actor, f"import job {job_id}", err) from None
            settings = imported_settings(self._settings, job, flavour)
            self._state = self._state.model_copy(
                update={"settings": settings, "origin": "imported", "job": job}
            )
            self._record(
                request.actor,
                f"import job {job_id}",
                f"project {settings.project} added from Sage job {job.job_id} ({job.name}) "
                f"with {len(job.cost_codes)} cost codes",
            )
            self._publish()
            return self.status()

    @import_job.validator
    def _validate_import_job(self, request: ProjectRequest) -> None:
        self._authorize(request, ErpAction.ADD_ERP_JOB)
        if not request.job_id:
            raise ApplicationError("import_job needs the Sage job ID", type=REFUSED)
        if self._state.job is not None:
            raise ApplicationError(
                f"project {self._settings.project} is synced with Sage job "
                f"{self._state.job.job_id} already",
                type=REFUSED,
            )

    @workflow.update
    async def refresh_cost_codes(self, request: ProjectRequest) -> ProjectRecord:
        return await self._refresh(request, "refresh cost codes", self._refresh_cost_codes)

    @refresh_cost_codes.validator
    def _validate_refresh_cost_codes(self, request: ProjectRequest) -> None:
        self._authorize(request, ErpAction.REFRESH_COST_CODES)

    @workflow.update
    async def sync_job_costs(self, request: ProjectRequest) -> ProjectRecord:
        return await self._refresh(request, "sync job costs", self._sync_job_costs)

    @sync_job_costs.validator
    def _validate_sync_job_costs(self, request: ProjectRequest) -> None:
        self._authorize(request, ErpAction.SYNC_JOB_COSTS)

    @workflow.signal(name="sync")
    async def sync_signal(self, *payload: Any) -> None:
        """The project's sync schedule: refresh cost codes and job costs; record refusals."""
        async with self._lock:
            steps = [
                ("refresh cost codes", self._refresh_cost_codes),
                ("sync job costs", self._sync_job_costs),
            ]
            await run_each(self._state.audit, schedule_actor(payload), steps)

    # --- the work ---

    async def _refresh(
        self, request: ProjectRequest, action: str, work: Callable[[str], Awaitable[None]]
    ) -> ProjectRecord:
        """An on-demand refresh: with the settings the request carries; a refusal recorded."""
        async with self._lock:
            self._take_settings(request)
            try:
                await work(request.actor)
            except RECOVERABLE as err:
                raise self._refusal(request.actor, action, err) from None
            return self.status()

    async def _refresh_cost_codes(self, actor: str) -> None:
        job_id = self._job_id()
        erp.require(self._settings.erp, erp.Capability.COST_CODE_REFRESH, self._settings.project)
        job = SageJob.model_validate(await self._call("GET", sage_path("/v1/jobs", job_id)))
        before = self._state.job.cost_codes if self._state.job else []
        refresh = CostCodeRefresh.between(before, job.cost_codes)
        self._state = self._state.model_copy(
            update={
                "job": job,
                "last_refresh": refresh,
                "refreshed_at": workflow.now(),
                "origin": self._state.origin or _origin(job),
            }
        )
        self._record(actor, "refresh cost codes", "; ".join(refresh.lines()))
        self._publish()

    async def _sync_job_costs(self, actor: str) -> None:
        job_id = self._job_id()
        erp.require(self._settings.erp, erp.Capability.JOB_COSTS_SYNC, self._settings.project)
        answer = await self._call("GET", sage_path("/v1/jobs", job_id, "job_costs"))
        summary = JobCostSummary.from_sage(self._settings.project, answer)
        self._state = self._state.model_copy(update={"job_costs": summary})
        self._record(
            actor,
            "sync job costs",
            f"{len(summary.lines)} cost code/category lines as of {summary.as_of:%Y-%m-%d %H:%M}",
        )
        self._publish()

    def _job_id(self) -> str:
        if self._state.job is not None:
            return self._state.job.job_id
        if self._settings.sage_job_id:
            return self._settings.sage_job_id
        raise LookupError(
            f"project {self._settings.project} has no Sage job yet: export the project "
            "(a `project` item) or add a Sage job to Procore (starter.py jobs import)"
        )

    async def _call(self, method: Literal["GET", "PUT"], path: str, key: str | None = None) -> Any:
        return await sage_json(method, path, self._settings.sage_company, key)

    def _take_settings(self, request: ProjectRequest) -> None:
        if request.settings is not None and self._state.origin != "imported":
            self._state = self._state.model_copy(update={"settings": request.settings})

    def _authorize(self, request: ProjectRequest, action: ErpAction) -> None:
        roster = (request.settings or self._settings).roster
        try:
            authorize_erp_action(roster, request.actor, action, f"project {self._settings.project}")
        except NotPermitted as err:
            raise ApplicationError(str(err), type=REFUSED) from None

    def _refusal(self, actor: str, action: str, err: Exception) -> ApplicationError:
        return refusal(self._state.audit, actor, action, err)

    def _record(self, actor: str, action: str, outcome: str) -> None:
        record(self._state.audit, actor, action, outcome)

    def _publish(self) -> None:
        details = [f"Project {self._settings.project}"]
        if self._state.job is not None:
            details.append(
                f"Sage job {self._state.job.job_id} ({self._state.origin or 'synced'}), "
                f"{len(self._state.job.cost_codes)} cost codes"
            )
        if self._state.job_costs is not None:
            details.append(f"job costs as of {self._state.job_costs.as_of:%Y-%m-%d %H:%M} UTC")
        workflow.set_current_details("\n\n".join(details))
        workflow.upsert_search_attributes([sa.PROJECT.value_set(self._settings.project)])


def _origin(job: SageJob) -> Literal["imported", "exported"]:
    return "exported" if job.origin == "procore" else "imported"
