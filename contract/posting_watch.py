"""The posting watch's contract: one watch per Sage company tells waiting items their postings.

An item that begins waiting for Sage to post its batches registers them with its company's
watch (signal-with-start, through an activity: workflow code cannot start another workflow);
the watch asks Sage once per interval for the batches posted since its last look, and signals
each item whose batch posted. A signal is a hint anyone can send from the UI, so the item then
asks the watch itself (a query, through an activity: no Sage request) which of its batches Sage
listed as posted; only what Sage's list said, or a look of the item's own for what the watch
does not confirm, moves it on to `posted`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

WORKFLOW_TYPE = "ErpPostingWatch"
WATCH_SIGNAL = "watch_batches"
"""Item -> watch: these batches of mine wait for Sage's posting (`WatchRequest`)."""
POSTED_SIGNAL = "batches_posted"
"""Watch -> item: Sage lists these batches of yours as posted (`PostedNotice`)."""
STATUS_QUERY = "status"
TOLD_QUERY = "told"
"""Item -> watch: which of this item's batches Sage's list showed posted (`list[str]`)."""

REGISTER_ACTIVITY = "posting_watch_register"
"""Signal-with-start of the company's watch (runs on the workflows' queue: no Sage request)."""
POSTED_SINCE_ACTIVITY = "sage_posted_since"
"""One page of `GET /v1/batches?posted_since=...` (the watch's look, on the Sage queue)."""
TOLD_ACTIVITY = "posting_watch_told"
"""The item's confirmation of a notice: the watch's `told` query (workflows' queue, no Sage
request); an unreachable watch confirms nothing, and the item then looks at Sage itself."""
BATCHES_POSTED_ACTIVITY = "sage_batches_posted"
"""Which of an item's batches Sage has posted (the item's own look, on the Sage queue)."""

DEFAULT_COMPANY_NAME = "default"
PAGE_LIMIT = 1000


def watch_id(company: str | None, task_queue: str) -> str:
    """One watch per Sage company (the project's, or Sage's default one) and deployment: the
    workflows' task queue says which workers run it (a benchmark runs several beside)."""
    return f"posting-watch:{company or DEFAULT_COMPANY_NAME}@{task_queue}"


class WatchTiming(BaseModel):
    """How often the watch looks: `fast` while automatic postings are due, else `slow`."""

    fast: timedelta = timedelta(seconds=5)
    slow: timedelta = timedelta(minutes=5)
    min_gap: timedelta = timedelta(seconds=20)
    """The least time between two looks (capped at `slow`): at most 180 looks an hour per
    company however many automatic exports come, so Sage's quota is not spent on waiting."""
    automatic_due_within: timedelta = timedelta(minutes=10)
    """Kept for the settings' shape; an automatic batch's gap doubles from `fast` at each look
    that misses it, and past `slow` it waits like one a person posts."""


class WatchRequest(BaseModel):
    item_id: str = Field(max_length=300)
    batches: list[str] = Field(max_length=50)
    automatic: bool
    """Sage posts these by itself soon (commitments, CCOs): the watch looks every few seconds."""
    exported_at: datetime
    """The watch looks back to here once, so a batch posted before it registered is seen."""
    company: str | None = Field(default=None, max_length=40)
    timing: WatchTiming | None = None
    """Filled by the register activity from the worker's settings; the watch adopts it."""


class PostedNotice(BaseModel):
    batches: list[str] = Field(max_length=50)


class PostingWatchInput(BaseModel):
    company: str | None = None
    timing: WatchTiming = Field(default_factory=WatchTiming)
    items: dict[str, list[str]] = Field(default_factory=dict)
    """Item ID -> its batches not yet seen posted (carried across continue-as-new)."""
    automatic: dict[str, datetime] = Field(default_factory=dict)
    """Batches Sage posts by itself -> when they registered (they bring the next look forward:
    `fast` after registering, then doubling at each look that did not find them)."""
    automatic_tries: dict[str, int] = Field(default_factory=dict)
    """Looks that did not find an automatic batch posted yet (its gap is `fast` * 2**tries)."""
    last_look: datetime | None = None
    posted_since: datetime | None = None
    """Sage's `as_of` of the last look: the next look asks from here."""
    look_back: datetime | None = None
    """The earliest export among batches registered since the last look."""
    told: dict[str, list[str]] = Field(default_factory=dict)
    """Item ID -> its batches Sage's list showed posted, as told (the `told` query answers from
    here); kept `TOLD_RETENTION` after the telling."""
    told_at: dict[str, datetime] = Field(default_factory=dict)
    history_limit: int = 10_000


class PostedQuery(BaseModel):
    company: str | None = None
    posted_since: datetime | None = None
    cursor: str | None = None
    limit: int = PAGE_LIMIT


class PostedPage(BaseModel):
    batches: list[str]
    as_of: datetime
    next_cursor: str | None = None


TOLD_RETENTION = timedelta(hours=1)
"""How long the watch answers for what it told an item (an item confirms within seconds; one
that asks later, after a long outage, looks at Sage itself)."""


class ToldLook(BaseModel):
    item_id: str = Field(max_length=300)
    company: str | None = Field(default=None, max_length=40)
    batches: list[str] = Field(max_length=50)


class BatchesLook(BaseModel):
    company: str | None = None
    batches: list[str]


class WatchStatus(BaseModel):
    company: str | None
    items: int
    batches: int
    automatic: int
    interval_seconds: float
    looks: int
    posted_since: datetime | None
