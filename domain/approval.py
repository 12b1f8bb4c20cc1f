"""Delegated approval (Direct Export `enabled_with_workflow`): ordered steps, each with its
assignees, walked by their responses — approve (next step), return (back one step) or
reject. Pure data and functions; the approval workflow only applies them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.items import describe_validation_error
from domain.refusal import Refusal
from domain.signing import Signature, SigningPolicy

GROUP_PREFIX = "group:"


class ApprovalStep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    assignees: list[str] = Field(
        min_length=1, description="User names, or 'group:NAME' for every member of a group."
    )


class ApprovalTemplate(BaseModel):
    """One way to approve an item type; `max_amount` chooses it by the item's amount."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    max_amount: Decimal | None = Field(
        default=None, description="Used for items up to this amount; None: any amount."
    )
    steps: list[ApprovalStep] = Field(min_length=1)


class Response(StrEnum):
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"


class Outcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class RespondRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    actor: str = Field(min_length=1, max_length=100)
    response: Response
    comment: str | None = Field(default=None, max_length=2000)
    signature: Signature | None = None

    def signed_arguments(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude={"signature"})


class StepResponse(BaseModel):
    at: datetime
    step: int
    step_name: str
    actor: str
    response: Response
    comment: str | None = None


class Approval(BaseModel):
    """Where a delegated approval stands: its template, the current step, every response."""

    model_config = ConfigDict(frozen=True)

    template: ApprovalTemplate
    groups: dict[str, list[str]] = Field(default_factory=dict)
    step: int = 0
    responses: list[StepResponse] = Field(default_factory=list)
    outcome: Outcome | None = None

    @model_validator(mode="after")
    def _step_in_range(self) -> Approval:
        if not 0 <= self.step < len(self.template.steps):
            raise ValueError(f"step {self.step} is not a step of {self.template.name}")
        return self

    @property
    def current(self) -> ApprovalStep:
        return self.template.steps[self.step]

    def who_must_act(self) -> list[str]:
        if self.outcome is not None:
            return []
        return expand(self.current.assignees, self.groups)

    def describe(self) -> str:
        if self.outcome is not None:
            return f"{self.template.name}: {self.outcome.value}"
        people = ", ".join(self.who_must_act())
        total = len(self.template.steps)
        return (
            f"{self.template.name}, step {self.step + 1} of {total} "
            f"({self.current.name}): waiting for {people}"
        )

    def respond(self, request: RespondRequest, at: datetime) -> Approval:
        """The approval after `request`, or `Refusal` if that person cannot give it now."""
        if self.outcome is not None:
            raise Refusal(f"the approval is already {self.outcome.value}")
        if request.actor not in self.who_must_act():
            raise Refusal(
                f"{request.actor} is not an assignee of step {self.step + 1} "
                f"({self.current.name}); waiting for {', '.join(self.who_must_act())}"
            )
        if request.response is Response.RETURN and self.step == 0:
            raise Refusal("step 1 has no earlier step to return to; reject the item instead")
        entry = StepResponse(
            at=at,
            step=self.step + 1,
            step_name=self.current.name,
            actor=request.actor,
            response=request.response,
            comment=request.comment,
        )
        responses = [*self.responses, entry]
        last = len(self.template.steps) - 1
        if request.response is Response.REJECT:
            return self.model_copy(update={"responses": responses, "outcome": Outcome.REJECTED})
        if request.response is Response.RETURN:
            return self.model_copy(update={"responses": responses, "step": self.step - 1})
        if self.step == last:
            return self.model_copy(update={"responses": responses, "outcome": Outcome.APPROVED})
        return self.model_copy(update={"responses": responses, "step": self.step + 1})


def expand(assignees: list[str], groups: dict[str, list[str]]) -> list[str]:
    people: list[str] = []
    for name in assignees:
        members = (
            groups.get(name.removeprefix(GROUP_PREFIX), [])
            if name.startswith(GROUP_PREFIX)
            else [name]
        )
        people += [m for m in members if m not in people]
    return people


def choose_template(templates: list[ApprovalTemplate], amount: Decimal) -> ApprovalTemplate:
    """The first template whose `max_amount` covers the amount (templates are in order)."""
    for template in templates:
        if template.max_amount is None or amount <= template.max_amount:
            return template
    raise Refusal(
        f"no approval template covers an amount of ${amount:,.2f}; "
        "add one without max_amount to the project settings"
    )


def parse_respond(data: object) -> RespondRequest:
    if not isinstance(data, dict):
        raise Refusal('respond: the payload must be a JSON object with "actor" and "response"')
    try:
        return RespondRequest.model_validate(data)
    except ValidationError as err:
        raise Refusal(f"respond: {describe_validation_error(err)}") from None


class ApprovalInput(BaseModel):
    """What the item workflow gives its approval workflow."""

    approval: Approval
    item_workflow_id: str
    round: int = Field(ge=1, description="Which send of the item this approval belongs to.")
    signing: SigningPolicy = Field(default_factory=SigningPolicy)
    public_keys: dict[str, str] = Field(
        default_factory=dict, description="Roster users' public keys, to verify responses."
    )
    token: str | None = Field(
        default=None,
        description="This round's secret (the item's workflow.uuid4()): the approval's notes "
        "carry it, so the item takes notes from its own approval workflow only.",
    )


class ApprovalNote(BaseModel):
    """What the approval workflow tells its item after each response or refusal."""

    round: int
    approval: Approval
    refused: str | None = None
    actor: str | None = None
    token: str | None = None
