"""The item workflow on the time-skipping test server, with a fake Sage behind the activities."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contract.posting_watch import WatchTiming
from contract.prime_contract_sync import RefreshOutcome
from contract.sage import SageFailure
from domain.commands import (
    AcceptRequest,
    CommandRequest,
    EditRequest,
    RejectRequest,
    ResetRequest,
    SettingsRequest,
)
from domain.lifecycle import State
from domain.settings import DirectExportMode, ProjectSettings, parse_projects
from domain.signing import SigningPolicy, load_private_key, new_key_pair, sign
from domain.status import ItemStatus, ItemWorkflowInput, Outcome
from runtime.sandbox import RUNNER
from tests.workflows.fake_notices import FakeNotices
from tests.workflows.fake_sage import FakeSage
from workflows.approval import ApprovalWorkflow
from workflows.item import ItemWorkflow
from workflows.posting_watch import PostingWatch

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AT_IMPORT = datetime(2026, 12, 1, tzinfo=UTC)
ADMIN, APPROVER, ERP_ADMIN = "pm.alex", "acct.ana", "acct.admin"


def project(
    mode: DirectExportMode = DirectExportMode.DISABLED, name: str = "P-1001", **changes: Any
) -> ProjectSettings:
    settings = parse_projects((EXAMPLES / "projects.json").read_text()).projects[name]
    return settings.model_copy(update={"direct_export": {"commitment": mode}, **changes})


def commitment(**changes: Any) -> dict[str, Any]:
    data = json.loads((EXAMPLES / "items" / "commitment-SC-0042.json").read_text())
    return {**data, **changes}


QUICK_WATCH = WatchTiming(fast=timedelta(milliseconds=200), min_gap=timedelta(milliseconds=200))
"""The company's watch looks every 0.2 s while an export's posting is due (5 s and 20 s apart in
production): a test that polls `status` waits in real time, not skipped time."""


@asynccontextmanager
async def item_workflow(
    env: WorkflowEnvironment,
    sage: FakeSage,
    settings: ProjectSettings | None = None,
    item: dict[str, Any] | None = None,
    history_limit: int = 20_000,
    notices: FakeNotices | None = None,
    unlink_window: timedelta = timedelta(0),
) -> AsyncIterator[WorkflowHandle[Any, Any]]:
    """An item on the time-skipping server; by default it ends at posted (no unlink window),
    so `result()` returns as it did before issue 16."""
    queue = f"items-{uuid.uuid4()}"
    data = item or commitment()
    async with (
        Worker(
            env.client,
            task_queue=queue,
            workflows=[ItemWorkflow, ApprovalWorkflow, PostingWatch],
            activities=[
                (notices or FakeNotices()).send_notice,
                *sage.watch_activities(env.client, QUICK_WATCH),
            ],
            workflow_runner=RUNNER,
        ),
        Worker(env.client, task_queue=f"{queue}-sage", activities=sage.activities()),
    ):
        handle = await env.client.start_workflow(
            ItemWorkflow.run,
            ItemWorkflowInput(
                item=data,
                settings=settings or project(),
                history_limit=history_limit,
                unlink_window=unlink_window,
            ),
            id=f"commitment:P-1001:{data['number']}:{uuid.uuid4().hex[:6]}",
            task_queue=queue,
        )
        try:
            yield handle
        finally:  # a workflow left running would hold back time skipping for later tests
            with contextlib.suppress(RPCError):
                child = (await status(handle)).approval_workflow_id
                if child:
                    await env.client.get_workflow_handle(child).terminate("test finished")
            with contextlib.suppress(RPCError):
                await handle.terminate("test finished")
            for watch in sage.watches:
                with contextlib.suppress(RPCError):
                    await env.client.get_workflow_handle(watch).terminate("test finished")


async def status(handle: WorkflowHandle[Any, Any]) -> ItemStatus:
    return await handle.query("status", result_type=ItemStatus)


async def result_of(handle: WorkflowHandle[Any, Any]) -> Any:
    """`handle.result()`, asked again when the time-skipping server's long poll ends with no
    event (the SDK's "No completion event found"): its wait is in skipped time, so on a busy
    machine it can end before the run closes."""
    for _ in range(10):
        try:
            return await handle.result()
        except RuntimeError as err:
            if "No completion event found" not in str(err):
                raise
    raise AssertionError(f"{handle.id}: no completion after ten long polls")


async def until(handle: WorkflowHandle[Any, Any], state: State) -> ItemStatus:
    for _ in range(200):
        current = await status(handle)
        if current.state is state:
            return current
        await asyncio.sleep(0.05)
    raise AssertionError(f"never reached {state}; last {current.state}: {current.audit}")


async def command(handle: WorkflowHandle[Any, Any], name: str, request: Any) -> ItemStatus:
    return await handle.execute_update(name, request, result_type=ItemStatus)


async def refusal(handle: WorkflowHandle[Any, Any], name: str, request: Any) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await command(handle, name, request)
    return str(failed.value.cause)


async def test_approved_commitment_is_exported_once_and_posted(time_skipping_env):
    sage = FakeSage()
    async with item_workflow(time_skipping_env, sage) as handle:
        sent = await command(handle, "send", CommandRequest(actor=ADMIN))
        assert sent.state is State.SENT
        accepted = await command(handle, "accept", AcceptRequest(actor=APPROVER))
        assert accepted.state is State.ACCEPTED
        final = await result_of(handle)
    assert final.state is State.POSTED
    assert list(sage.commitments) == ["SC-0042"]
    assert sage.commitments["SC-0042"]["vendor_id"] == "V-100"
    assert final.sage_ids == {"commitment_id": "SC-0042"}
    assert [(e.actor, e.action) for e in final.audit] == [
        (ADMIN, "send"),
        (APPROVER, "accept"),
        ("sage", "export_succeeded"),
        ("sage", "posted"),
    ]


async def test_direct_export_skips_the_approver(time_skipping_env):
    sage = FakeSage()
    settings = project(DirectExportMode.ENABLED)
    async with item_workflow(time_skipping_env, sage, settings) as handle:
        sent = await command(handle, "send", CommandRequest(actor=ADMIN))
        assert sent.state is State.ACCEPTED
        final = await result_of(handle)
    assert final.state is State.POSTED
    assert ("direct-export", "accept") in [(e.actor, e.action) for e in final.audit]
    assert len(sage.commitments) == 1


async def test_updates_refuse_with_reasons_and_record_nothing(time_skipping_env):
    async with item_workflow(time_skipping_env, FakeSage()) as handle:
        assert "cannot accept an item that is draft" in await refusal(
            handle, "accept", AcceptRequest(actor=APPROVER)
        )
        assert "Admin on the Commitments tool" in await refusal(
            handle, "send", CommandRequest(actor=APPROVER)
        )
        assert "not on the roster" in await refusal(handle, "send", CommandRequest(actor="mallory"))
        await command(handle, "send", CommandRequest(actor=ADMIN))
        assert "'Can Push to Accounting' privilege" in await refusal(
            handle, "accept", AcceptRequest(actor=ADMIN)
        )
        assert "unknown export field 'colour'" in await refusal(
            handle, "accept", AcceptRequest(actor=APPROVER, fields={"colour": "red"})
        )
        assert "12 characters or less" in await refusal(
            handle, "accept", AcceptRequest(actor=APPROVER, fields={"sage_id": "X" * 13})
        )
        current = await status(handle)
    assert current.state is State.SENT
    assert [e.action for e in current.audit] == ["send"]


async def test_send_is_refused_with_the_broken_prerequisites(time_skipping_env):
    item = commitment(title="A title much longer than thirty characters", status="draft")
    async with item_workflow(time_skipping_env, FakeSage(), item=item) as handle:
        message = await refusal(handle, "send", CommandRequest(actor=ADMIN))
    assert "Title. The title must be 30 characters or less." in message
    assert "For subcontracts, the status must be set to 'Approved' or 'Complete.'" in message


@pytest.mark.parametrize(
    "payload",
    ["not an object", {"comment": "no actor"}, {"actor": "acct.ana", "fields": "oops"}, None, 42],
)
async def test_a_malformed_signal_is_recorded_as_refused(time_skipping_env, payload):
    async with item_workflow(time_skipping_env, FakeSage()) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await handle.signal("accept", payload)
        await handle.signal("reject", {"actor": APPROVER, "reason": "Wrong cost code"})
        current = await until(handle, State.REJECTED)
    refused = [e for e in current.audit if e.outcome is Outcome.REFUSED]
    assert len(refused) == 1 and refused[0].action == "accept"
    assert "(signal)" in (refused[0].detail or "")
    assert current.audit[-1].detail == "Wrong cost code"


async def test_a_refused_signal_changes_nothing(time_skipping_env):
    async with item_workflow(time_skipping_env, FakeSage()) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await handle.signal("accept", {"actor": "viewer.vic"})
        await handle.signal("retrieve", {"actor": ADMIN})
        current = await until(handle, State.DRAFT)
    refused = current.audit[1]
    assert refused.outcome is Outcome.REFUSED and refused.state_after is State.SENT
    assert "Standard or Admin on the ERP Integrations tool" in (refused.detail or "")


async def test_business_failure_then_retry_exports_exactly_once(time_skipping_env):
    sage = FakeSage(
        fail_with=SageFailure(
            status=422, code="vendor_inactive", message="Vendor is inactive/has been archived."
        )
    )
    async with item_workflow(time_skipping_env, sage) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        failed = await until(handle, State.EXPORT_FAILED)
        assert failed.last_error is not None
        assert failed.last_error.code == "vendor_inactive"
        assert "Inactive" in failed.last_error.solution
        sage.fail_with = None  # someone re-activates the vendor in Sage
        await command(handle, "retry", AcceptRequest(actor=APPROVER))
        final = await result_of(handle)
    assert final.state is State.POSTED and final.last_error is None
    assert len(sage.commitments) == 1
    creates = [key for key in sage.keys if key.endswith("create_commitment")]
    assert creates[0] != creates[1], "each export attempt has its own idempotency key"
    assert creates[0].endswith("/g1/create_commitment")


async def test_an_identical_record_already_in_sage_is_linked(time_skipping_env):
    sage = FakeSage()
    async with item_workflow(time_skipping_env, sage) as first:
        await command(first, "send", CommandRequest(actor=ADMIN))
        await command(first, "accept", AcceptRequest(actor=APPROVER))
        await result_of(first)
    async with item_workflow(time_skipping_env, sage) as second:
        await command(second, "send", CommandRequest(actor=ADMIN))
        await command(second, "accept", AcceptRequest(actor=APPROVER))
        final = await result_of(second)
    assert final.state is State.POSTED
    assert "link create_commitment" in [e.action for e in final.audit]
    assert len(sage.commitments) == 1


async def test_a_different_record_with_the_same_code_fails_the_export(time_skipping_env):
    sage = FakeSage()
    sage.commitments["SC-0042"] = {"commitment_id": "SC-0042", "vendor_id": "V-999"}
    async with item_workflow(time_skipping_env, sage) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        failed = await until(handle, State.EXPORT_FAILED)
    assert failed.last_error is not None and failed.last_error.code == "commitment_exists"
    assert sage.commitments["SC-0042"]["vendor_id"] == "V-999"


async def test_reject_edit_resend_shows_what_changed(time_skipping_env):
    async with item_workflow(time_skipping_env, FakeSage()) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await command(handle, "reject", RejectRequest(actor=APPROVER, reason="Retainage 5%"))
        edited = commitment(default_retainage_percent="5")
        after_edit = await command(handle, "edit", EditRequest(actor=ADMIN, item=edited))
        assert after_edit.state is State.REJECTED
        assert after_edit.audit[-1].detail == "changed: default_retainage_percent"
        resent = await command(handle, "resend", CommandRequest(actor=ADMIN))
    assert resent.state is State.SENT
    assert resent.audit[-1].detail == "changed since last send: default_retainage_percent"


async def test_edit_cannot_change_the_items_identity(time_skipping_env):
    async with item_workflow(time_skipping_env, FakeSage()) as handle:
        message = await refusal(
            handle, "edit", EditRequest(actor=ADMIN, item=commitment(number="SC-9999"))
        )
        bad = await refusal(handle, "edit", EditRequest(actor=ADMIN, item=commitment(sov="x")))
    assert "cannot change" in message
    assert "field 'sov'" in bad


async def test_cancel_completes_the_workflow(time_skipping_env):
    async with item_workflow(time_skipping_env, FakeSage()) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await command(handle, "cancel", CommandRequest(actor=ADMIN, comment="duplicate"))
        final = await result_of(handle)
    assert final.state is State.CANCELLED


async def test_waiting_approval_gets_a_reminder_then_escalates(own_time_skipping_env):
    settings = project(reminder_period=timedelta(days=2))
    async with item_workflow(own_time_skipping_env, FakeSage(), settings) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await own_time_skipping_env.sleep(timedelta(days=2, hours=1))
        reminded = await status(handle)
        await own_time_skipping_env.sleep(timedelta(days=2))
        escalated = await status(handle)
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        final = await result_of(handle)
    assert reminded.attention == "reminder"
    assert reminded.audit[-1].outcome is Outcome.REMINDER
    assert escalated.attention == "escalated"
    assert final.attention is None and final.state is State.POSTED


async def test_posting_is_awaited_without_growing_history(own_time_skipping_env):
    sage = FakeSage(posted=False)
    async with item_workflow(own_time_skipping_env, sage) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        await until(handle, State.EXPORTED)
        await own_time_skipping_env.sleep(timedelta(hours=1))
        events_waiting = len((await handle.fetch_history()).events)
        await own_time_skipping_env.sleep(timedelta(hours=1))
        assert len((await handle.fetch_history()).events) == events_waiting
        looks_waiting = (sage.polls, sage.item_looks)
        sage.posted = True
        final = await result_of(handle)
    assert looks_waiting == (0, 0)  # the company's watch looked; the item never did
    assert sage.watch_looks > 5
    assert final.state is State.POSTED


async def test_a_long_lived_item_continues_as_new_and_keeps_its_audit_trail(time_skipping_env):
    env, sage = time_skipping_env, FakeSage()
    queue = f"items-{uuid.uuid4()}"
    async with (
        Worker(
            env.client,
            task_queue=queue,
            workflows=[ItemWorkflow, ApprovalWorkflow, PostingWatch],
            activities=[FakeNotices().send_notice, *sage.watch_activities(env.client, QUICK_WATCH)],
            workflow_runner=RUNNER,
        ),
        Worker(env.client, task_queue=f"{queue}-sage", activities=sage.activities()),
    ):
        handle = await env.client.start_workflow(
            ItemWorkflow.run,
            ItemWorkflowInput(item=commitment(), settings=project(), history_limit=30),
            id=f"commitment:P-1001:SC-0042:{uuid.uuid4().hex[:6]}",
            task_queue=queue,
        )
        first_run = (await handle.describe()).run_id
        await command(handle, "send", CommandRequest(actor=ADMIN))
        for _ in range(12):  # each refused signal adds history, none changes the state
            await handle.signal("accept", {"actor": "viewer.vic"})
        await command(handle, "retrieve", CommandRequest(actor=ADMIN))
        await command(handle, "send", CommandRequest(actor=ADMIN))
        latest = env.client.get_workflow_handle_for(ItemWorkflow.run, handle.id)
        await command(latest, "accept", AcceptRequest(actor=APPROVER))
        while (final := await status(latest)).state is not State.POSTED:
            await asyncio.sleep(0.1)  # posted; its run stays open for unlink (UNLINK_WINDOW)
        last_run = (await latest.describe()).run_id
    assert last_run != first_run, "the item never continued as new"
    assert final.state is State.POSTED
    refused = [e for e in final.audit if e.outcome is Outcome.REFUSED]
    assert len(refused) == 12
    assert [e.action for e in final.audit if e.outcome is Outcome.DONE] == [
        "send", "retrieve", "send", "accept", "export_succeeded", "posted"
    ]  # fmt: skip
    assert len(sage.commitments) == 1


async def test_reset_needs_an_erp_admin_and_returns_the_item_where_asked(time_skipping_env):
    sage = FakeSage(
        fail_with=SageFailure(status=422, code="job_closed", message="Job has been closed.")
    )
    async with item_workflow(time_skipping_env, sage) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        await until(handle, State.EXPORT_FAILED)
        refused = await refusal(handle, "reset", ResetRequest(actor=APPROVER))
        assert "Admin on the ERP Integrations tool (has Standard)" in refused
        await command(handle, "reset", ResetRequest(actor="acct.admin", to="sent"))
        reset = await until(handle, State.SENT)
        assert reset.audit[-1].action == "reset"
        assert reset.audit[-1].detail == "nothing was left in Sage"
        sage.fail_with = None
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        final = await result_of(handle)
    assert final.state is State.POSTED
    assert len(sage.commitments) == 1


async def test_signed_commands_are_verified_and_refusals_recorded(time_skipping_env):
    private, public = new_key_pair()
    key = load_private_key(private)
    erp_private, erp_public = new_key_pair()
    roster = project().roster
    roster = {
        **roster,
        APPROVER: roster[APPROVER].model_copy(update={"public_key": public}),
        ERP_ADMIN: roster[ERP_ADMIN].model_copy(update={"public_key": erp_public}),
    }
    settings = project(roster=roster, signing=SigningPolicy(accept_unsigned=False))
    # Signatures are checked against the server's clock: it must not skip ahead (to the
    # reminder timer, say) while an update is on its way.
    with time_skipping_env.auto_time_skipping_disabled():
        async with item_workflow(time_skipping_env, FakeSage(), settings) as handle:
            wid = handle.id
            now = await time_now(time_skipping_env)
            unsigned = await refusal(handle, "send", CommandRequest(actor=ADMIN))
            assert "signed commands only" in unsigned
            admin_private, admin_public = new_key_pair()
            roster = {
                **roster,
                ADMIN: roster[ADMIN].model_copy(update={"public_key": admin_public}),
            }
            change = SettingsRequest(
                actor=ERP_ADMIN, settings=settings.model_copy(update={"roster": roster})
            )
            unsigned_change = await refusal(handle, "settings", change)
            assert "must be signed" in unsigned_change
            signature = sign(
                load_private_key(erp_private), wid, "settings", change.signed_arguments(), now
            )
            await command(handle, "settings", change.model_copy(update={"signature": signature}))
            send = CommandRequest(actor=ADMIN)
            signed_send = send.model_copy(
                update={
                    "signature": sign(
                        load_private_key(admin_private), wid, "send", send.signed_arguments(), now
                    )
                }
            )
            await command(handle, "send", signed_send)
            accept = AcceptRequest(actor=APPROVER)
            good = sign(key, wid, "accept", accept.signed_arguments(), now)
            forged = sign(key, wid, "reject", accept.signed_arguments(), now)
            bad = await refusal(handle, "accept", accept.model_copy(update={"signature": forged}))
            assert "does not match" in bad
            await handle.signal("accept", {"actor": APPROVER})  # the UI's unsigned signal
            await command(handle, "accept", accept.model_copy(update={"signature": good}))
            replay = await refusal(handle, "retry", accept.model_copy(update={"signature": good}))
            final = await result_of(handle)
    assert "cannot retry" in replay or "replayed" in replay
    assert final.state is State.POSTED
    refused = [e for e in final.audit if e.outcome is Outcome.REFUSED]
    assert [e.action for e in refused] == ["send", "settings", "accept", "accept"]
    assert "must be signed" in (refused[3].detail or "")


async def time_now(env: WorkflowEnvironment):
    return await env.get_current_time()


async def notified(handle: WorkflowHandle[Any, Any], count: int) -> list[str]:
    """The audit's "notified" lines once there are `count` of them (a notice follows its
    transition in a workflow task of its own)."""
    for _ in range(200):
        lines = [e.detail or "" for e in (await status(handle)).audit if e.action == "notified"]
        if len(lines) >= count:
            return lines
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} notices: {(await status(handle)).audit}")


async def test_notices_go_to_whoever_the_item_waits_on_once_per_event(own_time_skipping_env):
    env = own_time_skipping_env
    notices = FakeNotices(delivering=True)
    sage = FakeSage(
        fail_with=SageFailure(
            status=422, code="vendor_inactive", message="Vendor is inactive/has been archived."
        )
    )
    settings = project(reminder_period=timedelta(days=2))
    async with item_workflow(env, sage, settings, notices=notices) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await notified(handle, 1)
        await env.sleep(timedelta(days=2, hours=1))
        await notified(handle, 2)
        await env.sleep(timedelta(days=2))
        await notified(handle, 3)
        await command(handle, "reject", RejectRequest(actor=APPROVER, reason="cost code"))
        await command(handle, "resend", CommandRequest(actor=ADMIN))
        await notified(handle, 4)
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        lines = await notified(handle, 5)
    approvers = ["acct.admin", "acct.ana"]  # P-1001's accounting approvers, with emails
    assert notices.kinds() == [
        ("sent", approvers),
        ("reminder", approvers),
        ("escalated", ["acct.admin"]),  # P-1001's escalation approvers
        ("resent", approvers),
        ("export_failed", approvers),
    ]
    ids = [r.event_id for r in notices.requests]
    assert len(set(ids)) == len(ids) and all(i.startswith(handle.id + "/") for i in ids)
    assert lines[0] == "notified acct.admin, acct.ana (sent)"


async def test_direct_export_and_users_without_email_get_no_notice(time_skipping_env):
    notices = FakeNotices(delivering=True)
    settings = project(DirectExportMode.ENABLED)
    async with item_workflow(time_skipping_env, FakeSage(), settings, notices=notices) as h:
        await command(h, "send", CommandRequest(actor=ADMIN))
        final = await result_of(h)
    assert final.state is State.POSTED and notices.requests == []
    no_email = project()
    roster = {n: u.model_copy(update={"email": None}) for n, u in no_email.roster.items()}
    notices = FakeNotices(delivering=True)
    settings = no_email.model_copy(update={"roster": roster})
    async with item_workflow(time_skipping_env, FakeSage(), settings, notices=notices) as h:
        await command(h, "send", CommandRequest(actor=ADMIN))
        await command(h, "accept", AcceptRequest(actor=APPROVER))
        final = await result_of(h)
    assert notices.requests == [] and "notified" not in [e.action for e in final.audit]


async def test_each_approval_step_tells_its_assignees(time_skipping_env):
    from domain.approval import Approval, RespondRequest

    env, notices = time_skipping_env, FakeNotices(delivering=True)
    settings = project(DirectExportMode.ENABLED_WITH_WORKFLOW)
    async with item_workflow(env, FakeSage(), settings, notices=notices) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await notified(handle, 1)
        child = env.client.get_workflow_handle((await status(handle)).approval_workflow_id)
        request = RespondRequest(actor=ADMIN, response="approve")
        await child.execute_update("respond", request, result_type=Approval)
        await notified(handle, 2)
    assert notices.kinds()[:2] == [
        ("approval_step", ["pm.alex"]),
        ("approval_step", ["acct.ana", "acct.admin"]),  # group:accounting, in its order
    ]


def pcco(**changes: Any) -> dict[str, Any]:
    data = json.loads(
        (EXAMPLES / "items" / "prime_contract_change_order-PCCO-007.json").read_text()
    )
    return {**data, **changes}


async def test_a_pcco_send_leans_on_its_prime_contracts_import(time_skipping_env):
    """Not imported -> refused naming the import command (the item stays a draft); once the
    import's links are in the registry the same send is taken, the contract resolved."""
    from domain import links
    from domain.links import Link, LinkKind, LinkOrigin

    sage = FakeSage()
    item = pcco(prime_contract={"number": "1001-PC"})
    async with item_workflow(time_skipping_env, sage, item=item) as handle:
        message = await refusal(handle, "send", CommandRequest(actor=ADMIN))
        assert "Not synced: prime contract 1001-PC." in message
        assert "starter.py prime-contract import P-1001 CONTRACT --as USER" in message
        assert (await status(handle)).state is State.DRAFT

        made = [
            Link(kind=kind, procore=procore, sage_id=sage_id, at=AT_IMPORT, item="p",
                 origin=LinkOrigin.IMPORTED)
            for kind, procore, sage_id in [
                (LinkKind.PRIME_CONTRACT, "1001-PC", "1001-PC"),
                (LinkKind.CONTRACT_ITEM, "1001-PC/002", "002"),
            ]
        ]  # fmt: skip
        sage.links, _ = links.recorded(sage.links, made)
        sent = await command(handle, "send", CommandRequest(actor=ADMIN))
        assert sent.state is State.SENT and sent.links == {"contract": "1001-PC"}


async def test_a_pcco_asks_its_prime_contract_to_sync_from_sage_before_each_export(
    time_skipping_env,
):
    """C61: before any Sage write of the export, the prime contract's sync is asked in the
    accepting ERP Admin's name; a refused sync is in the audit trail and the export goes on
    (here Sage then refuses the estimate changes: the retry asks again)."""
    from domain import links
    from domain.links import Link, LinkKind

    sage = FakeSage(fail_with=SageFailure(status=404, code="not_found", message="Not found."))
    sage.links, _ = links.recorded(
        sage.links,
        [
            Link(kind=LinkKind.PRIME_CONTRACT, procore="1001-PC", sage_id="1001-PC", at=AT_IMPORT),
            Link(kind=LinkKind.CONTRACT_ITEM, procore="1001-PC/002", sage_id="002", at=AT_IMPORT),
        ],
    )
    sage.refresh_outcome = RefreshOutcome(
        synced=False, detail="refused: acct.admin cannot re-import prime contracts"
    )
    async with item_workflow(time_skipping_env, sage, item=pcco()) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        fields = {"new_contract_items": "B01"}
        await command(handle, "accept", AcceptRequest(actor=ERP_ADMIN, fields=fields))
        failed = await until(handle, State.EXPORT_FAILED)
        [synced] = [e for e in failed.audit if e.action == "sync prime contract"]
        assert synced.actor == ERP_ADMIN and synced.outcome is Outcome.REFUSED
        assert "cannot re-import" in (synced.detail or "")
        assert "goes on with the contract as last imported" in (synced.detail or "")
        assert [(r.project, r.prime_contract, r.actor) for r in sage.refreshes] == [
            ("P-1001", "1001-PC", ERP_ADMIN)
        ]
        sage.fail_with = None
        sage.refresh_outcome = RefreshOutcome(synced=True, detail="nothing re-imported")
        await command(handle, "retry", CommandRequest(actor=ERP_ADMIN))
        for _ in range(100):
            if len(sage.refreshes) == 2:
                break
            await asyncio.sleep(0.05)
        assert len(sage.refreshes) == 2
