"""The project's sync schedule: a Temporal Schedule that runs ProjectSync in the name of the ERP
Admin who set it; every workflow it will ask checks that admin first (the `schedule` update)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleSpec,
    ScheduleUpdate,
)
from temporalio.service import RPCError, RPCStatusCode

from client.entities import ensure_project, project_syncs
from client.errors import NO_SUCH_ITEM, UserError, rpc_error
from client.items import command
from client.signing import signed
from contract import erp_project as ep
from contract import prime_contract_sync as pcw
from contract.sync import (
    PROJECT_SYNC_WORKFLOW,
    SCHEDULE,
    ProjectSyncInput,
    ScheduleRequest,
    project_sync_id,
    schedule_id,
)
from domain.settings import ProjectSettings
from runtime.config import Config


@dataclass
class ScheduleView:
    schedule_id: str
    every: list[timedelta]
    actor: str | None
    next_run: datetime | None
    last_run: datetime | None


async def _authorize(
    client: Client,
    cfg: Config,
    project: ProjectSettings,
    actor: str,
    key: Path | None,
    every: timedelta | None,
) -> None:
    """Each workflow the schedule will ask (the project's ErpProject, every prime contract sync)
    checks the admin against the roster it holds, and records them, before the Temporal
    Schedule changes at all."""
    await ensure_project(client, cfg, project)
    targets = [ep.workflow_id(project.project), *await project_syncs(client, project.project)]
    for wf_id in targets:
        request = signed(ScheduleRequest(actor=actor, every=every), wf_id, SCHEDULE, key)
        result = ep.ProjectRecord if wf_id == targets[0] else pcw.SyncStatus
        await command(client, wf_id, SCHEDULE, request, result)


def _not_found(err: RPCError, project: str) -> UserError:
    if err.status == RPCStatusCode.NOT_FOUND:
        return UserError(f"no sync schedule for project {project}", NO_SUCH_ITEM)
    return rpc_error(err, schedule_id(project))


async def set_schedule(
    client: Client,
    cfg: Config,
    project: ProjectSettings,
    actor: str,
    key: Path | None,
    every: timedelta,
) -> str:
    """Create or change the schedule; returns "created" or "changed"."""
    sid = schedule_id(project.project)
    try:
        await _authorize(client, cfg, project, actor, key, every)
        schedule = Schedule(
            action=ScheduleActionStartWorkflow(
                PROJECT_SYNC_WORKFLOW,
                ProjectSyncInput(project=project.project, actor=actor),
                id=project_sync_id(project.project),
                task_queue=cfg.temporal_task_queue,
            ),
            spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        )
        try:
            await client.create_schedule(sid, schedule)
            return "created"
        except ScheduleAlreadyRunningError:
            handle = client.get_schedule_handle(sid)
            await handle.update(lambda _: ScheduleUpdate(schedule=schedule))
            return "changed"
    except RPCError as err:
        raise _not_found(err, project.project) from None


async def show_schedule(client: Client, project: str) -> ScheduleView:
    sid = schedule_id(project)
    try:
        described = await client.get_schedule_handle(sid).describe()
    except RPCError as err:
        raise _not_found(err, project) from None
    action = described.schedule.action
    actor = None
    if isinstance(action, ScheduleActionStartWorkflow) and action.args:
        actor = await _schedule_actor(client, action.args[0])
    upcoming = described.info.next_action_times[:1]
    recent = described.info.recent_actions[-1:]
    return ScheduleView(
        schedule_id=sid,
        every=[i.every for i in described.schedule.spec.intervals],
        actor=actor,
        next_run=upcoming[0] if upcoming else None,
        last_run=recent[0].started_at if recent else None,
    )


async def delete_schedule(
    client: Client, cfg: Config, project: ProjectSettings, actor: str, key: Path | None
) -> None:
    handle = client.get_schedule_handle(schedule_id(project.project))
    try:
        await handle.describe()  # NOT_FOUND before anything is recorded
        await _authorize(client, cfg, project, actor, key, None)
        await handle.delete()
    except RPCError as err:
        raise _not_found(err, project.project) from None


async def _schedule_actor(client: Client, arg: Any) -> str | None:
    """Whom a schedule's runs act for, as its action's input says (a payload when described)."""
    try:
        if isinstance(arg, Payload):
            [arg] = await client.data_converter.decode([arg], [ProjectSyncInput])
        if isinstance(arg, dict):
            arg = ProjectSyncInput.model_validate(arg)
    except Exception:  # an input this version cannot read names nobody it can show
        return None
    return arg.actor if isinstance(arg, ProjectSyncInput) else None
