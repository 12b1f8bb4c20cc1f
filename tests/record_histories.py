"""Record item workflow histories into tests/histories/ for the replay tests.

Run it (`make histories`) when a release goes out: the replay tests then prove that the next
change to workflow code still replays what running items have already recorded, or that the
change is guarded with `workflow.patched`. Existing files are kept: a history recorded by an
older release is exactly what must keep replaying.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from contract.links import LINK_SIGNAL, UNLINK_SIGNAL, LinksMade  # noqa: E402
from contract.posting_watch import WatchStatus, watch_id  # noqa: E402
from contract.sage import SageFailure  # noqa: E402
from domain.approval import RespondRequest  # noqa: E402
from domain.commands import AcceptRequest, CommandRequest, EditRequest, RejectRequest  # noqa: E402
from domain.settings import DirectExportMode  # noqa: E402
from domain.signing import new_key_pair  # noqa: E402
from domain.status import ItemStatus, ItemWorkflowInput  # noqa: E402
from runtime.connection import register_search_attributes  # noqa: E402
from runtime.sandbox import RUNNER  # noqa: E402
from tests.workflows import test_erp_company as erp_company_tests  # noqa: E402
from tests.workflows import test_erp_project as erp_project_tests  # noqa: E402
from tests.workflows.fake_notices import FakeNotices  # noqa: E402
from tests.workflows.fake_sage import FakeSage  # noqa: E402
from tests.workflows.link_makers import linked_by  # noqa: E402
from tests.workflows.test_item_workflow import commitment, project  # noqa: E402
from workflows.approval import ApprovalWorkflow  # noqa: E402
from workflows.item import ItemWorkflow  # noqa: E402
from workflows.posting_watch import PostingWatch  # noqa: E402

HISTORIES = ROOT / "tests" / "histories"
ADMIN, APPROVER, ERP_ADMIN = "pm.alex", "acct.ana", "acct.admin"

Scenario = Callable[[WorkflowHandle[Any, Any], FakeSage], Awaitable[None]]


async def update(handle: WorkflowHandle[Any, Any], name: str, request: Any) -> ItemStatus:
    return await handle.execute_update(name, request, result_type=ItemStatus)


async def approved_and_posted(handle: WorkflowHandle[Any, Any], sage: FakeSage) -> None:
    await update(handle, "send", CommandRequest(actor=ADMIN))
    await update(handle, "accept", AcceptRequest(actor=APPROVER))
    await handle.result()


async def rejected_edited_resent(handle: WorkflowHandle[Any, Any], sage: FakeSage) -> None:
    await update(handle, "send", CommandRequest(actor=ADMIN))
    await handle.signal("accept", "not a command")  # refused, recorded in the audit trail
    await update(handle, "reject", RejectRequest(actor=APPROVER, reason="Retainage 5%"))
    edited = commitment(default_retainage_percent="5")
    await update(handle, "edit", EditRequest(actor=ADMIN, item=edited))
    await update(handle, "resend", CommandRequest(actor=ADMIN))
    await update(handle, "accept", AcceptRequest(actor=APPROVER))
    await handle.result()


async def failed_then_retried(handle: WorkflowHandle[Any, Any], sage: FakeSage) -> None:
    sage.fail_with = SageFailure(
        status=422, code="vendor_inactive", message="Vendor is inactive/has been archived."
    )
    await update(handle, "send", CommandRequest(actor=ADMIN))
    await update(handle, "accept", AcceptRequest(actor=APPROVER))
    while (await handle.query("status", result_type=ItemStatus)).state.value != "export_failed":
        await asyncio.sleep(0.05)
    sage.fail_with = None
    await update(handle, "retry", AcceptRequest(actor=APPROVER))
    await handle.result()


async def direct_export(handle: WorkflowHandle[Any, Any], sage: FakeSage) -> None:
    await update(handle, "send", CommandRequest(actor=ADMIN))
    await handle.result()


async def cancelled(handle: WorkflowHandle[Any, Any], sage: FakeSage) -> None:
    await update(handle, "send", CommandRequest(actor=ADMIN))
    await update(handle, "retrieve", CommandRequest(actor=ADMIN))
    await update(handle, "cancel", CommandRequest(actor=ADMIN))
    await handle.result()


async def budget_exported(handle: WorkflowHandle[Any, Any], sage: FakeSage) -> None:
    await update(handle, "send", CommandRequest(actor=ADMIN))
    await update(handle, "accept", AcceptRequest(actor=APPROVER))
    await handle.result()


async def exported_waiting(handle: WorkflowHandle[Any, Any], sage: FakeSage) -> None:
    """A budget exported, its batch waiting for a person to post it: the history ends while
    the item waits (recorded with per-item posting checks, before the posting watch)."""
    sage.posted = False
    await update(handle, "send", CommandRequest(actor=ADMIN))
    await update(handle, "accept", AcceptRequest(actor=APPROVER))
    while (await handle.query("status", result_type=ItemStatus)).state.value != "exported":
        await asyncio.sleep(0.05)
    while sage.polls < 2:  # the item is looking at its batch: the wait has begun
        await asyncio.sleep(0.05)


async def posted_through_watch(handle: WorkflowHandle[Any, Any], sage: FakeSage) -> None:
    """A budget waiting through its company's posting watch: a person posts its batch, the
    watch tells the item, the item confirms with a look of its own (before the watch's own
    answer was taken as the confirmation) and ends posted."""
    sage.posted_batches = set()
    await update(handle, "send", CommandRequest(actor=ADMIN))
    await update(handle, "accept", AcceptRequest(actor=APPROVER))
    while (await handle.query("status", result_type=ItemStatus)).state.value != "exported":
        await asyncio.sleep(0.05)
    watch = handle._client.get_workflow_handle(watch_id(None, handle_queue(handle)))
    while True:  # the item registered: the watch holds it
        with contextlib.suppress(Exception):
            if (await watch.query("status", result_type=WatchStatus)).items == 1:
                break
        await asyncio.sleep(0.05)
    status = await handle.query("status", result_type=ItemStatus)
    sage.posted_batches.update(status.batches)
    await handle.result()
    WATCH_HISTORIES[handle.id] = (await watch.fetch_history()).to_json()
    with contextlib.suppress(Exception):  # the recording worker stops it anyway
        await watch.terminate("recorded")


def handle_queue(handle: WorkflowHandle[Any, Any]) -> str:
    return QUEUES[handle.id]


QUEUES: dict[str, str] = {}
"""Item workflow ID -> the task queue it was recorded on (its watch's ID names it)."""
WATCH_HISTORIES: dict[str, str] = {}
"""Item workflow ID -> the history of the posting watch that told it (recorded beside)."""


async def settings_applied(handle: WorkflowHandle[Any, Any], sage: FakeSage) -> None:
    """Settings pushed as a bare signal (before settings named their ERP Admin)."""
    await update(handle, "send", CommandRequest(actor=ADMIN))
    settings = project(DirectExportMode.DISABLED, reminder_period=timedelta(days=3))
    await handle.signal("settings", settings.model_dump(mode="json"))
    await update(handle, "accept", AcceptRequest(actor=APPROVER))
    await handle.result()


async def cancelled_in_temporal(handle: WorkflowHandle[Any, Any], sage: FakeSage) -> None:
    await update(handle, "send", CommandRequest(actor=ADMIN))
    await handle.cancel()
    with contextlib.suppress(WorkflowFailureError):
        await handle.result()


async def delegated_approval(handle: WorkflowHandle[Any, Any], sage: FakeSage) -> None:
    """Each step of a delegated approval approved by its first assignee."""
    await update(handle, "send", CommandRequest(actor=ADMIN))
    settings = delegated()
    while True:
        status = await handle.query("status", result_type=ItemStatus)
        if status.state.value != "sent":
            break
        if status.approval is None or not status.approval_workflow_id:
            await asyncio.sleep(0.05)
            continue
        step = status.approval.template.steps[status.approval.step]
        assignee = step.assignees[0]
        if assignee.startswith("group:"):
            assignee = settings.groups[assignee.removeprefix("group:")][0]
        child = handle._client.get_workflow_handle(status.approval_workflow_id)
        with contextlib.suppress(WorkflowUpdateFailedError):
            await child.execute_update(
                "respond", RespondRequest(actor=assignee, response="approve")
            )
    await handle.result()


async def unsigned_key_holder(handle: WorkflowHandle[Any, Any], sage: FakeSage) -> None:
    """The UI's unsigned accept claiming a user who has a key (taken before keys had to sign)."""
    await update(handle, "send", CommandRequest(actor=ADMIN))
    await handle.signal("accept", {"actor": APPROVER})
    await asyncio.sleep(0.5)
    status = await handle.query("status", result_type=ItemStatus)
    if status.state.value == "sent":
        await update(handle, "accept", AcceptRequest(actor=ERP_ADMIN))
    await handle.result()


def delegated():
    settings = project(DirectExportMode.ENABLED_WITH_WORKFLOW, name="P-1003")
    return settings.model_copy(update={"project": "P-1001"})


def key_holder():
    settings = project(DirectExportMode.DISABLED)
    roster = dict(settings.roster)
    roster[APPROVER] = roster[APPROVER].model_copy(update={"public_key": new_key_pair()[1]})
    return settings.model_copy(update={"roster": roster})


SCENARIOS: dict[str, tuple[Scenario, DirectExportMode]] = {
    "approved_and_posted": (approved_and_posted, DirectExportMode.DISABLED),
    "rejected_edited_resent": (rejected_edited_resent, DirectExportMode.DISABLED),
    "failed_then_retried": (failed_then_retried, DirectExportMode.DISABLED),
    "direct_export": (direct_export, DirectExportMode.ENABLED),
    "cancelled": (cancelled, DirectExportMode.DISABLED),
    "budget_exported": (budget_exported, DirectExportMode.DISABLED),
    "settings_applied": (settings_applied, DirectExportMode.DISABLED),
    "cancelled_in_temporal": (cancelled_in_temporal, DirectExportMode.DISABLED),
    "delegated_approval": (delegated_approval, DirectExportMode.ENABLED_WITH_WORKFLOW),
    "unsigned_key_holder": (unsigned_key_holder, DirectExportMode.DISABLED),
    "exported_waiting": (exported_waiting, DirectExportMode.DISABLED),
    "posted_through_watch": (posted_through_watch, DirectExportMode.DISABLED),
}
SETTINGS = {"delegated_approval": delegated, "unsigned_key_holder": key_holder}
"""Scenarios that need other settings than P-1001's with the scenario's mode."""
ITEMS = {
    "budget_exported": "budget-BUD-1001.json",
    "exported_waiting": "budget-BUD-1001.json",
    "posted_through_watch": "budget-BUD-1001.json",
}
"""Scenarios of another item than the commitment SC-0042: their example file."""


async def record(client: Client, name: str, scenario: Scenario, mode: DirectExportMode) -> str:
    sage = FakeSage()
    queue = f"record-{uuid.uuid4()}"
    async with (
        Worker(
            client,
            task_queue=queue,
            workflows=[ItemWorkflow, ApprovalWorkflow, PostingWatch],
            activities=[*sage.watch_activities(client), FakeNotices().send_notice],
            workflow_runner=RUNNER,
        ),
        Worker(client, task_queue=f"{queue}-sage", activities=sage.activities()),
    ):
        item = commitment()
        if name in ITEMS:
            item = json.loads((ROOT / "examples" / "items" / ITEMS[name]).read_text())
        handle = await client.start_workflow(
            ItemWorkflow.run,
            ItemWorkflowInput(item=item, settings=SETTINGS.get(name, lambda: project(mode))()),
            id=f"{item['type']}:P-1001:{item['number']}:{name}",
            task_queue=queue,
        )
        QUEUES[handle.id] = queue
        await scenario(handle, sage)
        history = await handle.fetch_history()
    return history.to_json()


async def erp_project_synced(env: WorkflowEnvironment) -> str:
    """A Sage 100 job imported as a project, its cost codes refreshed, its job costs synced."""
    sage = erp_project_tests.FakeSage()
    settings = erp_project_tests.new_project()
    async with erp_project_tests.erp_project(env, sage, settings) as handle:
        await erp_project_tests.update(handle, "import_job", actor=ERP_ADMIN, job_id="3001")
        await erp_project_tests.update(handle, "refresh_cost_codes", actor=ERP_ADMIN)
        await erp_project_tests.update(handle, "sync_job_costs", actor=ERP_ADMIN)
        await handle.signal("sync", "schedule")
        await erp_project_tests.update(handle, "sync_job_costs", actor=ERP_ADMIN)
        history = await handle.fetch_history()
    return history.to_json()


async def erp_project_invoice_synced(env: WorkflowEnvironment) -> str:
    """A project with an exported subcontractor invoice (its link noted), synced by the
    schedule's signal: since SYNC_PAYMENTS_AND_DIRECT_COSTS_PATCH a sync also reads Sage's
    payments; a history recorded before it must replay without."""
    sage = erp_project_tests.FakeSage(erp="sage300")
    sage.reads["/v1/jobs/1001"] = erp_project_tests.job(job_id="1001", linked_project="P-1001")
    sage.reads["/v1/jobs/1001/ap_payments"] = {"job_id": "1001", "payments": []}
    item = "subcontractor_invoice:P-1001:INV-7"
    link = {
        "kind": "subcontractor_invoice",
        "procore": "INV-7",
        "sage_id": "INV-007",
        "parent": "SC-0042",
        "item": item,
        "at": "2026-12-01T00:00:00Z",
    }
    async with erp_project_tests.erp_project(env, sage, project()) as handle:
        await handle.signal(LINK_SIGNAL, {"item": item, "links": [link]})
        await erp_project_tests.update(handle, "refresh_cost_codes", actor=ERP_ADMIN)
        await handle.signal("sync", {"actor": ERP_ADMIN})
        await erp_project_tests.wait_for(handle, lambda r: r.job_costs is not None)
        await erp_project_tests.update(handle, "refresh_cost_codes", actor=ERP_ADMIN)
        history = await handle.fetch_history()
    return history.to_json()


async def erp_company_vendors(env: WorkflowEnvironment) -> str:
    """Vendors refreshed and matched, one linked by hand, one archived, standard codes read."""
    sage = erp_company_tests.FakeSage()
    async with erp_company_tests.company_workflow(env, sage, "S100") as handle:
        await erp_company_tests.update(handle, "refresh_vendors")
        await erp_company_tests.update(handle, "link", vendor_id="S-30", company_id="C-SUMMIT")
        await erp_company_tests.update(handle, "archive", vendor_id="S-31")
        await erp_company_tests.update(handle, "refresh_standard_cost_codes")
        await handle.signal("sync", "schedule")
        await erp_company_tests.update(handle, "refresh_vendors")
        history = await handle.fetch_history()
    return history.to_json()


async def erp_project_links(env: WorkflowEnvironment) -> str:
    """An item's link note asked of the item and taken, a forged one refused, an unlink once
    the item holds the link no more, and the item's next export under a new Sage ID."""
    settings = erp_project_tests.new_project()
    async with erp_project_tests.erp_project(env, erp_project_tests.FakeSage(), settings) as home:
        project, at = settings.project, "2026-12-01T00:00:00Z"
        item = f"commitment:{project}:SC-1"
        link = {"kind": "commitment", "procore": "SC-1", "sage_id": "SC-1", "at": at}
        maker = await linked_by(env.client, home, item, project, link)
        forged = {"kind": "commitment_item", "procore": "SC-1/9", "sage_id": "9", "at": at}
        await home.signal(LINK_SIGNAL, {"item": item, "links": [forged]})
        await maker.signal("holds", LinksMade(project=project))
        unlink = {"item": item, "kind": "commitment", "procore": "SC-1", "actor": ERP_ADMIN}
        await home.signal(UNLINK_SIGNAL, {**unlink, "at": at})
        await linked_by(env.client, home, item, project, {**link, "sage_id": "SC-1B"})
        history = await home.fetch_history()
    return history.to_json()


ENTITY_SCENARIOS = {
    "erp_project_synced": erp_project_synced,
    "erp_company_vendors": erp_company_vendors,
    "erp_project_links": erp_project_links,
    "erp_project_invoice_synced": erp_project_invoice_synced,
}
"""The long-lived workflows of the import direction (recorded while running)."""


async def main(release: str) -> None:
    HISTORIES.mkdir(exist_ok=True)
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(Path(sys.executable).parent / "temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    await register_search_attributes(env.client, "default")
    try:
        for name, (scenario, mode) in SCENARIOS.items():
            path = HISTORIES / f"{release}-{name}.json"
            if path.exists():
                print(f"kept {path.relative_to(ROOT)}")
                continue
            path.write_text(await record(env.client, name, scenario, mode))
            print(f"recorded {path.relative_to(ROOT)}")
            for item_id, watch_history in WATCH_HISTORIES.items():
                watch_path = HISTORIES / f"{release}-{name}-watch.json"
                watch_path.write_text(watch_history)
                print(f"recorded {watch_path.relative_to(ROOT)} (the watch that told {item_id})")
            WATCH_HISTORIES.clear()
        for name, entity in ENTITY_SCENARIOS.items():
            path = HISTORIES / f"{release}-{name}.json"
            if path.exists():
                print(f"kept {path.relative_to(ROOT)}")
                continue
            path.write_text(await entity(env))
            print(f"recorded {path.relative_to(ROOT)}")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "v1"))
