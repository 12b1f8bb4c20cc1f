"""The item against hostile or careless callers (issue 14), on the time-skipping server.

Each test sends what an attacker or a careless user would, through a real client, then shows
the refusal recorded, nothing lost or written twice, and the next valid command taken.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import CancelledError

from contract.sage import SageFailure
from domain.approval import ApprovalNote
from domain.commands import AcceptRequest, CommandRequest, ResetRequest, SettingsRequest
from domain.lifecycle import State
from domain.settings import ErpPermission
from domain.status import AUDIT_LIMIT, Outcome
from tests.workflows.fake_sage import FakeSage
from tests.workflows.test_item_workflow import (
    ADMIN,
    APPROVER,
    ERP_ADMIN,
    command,
    commitment,
    item_workflow,
    project,
    refusal,
    result_of,
    status,
    until,
)

NAIVE_SIGNATURE = {"timestamp": "2026-12-01T10:00:00", "nonce": "0" * 32, "value": "AAAA"}
LOCKED = SageFailure(status=422, code="record_locked", message="The record is in use.")
INACTIVE = SageFailure(status=422, code="vendor_inactive", message="Vendor is inactive.")


def refused(audit: list[Any]) -> list[Any]:
    return [entry for entry in audit if entry.outcome is Outcome.REFUSED]


POISON = [
    ("accept", ({"actor": APPROVER, "signature": NAIVE_SIGNATURE},)),
    ("accept", ()),
    ("accept", ({"actor": APPROVER}, {"actor": APPROVER})),
    ("accept", ("acct.ana",)),
    ("accept", ({"actor": APPROVER, "fields": {"sage_id": "x" * 10_000}},)),
    ("accept", ({"actor": APPROVER, "fields": {f"k{i}": "v" for i in range(500)}},)),
    ("reject", ({"actor": APPROVER, "reason": None},)),
    ("settings", ({"project": "P-1001", "roster": {}},)),
    ("settings", ({"actor": ERP_ADMIN, "settings": {"project": 7}},)),
    ("settings", ({"actor": "x" * 700_000, "settings": "everything"},)),
    ("approval_progress", ({"round": 1},)),
]


@pytest.mark.parametrize(("name", "payload"), POISON)
async def test_a_poison_signal_is_recorded_as_refused_and_the_item_goes_on(
    time_skipping_env, name: str, payload: tuple[Any, ...]
):
    sage = FakeSage()
    async with item_workflow(time_skipping_env, sage) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await handle.signal(name, args=payload)
        current = await status(handle)
        assert current.state is State.SENT
        if name != "approval_progress":
            assert refused(current.audit), current.audit
        for entry in current.audit:
            assert len(entry.actor) <= 100 and len(entry.detail or "") <= 1000
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        final = await result_of(handle)
    assert final.state is State.POSTED
    assert len(sage.commitments) == 1


async def test_an_update_whose_signature_has_no_time_zone_is_refused_at_once(time_skipping_env):
    async with item_workflow(time_skipping_env, FakeSage()) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        bad = {"actor": APPROVER, "signature": NAIVE_SIGNATURE}
        with pytest.raises(Exception, match=r"."):
            await handle.execute_update("accept", bad)
        accepted = await command(handle, "accept", AcceptRequest(actor=APPROVER))
    assert accepted.state is State.ACCEPTED


async def test_settings_are_taken_only_from_an_erp_admin_of_the_held_roster(time_skipping_env):
    held = project()
    promoted = held.roster[ADMIN].model_copy(
        update={"erp": ErpPermission.ADMIN, "can_push_to_accounting": True}
    )
    forged = held.model_copy(update={"roster": {**held.roster, ADMIN: promoted}})
    async with item_workflow(time_skipping_env, FakeSage(), held) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        why = await refusal(handle, "settings", SettingsRequest(actor=ADMIN, settings=forged))
        assert "needs Admin on the ERP Integrations tool" in why
        await handle.signal("settings", {"actor": ADMIN, "settings": forged.model_dump()})
        await handle.signal("settings", forged.model_dump(mode="json"))  # the old, bare form
        still = await refusal(handle, "accept", AcceptRequest(actor=ADMIN))
        assert "Standard or Admin on the ERP Integrations tool" in still
        other = held.model_copy(update={"project": "P-1002"})
        why = await refusal(handle, "settings", SettingsRequest(actor=ERP_ADMIN, settings=other))
        assert "do not apply" in why
        nobody = held.model_copy(
            update={
                "roster": {
                    name: user.model_copy(update={"erp": ErpPermission.STANDARD})
                    for name, user in held.roster.items()
                }
            }
        )
        why = await refusal(handle, "settings", SettingsRequest(actor=ERP_ADMIN, settings=nobody))
        assert "no ERP Admin" in why
        taken = await command(handle, "settings", SettingsRequest(actor=ERP_ADMIN, settings=forged))
        assert taken.audit[-1].detail == "changed: roster"
        await command(handle, "accept", AcceptRequest(actor=ADMIN))
        final = await result_of(handle)
    assert final.state is State.POSTED
    assert [e.action for e in refused(final.audit)] == ["settings", "settings"]


async def test_a_forged_approval_note_is_ignored(time_skipping_env):
    from domain.settings import DirectExportMode

    settings = project(DirectExportMode.ENABLED_WITH_WORKFLOW, name="P-1003")
    settings = settings.model_copy(update={"project": "P-1001"})
    async with item_workflow(time_skipping_env, FakeSage(), settings) as handle:
        sent = await command(handle, "send", CommandRequest(actor=ADMIN))
        for _ in range(50):
            sent = await status(handle)
            if sent.approval_workflow_id:
                break
            await asyncio.sleep(0.05)
        assert sent.approval is not None
        forged = ApprovalNote(round=1, approval=sent.approval, refused="x", actor="mallory")
        await handle.signal("approval_progress", forged.model_dump(mode="json"))
        after = await status(handle)
    assert after.audit[-1].action == "approval_progress"
    assert "token" in (after.audit[-1].detail or "")
    assert all(entry.actor != "mallory" for entry in after.audit)
    assert after.approval == sent.approval  # retrieve is still possible: no responses forged


async def test_the_audit_trail_stays_bounded_under_a_flood_of_refusals(time_skipping_env):
    async with item_workflow(time_skipping_env, FakeSage()) as handle:
        for start in range(0, AUDIT_LIMIT + 100, 100):
            await asyncio.gather(
                *(
                    handle.signal("accept", {"actor": f"m{start + i}" + "x" * 1000})
                    for i in range(100)
                )
            )
        await command(handle, "send", CommandRequest(actor=ADMIN))
        current = await status(handle)
    assert len(current.audit) <= AUDIT_LIMIT
    summary = current.audit[0]
    assert summary.folded and summary.folded_refused
    assert summary.folded + len(current.audit) - 1 == AUDIT_LIMIT + 100 + 1
    assert current.audit[-1].action == "send"


async def test_leftovers_block_retry_until_a_reset_undoes_them(time_skipping_env):
    sage = FakeSage(hold=asyncio.Event(), refuse_deletes=LOCKED)
    async with item_workflow(time_skipping_env, sage) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        await asyncio.wait_for(sage.in_flight.wait(), 10)
        await handle.cancel()  # the commitment is written, and Sage refuses its undo
        await _reissued(sage)
        sage.hold.set()
        failed = await until(handle, State.EXPORT_FAILED)
        assert failed.leftovers, failed.audit
        assert len(sage.commitments) == 1
        for name, actor in (("retry", APPROVER), ("reject", APPROVER), ("cancel", ADMIN)):
            request = {"retry": AcceptRequest, "reject": None, "cancel": CommandRequest}[name]
            if request is None:
                from domain.commands import RejectRequest

                why = await refusal(handle, name, RejectRequest(actor=actor, reason="no"))
            else:
                why = await refusal(handle, name, request(actor=actor))
            assert "still in Sage" in why and "starter.py reset" in why, why
        sage.refuse_deletes = None
        await command(handle, "reset", ResetRequest(actor=ERP_ADMIN, to="sent"))
        await until(handle, State.SENT)
        assert sage.commitments == {}
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        final = await result_of(handle)
    assert final.state is State.POSTED
    assert not final.leftovers
    assert len(sage.commitments) == 1


async def test_a_linked_record_is_never_undone(time_skipping_env):
    sage = FakeSage()
    item = commitment()
    async with item_workflow(time_skipping_env, sage, item=item) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        await result_of(handle)
    kept = dict(sage.commitments)
    # Another item finds that identical record in Sage and links it; it is then cancelled
    # mid-export. Its compensation must not delete a record it did not write.
    sage.hold, sage.in_flight = asyncio.Event(), asyncio.Event()
    async with item_workflow(time_skipping_env, sage, item=item) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        await asyncio.wait_for(sage.in_flight.wait(), 10)
        await handle.cancel()
        await _reissued(sage)
        sage.hold.set()
        with pytest.raises(WorkflowFailureError):
            await result_of(handle)
        final = await status(handle)
    assert final.state is State.CANCELLED
    assert any(e.action.startswith("link") for e in final.audit), final.audit
    assert not [k for k in sage.keys if k.endswith("/undo")]
    assert sage.commitments == kept


async def test_a_cancel_in_temporal_mid_export_undoes_the_record_and_ends_cancelled(
    time_skipping_env,
):
    sage = FakeSage(hold=asyncio.Event())
    async with item_workflow(time_skipping_env, sage) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        await asyncio.wait_for(sage.in_flight.wait(), 10)
        await handle.cancel()
        await _reissued(sage)
        sage.hold.set()  # the call that was in flight arrives late: its key replays
        with pytest.raises(WorkflowFailureError) as ended:
            await result_of(handle)
        assert isinstance(ended.value.cause, CancelledError)
        final = await status(handle)
    assert final.state is State.CANCELLED
    assert final.audit[-1].actor == "temporal"
    assert sage.commitments == {}
    assert not final.leftovers


async def test_a_cancel_in_temporal_while_waiting_ends_cancelled(time_skipping_env):
    async with item_workflow(time_skipping_env, FakeSage()) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await handle.cancel()
        with pytest.raises(WorkflowFailureError):
            await result_of(handle)
        final = await status(handle)
    assert final.state is State.CANCELLED


async def _reissued(sage: FakeSage) -> None:
    """Until the workflow has asked Sage again under the key of the call in flight."""
    for _ in range(200):
        if len(sage.keys) > len(set(sage.keys)):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the call in flight was never issued again: {sage.keys}")


async def test_settings_no_template_covers_wait_for_new_settings_never_a_failed_task(
    time_skipping_env,
):
    """An item sent without approval workflows; then settings turn them on with no template
    covering its amount. When the item looks again (here: after continuing as new), it used
    to fail its workflow task on `choose_template` over and over."""
    from domain.settings import DirectExportMode

    held = project()
    delegated = project(DirectExportMode.ENABLED_WITH_WORKFLOW, name="P-1003").model_copy(
        update={"project": "P-1001"}
    )
    templates = delegated.approval_templates["commitment"]
    small_only = [templates[0]]  # up to 50,000: the demo commitment is above it
    uncovered = delegated.model_copy(
        update={"approval_templates": {**delegated.approval_templates, "commitment": small_only}}
    )
    item = commitment(sov=[{**commitment()["sov"][0], "amount": "75000"}])
    async with item_workflow(
        time_skipping_env, FakeSage(), held, item=item, history_limit=40
    ) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await command(handle, "settings", SettingsRequest(actor=ERP_ADMIN, settings=uncovered))
        for _ in range(30):  # grow the history past the limit: the item continues as new
            await handle.signal("accept", {"actor": "nobody"})
        for _ in range(200):
            current = await status(handle)
            if current.attention == "no_approval_template":
                break
            await asyncio.sleep(0.05)
        assert current.attention == "no_approval_template", current.audit[-3:]
        why = [e.detail for e in current.audit if e.action == "approval"]
        assert why and "no approval template covers" in (why[0] or "")
        history = await handle.fetch_history()
        failed = EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
        assert not [e for e in history.events if e.event_type == failed]
        await command(handle, "settings", SettingsRequest(actor=ERP_ADMIN, settings=delegated))
        for _ in range(200):
            current = await status(handle)
            if current.approval_workflow_id:
                break
            await asyncio.sleep(0.05)
    assert current.approval is not None
    assert current.approval.template.name == "commitment three-tier"
