"""The posting watch: one per Sage company, so waiting costs O(companies), not O(items).

Items register the batches they wait for (signal `watch_batches`, with signal-with-start
through an activity). Once per interval the watch asks Sage for the company's batches posted
since its last look (`GET /v1/batches?posted_since=...`, paginated) and signals each item whose
batch is among them. The interval adapts: an automatic batch (commitments, CCOs: Sage posts
them by itself shortly after the export) brings a look `fast` (seconds) after it registered,
then at doubling gaps while it has not posted; otherwise the watch looks every `slow`
(minutes), when only people post; no item waiting: no look at all. Two looks are never closer
than `min_gap` (20 s: at most 180 an hour per company, however many automatic exports come).
It answers the `told` query (which of an item's batches Sage's list showed posted) for an hour
after telling, so an item confirms a notice without a Sage request. The map item -> batches,
and what it told, are carried across continue-as-new. Its Sage reads are background work:
task queue priority 4, behind exports (1).

Also here, `wait_for_posting`: the item's side of the wait. Workflow code: deterministic.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import Priority

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from contract.posting_watch import (
        BATCHES_POSTED_ACTIVITY,
        POSTED_SIGNAL,
        POSTED_SINCE_ACTIVITY,
        REGISTER_ACTIVITY,
        STATUS_QUERY,
        TOLD_ACTIVITY,
        TOLD_QUERY,
        TOLD_RETENTION,
        WATCH_SIGNAL,
        WORKFLOW_TYPE,
        BatchesLook,
        PostedNotice,
        PostedPage,
        PostedQuery,
        PostingWatchInput,
        ToldLook,
        WatchRequest,
        WatchStatus,
    )
    from contract.sage import sage_task_queue
    from workflows import policies

LOOK_BACK_MARGIN = timedelta(minutes=2)
"""A new batch is looked for from its export minus this (clocks of worker and Sage differ)."""
MIN_GAP_PATCH = "posting-watch-min-gap"
"""Watches that ran before looks were spaced by `min_gap` keep their timing until they continue
as new (a different gap would change their commands on replay)."""
WATCH_ANSWERS_PATCH = "posting-watch-answers"
"""Items that confirmed a notice with a Sage read of their own before the watch answered."""
HELD_PATCH = "posting-watch-held"
"""A registration of batches the watch holds already changes nothing (no look back)."""
SAFETY_REGISTERS_ONLY_PATCH = "posting-safety-registers-only"
"""After a quiet day an item registers again and waits; before, it also read Sage itself
(one read per item per day: 10,000 waiting items made 417 an hour)."""
NOTICE_CHUNK = 200
"""Signals to items sent together (each is one command; chunks keep a workflow task small)."""


@workflow.defn(name=WORKFLOW_TYPE)
class PostingWatch:
    @workflow.init
    def __init__(self, start: PostingWatchInput) -> None:
        self._company = start.company
        self._timing = start.timing
        self._items: dict[str, set[str]] = {k: set(v) for k, v in start.items.items()}
        self._automatic = dict(start.automatic)
        self._tries = dict(start.automatic_tries)
        self._last_look = start.last_look
        self._posted_since = start.posted_since
        self._look_back = start.look_back
        self._history_limit = start.history_limit
        self._told = {k: list(v) for k, v in start.told.items()}
        self._told_at = dict(start.told_at)
        self._spaced = False
        self._hurry = False
        self._looks = 0
        self._refused = 0

    # --- messages ---

    @workflow.signal(name=WATCH_SIGNAL)
    def watch_batches(self, *payload: Any) -> None:
        """Batches an item waits for. Anything malformed is dropped (counted), never a failure."""
        try:
            request = WatchRequest.model_validate(payload[0] if len(payload) == 1 else None)
        except ValidationError:
            self._refused += 1
            return
        if request.timing is not None:
            self._timing = request.timing
        if not request.batches:
            return
        held = self._items.get(request.item_id)
        if held is not None and held >= set(request.batches) and workflow.patched(HELD_PATCH):
            return  # an item registering again after a quiet day: the watch has it already
        self._items.setdefault(request.item_id, set()).update(request.batches)
        look_from = request.exported_at - LOOK_BACK_MARGIN
        if self._look_back is None or look_from < self._look_back:
            self._look_back = look_from
        if request.automatic:
            for batch in request.batches:
                self._automatic[batch] = workflow.now()
                self._tries.pop(batch, None)
            self._hurry = True

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> WatchStatus:
        return WatchStatus(
            company=self._company,
            items=len(self._items),
            batches=sum(len(b) for b in self._items.values()),
            automatic=len(self._automatic),
            interval_seconds=self._interval().total_seconds(),
            looks=self._looks,
            posted_since=self._posted_since,
        )

    @workflow.query(name=TOLD_QUERY)
    def told(self, item_id: str) -> list[str]:
        """The item's batches Sage's list showed posted (what the watch told it, for an hour)."""
        return list(self._told.get(item_id, []))

    # --- the loop ---

    @workflow.run
    async def run(self, start: PostingWatchInput) -> None:
        self._spaced = workflow.patched(MIN_GAP_PATCH)
        while True:
            if not self._items:
                await workflow.wait_condition(lambda: bool(self._items) or self._due_for_rest())
            else:
                await self._sleep_interval()
                await self._look()
            if self._due_for_rest():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._carry())

    def _interval(self) -> timedelta:
        """The gap before the next look at a batch Sage posts by itself: `fast`, doubling at
        each look that did not find it; `slow` when only people post."""
        gaps = [self._timing.fast * 2 ** self._tries.get(b, 0) for b in self._automatic]
        return min([*gaps, self._timing.slow])

    def _next_look(self) -> datetime:
        """When the watch looks next: one slow interval after its last look, or sooner when an
        automatic batch is due (its registration plus its current gap)."""
        last = self._last_look or workflow.now()
        due = [
            since + self._timing.fast * 2 ** self._tries.get(batch, 0)
            for batch, since in self._automatic.items()
        ]
        next_look = min([*due, last + self._timing.slow])
        if self._spaced and self._last_look is not None:
            next_look = max(next_look, self._last_look + self._min_gap())
        return next_look

    def _min_gap(self) -> timedelta:
        return min(self._timing.min_gap, self._timing.slow)

    async def _sleep_interval(self) -> None:
        """Wait until the next look; a batch registering meanwhile may bring it forward."""
        self._hurry = False
        while (left := self._next_look() - workflow.now()) > timedelta(0):
            try:
                await workflow.wait_condition(
                    lambda: self._hurry or self._due_for_rest(),
                    timeout=left,
                    timeout_summary="next look at Sage's postings",
                )
            except TimeoutError:
                return
            if self._due_for_rest():
                return
            self._hurry = False

    def _after_look(self, at: datetime) -> None:
        """Automatic batches that were due and did not post wait twice as long for the next
        look; once the gap passes `slow`, they wait like any batch a person posts."""
        for batch, since in list(self._automatic.items()):
            tries = self._tries.get(batch, 0)
            if at >= since + self._timing.fast * 2**tries:
                tries += 1
                if self._timing.fast * 2**tries > self._timing.slow:
                    del self._automatic[batch]
                    self._tries.pop(batch, None)
                else:
                    self._tries[batch] = tries

    async def _look(self) -> None:
        """Ask Sage once (page by page) what posted since the last look; tell the items."""
        since = self._posted_since
        if self._look_back is not None and (since is None or self._look_back < since):
            since = self._look_back
        self._look_back = None
        posted: set[str] = set()
        as_of: datetime | None = None
        cursor: str | None = None
        while True:
            page: PostedPage = await workflow.execute_activity(
                POSTED_SINCE_ACTIVITY,
                PostedQuery(company=self._company, posted_since=since, cursor=cursor),
                result_type=PostedPage,
                task_queue=sage_task_queue(workflow.info().task_queue),
                start_to_close_timeout=policies.SAGE_CALL_TIMEOUT,
                retry_policy=policies.SAGE_CALL_RETRY,
                priority=Priority(priority_key=policies.BACKGROUND_PRIORITY),
                summary="Which batches has Sage posted since the last look?",
            )
            posted.update(page.batches)
            as_of = as_of or page.as_of
            cursor = page.next_cursor
            if cursor is None:
                break
        self._looks += 1
        self._posted_since = as_of
        self._last_look = workflow.now()
        self._after_look(self._last_look)
        await self._tell(posted)

    async def _tell(self, posted: set[str]) -> None:
        notices: list[tuple[str, list[str]]] = []
        for item_id, batches in list(self._items.items()):
            mine = sorted(batches & posted)
            if not mine:
                continue
            notices.append((item_id, mine))
            batches.difference_update(mine)
            if not batches:
                del self._items[item_id]
        for batch in posted:
            self._automatic.pop(batch, None)
            self._tries.pop(batch, None)
        self._remember(notices)
        for at in range(0, len(notices), NOTICE_CHUNK):
            chunk = notices[at : at + NOTICE_CHUNK]
            await asyncio.gather(*(self._notify(item_id, mine) for item_id, mine in chunk))

    def _remember(self, notices: list[tuple[str, list[str]]]) -> None:
        """What the items are told, for their `told` query; forgotten an hour later."""
        now = workflow.now()
        for item_id, at in list(self._told_at.items()):
            if now - at > TOLD_RETENTION:
                del self._told_at[item_id]
                self._told.pop(item_id, None)
        for item_id, mine in notices:
            self._told[item_id] = sorted({*self._told.get(item_id, []), *mine})
            self._told_at[item_id] = now

    async def _notify(self, item_id: str, batches: list[str]) -> None:
        try:
            await workflow.get_external_workflow_handle(item_id).signal(
                POSTED_SIGNAL, PostedNotice(batches=batches)
            )
        except Exception:  # the item is gone (completed, cancelled): nobody to tell
            workflow.logger.info("posting watch: item %s is gone", item_id)

    def _due_for_rest(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() >= self._history_limit
        )

    def _carry(self) -> PostingWatchInput:
        return PostingWatchInput(
            company=self._company,
            timing=self._timing,
            items={k: sorted(v) for k, v in self._items.items()},
            automatic=self._automatic,
            automatic_tries=self._tries,
            last_look=self._last_look,
            posted_since=self._posted_since,
            look_back=self._look_back,
            told=self._told,
            told_at=self._told_at,
            history_limit=self._history_limit,
        )


# --- the item's side ---


class PostingWait:
    """What an item knows while it waits: its batches Sage confirmed, and the watch's hints."""

    def __init__(self) -> None:
        self.posted: set[str] = set()
        self.hints = 0
        self.registered = False

    def notice(self, payload: tuple[Any, ...]) -> None:
        """A `batches_posted` signal: a hint to look (anyone may send it from the UI)."""
        try:
            PostedNotice.model_validate(payload[0] if len(payload) == 1 else None)
        except ValidationError:
            return
        self.hints += 1


async def wait_for_posting(
    wait: PostingWait,
    batches: list[str],
    company: str | None,
    automatic: bool,
    exported_at: datetime,
) -> None:
    """Register with the company's watch, then wait until Sage has posted every batch.

    A notice from the watch is a hint (anyone may send it): the item asks the watch which of
    its batches Sage's list showed posted (the `told` query, no Sage request) and looks at Sage
    itself (one read per batch, on the Sage queue at priority 2) only for what the watch does
    not confirm: Sage's answers, never the signal, move the item. With no notice for a day (a
    lost watch, say) it registers again: a watch that holds its batches changes nothing, a new
    one looks back to the export and tells it. The item never polls Sage.
    """
    item_id = workflow.info().workflow_id
    register = _register(item_id, batches, company, automatic, exported_at)
    # Notices a look has answered. One that comes while the item registers or looks (a worker
    # restart can hold an activity's completion back for seconds) is answered by the next
    # look, never lost: the watch tells an item once.
    seen = wait.hints
    if not wait.registered:
        await register()
        wait.registered = True
    while not set(batches) <= wait.posted:
        if wait.hints == seen:
            try:
                await workflow.wait_condition(
                    lambda seen=seen: wait.hints != seen,
                    timeout=policies.POSTING_SAFETY_TIMER,
                    timeout_summary="look at Sage once if the posting watch has said nothing",
                )
            except TimeoutError:
                await register()  # the watch may have been lost: it takes the batches again
                if workflow.patched(SAFETY_REGISTERS_ONLY_PATCH):
                    continue  # a new watch looks back to the export; one that has them: no-op
        told = wait.hints != seen
        seen = wait.hints
        left = [b for b in batches if b not in wait.posted]
        if told and workflow.patched(WATCH_ANSWERS_PATCH):
            wait.posted.update(
                await workflow.execute_activity(
                    TOLD_ACTIVITY,
                    ToldLook(item_id=item_id, company=company, batches=left),
                    result_type=list[str],
                    start_to_close_timeout=policies.REGISTER_TIMEOUT,
                    retry_policy=policies.SAGE_CALL_RETRY,
                    summary=f"Has the posting watch seen batch(es) {', '.join(left)} posted?",
                )
            )
            left = [b for b in batches if b not in wait.posted]
            if not left:
                continue
        wait.posted.update(
            await workflow.execute_activity(
                BATCHES_POSTED_ACTIVITY,
                BatchesLook(company=company, batches=left),
                result_type=list[str],
                task_queue=sage_task_queue(workflow.info().task_queue),
                start_to_close_timeout=policies.SAGE_CALL_TIMEOUT,
                retry_policy=policies.SAGE_CALL_RETRY,
                priority=Priority(priority_key=policies.ITEM_LOOK_PRIORITY),
                summary=f"Has Sage posted batch(es) {', '.join(left)}?",
            )
        )


def _register(
    item_id: str, batches: list[str], company: str | None, automatic: bool, exported_at: datetime
) -> Callable[[], Coroutine[Any, Any, None]]:
    request = WatchRequest(
        item_id=item_id,
        batches=batches,
        automatic=automatic,
        exported_at=exported_at,
        company=company,
    )

    async def register() -> None:
        await workflow.execute_activity(
            REGISTER_ACTIVITY,
            request,
            start_to_close_timeout=policies.REGISTER_TIMEOUT,
            retry_policy=policies.SAGE_CALL_RETRY,
            summary="Register with the company's posting watch",
        )

    return register
