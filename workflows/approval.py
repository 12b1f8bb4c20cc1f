"""The delegated approval workflow: a child of the item workflow, one per send.

Only a current step's assignee may respond. Responses arrive as an update `respond` (refused
at once, with the reason, when the person is not an assignee) or as a signal of the same
name from the UI (a refused signal is reported to the item's audit trail). Each response is
reported to the item workflow, which shows the current step and who must act.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from contract.approval import PROGRESS_SIGNAL, WORKFLOW_TYPE
    from domain.approval import (
        Approval,
        ApprovalInput,
        ApprovalNote,
        RespondRequest,
        parse_respond,
    )
    from domain.refusal import reason
    from domain.signing import verify
    from domain.status import ACTOR_LIMIT, DETAIL_LIMIT, bounded


@workflow.defn(name=WORKFLOW_TYPE)
class ApprovalWorkflow:
    @workflow.init
    def __init__(self, start: ApprovalInput) -> None:
        self._approval = start.approval
        self._item = start.item_workflow_id
        self._round = start.round
        self._signing = start.signing
        self._keys = start.public_keys
        self._token = start.token
        self._nonces: set[str] = set()

    @workflow.run
    async def run(self, start: ApprovalInput) -> Approval:
        workflow.set_current_details(self._approval.describe())
        await workflow.wait_condition(
            lambda: self._approval.outcome is not None and workflow.all_handlers_finished()
        )
        return self._approval

    @workflow.query(name="status")
    def status(self) -> Approval:
        return self._approval

    @workflow.update(name="respond")
    async def respond(self, request: RespondRequest) -> Approval:
        try:
            self._verify(request)
            approval = self._approval.respond(request, workflow.now())
        except Exception as err:  # any error on input is a refusal, never a failed task
            refusal = str(err) if isinstance(err, ApplicationError) else reason(err, "respond")
            await self._tell_item(self._note(refused=refusal, actor=request.actor))
            raise ApplicationError(refusal, type="Refused", non_retryable=True) from None
        self._approval = approval
        workflow.set_current_details(self._approval.describe())
        await self._tell_item(self._note())
        return self._approval

    @respond.validator
    def _validate_respond(self, request: RespondRequest) -> None:
        self._approval.respond(request, workflow.now())

    @workflow.signal(name="respond")
    async def respond_signal(self, *payload: Any) -> None:
        # `*payload`: a handler of exactly one argument fails the workflow task on a signal
        # with none or two (a stalled approval); a non-JSON payload is dropped by the SDK.
        actor = None
        data = payload[0] if len(payload) == 1 else None
        if isinstance(data, dict) and isinstance(data.get("actor"), str):
            actor = data["actor"]
        try:
            request = parse_respond(data)
            self._verify(request)
            self._approval = self._approval.respond(request, workflow.now())
            note = self._note()
        except Exception as err:  # any error on input is a refusal, never a failed task
            note = self._note(refused=f"{reason(err, 'respond')} (signal)", actor=actor)
        workflow.set_current_details(self._approval.describe())
        await self._tell_item(note)

    def _note(self, refused: str | None = None, actor: str | None = None) -> ApprovalNote:
        return ApprovalNote(
            round=self._round,
            approval=self._approval,
            refused=bounded(refused, DETAIL_LIMIT),
            actor=bounded(actor, ACTOR_LIMIT),
            token=self._token,
        )

    def _verify(self, request: RespondRequest) -> None:
        verify(
            public_key=self._keys.get(request.actor),
            policy=self._signing,
            signature=request.signature,
            item=workflow.info().workflow_id,
            command="respond",
            arguments=request.signed_arguments(),
            now=workflow.now(),
            seen_nonces=self._nonces,
        )
        if request.signature is not None:
            self._nonces.add(request.signature.nonce)

    async def _tell_item(self, note: ApprovalNote) -> None:
        await workflow.get_external_workflow_handle(self._item).signal(PROGRESS_SIGNAL, note)
