"""Retry policies and time-outs, one per kind of activity."""

from datetime import timedelta

from temporalio.common import RetryPolicy

SAGE_CALL_TIMEOUT = timedelta(seconds=15)
"""Above the HTTP client's 10 s time-out; a worker killed mid-call delays the retry this long."""
SAGE_CALL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=60),
    maximum_attempts=0,  # transient failures (5xx, time-outs, 429) retry until Sage answers
)
"""Business errors are raised non-retryable by the activity; nothing else gives up."""

LINKS_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)
)
"""The link registry's activities (activities/links.py): a home's query or signal-with-start,
retried within the caller's schedule-to-close time-out."""

POSTING_TIMEOUT = timedelta(seconds=15)
POSTING_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=0,
)
"""Infrequent polling: a 'not posted yet' failure spaces the next look; history stays flat."""

EXPORT_PRIORITY = 1
"""Task queue priority of a person's export (and its undo): first on the Sage queue."""
ITEM_LOOK_PRIORITY = 2
"""An item's own look at its batches (after a watch's notice, or its safety timer)."""
BACKGROUND_PRIORITY = 4
"""The posting watch's look: behind exports and people's reads. Unset priorities are 3 (the
server's default): the other background reads (schedules, refreshes) sit there, behind exports.
Measured on the dev server (`python -m bench priority`): priority is honoured as shipped."""

POSTING_SAFETY_TIMER = timedelta(days=1)
"""An item that has heard nothing from its company's watch for this long registers again (a
lost watch is started again and looks back to the item's export)."""
REGISTER_TIMEOUT = timedelta(seconds=30)
