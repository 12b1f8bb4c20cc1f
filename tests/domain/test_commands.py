"""decide(): permission first, then state, then the rules; and what each command yields."""

import json

import pytest

from domain.commands import (
    AcceptRequest,
    CommandRequest,
    EditRequest,
    ItemFacts,
    MalformedCommand,
    RejectRequest,
    changed_fields,
    decide,
    parse_request,
)
from domain.items import parse_item
from domain.lifecycle import Command, State, WrongState
from domain.permissions import NotPermitted
from domain.refusal import Refusal
from tests.domain.builders import (
    APPROVER,
    EXAMPLES,
    TOOL_ADMIN,
    VIEWER,
    commitment,
    commitment_data,
    demo_settings,
    settings,
)

TITLE_RULE = "Title. The title must be 30 characters or less."
LONG_TITLE = "Foundations, slabs and site work"


def facts(state=State.DRAFT, item=None, project_settings=None, **more) -> ItemFacts:
    return ItemFacts(
        item=item or commitment(),
        state=state,
        settings=project_settings or demo_settings(),
        **more,
    )


def by(actor: str, **more) -> CommandRequest:
    return CommandRequest(actor=actor, **more)


def with_direct_export(mode: str):
    return settings(direct_export={"commitment": mode})


# --- the order of the checks ---


def test_permission_is_checked_before_state_and_rules():
    item = commitment(title=LONG_TITLE)
    with pytest.raises(NotPermitted, match="needs Admin on the Commitments tool"):
        decide(facts(State.POSTED, item), Command.SEND, by(VIEWER))


def test_state_is_checked_before_the_rules():
    item = commitment(title=LONG_TITLE)
    with pytest.raises(WrongState, match="cannot send an item that is sent"):
        decide(facts(State.SENT, item), Command.SEND, by(TOOL_ADMIN))


def test_the_rules_refuse_a_send_naming_the_item_and_the_broken_rule():
    item = commitment(title=LONG_TITLE)
    with pytest.raises(Refusal) as refused:
        decide(facts(State.DRAFT, item), Command.SEND, by(TOOL_ADMIN))
    assert not isinstance(refused.value, WrongState | NotPermitted)
    assert str(refused.value) == f"cannot send commitment:P-1001:SC-0042: {TITLE_RULE}"


def test_a_resend_meets_the_rules_too():
    item = commitment(title=LONG_TITLE)
    with pytest.raises(Refusal, match=r"cannot resend commitment:P-1001:SC-0042: Title\."):
        decide(facts(State.REJECTED, item), Command.RESEND, by(TOOL_ADMIN))


def test_several_broken_rules_are_named_together():
    item = commitment(title=LONG_TITLE, contract_company={"name": "New Vendor Co"})
    with pytest.raises(Refusal) as refused:
        decide(facts(item=item), Command.SEND, by(TOOL_ADMIN))
    assert TITLE_RULE in str(refused.value)
    assert "Contract Company. Must be linked to a synced Sage 300 CRE® vendor." in str(
        refused.value
    )


# --- send, resend and Direct Export ---


@pytest.mark.parametrize(
    ("mode", "target"),
    [
        ("disabled", State.SENT),
        ("enabled", State.ACCEPTED),
        ("enabled_with_workflow", State.SENT),
    ],
)
def test_send_follows_the_projects_direct_export_mode(mode, target):
    decision = decide(
        facts(project_settings=with_direct_export(mode)), Command.SEND, by(TOOL_ADMIN)
    )
    assert decision.next_state is target


@pytest.mark.parametrize(
    ("mode", "target"), [("disabled", State.SENT), ("enabled", State.ACCEPTED)]
)
def test_resend_follows_the_projects_direct_export_mode(mode, target):
    state_facts = facts(State.REJECTED, project_settings=with_direct_export(mode))
    assert decide(state_facts, Command.RESEND, by(TOOL_ADMIN)).next_state is target


def test_the_demos_direct_export_project_sends_straight_to_accepted():
    item = commitment(project="P-1002", number="SC-2001")
    decision = decide(
        facts(item=item, project_settings=demo_settings("P-1002")), Command.SEND, by(TOOL_ADMIN)
    )
    assert decision.next_state is State.ACCEPTED


def test_direct_export_does_not_skip_the_rules():
    item = commitment(title=LONG_TITLE)
    with pytest.raises(Refusal, match="Title"):
        decide(
            facts(item=item, project_settings=with_direct_export("enabled")),
            Command.SEND,
            by(TOOL_ADMIN),
        )


# --- retrieve, accept, reject, retry ---


def test_the_sender_retrieves_an_item_back_to_draft():
    sent = facts(State.SENT, sender=APPROVER)
    assert decide(sent, Command.RETRIEVE, by(APPROVER)).next_state is State.DRAFT


def test_accept_records_the_default_export_fields():
    decision = decide(facts(State.SENT), Command.ACCEPT, AcceptRequest(actor=APPROVER))
    assert decision.next_state is State.ACCEPTED
    assert decision.export_fields == {"sage_id": "SC-0042"}


def test_accept_takes_the_approvers_fields():
    request = AcceptRequest(actor=APPROVER, fields={"sage_id": "42-ACME"})
    assert decide(facts(State.SENT), Command.ACCEPT, request).export_fields == {
        "sage_id": "42-ACME"
    }


def test_accept_refuses_bad_export_fields():
    request = AcceptRequest(actor=APPROVER, fields={"sage_id": "SC-0000000042"})
    with pytest.raises(Refusal, match="Must be 12 characters or less"):
        decide(facts(State.SENT), Command.ACCEPT, request)


def test_a_tool_admin_cannot_accept():
    with pytest.raises(NotPermitted, match="'Can Push to Accounting'"):
        decide(facts(State.SENT), Command.ACCEPT, AcceptRequest(actor=TOOL_ADMIN))


@pytest.mark.parametrize("state", [State.SENT, State.EXPORT_FAILED])
def test_reject_moves_to_rejected(state):
    request = RejectRequest(actor=APPROVER, reason="Retainage should be 5%")
    assert decide(facts(state), Command.REJECT, request).next_state is State.REJECTED


def test_retry_keeps_the_fields_of_the_failed_export_unless_changed():
    failed = facts(State.EXPORT_FAILED, export_fields={"sage_id": "42-ACME"})
    kept = decide(failed, Command.RETRY, AcceptRequest(actor=APPROVER))
    assert (kept.next_state, kept.export_fields) == (State.ACCEPTED, {"sage_id": "42-ACME"})
    changed = decide(failed, Command.RETRY, AcceptRequest(actor=APPROVER, fields={"sage_id": "B"}))
    assert changed.export_fields == {"sage_id": "B"}


# --- cancel ---


@pytest.mark.parametrize(
    "state", [State.DRAFT, State.SENT, State.ACCEPTED, State.REJECTED, State.EXPORT_FAILED]
)
def test_cancel_before_export(state):
    assert decide(facts(state), Command.CANCEL, by(TOOL_ADMIN)).next_state is State.CANCELLED


def test_cancel_is_refused_while_the_export_is_under_way():
    with pytest.raises(Refusal) as refused:
        decide(facts(State.ACCEPTED, exporting=True), Command.CANCEL, by(TOOL_ADMIN))
    assert "cannot cancel while the export to Sage is under way" in str(refused.value)
    assert "export_failed" in str(refused.value)


def test_cancel_is_refused_once_exported():
    with pytest.raises(WrongState, match="cannot cancel an item that is exported"):
        decide(facts(State.EXPORTED), Command.CANCEL, by(TOOL_ADMIN))


# --- edit ---


def edit(state, item_data, actor=TOOL_ADMIN):
    return decide(facts(state), Command.EDIT, EditRequest(actor=actor, item=item_data))


@pytest.mark.parametrize("state", [State.DRAFT, State.REJECTED])
def test_edit_keeps_the_state_and_returns_the_edited_item(state):
    decision = edit(state, commitment_data(title="Foundations only"))
    assert decision.next_state is state
    assert decision.edited_item is not None
    assert decision.edited_item.title == "Foundations only"
    assert decision.edited_item.workflow_id == "commitment:P-1001:SC-0042"


@pytest.mark.parametrize(
    ("changes", "new_id"),
    [
        ({"number": "SC-0043"}, "commitment:P-1001:SC-0043"),
        ({"project": "P-1002"}, "commitment:P-1002:SC-0042"),
    ],
)
def test_edit_cannot_change_what_identifies_the_item(changes, new_id):
    with pytest.raises(Refusal) as refused:
        edit(State.DRAFT, commitment_data(**changes))
    message = str(refused.value)
    assert "type, project and number identify the item and cannot change" in message
    assert f"{new_id} is not commitment:P-1001:SC-0042" in message


def test_an_invalid_edit_is_refused_naming_the_field():
    with pytest.raises(Refusal, match="edit: field 'title'"):
        edit(State.DRAFT, commitment_data(title=""))


def test_an_edit_may_break_a_rule_that_send_then_refuses():
    decision = edit(State.DRAFT, commitment_data(title=LONG_TITLE))
    assert decision.edited_item is not None
    with pytest.raises(Refusal, match="Title"):
        decide(facts(item=decision.edited_item), Command.SEND, by(TOOL_ADMIN))


def test_edit_needs_admin_on_the_commitments_tool():
    with pytest.raises(NotPermitted, match="Admin on the Commitments tool"):
        edit(State.DRAFT, commitment_data(title="x"), actor=APPROVER)


def test_edit_is_refused_once_sent():
    with pytest.raises(WrongState, match="edit is possible only when it is draft or rejected"):
        edit(State.SENT, commitment_data(title="x"))


def test_the_audit_names_the_changed_fields():
    before = commitment()
    after = commitment(title="Foundations only", default_retainage_percent="5")
    assert changed_fields(before, after) == ["default_retainage_percent", "title"]
    assert changed_fields(before, before) == []


# --- payloads as a signal brings them ---


@pytest.mark.parametrize(
    ("command", "model"),
    [
        (Command.SEND, CommandRequest),
        (Command.RETRIEVE, CommandRequest),
        (Command.RESEND, CommandRequest),
        (Command.CANCEL, CommandRequest),
        (Command.ACCEPT, AcceptRequest),
        (Command.RETRY, AcceptRequest),
    ],
)
def test_a_payload_with_just_an_actor_is_enough(command, model):
    request = parse_request(command, {"actor": TOOL_ADMIN})
    assert type(request) is model
    assert request.actor == TOOL_ADMIN


def test_accept_payload_carries_fields():
    request = parse_request(Command.ACCEPT, {"actor": APPROVER, "fields": {"sage_id": "X"}})
    assert isinstance(request, AcceptRequest)
    assert request.fields == {"sage_id": "X"}


@pytest.mark.parametrize("payload", [None, "pm.alex", ["pm.alex"], 42])
def test_a_payload_that_is_not_an_object_is_refused(payload):
    with pytest.raises(MalformedCommand) as refused:
        parse_request(Command.SEND, payload)
    assert str(refused.value) == 'send: the payload must be a JSON object with at least "actor"'


@pytest.mark.parametrize(
    ("command", "payload", "field"),
    [
        (Command.SEND, {}, "actor"),
        (Command.SEND, {"actor": ""}, "actor"),
        (Command.SEND, {"actor": TOOL_ADMIN, "colour": "red"}, "colour"),
        (Command.REJECT, {"actor": APPROVER}, "reason"),
        (Command.REJECT, {"actor": APPROVER, "reason": ""}, "reason"),
        (Command.EDIT, {"actor": TOOL_ADMIN}, "item"),
        (Command.ACCEPT, {"actor": APPROVER, "fields": ["sage_id"]}, "fields"),
    ],
)
def test_a_malformed_payload_is_refused_naming_command_and_field(command, payload, field):
    with pytest.raises(MalformedCommand) as refused:
        parse_request(command, payload)
    message = str(refused.value)
    assert message.startswith(f"{command.value}: ")
    assert f"field '{field}" in message


def test_a_malformed_command_is_a_refusal():
    with pytest.raises(Refusal):
        parse_request(Command.CANCEL, {})


# --- the project's ERP (domain/erp.py): refused at send and resend, as at start ---

SAGE100 = {"erp": "sage100", "sage_company": "S100"}
SAGE_300_ONLY = ["sub_job-SJ-01.json", "prime_contract_change_order-PCCO-007.json"]
SENDS = [(State.DRAFT, Command.SEND), (State.REJECTED, Command.RESEND)]


@pytest.mark.parametrize("example", SAGE_300_ONLY)
@pytest.mark.parametrize(("state", "command"), SENDS)
def test_an_item_the_projects_erp_cannot_take_is_refused_at_send(example, state, command):
    item = parse_item(json.loads((EXAMPLES / "items" / example).read_text()))
    with pytest.raises(Refusal) as refused:
        decide(facts(state, item, settings(**SAGE100)), command, by(TOOL_ADMIN))
    message = str(refused.value)
    assert message.startswith(f"cannot {command.value} {item.workflow_id}: project P-1001 ")
    assert "exports to Sage 100 Contractor®, which cannot take" in message
    assert message.endswith("Sage 300 CRE® has it)")


def test_a_sage100_project_sends_what_sage100_takes():
    sage100 = settings(**SAGE100)
    decision = decide(facts(State.DRAFT, commitment(), sage100), Command.SEND, by(TOOL_ADMIN))
    assert decision.next_state is State.SENT
