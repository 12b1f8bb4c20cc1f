"""Delegated approval rules: templates chosen by amount, who may respond, where a response leads."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.approval import (
    Approval,
    Outcome,
    RespondRequest,
    choose_template,
    expand,
    parse_respond,
)
from domain.commands import CommandRequest, ItemFacts, decide
from domain.lifecycle import Command, State
from domain.refusal import Refusal
from domain.settings import ProjectSettings
from tests.domain.builders import commitment, demo_settings, settings

NOW = datetime(2026, 11, 21, tzinfo=UTC)
CCO_TEMPLATES = demo_settings("P-1003").approval_templates["commitment_change_order"]


@pytest.mark.parametrize(
    ("amount", "template"),
    [
        ("9999.99", "CCO one-tier"),
        ("10000", "CCO one-tier"),
        ("10000.01", "CCO two-tier"),
        ("50000", "CCO two-tier"),
        ("250000", "CCO three-tier"),
    ],
)
def test_the_template_is_chosen_by_amount(amount, template):
    assert choose_template(CCO_TEMPLATES, Decimal(amount)).name == template


def test_no_covering_template_is_a_refusal_that_says_what_to_add():
    with pytest.raises(Refusal, match="add one without max_amount"):
        choose_template(CCO_TEMPLATES[:2], Decimal("60000"))


def three_tier() -> Approval:
    settings = demo_settings("P-1003")
    return Approval(template=CCO_TEMPLATES[2], groups=settings.groups)


def answer(approval: Approval, actor: str, response: str) -> Approval:
    return approval.respond(RespondRequest(actor=actor, response=response), NOW)


def test_groups_expand_to_their_members_once():
    groups = {"accounting": ["acct.ana", "acct.admin"]}
    assert expand(["group:accounting", "acct.ana", "pm.alex"], groups) == [
        "acct.ana",
        "acct.admin",
        "pm.alex",
    ]


def test_approve_moves_on_return_goes_back_and_the_last_approve_approves():
    approval = answer(three_tier(), "pm.alex", "approve")
    assert approval.step == 1 and approval.who_must_act() == ["acct.ana", "acct.admin"]
    approval = answer(approval, "acct.admin", "approve")
    assert approval.step == 2
    approval = answer(approval, "acct.admin", "return")
    assert approval.step == 1 and approval.outcome is None
    approval = answer(answer(approval, "acct.ana", "approve"), "acct.admin", "approve")
    assert approval.outcome is Outcome.APPROVED and approval.who_must_act() == []
    assert [r.step for r in approval.responses] == [1, 2, 3, 2, 3]


def test_reject_ends_the_approval_at_any_step():
    approval = answer(answer(three_tier(), "pm.alex", "approve"), "acct.ana", "reject")
    assert approval.outcome is Outcome.REJECTED
    with pytest.raises(Refusal, match="already rejected"):
        answer(approval, "acct.admin", "approve")


@pytest.mark.parametrize("actor", ["acct.ana", "viewer.vic", "nobody"])
def test_only_the_current_steps_assignees_may_respond(actor):
    with pytest.raises(Refusal, match=f"{actor} is not an assignee of step 1"):
        answer(three_tier(), actor, "approve")


def test_the_first_step_cannot_return():
    with pytest.raises(Refusal, match="no earlier step"):
        answer(three_tier(), "pm.alex", "return")


@pytest.mark.parametrize(
    "payload", [None, "approve", {"actor": "pm.alex"}, {"actor": "pm.alex", "response": "maybe"}]
)
def test_a_malformed_response_is_refused_with_the_field(payload):
    with pytest.raises(Refusal, match="respond"):
        parse_respond(payload)


def test_enabled_with_workflow_needs_a_template():
    data = demo_settings().model_dump(mode="json")
    data["direct_export"] = {"commitment": "enabled_with_workflow"}
    data["approval_templates"] = {}
    with pytest.raises(ValueError, match="has no template"):
        ProjectSettings.model_validate(data)


def test_an_assignee_must_be_on_the_roster_or_a_group():
    data = demo_settings().model_dump(mode="json")
    data["approval_templates"]["commitment"][0]["steps"][0]["assignees"] = ["ghost"]
    with pytest.raises(ValueError, match="'ghost' is neither on the roster nor a group"):
        ProjectSettings.model_validate(data)


def delegated_facts(**changes) -> ItemFacts:
    project = settings(direct_export={"commitment": "enabled_with_workflow"})
    return ItemFacts(item=commitment(), state=State.SENT, settings=project, **changes)


def test_in_a_delegated_approval_accept_and_reject_come_from_the_workflow():
    with pytest.raises(Refusal, match="delegated approval workflow"):
        decide(delegated_facts(), Command.ACCEPT, CommandRequest(actor="acct.ana"))


def test_retrieve_is_refused_once_someone_responded():
    retrieve = CommandRequest(actor="pm.alex")
    assert decide(delegated_facts(), Command.RETRIEVE, retrieve).next_state is State.DRAFT
    with pytest.raises(Refusal, match="only before anyone responds"):
        decide(delegated_facts(approval_responses=1), Command.RETRIEVE, retrieve)
