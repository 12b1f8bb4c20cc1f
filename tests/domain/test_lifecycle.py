"""The item lifecycle: every transition DESIGN.md lists, and a clear refusal for all others."""

import pytest

from domain.lifecycle import TRANSITIONS, Command, Event, State, WrongState, next_state

# DESIGN.md "The item lifecycle", written out by hand so the table in domain/ is checked
# against the design rather than against itself.
DESIGNED = {
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
    (State.EXPORTED, Event.POSTED): State.POSTED,
    (State.DRAFT, Command.CANCEL): State.CANCELLED,
    (State.SENT, Command.CANCEL): State.CANCELLED,
    (State.ACCEPTED, Command.CANCEL): State.CANCELLED,
    (State.REJECTED, Command.CANCEL): State.CANCELLED,
    (State.EXPORT_FAILED, Command.CANCEL): State.CANCELLED,
    # issue 4: `reset` (ERP admin) undoes a partial export; rejected, or sent when asked
    (State.EXPORT_FAILED, Command.RESET): State.REJECTED,
}

TRIGGERS = [*Command, *Event]
NOT_IN_TABLE = [(s, t) for s in State for t in TRIGGERS if (s, t) not in TRANSITIONS]


def _id(pair: tuple[State, Command | Event]) -> str:
    return f"{pair[0].value}-{pair[1].value}"


def test_state_names_are_the_designed_ones():
    assert [s.value for s in State] == [
        "draft",
        "sent",
        "accepted",
        "rejected",
        "exported",
        "posted",
        "export_failed",
        "cancelled",
    ]


def test_the_table_is_the_designed_one():
    assert dict(TRANSITIONS) == DESIGNED


@pytest.mark.parametrize("pair", list(TRANSITIONS), ids=_id)
def test_every_transition_in_the_table(pair):
    state, trigger = pair
    assert next_state(state, trigger) is DESIGNED[pair]


@pytest.mark.parametrize("pair", NOT_IN_TABLE, ids=_id)
def test_every_other_pair_is_refused_naming_the_allowed_states(pair):
    state, trigger = pair
    with pytest.raises(WrongState) as refused:
        next_state(state, trigger)
    message = str(refused.value)
    assert f"cannot {trigger.value} an item that is {state.value}" in message
    named = message.split("is possible only when it is ", 1)[1].split(" or ")
    assert set(named) == {s.value for (s, t) in DESIGNED if t == trigger}


@pytest.mark.parametrize("state", [State.POSTED, State.CANCELLED])
def test_a_finished_item_takes_no_command(state):
    for command in Command:
        with pytest.raises(WrongState):
            next_state(state, command)


def test_cancel_is_possible_before_exported_only():
    assert next_state(State.DRAFT, Command.CANCEL) is State.CANCELLED
    assert next_state(State.EXPORT_FAILED, Command.CANCEL) is State.CANCELLED
    with pytest.raises(WrongState, match="cancel is possible only when it is draft or sent"):
        next_state(State.EXPORTED, Command.CANCEL)


@pytest.mark.parametrize(
    ("state", "command"), [(State.DRAFT, Command.SEND), (State.REJECTED, Command.RESEND)]
)
def test_direct_export_sends_straight_to_accepted(state, command):
    assert next_state(state, command, skip_approval=True) is State.ACCEPTED


@pytest.mark.parametrize(
    ("state", "command", "target"),
    [
        (State.DRAFT, Command.EDIT, State.DRAFT),
        (State.SENT, Command.RETRIEVE, State.DRAFT),
        (State.SENT, Command.REJECT, State.REJECTED),
        (State.DRAFT, Command.CANCEL, State.CANCELLED),
        (State.EXPORT_FAILED, Command.RETRY, State.ACCEPTED),
    ],
)
def test_skipping_approval_changes_only_send_and_resend(state, command, target):
    assert next_state(state, command, skip_approval=True) is target


def test_skipping_approval_does_not_skip_the_state_check():
    with pytest.raises(WrongState, match="cannot send an item that is sent"):
        next_state(State.SENT, Command.SEND, skip_approval=True)
