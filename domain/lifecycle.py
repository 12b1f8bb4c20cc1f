"""The item lifecycle as data: which trigger moves an item from which state to which."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from domain.refusal import Refusal


class State(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPORTED = "exported"
    POSTED = "posted"
    EXPORT_FAILED = "export_failed"
    CANCELLED = "cancelled"


class Command(StrEnum):
    """What a person asks of an item."""

    EDIT = "edit"
    SEND = "send"
    RETRIEVE = "retrieve"
    ACCEPT = "accept"
    REJECT = "reject"
    RESEND = "resend"
    RETRY = "retry"
    CANCEL = "cancel"
    RESET = "reset"


class Event(StrEnum):
    """What Sage tells us about an item."""

    EXPORT_SUCCEEDED = "export_succeeded"
    EXPORT_FAILED = "export_failed"
    POSTED = "posted"


Trigger = Command | Event

FINAL_STATES = frozenset({State.POSTED, State.CANCELLED})
CANCELLABLE = (State.DRAFT, State.SENT, State.ACCEPTED, State.REJECTED, State.EXPORT_FAILED)

TRANSITIONS: Mapping[tuple[State, Trigger], State] = {
    (State.DRAFT, Command.EDIT): State.DRAFT,
    (State.DRAFT, Command.SEND): State.SENT,
    (State.SENT, Command.RETRIEVE): State.DRAFT,
    (State.SENT, Command.ACCEPT): State.ACCEPTED,
    (State.SENT, Command.REJECT): State.REJECTED,
    (State.REJECTED, Command.EDIT): State.REJECTED,
    (State.REJECTED, Command.RESEND): State.SENT,
    (State.ACCEPTED, Event.EXPORT_SUCCEEDED): State.EXPORTED,
    (State.ACCEPTED, Event.EXPORT_FAILED): State.EXPORT_FAILED,
    (State.EXPORT_FAILED, Command.RETRY): State.ACCEPTED,
    (State.EXPORT_FAILED, Command.REJECT): State.REJECTED,
    (State.EXPORT_FAILED, Command.RESET): State.REJECTED,  # or sent, as the admin chooses
    (State.EXPORTED, Event.POSTED): State.POSTED,
    **{(state, Command.CANCEL): State.CANCELLED for state in CANCELLABLE},
}

SKIPS_APPROVAL = frozenset({Command.SEND, Command.RESEND})
"""Commands that land in `accepted` at once when Direct Export skips the approver."""


class WrongState(Refusal):
    """A trigger that the item's current state does not allow."""


def states_allowing(trigger: Trigger) -> list[State]:
    return [state for (state, t) in TRANSITIONS if t == trigger]


def next_state(state: State, trigger: Trigger, *, skip_approval: bool = False) -> State:
    """The state after `trigger`, or `WrongState` saying where the trigger is allowed."""
    target = TRANSITIONS.get((state, trigger))
    if target is None:
        allowed = " or ".join(s.value for s in states_allowing(trigger))
        raise WrongState(
            f"cannot {trigger.value} an item that is {state.value}; "
            f"{trigger.value} is possible only when it is {allowed}"
        )
    if skip_approval and trigger in SKIPS_APPROVAL:
        return State.ACCEPTED
    return target
