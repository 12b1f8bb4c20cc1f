"""The item workflow: one Procore item's life from draft to posted in Sage.

Commands arrive as updates (validated, so a refusal reaches the caller at once and leaves no
trace) and as signals of the same name (so a person can act from the UI; a refused signal is
recorded in the audit trail and changes nothing else). All decisions are made by `domain`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NoReturn

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    ChildWorkflowError,
    is_cancelled_exception,
)

with workflow.unsafe.imports_passed_through():
    from contract import search_attributes as sa
    from contract.approval import PROGRESS_SIGNAL
    from contract.item import EXPORT_AS_COMMAND, LINK_EXISTING_COMMAND, WORKFLOW_TYPE
    from contract.links import (
        MADE_LINKS_QUERY,
        READ_LINKS_ACTIVITY,
        UNLINK_COMMAND,
        LinkNote,
        LinksMade,
        LinksRead,
        LinksSnapshot,
        UnlinkNote,
    )
    from contract.posting_watch import POSTED_SIGNAL
    from contract.prime_contract_sync import REFRESH_ACTIVITY, RefreshOutcome, RefreshRequest
    from contract.sage import SageFailure
    from domain import links
    from domain.approval import (
        Approval,
        ApprovalInput,
        ApprovalNote,
        choose_template,
    )
    from domain.approval import Outcome as ApprovalOutcome
    from domain.commands import (
        AcceptRequest,
        CommandRequest,
        EditRequest,
        ItemFacts,
        RejectRequest,
        ResetRequest,
        SettingsRequest,
        changed_fields,
        decide,
        decide_settings,
        parse_request,
    )
    from domain.duplicates import Duplicate, ExportAsRequest, decide_duplicate, differing_duplicate
    from domain.errors import SageError, explain
    from domain.export_plan import LeftoverUndo, Posting
    from domain.exports import kind_of
    from domain.items import (
        ItemBase,
        ItemType,
        OwnerInvoice,
        PrimeContractChangeOrder,
        parse_item,
    )
    from domain.lifecycle import FINAL_STATES, Command, Event, State, next_state
    from domain.notices import (
        NOTICE_ACTIVITY,
        NOTICES_PATCH,
        NoticeKind,
        NoticeRequest,
        NoticeResult,
        recipients,
    )
    from domain.refusal import Refusal, reason
    from domain.settings import DirectExportMode, ProjectSettings
    from domain.signing import verify
    from domain.status import (
        ACTOR_LIMIT,
        AuditEntry,
        CarriedState,
        ItemStatus,
        ItemWorkflowInput,
        Outcome,
        bounded,
        folded_audit,
    )
    from workflows import export_saga, owner_invoices, posting_watch
    from workflows.approval import ApprovalWorkflow
    from workflows.links import end_link, record_links
    from workflows.policies import LINKS_RETRY

DIRECT_EXPORT_ACTOR = "direct-export"
RESTING_STATES = frozenset({State.DRAFT, State.SENT, State.REJECTED, State.EXPORT_FAILED})
"""States that wait for a person; in them, with no approval child, an item may continue
as new."""
SAGE_ACTOR = "sage"
TEMPORAL_ACTOR = "temporal"
"""Who a cancellation requested in Temporal (UI, CLI, API) is recorded as."""
SETTINGS_COMMAND = "settings"
APPROVAL_TOKEN_PATCH = "approval-note-token"
"""Items that started an approval before notes carried a token keep taking notes without."""
TEMPORAL_CANCEL_PATCH = "temporal-cancel-ends-cancelled"
"""Before: a cancel from Temporal ended the run at once, the item's state unrecorded."""
KEY_HOLDERS_SIGN_PATCH = "key-holders-must-sign"
"""Before: an unsigned command claiming a user with a key was taken where unsigned were."""
SETTINGS_NAME_THEIR_ADMIN_PATCH = "settings-name-their-erp-admin"
"""Before: a bare settings signal was taken from anyone."""
LEFTOVERS_BLOCK_PATCH = "leftovers-block-new-exports"
"""Before: retry, reject and cancel were taken while a failed export's steps were in Sage."""
POSTING_WATCH_PATCH = "posting-watch"
"""Before: an exported item polled each of its batches itself (an activity retrying up to every
5 minutes: 12 Sage requests an hour per waiting batch)."""
LINKS_PATCH = "links-registry"
"""Before: a send took the Sage IDs the files carried, unchecked, and an export told nobody."""
UNLINK_WINDOW_PATCH = "posted-open-for-unlink"
PCCO_SYNC_PATCH = "pcco-syncs-prime-contract"
"""Before: a PCCO's export asked nobody to sync its prime contract from Sage (C61)."""
PCCO_LINKS_PATCH = "pcco-prime-contract-links"
"""Before: a PCCO's send read no link (its file's Sage contract and items were taken as
they were)."""
"""Before: a posted item's run ended at once (no unlink)."""
NOTICE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=1)
)
NOTICE_DEADLINE = timedelta(minutes=10)
"""A notice not delivered in this long (the SMTP server down, no worker registers the
activity) is recorded as not sent; the item never waits on it longer."""


def _one(payload: tuple[Any, ...]) -> Any:
    """The one JSON value a signal should carry, or None when it carries none or several.

    Signal handlers take `*payload` rather than one argument: a handler that takes exactly
    one would raise TypeError on a signal with no input or two inputs, which fails the
    workflow task over and over and stalls the item. A payload that is not JSON at all is
    dropped by the SDK (with a warning) before the handler runs.
    """
    return payload[0] if len(payload) == 1 else None


def _claimed_actor(data: Any) -> str:
    """Who a refused signal says it is from, cut to size: recorded, never trusted."""
    actor = data.get("actor") if isinstance(data, dict) else None
    return bounded(actor, ACTOR_LIMIT) or "unknown" if isinstance(actor, str) else "unknown"


@workflow.defn(name=WORKFLOW_TYPE)
class ItemWorkflow:
    @workflow.init
    def __init__(self, start: ItemWorkflowInput) -> None:
        self._item: ItemBase = parse_item(start.item)
        self._settings = start.settings
        self._state = State.DRAFT
        self._sender: str | None = None
        self._sent_item: ItemBase | None = None
        self._fields: dict[str, str] = {}
        self._generation = 0
        self._sage_ids: dict[str, str] = {}
        self._batches: list[str] = []
        self._posting = Posting.AUTOMATIC
        self._posting_wait = posting_watch.PostingWait()
        """Batches Sage confirmed posted, and notices from the company's posting watch."""
        self._last_error: SageError | None = None
        self._attention: str | None = None
        self._audit: list[AuditEntry] = []
        self._exporting = False
        self._version = 0
        self._progress = 0
        """Bumped by each approval response: the reminder clock restarts at every step."""
        self._approval: Approval | None = None
        self._approval_id: str | None = None
        self._approval_round = 0
        self._leftovers: list[LeftoverUndo] = []
        self._nonces: dict[str, datetime] = {}
        """Nonces of signed commands already taken (replays are refused)."""
        self._reset_request: tuple[ResetRequest, State] | None = None
        self._resets = 0
        self._approval_token: str | None = None
        self._cancelled_in_temporal = False
        """A cancellation was requested in Temporal: the run ends cancelled once it can."""
        self._settings_changes = 0
        self._published: dict[str, Any] = {}
        self._history_limit = start.history_limit
        self._notices = 0
        """Notice events of this run: with the workflow and run IDs, each one's stable ID."""
        self._notices_pending = 0
        self._notice_tasks: set[asyncio.Task[None]] = set()
        self._duplicate: Duplicate | None = None
        """The last export failed on a record Sage holds that differs from ours (issue 20)."""
        self._link_anyway: str | None = None
        """The step whose record Sage holds the next export links (an ERP Admin chose it)."""
        self._links: dict[str, str] = {}
        """What the item leans on ('job', 'vendor', 'commitment' -> Sage ID), resolved
        against the link registry at send (domain/links.py)."""
        self._made_links: list[links.Link] = []
        """The live links this item's export made (until unlinked): what `links.made` answers
        the homes that check a note from this item."""
        self._unlinking = False
        self._unlink_window_over = False
        self._unlink_window = (
            links.UNLINK_WINDOW if start.unlink_window is None else start.unlink_window
        )
        if start.carried is not None:
            self._restore(start.carried)

    def _restore(self, carried: CarriedState) -> None:
        self._state = carried.state
        self._sender = carried.sender
        self._sent_item = parse_item(carried.sent_item) if carried.sent_item else None
        self._fields = carried.export_fields
        self._generation = carried.export_generation
        self._sage_ids = carried.sage_ids
        self._batches = carried.batches
        self._posting = carried.posting
        self._last_error = carried.last_error
        self._attention = carried.attention
        self._approval = carried.approval
        self._approval_round = carried.approval_round
        self._leftovers = carried.leftovers
        self._nonces = carried.nonces
        self._resets = carried.resets
        self._approval_token = carried.approval_token
        self._audit = carried.audit
        self._duplicate = carried.duplicate
        self._links = carried.links
        self._made_links = carried.made_links

    def _carry(self) -> CarriedState:
        return CarriedState(
            state=self._state,
            sender=self._sender,
            sent_item=self._sent_item.model_dump(mode="json") if self._sent_item else None,
            export_fields=self._fields,
            export_generation=self._generation,
            sage_ids=self._sage_ids,
            batches=self._batches,
            posting=self._posting,
            last_error=self._last_error,
            attention=self._attention,
            approval=self._approval,
            approval_round=self._approval_round,
            leftovers=self._leftovers,
            nonces=self._nonces,
            resets=self._resets,
            approval_token=self._approval_token,
            audit=self._audit,
            duplicate=self._duplicate,
            links=self._links,
            made_links=self._made_links,
        )

    def _due_for_continue_as_new(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() >= self._history_limit
        )

    @workflow.run
    async def run(self, start: ItemWorkflowInput) -> ItemStatus:
        self._publish()
        while self._state not in FINAL_STATES or self._open_for_unlink():
            try:
                await self._next_step()
            except BaseException as err:  # cancellation is not an Exception
                if not is_cancelled_exception(err) or not workflow.patched(TEMPORAL_CANCEL_PATCH):
                    raise
                await self._on_cancel_requested()
        await workflow.wait_condition(self._handlers_and_notices_finished)
        if self._cancelled_in_temporal:
            raise asyncio.CancelledError("cancelled in Temporal")  # the run ends cancelled
        return self.status()

    async def _next_step(self) -> None:
        if self._reset_request is not None:
            await self._reset(*self._reset_request)
            return
        if self._resting and self._due_for_continue_as_new():
            # Only between commands, never during an export or an approval child.
            await workflow.wait_condition(self._handlers_and_notices_finished)
            workflow.continue_as_new(
                ItemWorkflowInput(
                    item=self._item.model_dump(mode="json"),
                    settings=self._settings,
                    carried=self._carry(),
                    history_limit=self._history_limit,
                    unlink_window=self._unlink_window,
                )
            )
        if self._state is State.ACCEPTED:
            await self._export()
        elif self._state is State.EXPORTED:
            await self._await_posting()
        elif self._state is State.POSTED:
            await self._rest_posted()
        elif self._state is State.SENT and self._delegated:
            await self._run_approval()
        elif self._state is State.SENT:
            await self._wait_with_reminders(self._moved_or_due(self._version))
        else:
            await self._wait_for_change()

    async def _on_cancel_requested(self) -> None:
        """A cancellation from Temporal (UI, `temporal workflow cancel`, the API).

        Nothing is left behind: what a failed export left in Sage is undone first, and an item
        Sage already holds (exported) is not cancelled at all; it keeps waiting to be posted.
        """
        self._exporting = False
        if self._state is State.EXPORTED:
            self._record(
                TEMPORAL_ACTOR,
                "cancel",
                Outcome.REFUSED,
                self._state,
                "Sage holds this item already; it stays to follow its posting",
            )
            self._publish()
            return
        undone = 0
        if self._leftovers:
            undone, _ = await self._undo_leftovers()
            if self._leftovers:
                self._record(
                    TEMPORAL_ACTOR,
                    "cancel",
                    Outcome.REFUSED,
                    self._state,
                    f"{len(self._leftovers)} step(s) of the failed export are still in Sage; "
                    "an ERP Admin resets the item first",
                )
                self._publish()
                return
        self._cancelled_in_temporal = True
        self._reset_request = None
        detail = "cancellation requested in Temporal"
        if undone:
            detail += f"; undid {undone} leftover step(s) in Sage first"
        self._transition(State.CANCELLED, TEMPORAL_ACTOR, "cancel", detail)

    async def _wait_for_change(self) -> None:
        await workflow.wait_condition(self._moved_or_due(self._version))

    def _moved_or_due(self, version: int) -> Callable[[], bool]:
        return lambda: self._version != version or self._due_for_continue_as_new()

    # --- reading ---

    @workflow.query(name=MADE_LINKS_QUERY)
    def made_links(self) -> LinksMade:
        return LinksMade(
            project=self._settings.project,
            sage_company=self._settings.sage_company,
            links=self._made_links,
        )

    @workflow.query(name="status")
    def status(self) -> ItemStatus:
        return ItemStatus(
            workflow_id=workflow.info().workflow_id,
            item=self._item.model_dump(mode="json"),
            state=self._state,
            export_mode=self._mode,
            export_fields=self._fields,
            export_generation=self._generation,
            sage_ids=self._sage_ids,
            batches=self._batches,
            last_error=self._last_error,
            attention=self._attention,
            approval=self._approval,
            approval_workflow_id=self._approval_id,
            leftovers=self._leftovers,
            posting=self._posting,
            resetting=self._reset_request is not None,
            audit=self._audit,
            duplicate=self._duplicate,
            links=self._links,
            exports_forecast=self._settings.export_forecast_amounts,
        )

    # --- commands as updates (validated) ---

    @workflow.update(name="send")
    async def send(self, request: CommandRequest) -> ItemStatus:
        return await self._linked_command(Command.SEND, request)

    @send.validator
    def _validate_send(self, request: CommandRequest) -> None:
        self._decide(Command.SEND, request)

    @workflow.update(name="retrieve")
    def retrieve(self, request: CommandRequest) -> ItemStatus:
        return self._command(Command.RETRIEVE, request)

    @retrieve.validator
    def _validate_retrieve(self, request: CommandRequest) -> None:
        self._decide(Command.RETRIEVE, request)

    @workflow.update(name="accept")
    def accept(self, request: AcceptRequest) -> ItemStatus:
        return self._command(Command.ACCEPT, request)

    @accept.validator
    def _validate_accept(self, request: AcceptRequest) -> None:
        self._decide(Command.ACCEPT, request)

    @workflow.update(name="reject")
    def reject(self, request: RejectRequest) -> ItemStatus:
        return self._command(Command.REJECT, request)

    @reject.validator
    def _validate_reject(self, request: RejectRequest) -> None:
        self._decide(Command.REJECT, request)

    @workflow.update(name="edit")
    def edit(self, request: EditRequest) -> ItemStatus:
        return self._command(Command.EDIT, request)

    @edit.validator
    def _validate_edit(self, request: EditRequest) -> None:
        self._decide(Command.EDIT, request)

    @workflow.update(name="resend")
    async def resend(self, request: CommandRequest) -> ItemStatus:
        return await self._linked_command(Command.RESEND, request)

    @resend.validator
    def _validate_resend(self, request: CommandRequest) -> None:
        self._decide(Command.RESEND, request)

    @workflow.update(name="retry")
    def retry(self, request: AcceptRequest) -> ItemStatus:
        return self._command(Command.RETRY, request)

    @retry.validator
    def _validate_retry(self, request: AcceptRequest) -> None:
        self._decide(Command.RETRY, request)

    @workflow.update(name="cancel")
    def cancel(self, request: CommandRequest) -> ItemStatus:
        return self._command(Command.CANCEL, request)

    @cancel.validator
    def _validate_cancel(self, request: CommandRequest) -> None:
        self._decide(Command.CANCEL, request)

    @workflow.update(name="reset")
    def reset(self, request: ResetRequest) -> ItemStatus:
        return self._command(Command.RESET, request)

    @reset.validator
    def _validate_reset(self, request: ResetRequest) -> None:
        self._decide(Command.RESET, request)

    # --- the same commands as signals (from the UI); payloads are validated here ---------------

    @workflow.signal(name="send")
    async def send_signal(self, *payload: Any) -> None:
        await self._on_linked_signal(Command.SEND, payload)

    @workflow.signal(name="retrieve")
    def retrieve_signal(self, *payload: Any) -> None:
        self._on_signal(Command.RETRIEVE, payload)

    @workflow.signal(name="accept")
    def accept_signal(self, *payload: Any) -> None:
        self._on_signal(Command.ACCEPT, payload)

    @workflow.signal(name="reject")
    def reject_signal(self, *payload: Any) -> None:
        self._on_signal(Command.REJECT, payload)

    @workflow.signal(name="edit")
    def edit_signal(self, *payload: Any) -> None:
        self._on_signal(Command.EDIT, payload)

    @workflow.signal(name="resend")
    async def resend_signal(self, *payload: Any) -> None:
        await self._on_linked_signal(Command.RESEND, payload)

    @workflow.signal(name="retry")
    def retry_signal(self, *payload: Any) -> None:
        self._on_signal(Command.RETRY, payload)

    @workflow.signal(name="cancel")
    def cancel_signal(self, *payload: Any) -> None:
        self._on_signal(Command.CANCEL, payload)

    @workflow.signal(name="reset")
    def reset_signal(self, *payload: Any) -> None:
        self._on_signal(Command.RESET, payload)

    @workflow.update(name=SETTINGS_COMMAND)
    def settings(self, request: SettingsRequest) -> ItemStatus:
        """New project settings (`starter.py settings apply FILE --as USER`)."""
        try:
            self._verify(SETTINGS_COMMAND, request)
            changed = decide_settings(self._settings, request)
        except Exception as err:
            return self._refuse(request.actor, SETTINGS_COMMAND, reason(err, SETTINGS_COMMAND))
        return self._take_settings(request, changed)

    @settings.validator
    def _validate_settings(self, request: SettingsRequest) -> None:
        decide_settings(self._settings, request)

    @workflow.signal(name=SETTINGS_COMMAND)
    def settings_signal(self, *payload: Any) -> None:
        """The same from the UI or the temporal CLI: `{"actor": ..., "settings": {...}}`."""
        data = _one(payload)
        if not workflow.patched(SETTINGS_NAME_THEIR_ADMIN_PATCH):
            self._take_legacy_settings(data)
            return
        try:
            if isinstance(data, dict) and "actor" not in data and "project" in data:
                raise Refusal(
                    "settings: new settings name the ERP Admin who gives them "
                    '({"actor": USER, "settings": {...}}; starter.py settings apply FILE --as USER)'
                )
            request = SettingsRequest.model_validate(data)
            self._verify(SETTINGS_COMMAND, request)
            changed = decide_settings(self._settings, request)
        except Exception as err:  # never a failed workflow task, whatever arrives
            detail = f"{reason(err, SETTINGS_COMMAND)} (signal)"
            self._record(
                _claimed_actor(data), SETTINGS_COMMAND, Outcome.REFUSED, self._state, detail
            )
            self._publish()
            return
        self._take_settings(request, changed)

    def _take_legacy_settings(self, data: Any) -> None:
        """Replaying a history from before settings named their ERP Admin: as it was then."""
        try:
            settings = ProjectSettings.model_validate(data)
        except ValueError as err:
            detail = f"settings refused: {(str(err).splitlines() or [''])[0]}"
            self._record("unknown", SETTINGS_COMMAND, Outcome.REFUSED, self._state, detail)
            return
        if settings.project != self._item.project:
            detail = f"settings of project {settings.project} do not apply to this item"
            self._record("unknown", SETTINGS_COMMAND, Outcome.REFUSED, self._state, detail)
            return
        old, new = self._settings.model_dump(mode="json"), settings.model_dump(mode="json")
        changed = sorted(key for key, value in new.items() if old.get(key) != value)
        self._settings = settings
        detail = "changed: " + (", ".join(changed) or "nothing")
        self._record(SETTINGS_COMMAND, SETTINGS_COMMAND, Outcome.DONE, self._state, detail)
        self._publish()

    def _take_settings(self, request: SettingsRequest, changed: list[str]) -> ItemStatus:
        self._settings = request.settings
        self._settings_changes += 1  # a wait that depends on the settings looks again
        detail = "changed: " + (", ".join(changed) or "nothing")
        self._record(request.actor, SETTINGS_COMMAND, Outcome.DONE, self._state, detail)
        self._publish()
        return self.status()

    # --- applying commands ---

    def _decide(self, command: Command, request: CommandRequest, *, in_handler: bool = False):
        """The domain's decision. A validator never replays; a handler does, so a rule added
        since is guarded there (`workflow.patched` is for workflow code, not validators)."""
        leftovers = len(self._leftovers)
        if in_handler and leftovers and not workflow.patched(LEFTOVERS_BLOCK_PATCH):
            leftovers = 0
        item, settings = self._linked_view(command, in_handler)
        facts = ItemFacts(
            item=item,
            state=self._state,
            settings=settings,
            sender=self._sender,
            export_fields=self._fields,
            exporting=self._exporting,
            approval_responses=len(self._approval.responses) if self._approval_id else 0,
            leftovers=leftovers,
        )
        return decide(facts, command, request)

    def _command(self, command: Command, request: CommandRequest) -> ItemStatus:
        """An update past its validator: check the signature (a refusal is recorded), apply.

        Any exception becomes a refusal: an update handler that raised anything else would
        fail the workflow task, over and over.
        """
        try:
            self._verify(command.value, request)
            return self._apply(command, request)
        except ApplicationError:
            raise
        except Exception as err:
            return self._refuse(request.actor, command.value, reason(err, command.value))

    def _refuse(self, actor: str, action: str, detail: str) -> NoReturn:
        self._record(actor, action, Outcome.REFUSED, self._state, detail)
        self._publish()
        raise ApplicationError(detail, type="Refused", non_retryable=True)

    def _verify(self, command: str, request: CommandRequest) -> None:
        user = self._settings.roster.get(request.actor)
        policy = self._settings.signing
        now = workflow.now()
        if (
            request.signature is None
            and policy.accept_unsigned
            and user is not None
            and user.public_key
            and not workflow.patched(KEY_HOLDERS_SIGN_PATCH)
        ):
            return  # replaying a history from before key holders had to sign
        verify(
            public_key=user.public_key if user else None,
            policy=policy,
            signature=request.signature,
            item=workflow.info().workflow_id,
            command=command,
            arguments=request.signed_arguments(),
            now=now,
            seen_nonces=set(self._nonces),
        )
        if request.signature is not None and user is not None and user.public_key:
            horizon = now - 2 * policy.tolerance  # older nonces fail the freshness check anyway
            self._nonces = {n: at for n, at in self._nonces.items() if at >= horizon}
            self._nonces[request.signature.nonce] = request.signature.timestamp

    def _apply(self, command: Command, request: CommandRequest) -> ItemStatus:
        try:
            decision = self._decide(command, request, in_handler=True)
        except Refusal as refusal:  # the state moved on since the validator ran
            raise ApplicationError(str(refusal), type="Refused", non_retryable=True) from None
        if isinstance(request, ResetRequest):
            # Undoing leftovers calls Sage: the main loop does it, then moves the item.
            self._reset_request = (request, decision.next_state)
            self._exporting = True
            self._version += 1
            self._publish()
            return self.status()
        detail = None
        if isinstance(request, RejectRequest):
            detail = request.reason
        if decision.edited_item is not None:
            changed = changed_fields(self._item, decision.edited_item)
            detail = "changed: " + (", ".join(changed) or "nothing")
            self._item = decision.edited_item
        if command in (Command.SEND, Command.RESEND):
            if command is Command.RESEND and self._sent_item is not None:
                changed = changed_fields(self._sent_item, self._item)
                detail = "changed since last send: " + (", ".join(changed) or "nothing")
            self._sender = request.actor
            self._sent_item = self._item
        if decision.export_fields is not None:
            self._fields = decision.export_fields
        target = decision.next_state
        if command in (Command.SEND, Command.RESEND) and target is State.ACCEPTED:
            # Direct Export: the item is sent, then accepted at once without an approver.
            self._transition(State.SENT, request.actor, command.value, detail, request.comment)
            self._fields = kind_of(self._item).default_fields(self._item)
            self._start_export_generation()
            self._transition(State.ACCEPTED, DIRECT_EXPORT_ACTOR, Command.ACCEPT.value, None)
        else:
            if target is State.ACCEPTED:
                self._start_export_generation()
            self._transition(target, request.actor, command.value, detail, request.comment)
        return self.status()

    # --- the link registry (domain/links.py): read at send, written by an export ---

    def _linked_view(self, command: Command, in_handler: bool) -> tuple[ItemBase, ProjectSettings]:
        """The item and settings with the Sage IDs the registry resolved. A send validator
        cannot read the registry: it assumes the links, and the send handler decides them."""
        if command in (Command.SEND, Command.RESEND) and not in_handler:
            return links.provisional(self._item, self._settings)
        return links.resolved(self._item, self._settings, self._links)

    async def _linked_command(self, command: Command, request: CommandRequest) -> ItemStatus:
        """send/resend: check the signature, resolve the links, then apply (any refusal
        recorded); before LINKS_PATCH, as `_command`."""
        try:
            self._verify(command.value, request)
            await self._resolve_links()
            return self._apply(command, request)
        except ApplicationError:
            raise
        except Exception as err:
            return self._refuse(request.actor, command.value, reason(err, command.value))

    async def _on_linked_signal(self, command: Command, payload: tuple[Any, ...]) -> None:
        data = _one(payload)
        try:
            request = parse_request(command, data)
            self._verify(command.value, request)
            await self._resolve_links()
            self._apply(command, request)
        except Exception as err:  # never a failed workflow task, whatever arrives
            self._refused_signal(command, data, err)

    async def _resolve_links(self) -> None:
        """Read the project's and the Sage company's links; refuse (Refusal) what is not
        synced or what the file names differently, else hold the resolved Sage IDs."""
        if not (links.needs(self._item, self._settings) or links.must_not_be_synced(self._item)):
            return
        if self._item.type is ItemType.PRIME_CONTRACT_CHANGE_ORDER and not workflow.patched(
            PCCO_LINKS_PATCH
        ):
            return  # a PCCO sent before it leaned on its prime contract's links
        if not workflow.patched(LINKS_PATCH):
            return  # replaying a send from before the registry: the files' IDs as they were
        snapshot = await workflow.execute_activity(
            READ_LINKS_ACTIVITY,
            LinksRead(project=self._settings.project, sage_company=self._settings.sage_company),
            result_type=LinksSnapshot,
            start_to_close_timeout=timedelta(seconds=30),
            schedule_to_close_timeout=timedelta(minutes=2),
            retry_policy=LINKS_RETRY,
            summary="read the link registry",
        )
        resolution = links.resolve(self._item, self._settings, snapshot.lookup)
        if not resolution.ok:
            raise Refusal(f"cannot send {self._item.workflow_id}: " + " ".join(resolution.broken))
        if isinstance(self._item, OwnerInvoice):  # a new type: no history before it to patch
            item, settings = links.resolved(self._item, self._settings, resolution.ids)
            assert isinstance(item, OwnerInvoice)
            await owner_invoices.check_billing(item, settings)
        self._links = resolution.ids

    async def _record_links(self, answers: dict[str, str]) -> None:
        """Tell the registry's homes what this export linked (signal-with-start through an
        activity); a note that cannot be delivered is recorded, never fails the item."""
        made = links.made_by(self._item, self._fields, answers, workflow.now(), self._generation)
        if not made:
            return
        note = LinkNote(item=workflow.info().workflow_id, links=made)
        self._made_links = made  # before the note: its homes ask the item what it made
        try:
            await record_links(self._settings, note)
        except Exception as err:
            cause = getattr(err, "cause", None) or err
            detail = f"links not recorded: {cause}"
            self._record("system", "link", Outcome.REFUSED, self._state, detail)
        # Recorded links are in their home's audit trail and in `starter.py links`.

    # --- unlink (seeds/004 "Unlink ... Synced with ERP"): the link ends, Sage is untouched ---

    def _open_for_unlink(self) -> bool:
        """A posted item that may be unlinked keeps its run open for UNLINK_WINDOW."""
        return (
            self._state is State.POSTED
            and self._item.type in links.UNLINKABLE
            and not self._unlink_window_over
            and self._unlink_window > timedelta(0)
            and workflow.patched(UNLINK_WINDOW_PATCH)
        )

    async def _rest_posted(self) -> None:
        try:
            await workflow.wait_condition(
                lambda: self._state is not State.POSTED,
                timeout=self._unlink_window,
                timeout_summary=f"open for unlink for {self._unlink_window}",
            )
        except TimeoutError:
            self._unlink_window_over = True

    def _decide_unlink(self, request: CommandRequest) -> None:
        if self._unlinking:
            raise Refusal("unlink: an unlink of this item is under way")
        user = self._settings.roster.get(request.actor)
        links.decide_unlink(self._item, self._state, user, request.actor)

    @workflow.update(name=UNLINK_COMMAND)
    async def unlink(self, request: CommandRequest) -> ItemStatus:
        try:
            self._verify(UNLINK_COMMAND, request)
            self._decide_unlink(request)
            return await self._unlink(request)
        except ApplicationError:
            raise
        except Exception as err:
            return self._refuse(request.actor, UNLINK_COMMAND, reason(err, UNLINK_COMMAND))

    @unlink.validator
    def _validate_unlink(self, request: CommandRequest) -> None:
        self._decide_unlink(request)

    @workflow.signal(name=UNLINK_COMMAND)
    async def unlink_signal(self, *payload: Any) -> None:
        data = _one(payload)
        try:
            request = CommandRequest.model_validate(data)
            self._verify(UNLINK_COMMAND, request)
            self._decide_unlink(request)
            await self._unlink(request)
        except Exception as err:  # never a failed workflow task, whatever arrives
            detail = err.message if isinstance(err, ApplicationError) else reason(err, "unlink")
            self._record(
                _claimed_actor(data),
                UNLINK_COMMAND,
                Outcome.REFUSED,
                self._state,
                f"{detail} (signal)",
            )
            self._publish()

    async def _unlink(self, request: CommandRequest) -> ItemStatus:
        target = links.unlink_target(self._item)
        assert target is not None  # decide_unlink refuses the types without one
        kind, procore = target
        note = UnlinkNote(
            item=workflow.info().workflow_id,
            kind=kind,
            procore=procore,
            actor=request.actor,
            at=workflow.now(),
        )
        self._unlinking = True
        made, self._made_links = self._made_links, []  # before the note, as when linking
        try:
            await end_link(self._settings, note)
        except BaseException:
            self._made_links = made
            raise
        finally:
            self._unlinking = False
        was = ", ".join(f"{k}={v}" for k, v in self._sage_ids.items()) or "its record"
        self._links = {}
        self._sage_ids = {}
        self._batches = []
        self._posting_wait = posting_watch.PostingWait()
        detail = (
            f"unlinked from Sage ({was}; Sage untouched); editable and sendable again. "
            f"{links.UNLINK_DEPENDANTS}"
        )
        self._transition(
            links.UNLINKED_STATE, request.actor, UNLINK_COMMAND, detail, request.comment
        )
        return self.status()

    def _on_signal(self, command: Command, payload: tuple[Any, ...]) -> None:
        data = _one(payload)
        try:
            request = parse_request(command, data)
            self._verify(command.value, request)
            self._apply(command, request)
        except Exception as err:  # never a failed workflow task, whatever arrives
            self._refused_signal(command, data, err)

    def _refused_signal(self, command: Command, data: Any, err: Exception) -> None:
        """A signal's refusal, in the audit trail under whoever it claims to come from."""
        detail = err.message if isinstance(err, ApplicationError) else reason(err, command.value)
        self._record(
            _claimed_actor(data), command.value, Outcome.REFUSED, self._state, f"{detail} (signal)"
        )
        self._publish()

    def _start_export_generation(self) -> None:
        self._generation += 1
        self._last_error = None
        self._duplicate = None

    # --- export (the saga engine is workflows/export_saga.py) ---

    async def _sync_prime_contract(self) -> None:
        """seeds/004, PCCO prerequisites to sync: "If any changes have been made to the Prime
        Contract in Sage 300 CRE®, ensure that those changes are synced to Procore." Before
        each export attempt the PCCO asks its prime contract's PrimeContractSync to run its
        `sync` (re-import what Sage changed, or note nothing new), in the name of the ERP
        Admin whose accept or retry started the export. Why that and not a Sage read in the
        plan: the sync is the one place that brings Sage's contract into Procore (its SOV,
        figures, readiness and the registry's contract item links), and it checks the
        re-import's authority (Admin on the ERP Integrations and Prime Contracts tools)
        against the roster it holds; a read in the plan would learn Sage's figures and keep
        them nowhere. A refused or failed sync is in the audit trail and the export goes on
        with the contract as last imported (the links resolved at send): a person may still
        re-import it, as the seed asks."""
        actor = next(
            (
                e.actor
                for e in reversed(self._audit)
                if e.outcome is Outcome.DONE and e.action in ("accept", "retry")
            ),
            self._sender or SAGE_ACTOR,
        )
        assert isinstance(self._item, PrimeContractChangeOrder)
        request = RefreshRequest(
            project=self._settings.project,
            prime_contract=self._item.prime_contract.number,
            actor=actor,
        )
        try:
            outcome = await workflow.execute_activity(
                REFRESH_ACTIVITY,
                request,
                result_type=RefreshOutcome,
                start_to_close_timeout=timedelta(minutes=1),
                schedule_to_close_timeout=timedelta(minutes=3),
                retry_policy=LINKS_RETRY,
                summary=f"sync prime contract {request.prime_contract} from Sage",
            )
        except ActivityError as err:
            cause = err.cause.message if isinstance(err.cause, ApplicationError) else err
            outcome = RefreshOutcome(synced=False, detail=f"not reached: {cause}")
        detail = f"prime contract {request.prime_contract}: {outcome.detail}"
        if not outcome.synced:
            detail += " (the export goes on with the contract as last imported)"
        done = Outcome.DONE if outcome.synced else Outcome.REFUSED
        self._record(actor, "sync prime contract", done, self._state, detail)

    async def _export(self) -> None:
        kind = kind_of(self._item)
        if self._item.type is ItemType.PRIME_CONTRACT_CHANGE_ORDER and workflow.patched(
            PCCO_SYNC_PATCH
        ):
            await self._sync_prime_contract()
        item, settings = links.resolved(self._item, self._settings, self._links)
        try:
            plan = kind.plan(item, settings, self._fields, workflow.now().date())
        except Exception as err:  # settings changed under an accepted item, say
            self._export_failed(explain("invalid_request", reason(err, "export")))
            return
        plan = plan.released(workflow.patched).for_company(self._settings.sage_company)
        self._exporting = True
        try:
            link_anyway, self._link_anyway = self._link_anyway, None
            result = await export_saga.run_plan(
                plan, workflow.info().workflow_id, self._generation, self._note, link_anyway
            )
        finally:
            self._exporting = False
        self._leftovers += result.leftovers
        if result.cancelled:
            # Cancelled in Temporal mid-export: the saga learnt the outcome of the call in
            # flight and undid what was done; the item ends cancelled unless Sage kept some.
            self._last_error = None
            await self._on_cancel_requested()
            if self._state is State.ACCEPTED:  # leftovers: a person resets them
                kept = len(self._leftovers)
                message = f"The export was cancelled in Temporal; Sage kept {kept} step(s)."
                self._export_failed(explain("export_cancelled", message))
            return
        if result.failure is not None:
            failure = result.failure
            if not result.leftovers and result.failed_step is not None:
                self._duplicate = differing_duplicate(
                    failure.code, result.failed_step, result.failed_body, failure.existing
                )
            self._export_failed(explain(failure.code, failure.message))
            return
        self._sage_ids.update(result.answers)
        self._batches = result.batches
        self._posting = plan.posting
        self._transition(
            next_state(self._state, Event.EXPORT_SUCCEEDED),
            SAGE_ACTOR,
            Event.EXPORT_SUCCEEDED.value,
            ", ".join(f"{k}={v}" for k, v in result.answers.items()),
        )
        if workflow.patched(LINKS_PATCH):
            await self._record_links(result.answers)

    def _export_failed(self, error: SageError) -> None:
        self._last_error = error
        self._transition(
            next_state(self._state, Event.EXPORT_FAILED),
            SAGE_ACTOR,
            Event.EXPORT_FAILED.value,
            f"{error.code}: {error.message}",
        )

    def _note(self, action: str, outcome: Outcome, detail: str | None) -> None:
        self._record(SAGE_ACTOR, action, outcome, self._state, detail)

    async def _reset(self, request: ResetRequest, target: State) -> None:
        """Undo what a failed export left in Sage ("reset a failed export"), then move on."""
        try:
            undone, failure = await self._undo_leftovers()
        finally:
            self._exporting = False
            self._reset_request = None
        if failure is not None:
            self._last_error = explain(failure.code, failure.message)
            detail = f"undid {undone}, {len(self._leftovers)} still in Sage: {failure.message}"
            self._record(request.actor, "reset", Outcome.REFUSED, self._state, detail)
            self._version += 1
            self._publish()
            return
        detail = (
            f"undid {undone} leftover step(s) in Sage" if undone else "nothing was left in Sage"
        )
        self._duplicate = None
        self._transition(target, request.actor, Command.RESET.value, detail, request.comment)

    async def _undo_leftovers(self) -> tuple[int, SageFailure | None]:
        """Undo the leftovers under keys of their own (one set per reset, across runs)."""
        self._resets += 1
        before = len(self._leftovers)
        remaining, failure = await export_saga.undo_leftovers(self._leftovers, self._resets)
        self._leftovers = remaining
        return before - len(remaining), failure

    async def _await_posting(self) -> None:
        if workflow.patched(POSTING_WATCH_PATCH):
            await posting_watch.wait_for_posting(
                self._posting_wait,
                self._batches,
                self._settings.sage_company,
                self._posting is Posting.AUTOMATIC,
                workflow.now(),
            )
        else:  # exported before the posting watch: it keeps polling its own batches
            await export_saga.wait_until_posted(self._batches)
        self._transition(
            next_state(self._state, Event.POSTED),
            SAGE_ACTOR,
            Event.POSTED.value,
            "batches " + ", ".join(self._batches),
        )

    @workflow.signal(name=POSTED_SIGNAL)
    def batches_posted(self, *payload: Any) -> None:
        """The posting watch says Sage posted some of our batches: a hint to look once."""
        self._posting_wait.notice(payload)

    # --- waiting for the approver: reminders and escalation ---

    async def _wait_with_reminders(self, done: Callable[[], bool]) -> None:
        """Wait for `done`; a reminder after one quiet period, an escalation after two.

        Any approval response restarts the clock and clears the attention flag.
        """
        period = self._settings.reminder_period
        levels = (Outcome.REMINDER, Outcome.ESCALATED)
        level = 0
        while not done():
            mark = self._progress
            done_or_progress = self._done_or_progress(done, mark)
            if level == len(levels):
                await workflow.wait_condition(done_or_progress)
            else:
                attention = levels[level]
                try:
                    await workflow.wait_condition(
                        done_or_progress,
                        timeout=period,
                        timeout_summary=f"{attention.value} after {period}",
                    )
                except TimeoutError:
                    self._attention = attention.value
                    detail = self._overdue(attention, period)
                    self._record("system", attention.value, attention, self._state, detail)
                    self._publish()
                    reminded = attention is Outcome.REMINDER
                    self._notice(NoticeKind.REMINDER if reminded else NoticeKind.ESCALATED, detail)
                    level += 1
                    continue
            if self._progress != mark:
                level = 0
                if self._attention:
                    self._attention = None
                    self._publish()

    def _moved_since(self, version: int) -> Callable[[], bool]:
        return lambda: self._version != version

    def _done_or_progress(self, done: Callable[[], bool], mark: int) -> Callable[[], bool]:
        return lambda: done() or self._progress != mark

    def _overdue(self, attention: Outcome, period: Any) -> str:
        waiting = f"waiting in sent longer than {period}"
        escalate_to = self._settings.escalation_approvers
        if attention is Outcome.ESCALATED and escalate_to:
            return f"{waiting}; escalated to {', '.join(escalate_to)}"
        return waiting

    # --- delegated approval (Direct Export enabled_with_workflow) ---

    async def _wait_for_settings(self, why: str) -> None:
        """No approval can start under the settings held: say so once, then wait for a
        command or new settings (never a failed workflow task)."""
        self._attention = "no_approval_template"
        self._record("system", "approval", Outcome.REFUSED, self._state, why)
        self._publish()
        version, changes = self._version, self._settings_changes
        await workflow.wait_condition(
            lambda: self._version != version or self._settings_changes != changes
        )
        self._attention = None
        self._publish()

    async def _run_approval(self) -> None:
        """Run one approval child workflow; its outcome accepts or rejects the item."""
        try:
            templates = self._settings.approval_templates.get(self._item.type, [])
            template = choose_template(templates, self._item.amount)
        except Refusal as refusal:  # the settings changed since the send: wait for new ones
            await self._wait_for_settings(str(refusal))
            return
        self._approval_round += 1
        round_ = self._approval_round
        self._approval = Approval(template=template, groups=self._settings.groups)
        self._approval_id = f"{workflow.info().workflow_id}/approval-{round_}"
        if workflow.patched(APPROVAL_TOKEN_PATCH):
            self._approval_token = str(workflow.uuid4())
        child = await workflow.start_child_workflow(
            ApprovalWorkflow.run,
            ApprovalInput(
                approval=self._approval,
                item_workflow_id=workflow.info().workflow_id,
                round=round_,
                signing=self._settings.signing,
                public_keys={
                    name: user.public_key
                    for name, user in self._settings.roster.items()
                    if user.public_key
                },
                token=self._approval_token,
            ),
            id=self._approval_id,
            static_summary=f"Approval of {self._item.summary()}",
        )
        self._publish()
        self._notice(NoticeKind.APPROVAL_STEP, self._approval.describe())
        moved = self._moved_since(self._version)
        try:
            await self._wait_with_reminders(lambda: child.done() or moved())
        except BaseException as err:  # cancelled in Temporal: the approval ends with the item
            if is_cancelled_exception(err):
                child.cancel()
                self._approval_id = None
            raise
        if moved():  # retrieved or cancelled while the approval ran
            child.cancel()
            with contextlib.suppress(asyncio.CancelledError, ChildWorkflowError):
                await child
            self._approval_id = None
            self._publish()
            return
        approval: Approval = await child
        self._approval = approval
        self._approval_id = None
        last = approval.responses[-1]
        if approval.outcome is ApprovalOutcome.APPROVED:
            self._fields = kind_of(self._item).default_fields(self._item)
            self._start_export_generation()
            target, action = next_state(self._state, Command.ACCEPT), Command.ACCEPT
        else:
            target, action = next_state(self._state, Command.REJECT), Command.REJECT
        detail = f"approval {approval.template.name}: {approval.outcome}"
        self._transition(target, last.actor, action.value, detail, last.comment)

    @workflow.signal(name=PROGRESS_SIGNAL)
    def approval_progress(self, *payload: Any) -> None:
        try:
            note = ApprovalNote.model_validate(_one(payload))
        except ValueError:  # not a note from our approval workflow: nothing to take from it
            self._forged_note("not an approval note")
            return
        if self._approval_token is not None and note.token != self._approval_token:
            self._forged_note("it does not carry this round's token")
            return
        if note.round != self._approval_round or self._approval is None:
            return  # a late note from an approval that was retrieved or cancelled
        if note.refused:
            actor = note.actor or "unknown"
            detail = note.refused
            self._record(actor, "respond", Outcome.REFUSED, self._state, detail)
        for response in note.approval.responses[len(self._approval.responses) :]:
            self._record(
                response.actor,
                f"respond {response.response.value}",
                Outcome.DONE,
                self._state,
                f"step {response.step} ({response.step_name})",
                response.comment,
            )
            self._progress += 1
        step_before = self._approval.step
        self._approval = note.approval
        self._publish()
        if note.approval.outcome is None and note.approval.step != step_before:
            self._notice(NoticeKind.APPROVAL_STEP, note.approval.describe())

    def _forged_note(self, why: str) -> None:
        detail = f"{PROGRESS_SIGNAL} ignored: {why}; only the item's approval workflow sends it"
        self._record("unknown", PROGRESS_SIGNAL, Outcome.REFUSED, self._state, detail)
        self._publish()

    # --- a duplicate that differs (issue 20): link Sage's record anyway, or a new Sage ID ---
    # New commands only: a running history never sent them, so replay is unchanged.

    @workflow.update(name=LINK_EXISTING_COMMAND)
    def link_existing(self, request: CommandRequest) -> ItemStatus:
        return self._on_duplicate(LINK_EXISTING_COMMAND, request)

    @link_existing.validator
    def _validate_link_existing(self, request: CommandRequest) -> None:
        self._decide_duplicate(LINK_EXISTING_COMMAND, request)

    @workflow.update(name=EXPORT_AS_COMMAND)
    def export_as(self, request: ExportAsRequest) -> ItemStatus:
        return self._on_duplicate(EXPORT_AS_COMMAND, request)

    @export_as.validator
    def _validate_export_as(self, request: ExportAsRequest) -> None:
        self._decide_duplicate(EXPORT_AS_COMMAND, request)

    @workflow.signal(name=LINK_EXISTING_COMMAND)
    def link_existing_signal(self, *payload: Any) -> None:
        self._on_duplicate_signal(LINK_EXISTING_COMMAND, CommandRequest, payload)

    @workflow.signal(name=EXPORT_AS_COMMAND)
    def export_as_signal(self, *payload: Any) -> None:
        self._on_duplicate_signal(EXPORT_AS_COMMAND, ExportAsRequest, payload)

    def _decide_duplicate(self, command: str, request: CommandRequest):
        facts = ItemFacts(
            item=self._item,
            state=self._state,
            settings=self._settings,
            sender=self._sender,
            export_fields=self._fields,
            exporting=self._exporting,
            leftovers=len(self._leftovers),
        )
        return decide_duplicate(facts, self._duplicate, command, request)

    def _on_duplicate(self, command: str, request: CommandRequest) -> ItemStatus:
        try:
            self._verify(command, request)
            decision = self._decide_duplicate(command, request)
        except Exception as err:
            return self._refuse(request.actor, command, reason(err, command))
        duplicate = self._duplicate
        assert duplicate is not None  # decide_duplicate refuses without one
        if decision.export_fields is not None:
            old = ", ".join(f"{k}={v}" for k, v in self._fields.items())
            self._fields = decision.export_fields
            new = ", ".join(f"{k}={v}" for k, v in self._fields.items())
            detail = f"{duplicate.code}: export under a new Sage ID ({old} -> {new})"
        else:
            self._link_anyway = duplicate.step
            detail = f"{duplicate.code}: link the record Sage holds ({duplicate.step}) anyway"
        self._start_export_generation()
        self._transition(decision.next_state, request.actor, command, detail, request.comment)
        return self.status()

    def _on_duplicate_signal(
        self, command: str, model: type[CommandRequest], payload: tuple[Any, ...]
    ) -> None:
        data = _one(payload)
        try:
            request = model.model_validate(data)
            self._on_duplicate(command, request)
        except Exception as err:  # never a failed workflow task, whatever arrives
            if isinstance(err, ApplicationError):
                return  # refused and recorded by _on_duplicate
            detail = f"{reason(err, command)} (signal)"
            self._record(_claimed_actor(data), command, Outcome.REFUSED, self._state, detail)
            self._publish()

    # --- bookkeeping ---

    @property
    def _mode(self) -> DirectExportMode:
        return self._settings.export_mode(self._item.type)

    @property
    def _resting(self) -> bool:
        return self._state in RESTING_STATES and not (self._state is State.SENT and self._delegated)

    @property
    def _delegated(self) -> bool:
        return self._mode is DirectExportMode.ENABLED_WITH_WORKFLOW

    def _transition(
        self,
        target: State,
        actor: str,
        action: str,
        detail: str | None,
        comment: str | None = None,
    ) -> None:
        before = self._state
        self._state = target
        self._version += 1
        if target is not State.SENT:
            self._attention = None
        self._record(actor, action, Outcome.DONE, before, detail, comment)
        self._publish()
        if target is State.SENT and not self._delegated:
            resent = action == Command.RESEND.value
            self._notice(NoticeKind.RESENT if resent else NoticeKind.SENT, detail)
        elif target is State.EXPORT_FAILED:
            self._notice(NoticeKind.EXPORT_FAILED, detail)

    def _record(
        self,
        actor: str,
        action: str,
        outcome: Outcome,
        before: State,
        detail: str | None,
        comment: str | None = None,
    ) -> None:
        self._audit.append(
            AuditEntry(
                at=workflow.now(),
                actor=actor,
                action=action,
                outcome=outcome,
                state_before=before,
                state_after=self._state,
                detail=detail,
                comment=comment,
            )
        )
        self._audit = folded_audit(self._audit)
        workflow.logger.info(
            "%s by %s: %s", action, actor, outcome.value, extra={"state": self._state.value}
        )

    # --- notices: an email to whoever the item now waits on ---

    def _notice(self, kind: NoticeKind, detail: str | None) -> None:
        """Tell the people the item now waits on, once this workflow task is done and only if
        it still waits (a send that Direct Export accepts at once tells nobody)."""
        if not workflow.patched(NOTICES_PATCH):
            return  # replaying a run from before notices
        self._notices_pending += 1
        task = asyncio.create_task(self._send_notice(kind, detail, self._version))
        self._notice_tasks.add(task)  # a task the loop holds weakly must not be collected
        task.add_done_callback(self._notice_tasks.discard)

    async def _send_notice(self, kind: NoticeKind, detail: str | None, version: int) -> None:
        try:
            if self._version != version:
                return  # the item moved on in the same workflow task: nobody waits
            approval = self._approval if self._approval_id else None
            concerned = recipients(self._settings, self._item.type, kind, approval)
            if not concerned:
                return
            self._notices += 1
            info = workflow.info()
            request = NoticeRequest(
                event_id=f"{info.workflow_id}/{info.run_id}/{self._notices}",
                workflow_id=info.workflow_id,
                kind=kind,
                summary=self._item.summary(),
                detail=detail,
                recipients=concerned,
            )
            try:
                result = await workflow.execute_activity(
                    NOTICE_ACTIVITY,
                    request,
                    result_type=NoticeResult,
                    schedule_to_close_timeout=NOTICE_DEADLINE,
                    start_to_close_timeout=timedelta(seconds=30),
                    retry_policy=NOTICE_RETRY,
                    summary=f"notice: {kind.value}",
                )
            except Exception as err:  # an undelivered notice never fails the item
                who = ", ".join(r.user for r in concerned)
                cause = getattr(err, "cause", None) or err
                note = f"notice ({kind.value}) to {who} not sent: {cause}"
                self._record("system", "notice", Outcome.REFUSED, self._state, note)
                return
            if result.sent:
                note = f"notified {', '.join(result.sent)} ({kind.value})"
                self._record("system", "notified", Outcome.DONE, self._state, note)
        finally:
            self._notices_pending -= 1

    def _handlers_and_notices_finished(self) -> bool:
        return workflow.all_handlers_finished() and not self._notices_pending

    def _publish(self) -> None:
        """Search attributes (only the changed ones, to keep history lean) and UI details."""
        wanted = sa.item_values(
            item_type=self._item.type.value,
            project=self._item.project,
            state=self._state.value,
            export_mode=self._mode.value,
            amount=float(self._item.amount),
            error_code=self._last_error.code if self._last_error else None,
            attention=self._attention,
        )
        if not self._published:
            current = workflow.info().typed_search_attributes
            self._published = {key.name: current.get(key) for key in sa.ALL}
        updates: list[SearchAttributeUpdate[Any]] = []
        for key in sa.ALL:
            value = wanted[key.name]
            if self._published.get(key.name) != value:
                updates.append(key.value_unset() if value is None else key.value_set(value))
                self._published[key.name] = value
        if updates:
            workflow.upsert_search_attributes(updates)
        workflow.set_current_details(self.status().details(self._item.summary()))
