"""The ErpProject workflow on the time-skipping server, Sage faked behind the real activity name:
importing a Sage job as a project, refreshing its cost codes, syncing its job costs."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contract import erp_project as ep
from contract.sage import SAGE_CALL_ACTIVITY, SageAnswer, SageFailure, SageRequest
from contract.sync import ScheduleRequest
from domain.commands import SettingsRequest
from domain.settings import ProjectSettings, RosterUser
from domain.signing import load_private_key, new_key_pair, sign
from runtime.sandbox import RUNNER
from tests.workflows.link_makers import LinkMaker, verify_activity
from tests.workflows.test_item_workflow import project, result_of
from workflows.erp_project import ErpProject

ADMIN, APPROVER, PM, VIEWER = "acct.admin", "acct.ana", "pm.alex", "viewer.vic"


def job(cost_codes: list[dict[str, Any]] | None = None, **changes: Any) -> dict[str, Any]:
    return {
        "job_id": "3001",
        "name": "Oak Street Apartments",
        "status": "open",
        "address": "300 Oak St",
        "city": "Fresno",
        "state": "CA",
        "zip": "93701",
        "cost_codes": cost_codes
        if cost_codes is not None
        else [{"code": "15-000", "description": "Plumbing", "categories": ["1", "4"]}],
        "linked_project": "P-3001",
        "origin": "sage",
        **changes,
    }


@dataclass
class FakeSage:
    """Answers what ErpProject asks, as the mock would; records each call's company."""

    job: dict[str, Any] = field(default_factory=job)
    erp: str = "sage100"
    link_refusal: SageFailure | None = None
    extras: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Sage extras by path (`/v1/extras/{job_id}/{extra_id}`)."""
    reads: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Other GET answers by path (a job's estimate: `/v1/jobs/{job_id}/estimate`)."""
    calls: list[tuple[str, str, str | None]] = field(default_factory=list)

    def activities(self) -> list[Any]:
        @activity.defn(name=SAGE_CALL_ACTIVITY)
        async def call(request: SageRequest) -> SageAnswer:
            c = request.call
            self.calls.append((c.method, c.path, c.company))
            if c.path == "/v1/company":
                return SageAnswer(status=200, body={"company_id": c.company, "erp": self.erp})
            if c.method == "PUT" and "/links/" in c.path:
                if self.link_refusal is not None:
                    f = self.link_refusal
                    raise ApplicationError(
                        f.message, f.model_dump(), type=f.code, non_retryable=True
                    )
                return SageAnswer(status=200, body={"job": self.job})
            if c.path.endswith("/job_costs"):
                line = {"cost_code": "15-000", "category": "4", "original_commitment": 86500.0}
                body = {"job_id": "3001", "as_of": "2026-11-22T02:00:00Z", "lines": [line]}
                return SageAnswer(status=200, body=body)
            if c.path == "/v1/jobs/3001":
                return SageAnswer(status=200, body=self.job)
            if c.method == "GET" and c.path in self.extras:
                return SageAnswer(status=200, body=self.extras[c.path])
            if c.method == "GET" and c.path in self.reads:
                return SageAnswer(status=200, body=self.reads[c.path])
            f = SageFailure(status=404, code="not_found", message="Entity with this ID not found.")
            raise ApplicationError(f.message, f.model_dump(), type=f.code, non_retryable=True)

        return [call]


def new_project(**changes: Any) -> ProjectSettings:
    return project(name="P-1001").model_copy(
        update={"project": "P-3001", "sage_job_id": None, "sage_company": "S100", **changes}
    )


@asynccontextmanager
async def erp_project(
    env: WorkflowEnvironment,
    sage: Any,
    settings: ProjectSettings,
    workflow_activities: Sequence[Any] = (),
) -> AsyncIterator[WorkflowHandle[Any, Any]]:
    """A running ErpProject: `sage.activities()` answer on its Sage queue, the real
    `links.verify` (and `workflow_activities`) on its own, beside stand-in link makers."""
    queue = f"projects-{uuid.uuid4()}"
    async with (
        Worker(
            env.client,
            task_queue=queue,
            workflows=[ErpProject, LinkMaker],
            activities=[verify_activity(env.client, queue), *workflow_activities],
            workflow_runner=RUNNER,
        ),
        Worker(env.client, task_queue=f"{queue}-sage", activities=sage.activities()),
    ):
        handle = await env.client.start_workflow(
            ErpProject.run,
            ep.ProjectStart(settings=settings),
            id=f"{ep.workflow_id(settings.project)}:{uuid.uuid4().hex[:6]}",
            task_queue=queue,
        )
        try:
            yield handle
        finally:
            with contextlib.suppress(RPCError):
                await handle.terminate("test finished")


async def update(handle: WorkflowHandle[Any, Any], name: str, **request: Any) -> ep.ProjectRecord:
    return await handle.execute_update(
        name, ep.ProjectRequest(**request), result_type=ep.ProjectRecord
    )


async def refusal(handle: WorkflowHandle[Any, Any], name: str, **request: Any) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await update(handle, name, **request)
    return str(failed.value.cause)


async def test_a_sage100_job_becomes_the_project_with_its_cost_codes(time_skipping_env):
    sage = FakeSage()
    async with erp_project(time_skipping_env, sage, new_project()) as handle:
        record = await update(handle, "import_job", actor=ADMIN, job_id="3001")
        assert record.origin == "imported"
        assert (record.settings.erp.value, record.settings.sage_job_id) == ("sage100", "3001")
        assert (record.settings.name, record.settings.city) == ("Oak Street Apartments", "Fresno")
        assert [c.code for c in record.job.cost_codes] == ["15-000"]
        # every call went to the project's Sage company
        assert {company for _, _, company in sage.calls} == {"S100"}
        again = await refusal(handle, "import_job", actor=ADMIN, job_id="3001")
        assert "synced with Sage job 3001 already" in again
        assert record.audit[-1].action == "import job 3001"


async def test_sage_refuses_a_job_synced_with_another_project_and_nothing_is_imported(
    time_skipping_env,
):
    sage = FakeSage(
        link_refusal=SageFailure(
            status=409,
            code="job_in_both_systems",
            message="Job [3001] is already synced with Procore project [P-3009]. You must always "
            "add the job/project in one system and then add it to the other.",
        )
    )
    async with erp_project(time_skipping_env, sage, new_project()) as handle:
        message = await refusal(handle, "import_job", actor=ADMIN, job_id="3001")
        assert "P-3009" in message and "in one system" in message
        # nothing imported: the workflow closes, so a later attempt starts afresh
        assert await result_of(handle) == "not imported"


async def test_only_an_erp_admin_may_import_refresh_or_sync(time_skipping_env):
    async with erp_project(time_skipping_env, FakeSage(), new_project()) as handle:
        message = await refusal(handle, "import_job", actor=APPROVER, job_id="3001")
        assert "cannot add an ERP job to Procore: needs Admin" in message
        message = await refusal(handle, "sync_job_costs", actor="nobody")
        assert "'nobody' is not on the roster of project P-3001" in message


async def test_refresh_reports_what_changed_and_job_costs_are_kept(time_skipping_env):
    sage = FakeSage()
    async with erp_project(time_skipping_env, sage, new_project()) as handle:
        await update(handle, "import_job", actor=ADMIN, job_id="3001")
        sage.job = job(
            [
                {"code": "15-000", "description": "Plumbing", "categories": ["4"]},
                {"code": "07-000", "description": "Roofing", "categories": ["4"]},
            ]
        )
        record = await update(handle, "refresh_cost_codes", actor=ADMIN)
        assert record.last_refresh.lines() == [
            "added cost code 07-000",
            "removed category 1 from 15-000",
        ]
        record = await update(handle, "sync_job_costs", actor=ADMIN)
        [line] = record.job_costs.lines
        assert (line.cost_code, line.category, float(line.original_commitment)) == (
            "15-000",
            "4",
            86500.0,
        )


async def test_a_project_without_a_sage_job_has_nothing_to_refresh(time_skipping_env):
    async with erp_project(time_skipping_env, FakeSage(), new_project()) as handle:
        message = await refusal(handle, "refresh_cost_codes", actor=ADMIN)
        assert "has no Sage job yet" in message
        # the sync signal records the same refusal instead of failing
        await handle.signal("sync", {"actor": ADMIN})
        record = await handle.query("status", result_type=ep.ProjectRecord)
        assert [line.outcome.startswith("refused") for line in record.audit[-2:]] == [True, True]


# --- one source of authority: the settings the workflow holds ---


def with_admin(settings: ProjectSettings, user: str, **changes: Any) -> ProjectSettings:
    """A copy of the settings where `user` made themselves an ERP Admin (the attack of issue 14
    case 2: edit the settings file, push it)."""
    admin = RosterUser(erp="admin", can_push_to_accounting=True)
    return settings.model_copy(update={"roster": {**settings.roster, user: admin}, **changes})


async def status(handle: WorkflowHandle[Any, Any]) -> ep.ProjectRecord:
    return await handle.query("status", result_type=ep.ProjectRecord)


async def wait_for(handle: WorkflowHandle[Any, Any], done: Any) -> ep.ProjectRecord:
    for _ in range(200):
        record = await status(handle)
        if done(record):
            return record
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {record.audit}")


async def settings_update(handle: WorkflowHandle[Any, Any], request: Any) -> ep.ProjectRecord:
    return await handle.execute_update("settings", request, result_type=ep.ProjectRecord)


async def settings_refusal(handle: WorkflowHandle[Any, Any], request: Any) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await settings_update(handle, request)
    return str(failed.value.cause)


def synced_project() -> ProjectSettings:
    return new_project(sage_job_id="3001")


async def test_a_request_carrying_a_roster_that_makes_the_caller_admin_is_refused(
    time_skipping_env,
):
    sage = FakeSage()
    held = synced_project()
    async with erp_project(time_skipping_env, sage, held) as handle:
        forged = with_admin(held, VIEWER)
        message = await refusal(handle, "refresh_cost_codes", actor=VIEWER, settings=forged)
        assert "viewer.vic cannot refresh the cost codes" in message and "Read Only" in message
        message = await refusal(handle, "import_job", actor=PM, job_id="3001", settings=forged)
        assert "pm.alex cannot add an ERP job to Procore" in message
        record = await status(handle)
        assert record.settings == held  # the held roster unchanged
        assert sage.calls == []  # and nothing spent on Sage
        # an admin's request carrying settings: it acts, the settings it carries are ignored
        record = await update(handle, "refresh_cost_codes", actor=ADMIN, settings=forged)
        assert record.settings == held


async def test_settings_come_only_from_an_erp_admin_of_the_held_roster(time_skipping_env):
    held = synced_project()
    async with erp_project(time_skipping_env, FakeSage(), held) as handle:
        forged = with_admin(held, VIEWER)
        for actor in (VIEWER, PM, APPROVER, "mallory"):
            message = await settings_refusal(handle, SettingsRequest(actor=actor, settings=forged))
            assert "not on the roster" in message or "needs Admin" in message, message
        other = forged.model_copy(update={"project": "P-1001"})
        message = await settings_refusal(handle, SettingsRequest(actor=ADMIN, settings=other))
        assert "settings of project P-1001 do not apply to project P-3001" in message
        nobody = held.model_copy(
            update={"roster": {**held.roster, ADMIN: RosterUser(erp="standard")}}
        )
        message = await settings_refusal(handle, SettingsRequest(actor=ADMIN, settings=nobody))
        assert "no ERP Admin" in message
        assert (await status(handle)).settings == held

        record = await settings_update(handle, SettingsRequest(actor=ADMIN, settings=forged))
        assert record.settings.roster[VIEWER].erp.value == "admin"
        assert (record.audit[-1].actor, record.audit[-1].action) == (ADMIN, "settings")
        assert record.audit[-1].outcome == "changed: roster"
        # from now on the held roster says viewer.vic is an admin
        record = await update(handle, "refresh_cost_codes", actor=VIEWER)
        assert record.audit[-1].actor == VIEWER


async def test_a_user_with_a_key_must_sign_new_settings(time_skipping_env):
    private, public = new_key_pair()
    key = load_private_key(private)
    admin = RosterUser(erp="admin", can_push_to_accounting=True, public_key=public)
    held = synced_project().model_copy(update={"roster": {**synced_project().roster, ADMIN: admin}})
    # Signatures are checked against the server's clock: it must not skip ahead meanwhile.
    with time_skipping_env.auto_time_skipping_disabled():
        async with erp_project(time_skipping_env, FakeSage(), held) as handle:
            new = held.model_copy(update={"name": "Renamed"})
            unsigned = SettingsRequest(actor=ADMIN, settings=new)
            assert "must be signed" in await settings_refusal(handle, unsigned)
            signature = sign(
                key,
                handle.id,
                "settings",
                unsigned.signed_arguments(),
                await time_skipping_env.get_current_time(),
            )
            good = unsigned.model_copy(update={"signature": signature})
            record = await settings_update(handle, good)
            assert record.settings.name == "Renamed"
            assert "replayed nonce" in await settings_refusal(handle, good)
            fresh = sign(
                key,
                handle.id,
                "settings",
                unsigned.signed_arguments(),
                await time_skipping_env.get_current_time(),
            )
            tampered = good.model_copy(
                update={"settings": with_admin(new, VIEWER), "signature": fresh}
            )
            assert "does not match" in await settings_refusal(handle, tampered)


async def test_a_key_holders_project_commands_must_be_signed_and_a_replay_is_refused(
    time_skipping_env,
):
    """Every command of the project (a refresh, an import) names a checked actor, and one
    whose held roster gives them a key must sign it, as item commands are (issue 18)."""
    private, public = new_key_pair()
    key = load_private_key(private)
    admin = RosterUser(erp="admin", can_push_to_accounting=True, public_key=public)
    held = synced_project().model_copy(update={"roster": {**synced_project().roster, ADMIN: admin}})
    with time_skipping_env.auto_time_skipping_disabled():
        async with erp_project(time_skipping_env, FakeSage(), held) as handle:

            async def signed(name: str, request: ep.ProjectRequest) -> ep.ProjectRequest:
                now = await time_skipping_env.get_current_time()
                signature = sign(key, handle.id, name, request.signed_arguments(), now)
                return request.model_copy(update={"signature": signature})

            assert "must be signed" in await refusal(handle, "refresh_cost_codes", actor=ADMIN)
            request = ep.ProjectRequest(actor=ADMIN)
            good = await signed("refresh_cost_codes", request)
            record = await handle.execute_update(
                "refresh_cost_codes", good, result_type=ep.ProjectRecord
            )
            assert record.job is not None
            with pytest.raises(WorkflowUpdateFailedError) as replayed:
                await handle.execute_update("refresh_cost_codes", good)
            assert "replayed nonce" in str(replayed.value.cause)
            # signed for another command: refused, nothing runs
            other = await signed("refresh_cost_codes", request)
            with pytest.raises(WorkflowUpdateFailedError) as moved:
                await handle.execute_update("sync_job_costs", other)
            assert "does not match" in str(moved.value.cause)
            # the next valid command still works
            fresh = await signed("sync_job_costs", request)
            record = await handle.execute_update(
                "sync_job_costs", fresh, result_type=ep.ProjectRecord
            )
            assert record.job_costs is not None


async def test_sync_signal_names_a_checked_actor(time_skipping_env):
    sage = FakeSage()
    async with erp_project(time_skipping_env, sage, synced_project()) as handle:
        hostile = [
            (),
            ("schedule",),  # the old bare string names nobody now
            ({"actor": VIEWER},),
            ({"actor": APPROVER},),  # Standard: refreshing cost codes needs Admin
            ({"actor": "mallory"},),
            ({"actor": ADMIN, "schedule": True},),  # a schedule acct.admin never set
            ({"actor": ADMIN, "signature": {"timestamp": "2026-01-01T00:00:00"}},),
            ([1, 2, 3],),
        ]
        for payload in hostile:
            await handle.signal("sync", args=list(payload))
        record = await wait_for(handle, lambda r: len(r.audit) >= len(hostile))
        assert [line.action for line in record.audit] == ["sync"] * len(hostile)
        assert all(line.outcome.startswith("refused: ") for line in record.audit)
        assert "set no sync schedule" in record.audit[5].outcome
        assert sage.calls == []
        # the workflow still answers the next valid command
        await handle.signal("sync", {"actor": ADMIN})
        record = await wait_for(handle, lambda r: r.job_costs is not None)
        assert [line.actor for line in record.audit[-2:]] == [ADMIN, ADMIN]
        record = await update(handle, "refresh_cost_codes", actor=ADMIN)
        assert record.audit[-1].outcome.startswith("added") or "cost code" in str(record.audit)


async def test_the_schedule_runs_in_the_name_of_the_admin_who_set_it(time_skipping_env):
    sage = FakeSage()
    async with erp_project(time_skipping_env, sage, synced_project()) as handle:
        every = ScheduleRequest(actor=APPROVER, every="PT6H")
        with pytest.raises(WorkflowUpdateFailedError) as failed:
            await handle.execute_update("schedule", every, result_type=ep.ProjectRecord)
        assert "configure the sync schedule" in str(failed.value.cause)
        record = await handle.execute_update(
            "schedule", ScheduleRequest(actor=ADMIN, every="PT6H"), result_type=ep.ProjectRecord
        )
        assert record.schedule_actor == ADMIN
        await handle.signal("sync", {"actor": ADMIN, "schedule": True})
        record = await wait_for(handle, lambda r: r.job_costs is not None)
        assert record.audit[-1].actor == ADMIN
        # demoted since: the next scheduled run is refused
        demoted = synced_project().model_copy(
            update={
                "roster": {**synced_project().roster, ADMIN: RosterUser(erp="standard")},
            }
        )
        demoted = with_admin(demoted, "acct.boss")
        await settings_update(handle, SettingsRequest(actor=ADMIN, settings=demoted))
        await handle.signal("sync", {"actor": ADMIN, "schedule": True})
        record = await wait_for(handle, lambda r: r.audit[-1].action == "sync")
        assert record.audit[-1].outcome.startswith("refused: ") and "needs Admin" in (
            record.audit[-1].outcome
        )
