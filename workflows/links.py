"""The registry side of ErpProject and ErpCompany: the `link` and `unlink_link` signals an
item sends (through activities/links.py) and the `links` query, shared by both homes; and
the writer's side, `record_links` and `end_link`, the one way a workflow that made, found or
ended a link (an item, a prime contract's import) tells its homes.

Whatever a signal carries, it is validated here; a payload that is not a note, or a link
that is not this home's, is recorded as refused and changes nothing (never a failed task).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contract.links import (
        END_LINK_ACTIVITY,
        RECORD_LINKS_ACTIVITY,
        LinkEnd,
        LinkNote,
        LinksRecord,
        UnlinkNote,
    )
    from contract.sync import AuditLine
    from domain.links import Link, LinkRegistry, NotLinked, recorded
    from domain.settings import ProjectSettings
    from workflows.policies import LINKS_RETRY
    from workflows.sage_reads import claimed_actor, record


async def record_links(settings: ProjectSettings, note: LinkNote) -> None:
    """Tell the homes of `note`'s links what the workflow linked (`links.record`, a
    signal-with-start of each home, started with `settings` if it runs no workflow)."""
    await workflow.execute_activity(
        RECORD_LINKS_ACTIVITY,
        LinksRecord(project=settings, note=note),
        start_to_close_timeout=timedelta(seconds=30),
        schedule_to_close_timeout=timedelta(minutes=10),
        retry_policy=LINKS_RETRY,
        summary="record links",
    )


async def end_link(settings: ProjectSettings, note: UnlinkNote) -> None:
    """Tell the link's home that it ended (`links.end`); Sage is not touched."""
    await workflow.execute_activity(
        END_LINK_ACTIVITY,
        LinkEnd(project=settings, note=note),
        start_to_close_timeout=timedelta(seconds=30),
        schedule_to_close_timeout=timedelta(minutes=2),
        retry_policy=LINKS_RETRY,
        summary=f"unlink {note.kind.value} {note.procore}",
    )


def take_link_note(
    registry: LinkRegistry,
    payload: tuple[Any, ...],
    audit: list[AuditLine],
    belongs: Callable[[Link], bool],
) -> LinkRegistry:
    """The registry after an item's `link` note; every outcome in the audit trail."""
    try:
        note = LinkNote.model_validate(payload[0] if len(payload) == 1 else None)
    except ValueError:
        record(audit, claimed_actor(payload), "link", "refused: not a link note")
        return registry
    made = [ln.model_copy(update={"item": note.item}) for ln in note.links]  # the note's item
    foreign = [ln for ln in made if not belongs(ln)]
    if foreign:
        record(audit, note.item, "link", f"refused: {len(foreign)} link(s) not of this home")
        return registry
    registry, lines = recorded(registry, made)
    if lines:
        record(audit, note.item, "link", "; ".join(lines))
    return registry


def take_unlink_note(
    registry: LinkRegistry, payload: tuple[Any, ...], audit: list[AuditLine]
) -> LinkRegistry:
    """The registry after an item's `unlink_link` note (the item checked the permission)."""
    try:
        note = UnlinkNote.model_validate(payload[0] if len(payload) == 1 else None)
    except ValueError:
        record(audit, claimed_actor(payload), "unlink", "refused: not an unlink note")
        return registry
    held = registry.find(note.kind, note.procore)
    if held is not None and held.item not in (None, note.item):
        record(audit, note.actor, "unlink", f"refused: {note.item} did not make that link")
        return registry
    try:
        after = registry.without(note.kind, note.procore, note.at, note.actor)
    except NotLinked as err:
        record(audit, note.actor, "unlink", f"nothing to do: {err}")
        return registry
    assert held is not None
    record(audit, note.actor, "unlink", f"ended {held.describe()} (Sage untouched)")
    return after
