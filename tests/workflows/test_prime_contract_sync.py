"""PrimeContractSync on the time-skipping server, Sage faked behind the real activity name: who
may import, re-import, sync and check readiness, against the settings the workflow holds."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from activities.links import until_taken
from contract import erp_project as ep
from contract import prime_contract_sync as pcw
from contract.links import (
    END_LINK_ACTIVITY,
    LINK_SIGNAL,
    LINKS_QUERY,
    RECORD_LINKS_ACTIVITY,
    UNLINK_SIGNAL,
    LinkEnd,
    LinksRecord,
    LinksView,
)
from contract.sage import SAGE_CALL_ACTIVITY, SageAnswer, SageFailure, SageRequest
from contract.sync import ScheduleRequest
from domain.commands import SettingsRequest
from domain.settings import ProjectSettings, RosterUser
from runtime.sandbox import RUNNER
from tests.workflows.link_makers import verify_activity
from tests.workflows.test_item_workflow import project
from workflows.erp_project import ErpProject
from workflows.prime_contract_sync import PrimeContractSync

ADMIN, ANA, PM, VIEWER = "acct.admin", "acct.ana", "pm.alex", "viewer.vic"


class FakeSage:
    """One Sage prime contract, 2001-PC on job 2001; `amount` and `codes` (its contract items,
    each of `amount`) change it."""

    def __init__(self, contract_id: str = "2001-PC") -> None:
        self.amount = 4_800_000
        self.codes = ["001"]
        self.contract_id = contract_id
        self.calls: list[str] = []

    def contract(self) -> dict[str, Any]:
        items = [
            {"item_code": code, "original_amount": self.amount, "revised_amount": self.amount}
            for code in self.codes
        ]
        return {
            "job_id": "2001",
            "contract_id": self.contract_id,
            "billing_method": "contracts",
            "description": "Lakeside Lofts prime",
            "status": "approved",
            "items": items,
        }

    def activities(self) -> list[Any]:
        @activity.defn(name=SAGE_CALL_ACTIVITY)
        async def call(request: SageRequest) -> SageAnswer:
            c = request.call
            self.calls.append(f"{c.method} {c.path}")
            if c.path.startswith("/v1/prime_contracts?"):
                return SageAnswer(status=200, body={"contracts": [self.contract()]})
            if c.method == "PUT" and "/links/" in c.path:
                return SageAnswer(status=200, body={})
            if c.path == f"/v1/prime_contracts/2001/{self.contract_id}":
                return SageAnswer(status=200, body=self.contract())
            f = SageFailure(status=404, code="not_found", message="Entity with this ID not found.")
            raise ApplicationError(f.message, f.model_dump(), type=f.code, non_retryable=True)

        return [call]


class ProjectRegistry:
    """The project's link registry: the real ErpProject, reached as activities/links.py
    reaches it (the link activities signal it, then wait until it took the note, which it
    asks the sync about first); `fail` makes them fail instead."""

    def __init__(self) -> None:
        self.handle: WorkflowHandle[Any, Any] | None = None
        self.fail: str | None = None

    def activities(self) -> list[Any]:
        @activity.defn(name=RECORD_LINKS_ACTIVITY)
        async def record(request: LinksRecord) -> None:
            await self._signal(LINK_SIGNAL, request.note)

        @activity.defn(name=END_LINK_ACTIVITY)
        async def end(request: LinkEnd) -> None:
            await self._signal(UNLINK_SIGNAL, request.note)

        return [record, end]

    async def _signal(self, name: str, note: Any) -> None:
        if self.fail is not None:
            raise ApplicationError(self.fail, type="NoHome", non_retryable=True)
        assert self.handle is not None
        await self.handle.signal(name, note)
        await until_taken(self.links, note)  # as the real activities wait

    async def links(self) -> LinksView:
        assert self.handle is not None
        return await self.handle.query(LINKS_QUERY, result_type=LinksView)

    async def audit(self) -> list[str]:
        assert self.handle is not None
        record = await self.handle.query("status", result_type=ep.ProjectRecord)
        return [line.outcome for line in record.audit if line.action in ("link", "unlink")]


def settings(**roster: RosterUser) -> ProjectSettings:
    """P-1005 of the demo (acct.admin: ERP Admin and Prime Contracts Admin)."""
    held = project(name="P-1005")
    return held.model_copy(update={"roster": {**held.roster, **roster}})


@asynccontextmanager
async def prime_contract(
    env: WorkflowEnvironment,
    sage: FakeSage,
    held: ProjectSettings,
    registry: ProjectRegistry | None = None,
) -> AsyncIterator[WorkflowHandle[Any, Any]]:
    queue = f"prime-{uuid.uuid4()}"
    registry = registry or ProjectRegistry()
    async with (
        Worker(
            env.client,
            task_queue=queue,
            workflows=[PrimeContractSync, ErpProject],
            activities=[*registry.activities(), verify_activity(env.client, queue)],
            workflow_runner=RUNNER,
        ),
        Worker(env.client, task_queue=f"{queue}-sage", activities=sage.activities()),
    ):
        suffix = uuid.uuid4().hex[:6]
        registry.handle = await env.client.start_workflow(
            ErpProject.run,
            ep.ProjectStart(settings=held),
            id=f"{ep.workflow_id(held.project)}:{suffix}",
            task_queue=queue,
        )
        contract = sage.contract_id
        handle = await env.client.start_workflow(
            PrimeContractSync.run,
            pcw.SyncStart(project=held.project, contract=contract, settings=held),
            id=f"{pcw.workflow_id(held.project, contract)}:{suffix}",
            task_queue=queue,
        )
        try:
            yield handle
        finally:
            for each in (handle, registry.handle):
                with contextlib.suppress(RPCError):
                    await each.terminate("test finished")


async def update(handle: WorkflowHandle[Any, Any], name: str, arg: Any, result: type) -> Any:
    return await handle.execute_update(name, arg, result_type=result)


async def refusal(handle: WorkflowHandle[Any, Any], name: str, arg: Any) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await handle.execute_update(name, arg, result_type=pcw.SyncStatus)
    return str(failed.value.cause)


async def status(handle: WorkflowHandle[Any, Any]) -> pcw.SyncStatus:
    return await handle.query("status", result_type=pcw.SyncStatus)


async def wait_for(handle: WorkflowHandle[Any, Any], done: Any) -> pcw.SyncStatus:
    for _ in range(200):
        record = await status(handle)
        if done(record):
            return record
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {record.audit}")


async def test_the_first_import_is_open_to_erp_standard(time_skipping_env):
    """Matrix: importing a prime contract takes 'Standard' or 'Admin' on ERP Integrations."""
    sage = FakeSage()
    async with prime_contract(time_skipping_env, sage, settings()) as handle:
        message = await refusal(handle, "import", pcw.ImportRequest(actor=PM))
        assert "pm.alex cannot import prime contracts: needs Standard or Admin" in message
        assert "viewer.vic cannot import" in await refusal(
            handle, "import", pcw.ImportRequest(actor=VIEWER)
        )
        record = await update(handle, "import", pcw.ImportRequest(actor=ANA), pcw.SyncStatus)
        assert record.imported and record.audit[-1].actor == ANA


async def test_reimport_needs_erp_admin_and_prime_contracts_admin(time_skipping_env):
    sage = FakeSage()
    async with prime_contract(time_skipping_env, sage, settings()) as handle:
        await update(handle, "import", pcw.ImportRequest(actor=ANA), pcw.SyncStatus)
        sage.amount = 5_000_000
        # acct.ana (ERP Standard) and pm.alex (Prime Contracts Admin, no ERP) may not re-import
        message = await refusal(handle, "reimport", pcw.ImportRequest(actor=ANA))
        assert "acct.ana cannot re-import prime contracts: needs Admin on the ERP" in message
        assert "Admin on the Prime Contracts tool" in message
        message = await refusal(handle, "reimport", pcw.ImportRequest(actor=PM))
        assert "needs Admin on the ERP Integrations tool (has None)" in message
        # nor through settings the request carries that make them admin
        forged = settings(
            **{
                ANA: RosterUser(
                    erp="admin", can_push_to_accounting=True, tool_admin=["prime_contracts"]
                )
            }
        )
        message = await refusal(handle, "reimport", pcw.ImportRequest(actor=ANA, settings=forged))
        assert "acct.ana cannot re-import" in message
        assert (await status(handle)).prime.sage_revised_total == 4_800_000
        # sync is a re-import: the same levels
        with pytest.raises(WorkflowUpdateFailedError) as failed:
            await handle.execute_update("sync", ANA, result_type=str)
        assert "cannot re-import" in str(failed.value.cause)
        outcome = await handle.execute_update("sync", ADMIN, result_type=str)
        assert outcome == "re-imported 2001-PC (Sage job 2001)"
        # readiness: the SOV keepers or the accountants, never a read-only user
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update("readiness", VIEWER, result_type=dict)
        answer = await handle.execute_update("readiness", PM, result_type=dict)
        assert "the Sage revised total" in answer["message"]


async def test_settings_and_signals_are_checked_against_the_held_roster(time_skipping_env):
    sage = FakeSage()
    async with prime_contract(time_skipping_env, sage, settings()) as handle:
        await update(handle, "import", pcw.ImportRequest(actor=ANA), pcw.SyncStatus)
        promoted = settings(**{VIEWER: RosterUser(erp="admin", tool_admin=["prime_contracts"])})
        message = await refusal(
            handle, "settings", SettingsRequest(actor=VIEWER, settings=promoted)
        )
        assert "viewer.vic cannot configure advanced settings" in message
        calls = len(sage.calls)
        # the same attack through signals (the UI's Send Signal), and the old bare settings
        await handle.signal("settings", SettingsRequest(actor=VIEWER, settings=promoted))
        await handle.signal("settings", promoted.model_dump(mode="json"))
        await handle.signal("sync", {"actor": VIEWER})
        await handle.signal("sync", "schedule")
        await handle.signal("sync", {"actor": ADMIN, "schedule": True})  # no schedule set
        record = await wait_for(handle, lambda r: len(r.audit) >= 6)
        assert [line.action for line in record.audit[1:]] == [
            "settings",
            "settings",
            "sync",
            "sync",
            "sync",
        ]
        assert all(line.outcome.startswith("refused: ") for line in record.audit[1:])
        assert len(sage.calls) == calls  # nothing refused spent Sage quota
        message = await refusal(handle, "reimport", pcw.ImportRequest(actor=VIEWER))
        assert "viewer.vic cannot re-import" in message
        # an admin of the held roster takes them; the workflow answers as before
        record = await update(
            handle, "settings", SettingsRequest(actor=ADMIN, settings=promoted), pcw.SyncStatus
        )
        assert record.audit[-1].outcome == "changed: roster"
        sage.amount = 4_900_000
        await handle.signal("sync", {"actor": VIEWER})
        record = await wait_for(handle, lambda r: r.audit[-1].actor == VIEWER)
        assert record.audit[-1].outcome == "re-imported 2001-PC (Sage job 2001)"


async def test_a_schedule_runs_in_the_name_of_the_admin_who_set_it(time_skipping_env):
    sage = FakeSage()
    async with prime_contract(time_skipping_env, sage, settings()) as handle:
        await update(handle, "import", pcw.ImportRequest(actor=ANA), pcw.SyncStatus)
        message = await refusal(handle, "schedule", ScheduleRequest(actor=ANA, every="PT6H"))
        assert "acct.ana cannot configure the sync schedule" in message
        await update(handle, "schedule", ScheduleRequest(actor=ADMIN, every="PT6H"), pcw.SyncStatus)
        sage.amount = 4_900_000
        await handle.signal("sync", {"actor": ADMIN, "schedule": True})
        record = await wait_for(handle, lambda r: r.audit[-1].action == "sync")
        assert record.audit[-1].outcome == "re-imported 2001-PC (Sage job 2001)"
        # deleted: the next scheduled signal in that name is refused
        await update(handle, "schedule", ScheduleRequest(actor=ADMIN), pcw.SyncStatus)
        await handle.signal("sync", {"actor": ADMIN, "schedule": True})
        record = await wait_for(handle, lambda r: r.audit[-1].action == "sync")
        assert "set no sync schedule" in record.audit[-1].outcome


# --- the link registry: what an import and a re-import write (domain/links.py imported_by) ---


async def links_settle(registry: ProjectRegistry, done: Any) -> LinksView:
    for _ in range(200):
        found = await registry.links()
        if done(found):
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {found}")


def live(view: LinksView) -> list[tuple[str, str, str]]:
    return sorted((ln.kind.value, ln.procore, ln.sage_id) for ln in view.registry.links)


async def test_an_import_and_each_reimport_write_the_prime_contract_and_its_items_links(
    time_skipping_env,
):
    sage, registry = FakeSage(), ProjectRegistry()
    held = settings().model_copy(update={"sov_controlled_by": "sage"})
    async with prime_contract(time_skipping_env, sage, held, registry) as handle:
        item = handle.id
        await update(handle, "import", pcw.ImportRequest(actor=ANA), pcw.SyncStatus)
        found = await registry.links()  # written before the import answered
        assert live(found) == [
            ("contract_item", "2001-PC/001", "001"),
            ("prime_contract", "2001-PC", "2001-PC"),
        ]
        assert {(ln.item, ln.origin.value) for ln in found.registry.links} == {(item, "imported")}

        # a new contract item in Sage: the re-import links it, the others stay as they were
        sage.codes = ["001", "002"]
        await update(handle, "reimport", pcw.ImportRequest(actor=ADMIN), pcw.SyncStatus)
        found = await registry.links()
        assert ("contract_item", "2001-PC/002", "002") in live(found)
        assert len(found.registry.links) == 3
        # an item gone from Sage (the sync a schedule runs): its link ends, in the admin's name
        sage.codes = ["002"]
        assert (await handle.execute_update("sync", ADMIN, result_type=str)).startswith(
            "re-imported"
        )
        found = await registry.links()
        assert live(found) == [
            ("contract_item", "2001-PC/002", "002"),
            ("prime_contract", "2001-PC", "2001-PC"),
        ]
        assert [(e.procore, e.ended_by) for e in found.registry.ended] == [("2001-PC/001", ADMIN)]
        # nothing new: refused, and the registry is untouched
        await refusal(handle, "reimport", pcw.ImportRequest(actor=ADMIN))
        assert await registry.links() == found
        audit = await registry.audit()
        assert audit == [
            "linked prime_contract 2001-PC <-> Sage 2001-PC (imported); "
            "linked contract_item 2001-PC/001 <-> Sage 001 (imported)",
            "linked contract_item 2001-PC/002 <-> Sage 002 (imported)",
            "ended contract_item 2001-PC/001 <-> Sage 001 (imported) (Sage untouched)",
        ]
        assert not [line for line in (await status(handle)).audit if line.action == "link"]
        # the history (its patch marker, its link activities) replays on this code
        replayer = Replayer(
            workflows=[PrimeContractSync],
            data_converter=pydantic_data_converter,
            workflow_runner=RUNNER,
        )
        await replayer.replay_workflow(await handle.fetch_history())


async def test_links_that_cannot_be_written_leave_the_import_standing_the_next_writes_them(
    time_skipping_env,
):
    sage, registry = FakeSage(), ProjectRegistry()
    registry.fail = "the project's home cannot be reached"
    held = settings().model_copy(update={"sov_controlled_by": "sage"})
    async with prime_contract(time_skipping_env, sage, held, registry) as handle:
        record = await update(handle, "import", pcw.ImportRequest(actor=ANA), pcw.SyncStatus)
        assert record.imported
        assert record.audit[-1].actor == "system" and record.audit[-1].outcome == (
            "links not recorded: the project's home cannot be reached"
        )
        assert (await registry.links()).registry.links == []
        registry.fail = None
        sage.codes = ["001", "002"]
        await update(handle, "reimport", pcw.ImportRequest(actor=ADMIN), pcw.SyncStatus)
        assert len((await registry.links()).registry.links) == 3


async def test_a_sage_contract_named_beyond_a_links_limit_is_noted_and_the_workflow_goes_on(
    time_skipping_env,
):
    """Hostile input: whatever Sage names its contract, the workflow task never fails."""
    sage, registry = FakeSage(contract_id="C" * 118), ProjectRegistry()
    held = settings().model_copy(update={"sov_controlled_by": "sage"})
    async with prime_contract(time_skipping_env, sage, held, registry) as handle:
        record = await update(handle, "import", pcw.ImportRequest(actor=ANA), pcw.SyncStatus)
        assert record.imported
        assert record.audit[-1].outcome.startswith("links not recorded: ")
        assert "longer than 120 characters cannot be linked" in record.audit[-1].outcome
        sage.amount = 5_000_000
        record = await update(handle, "reimport", pcw.ImportRequest(actor=ADMIN), pcw.SyncStatus)
        assert record.prime is not None and record.prime.sage_revised_total == 5_000_000
        assert (await registry.links()).registry.links == []
