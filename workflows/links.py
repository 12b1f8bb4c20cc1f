"""The registry side of ErpProject and ErpCompany: the `link` and `unlink_link` signals an
item sends (through activities/links.py), each checked with the workflow it names before it
is taken (`LinkNotes`), shared by both homes; and
the writer's side, `record_links` and `end_link`, the one way a workflow that made, found or
ended a link (an item, a prime contract's import) tells its homes.

Whatever a signal carries, it is validated here; a payload that is not a note, a link that
is not this home's, or one the named workflow did not make, is recorded as refused and
changes nothing (never a failed task).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from contract.links import (
        END_LINK_ACTIVITY,
        RECORD_LINKS_ACTIVITY,
        VERIFY_LINKS_ACTIVITY,
        LinkEnd,
        LinkNote,
        LinksAnswer,
        LinksAsk,
        LinksMade,
        LinksRecord,
        UnlinkNote,
    )
    from contract.sync import AuditLine
    from domain.links import Link, LinkRegistry, NotLinked, recorded
    from domain.settings import ProjectSettings
    from workflows.policies import LINKS_RETRY
    from workflows.sage_reads import claimed_actor, parse_signal, record

VERIFIED_NOTES_PATCH = "link-notes-asked-of-their-maker"
"""Before: a home took a well-formed note of its own kinds without asking the item it names."""

NoteT = TypeVar("NoteT", LinkNote, UnlinkNote)


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


class LinkNotes:
    """A home's intake of link notes (ErpProject's and ErpCompany's `link` and `unlink_link`).

    A note is a claim: the home asks the workflow it names what that workflow's own history
    linked (`links.verify`, its `links.made` query) and takes only that. A link the named
    workflow did not make, a note naming a workflow of another project or company, or one
    that is no item or prime contract sync at all, is recorded as refused and changes
    nothing; so whoever can signal the namespace cannot link or unlink a record. Notes are
    taken one at a time in the order they came, each against the registry as it is then.
    Homes whose history took notes before this check replay them as they were taken
    (`VERIFIED_NOTES_PATCH`).
    """

    def __init__(
        self,
        *,
        get: Callable[[], LinkRegistry],
        put: Callable[[LinkRegistry], None],
        audit: Callable[[], list[AuditLine]],
        belongs: Callable[[Link], bool],
        foreign: Callable[[LinksMade], str | None],
    ) -> None:
        self._get, self._put, self._audit = get, put, audit
        self._belongs = belongs
        self._foreign = foreign
        """Why a maker's links are not this home's (another project or company), or None."""
        self._lock = asyncio.Lock()

    async def link(self, payload: tuple[Any, ...]) -> None:
        note = _parsed(LinkNote, payload, self._audit(), "link", "a link note")
        if note is None:
            return
        if not workflow.patched(VERIFIED_NOTES_PATCH):
            self._put(take_link_note(self._get(), note, self._audit(), self._belongs, None))
            return
        async with self._lock:
            made = await self._ask(note.item, "link")
            if made is not None:
                self._put(take_link_note(self._get(), note, self._audit(), self._belongs, made))

    async def unlink(self, payload: tuple[Any, ...]) -> None:
        note = _parsed(UnlinkNote, payload, self._audit(), "unlink", "an unlink note")
        if note is None:
            return
        if not workflow.patched(VERIFIED_NOTES_PATCH):
            self._put(take_unlink_note(self._get(), note, self._audit(), None))
            return
        async with self._lock:
            made = await self._ask(note.item, "unlink")
            if made is not None:
                self._put(take_unlink_note(self._get(), note, self._audit(), made))

    async def _ask(self, item: str, action: str) -> LinksMade | None:
        """What `item` made; None (recorded as refused) when there is nothing to take from it."""
        try:
            answer = await workflow.execute_activity(
                VERIFY_LINKS_ACTIVITY,
                LinksAsk(item=item),
                result_type=LinksAnswer,
                start_to_close_timeout=timedelta(seconds=30),
                schedule_to_close_timeout=timedelta(minutes=10),
                retry_policy=LINKS_RETRY,
                summary=f"ask {item[:100]} what it linked",
            )
        except ActivityError as err:
            cause = getattr(err, "cause", None) or err
            record(self._audit(), item, action, f"refused: {item} could not be asked: {cause}")
            return None
        refused = answer.refused or (self._foreign(answer.made) if answer.made else None)
        if refused or answer.made is None:
            record(self._audit(), item, action, f"refused: {refused or 'no answer'}")
            return None
        return answer.made


def _parsed(
    model: type[NoteT], payload: tuple[Any, ...], audit: list[AuditLine], action: str, what: str
) -> NoteT | None:
    """The signal's note; None, recorded as refused, when it carries anything else."""
    try:
        note: NoteT = parse_signal(model, payload, action)
    except ValueError:
        record(audit, claimed_actor(payload), action, f"refused: not {what}")
        return None
    return note


def take_link_note(
    registry: LinkRegistry,
    note: LinkNote,
    audit: list[AuditLine],
    belongs: Callable[[Link], bool],
    made: LinksMade | None,
) -> LinkRegistry:
    """The registry after an item's `link` note, taking of it what `made` (the named
    workflow's own links; None: a history from before the check) holds."""
    claimed = [ln.model_copy(update={"item": note.item}) for ln in note.links]  # the note's item
    foreign = [ln for ln in claimed if not belongs(ln)]
    if foreign:
        record(audit, note.item, "link", f"refused: {len(foreign)} link(s) not of this home")
        return registry
    if made is not None:
        unmade = [ln for ln in claimed if not made.holds(ln)]
        if unmade:
            record(
                audit,
                note.item,
                "link",
                f"refused: {len(unmade)} link(s) {note.item} did not make "
                f"(first: {unmade[0].describe()})",
            )
        claimed = [ln for ln in claimed if made.holds(ln)]
    registry, lines = recorded(registry, claimed)
    if lines:
        record(audit, note.item, "link", "; ".join(lines))
    return registry


def take_unlink_note(
    registry: LinkRegistry, note: UnlinkNote, audit: list[AuditLine], made: LinksMade | None
) -> LinkRegistry:
    """The registry after an item's `unlink_link` note: the link ends when the item made it
    and holds it no more (the item checked who may unlink; `made` None: as `take_link_note`)."""
    held = registry.find(note.kind, note.procore)
    if held is not None and held.item not in (None, note.item):
        record(audit, note.actor, "unlink", f"refused: {note.item} did not make that link")
        return registry
    if held is not None and made is not None:
        if held.item is None:
            record(audit, note.actor, "unlink", f"refused: {note.item} did not make that link")
            return registry
        if made.holds(held):
            record(audit, note.actor, "unlink", f"refused: {note.item} still holds that link")
            return registry
    try:
        after = registry.without(note.kind, note.procore, note.at, note.actor)
    except NotLinked as err:
        record(audit, note.actor, "unlink", f"nothing to do: {err}")
        return registry
    assert held is not None
    record(audit, note.actor, "unlink", f"ended {held.describe()} (Sage untouched)")
    return after
