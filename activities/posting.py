"""The posting watch's activities: register with a company's watch, and Sage's posting looks.

- `register` (on the workflows' queue, no Sage request): signal-with-start of the company's
  watch, with the watch's timing from the worker's settings (`POSTING_WATCH_*`);
- `told` (on the workflows' queue, no Sage request): the watch's `told` query, which of an
  item's batches Sage's list showed posted: the item's confirmation of a notice;
- `posted_since` (on the Sage queue): one page of the batches a company posted since a time,
  the watch's one request per interval, however many items wait;
- `batches_posted` (on the Sage queue): which of an item's batches Sage has posted, one read
  each: the item's look for what the watch does not confirm, or after the safety timer.
They share the Sage activities' pooled client and quota gauge.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio import activity
from temporalio.client import Client

from activities.sage import SageActivities, _outcome, refuse_path, unanswered
from contract.posting_watch import (
    BATCHES_POSTED_ACTIVITY,
    POSTED_SINCE_ACTIVITY,
    REGISTER_ACTIVITY,
    TOLD_ACTIVITY,
    TOLD_QUERY,
    WATCH_SIGNAL,
    WORKFLOW_TYPE,
    BatchesLook,
    PostedPage,
    PostedQuery,
    PostingWatchInput,
    ToldLook,
    WatchRequest,
    WatchTiming,
    watch_id,
)
from contract.sage import COMPANY_HEADER
from domain.sage_paths import sage_path

log = structlog.get_logger(__name__)


class PostingWatchSettings(BaseSettings):
    """The watch's intervals, from the environment (the benchmark scales time with them)."""

    model_config = SettingsConfigDict(env_prefix="POSTING_WATCH_", extra="ignore")
    fast_seconds: float = Field(default=5.0, gt=0)
    slow_seconds: float = Field(default=300.0, gt=0)
    min_gap_seconds: float = Field(default=20.0, gt=0)
    automatic_due_seconds: float = Field(default=600.0, gt=0)

    def timing(self) -> WatchTiming:
        return WatchTiming(
            fast=timedelta(seconds=self.fast_seconds),
            slow=timedelta(seconds=self.slow_seconds),
            min_gap=timedelta(seconds=self.min_gap_seconds),
            automatic_due_within=timedelta(seconds=self.automatic_due_seconds),
        )


class PostingActivities:
    def __init__(
        self,
        sage: SageActivities,
        client: Client,
        task_queue: str,
        timing: WatchTiming | None = None,
    ) -> None:
        self._http = sage.http
        self._quota = sage.quota
        self._client = client
        self._task_queue = task_queue
        self._timing = timing or PostingWatchSettings().timing()

    def all(self) -> tuple[list[Any], list[Any]]:
        """(activities of the workflows' queue, activities of the Sage queue)."""
        return [self.register, self.told], [self.posted_since, self.batches_posted]

    @activity.defn(name=REGISTER_ACTIVITY)
    async def register(self, request: WatchRequest) -> None:
        """Signal-with-start: the watch starts if it does not run, and takes the batches."""
        request = request.model_copy(update={"timing": self._timing})
        await self._client.start_workflow(
            WORKFLOW_TYPE,
            PostingWatchInput(company=request.company, timing=self._timing),
            id=watch_id(request.company, self._task_queue),
            task_queue=self._task_queue,
            start_signal=WATCH_SIGNAL,
            start_signal_args=[request],
            static_summary=f"Posting watch of Sage company {request.company or 'default'}",
        )

    @activity.defn(name=TOLD_ACTIVITY)
    async def told(self, look: ToldLook) -> list[str]:
        """Which of the item's batches the company's watch saw posted in Sage's list. A watch
        that cannot answer confirms nothing: the item then reads Sage itself."""
        return await watch_told(self._client, watch_id(look.company, self._task_queue), look)

    @activity.defn(name=POSTED_SINCE_ACTIVITY)
    async def posted_since(self, query: PostedQuery) -> PostedPage:
        params: dict[str, Any] = {"limit": query.limit}
        if query.posted_since is not None:
            params["posted_since"] = query.posted_since.isoformat()
        if query.cursor is not None:
            params["cursor"] = query.cursor
        body = await self._get("/v1/batches", query.company, params)
        return PostedPage(
            batches=[
                str(b["batch_id"]) for b in body.get("batches", []) if b.get("posted") is True
            ],
            as_of=datetime.fromisoformat(str(body["as_of"])),
            next_cursor=body.get("next_cursor"),
        )

    @activity.defn(name=BATCHES_POSTED_ACTIVITY)
    async def batches_posted(self, look: BatchesLook) -> list[str]:
        posted = []
        for batch in look.batches:
            body = await self._get(sage_path("/v1/batches", batch), look.company, None)
            if body.get("posted") is True:
                posted.append(batch)
        log.info("sage batches looked at", batches=len(look.batches), posted=len(posted))
        return posted

    async def _get(
        self, path: str, company: str | None, params: dict[str, Any] | None
    ) -> dict[str, Any]:
        refuse_path(path, "GET")
        headers = {COMPANY_HEADER: company} if company else {}
        self._quota.check()
        try:
            response = await self._http.get(path, params=params, headers=headers)
        except httpx.HTTPError as err:
            raise unanswered(err, "GET", path, self._http.timeout) from None
        self._quota.note(response.status_code, response.headers)
        return _outcome(response)


TOLD_QUERY_TIMEOUT = timedelta(seconds=10)


async def watch_told(client: Client, watch: str, look: ToldLook) -> list[str]:
    try:
        told = await client.get_workflow_handle(watch).query(
            TOLD_QUERY, look.item_id, result_type=list[str], rpc_timeout=TOLD_QUERY_TIMEOUT
        )
    except Exception as err:  # no watch, or none answering: the item looks at Sage
        log.info("posting watch did not answer", watch=watch, error=repr(err))
        return []
    return [b for b in look.batches if b in set(told)]
