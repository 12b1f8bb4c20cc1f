"""`/v1/batches`: whether Sage has posted the transactions of a write, one batch or a list.

The list (`GET /v1/batches?posted_since=...`) is what a posting watch asks once per interval:
the batches of the request's company posted since its last look, paginated by a cursor, and
`as_of`, the instant to pass as `posted_since` next time (the mock's clock, not the caller's).
"""

import datetime as dt
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from sage_mock.errors import invalid_request, not_found
from sage_mock.records import batches
from sage_mock.services import SageServices, services

router = APIRouter(prefix="/v1/batches")
Services = Annotated[SageServices, Depends(services)]


def _since(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        message = f"posted_since [{text[:40]}] is not an ISO 8601 time."
        raise invalid_request(message, "posted_since") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


def _cursor(text: str | None) -> int:
    if text is None:
        return 0
    if not text.isdigit() or len(text) > 12:
        raise invalid_request(f"cursor [{text[:40]}] is not a cursor this list gave.", "cursor")
    return int(text)


@router.get("")
async def list_posted(
    sv: Services,
    posted_since: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=batches.LIST_LIMIT)] = 100,
) -> dict[str, Any]:
    since, after = _since(posted_since), _cursor(cursor)
    with sv.store.write() as db:  # the list posts the batches that came due, as a read does
        as_of = time.time()
        found, next_seq = batches.posted_since(db, since, after, limit)
    return {
        "batches": found,
        "as_of": batches.precise(as_of),
        "next_cursor": None if next_seq is None else str(next_seq),
    }


@router.get("/{batch_id}")
async def get_batch(batch_id: str, sv: Services) -> dict[str, Any]:
    with sv.store.write() as db:  # a read may post a batch that has come due
        batch = batches.find(db, batch_id)
    if batch is None:
        raise not_found()
    return batch
