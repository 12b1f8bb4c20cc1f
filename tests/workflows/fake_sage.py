"""A fake Sage behind the real activity names, for workflow tests on the time-skipping server.

It keeps records in memory, answers duplicates with the existing record, and fails the way the
real activities do (non-retryable ApplicationError with a SageFailure), so the workflow under
test cannot tell the difference. End-to-end tests use the real mock over HTTP instead.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.posting import watch_told
from contract.links import (
    END_LINK_ACTIVITY,
    READ_LINKS_ACTIVITY,
    RECORD_LINKS_ACTIVITY,
    LinkEnd,
    LinksRead,
    LinksRecord,
    LinksSnapshot,
    LinksView,
)
from contract.posting_watch import (
    BATCHES_POSTED_ACTIVITY,
    POSTED_SINCE_ACTIVITY,
    REGISTER_ACTIVITY,
    TOLD_ACTIVITY,
    WATCH_SIGNAL,
    BatchesLook,
    PostedPage,
    PostedQuery,
    PostingWatchInput,
    ToldLook,
    WatchRequest,
    WatchTiming,
    watch_id,
)
from contract.prime_contract_sync import REFRESH_ACTIVITY, RefreshOutcome, RefreshRequest
from contract.sage import (
    SAGE_CALL_ACTIVITY,
    WAIT_POSTED_ACTIVITY,
    SageAnswer,
    SageFailure,
    SageRequest,
)
from domain.links import LinkRegistry


@dataclass
class FakeSage:
    commitments: dict[str, dict[str, Any]] = field(default_factory=dict)
    estimates: list[dict[str, Any]] = field(default_factory=list)
    forecasts: list[dict[str, Any]] = field(default_factory=list)
    """Misc worksheet imports (a budget's cost forecast, issue 18), as Sage kept them."""
    keys: list[str] = field(default_factory=list)
    fail_with: SageFailure | None = None
    posted: bool = True
    polls: int = 0
    batches: int = 0
    refuse_deletes: SageFailure | None = None
    """Sage refuses undos (a record locked in Sage, say): they become leftovers."""
    hold: asyncio.Event | None = None
    """While set to an unset event, the first call of each key waits for it (in flight)."""
    in_flight: asyncio.Event = field(default_factory=asyncio.Event)
    answers: dict[str, SageAnswer] = field(default_factory=dict)
    """Answers by idempotency key: the same key replays, as the real Sage does."""
    watch_looks: int = 0
    """Posting watch looks (`GET /v1/batches?posted_since=...`)."""
    told_asks: int = 0
    """Items asking their watch what it told them (the `told` query: no Sage request)."""
    item_looks: int = 0
    """Items' own looks at their batches (after a notice, or the safety timer)."""
    posted_batches: set[str] | None = None
    """Batches posted one by one (a person posts them); None: `posted` says for all."""
    links: LinkRegistry = field(default_factory=LinkRegistry)
    """The link registry, both homes in one (activities/links.py writes the real ones)."""
    link_notes: list[LinksRecord] = field(default_factory=list)
    unlink_notes: list[LinkEnd] = field(default_factory=list)
    refreshes: list[RefreshRequest] = field(default_factory=list)
    """What PCCOs asked their prime contract's sync (activities/links.py)."""
    refresh_outcome: RefreshOutcome = field(
        default_factory=lambda: RefreshOutcome(synced=True, detail="nothing re-imported")
    )
    ar_invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Owner invoices' AR invoices by code (`POST /v1/ar_invoices`)."""
    contract_billing: dict[str, Any] | None = None
    """What `GET /v1/contract_billing/...` answers; None: Sage has no such contract (404)."""
    watches: set[str] = field(default_factory=set)
    """IDs of the posting watches the register activity started: a test ends them (a watch
    left running with no worker on its queue slows every later time skip of the session)."""

    def is_posted(self, batch: str) -> bool:
        if self.posted_batches is not None:
            return batch in self.posted_batches
        return self.posted

    def _contract_billing(self) -> SageAnswer:
        if self.contract_billing is None:
            failure = SageFailure(status=404, code="not_found", message="Entity not found.")
            raise ApplicationError(
                failure.message, failure.model_dump(), type=failure.code, non_retryable=True
            )
        return SageAnswer(status=200, body=self.contract_billing)

    def _ar_invoice(self, body: dict[str, Any]) -> SageAnswer:
        code = body["invoice_id"]
        if code in self.ar_invoices:
            failure = SageFailure(
                status=409,
                code="ar_invoice_exists",
                message=f"Document already exists for specified contract and code [{code}].",
                existing=self.ar_invoices[code],
            )
            raise ApplicationError(
                failure.message, failure.model_dump(), type=failure.code, non_retryable=True
            )
        self.batches += 1
        record = {**body, "batch_id": f"B-{self.batches:06d}"}
        self.ar_invoices[code] = record
        return SageAnswer(status=201, body={"invoice": record})

    def watch_activities(
        self, client: Client, timing: WatchTiming | None = None, history_limit: int = 10_000
    ) -> list[Any]:
        """The posting watch's register activity (on the workflows' queue), as the worker's
        activities/posting.py does it: signal-with-start of the company's watch."""

        @activity.defn(name=REGISTER_ACTIVITY)
        async def register(request: WatchRequest) -> None:
            queue = activity.info().task_queue
            self.watches.add(watch_id(request.company, queue))
            await client.start_workflow(
                "ErpPostingWatch",
                PostingWatchInput(
                    company=request.company,
                    timing=timing or WatchTiming(),
                    history_limit=history_limit,
                ),
                id=watch_id(request.company, queue),
                task_queue=queue,
                start_signal=WATCH_SIGNAL,
                start_signal_args=[request.model_copy(update={"timing": timing})],
            )

        @activity.defn(name=TOLD_ACTIVITY)
        async def told(look: ToldLook) -> list[str]:
            self.told_asks += 1
            queue = activity.info().task_queue
            return await watch_told(client, watch_id(look.company, queue), look)

        return [register, told, *self.link_activities()]

    def link_activities(self) -> list[Any]:
        """The link registry's activities (activities/links.py), over `self.links`."""

        @activity.defn(name=READ_LINKS_ACTIVITY)
        async def read(request: LinksRead) -> LinksSnapshot:
            view = LinksView(home="fake", registry=self.links)
            return LinksSnapshot(project=view, company=view)

        @activity.defn(name=RECORD_LINKS_ACTIVITY)
        async def record(request: LinksRecord) -> None:
            self.link_notes.append(request)
            for link in request.note.links:
                self.links = self.links.with_link(link)

        @activity.defn(name=END_LINK_ACTIVITY)
        async def end(request: LinkEnd) -> None:
            self.unlink_notes.append(request)
            note = request.note
            self.links = self.links.without(note.kind, note.procore, note.at, note.actor)

        @activity.defn(name=REFRESH_ACTIVITY)
        async def refresh(request: RefreshRequest) -> RefreshOutcome:
            self.refreshes.append(request)
            return self.refresh_outcome

        return [read, record, end, refresh]

    def activities(self) -> list[Any]:
        @activity.defn(name=SAGE_CALL_ACTIVITY)
        async def call(request: SageRequest) -> SageAnswer:
            key = request.idempotency_key
            first = key not in self.keys
            self.keys.append(key)
            refresh = request.call.path.endswith("/cost_codes")  # held: the record's call
            if self.hold is not None and first and not refresh:
                self.in_flight.set()
                await self.hold.wait()
            if key in self.answers:
                return self.answers[key]
            answer = await answer_call(request)
            self.answers[key] = answer
            return answer

        async def answer_call(request: SageRequest) -> SageAnswer:
            call = request.call
            if self.refuse_deletes is not None and call.method == "DELETE":
                failure = self.refuse_deletes
                raise ApplicationError(
                    failure.message, failure.model_dump(), type=failure.code, non_retryable=True
                )
            refresh = call.path.endswith("/cost_codes")  # the job's cost code refresh
            if self.fail_with is not None and call.method == "POST" and not refresh:
                failure = self.fail_with
                raise ApplicationError(
                    failure.message, failure.model_dump(), type=failure.code, non_retryable=True
                )
            if call.path.startswith("/v1/contract_billing/"):
                return self._contract_billing()
            if call.method == "DELETE":
                code = call.path.rsplit("/", 1)[-1]
                self.commitments.pop(code, None)
                if call.path.startswith("/v1/ar_invoices/"):
                    self.ar_invoices.pop(code, None)
                return SageAnswer(status=200, body={"deleted": True})
            body = dict(call.body or {})
            if call.path == "/v1/ar_invoices":
                return self._ar_invoice(body)
            if refresh:  # before a financial export (issue 16), not only a budget's
                return SageAnswer(status=200, body={"job": {"cost_codes": body["cost_codes"]}})
            if call.path == "/v1/estimates":  # a budget: the job's original estimate
                self.batches += 1
                record = {**body, "estimate_id": "EST-000001", "batch_id": f"B-{self.batches:06d}"}
                self.estimates.append(record)
                return SageAnswer(status=201, body={"estimate": record})
            if call.path == "/v1/misc_worksheet_transactions":  # a cost forecast (issue 18)
                self.batches += 1
                import_id = f"MW-{len(self.forecasts) + 1:06d}"
                record = {**body, "import_id": import_id, "batch_id": f"B-{self.batches:06d}"}
                self.forecasts.append(record)
                return SageAnswer(status=201, body={"misc_worksheet": record})
            code = body["commitment_id"]
            if code in self.commitments:
                failure = SageFailure(
                    status=409,
                    code="commitment_exists",
                    message=f"A commitment with code [{code}] already exists.",
                    existing=self.commitments[code],
                )
                raise ApplicationError(
                    failure.message, failure.model_dump(), type=failure.code, non_retryable=True
                )
            self.batches += 1
            record = {**body, "batch_id": f"B-{self.batches:06d}"}
            self.commitments[code] = record
            return SageAnswer(status=201, body={"commitment": record})

        @activity.defn(name=WAIT_POSTED_ACTIVITY)
        async def wait_posted(batch_id: str) -> dict[str, Any]:
            self.polls += 1
            if not self.posted:
                raise ApplicationError("not posted yet", type="NotPostedYet")
            return {"batch_id": batch_id, "posted": True}

        @activity.defn(name=POSTED_SINCE_ACTIVITY)
        async def posted_since(query: PostedQuery) -> PostedPage:
            self.watch_looks += 1
            made = [f"B-{n:06d}" for n in range(1, self.batches + 1)]
            now = activity.info().current_attempt_scheduled_time
            return PostedPage(batches=[b for b in made if self.is_posted(b)], as_of=now)

        @activity.defn(name=BATCHES_POSTED_ACTIVITY)
        async def batches_posted(look: BatchesLook) -> list[str]:
            self.item_looks += 1
            return [b for b in look.batches if self.is_posted(b)]

        return [call, wait_posted, posted_since, batches_posted]
