"""Export plans: the Sage calls an export makes, in order, each with the call that undoes it.

A plan is pure data. The item workflow runs any plan with one generic activity per call, so
every item type shares one saga engine and one retry policy.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.sage_codes import sage_code_problem
from domain.sage_paths import segment

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class SageCall(BaseModel):
    """One HTTP call to Sage. Strings may hold `{name}` placeholders filled from earlier answers."""

    model_config = ConfigDict(frozen=True)

    method: Literal["GET", "POST", "PUT", "DELETE"]
    path: str
    body: dict[str, Any] | None = None
    company: str | None = Field(
        default=None,
        description="The Sage company the call is for (header X-Sage-Company); none: Sage's "
        "default company.",
    )


class ExportStep(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(
        pattern=r"^[a-z0-9_]+$", description="Unique within the plan; part of the idempotency key."
    )
    summary: str
    call: SageCall
    undo: SageCall | None = None
    record: str = Field(
        description="Key of the created record in a success answer; a duplicate answer's "
        "`existing` is the same record."
    )
    remember: dict[str, str] = Field(
        default_factory=dict,
        description="Values later steps need: name -> dotted path in the record.",
    )
    batch: str | None = Field(
        default=None, description="Dotted path of the batch ID in the record, if it posts one."
    )
    since: str | None = Field(
        default=None,
        description="Patch ID of the release that added this step to its plan: an export "
        "recorded before it replays without the step (workflow.patched).",
    )


class Posting(StrEnum):
    AUTOMATIC = "automatic"
    MANUAL = "manual"


class ExportPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    steps: list[ExportStep]
    posting: Posting

    def released(self, patched: Callable[[str], bool]) -> ExportPlan:
        """The plan without the steps an older release did not have, where `patched` says so."""
        steps = [s for s in self.steps if s.since is None or patched(s.since)]
        return self if len(steps) == len(self.steps) else self.model_copy(update={"steps": steps})

    def for_company(self, company: str | None) -> ExportPlan:
        """The plan with every call, undo included, addressed to the project's Sage company."""
        if company is None:
            return self

        def addressed(step: ExportStep) -> ExportStep:
            undo = step.undo.model_copy(update={"company": company}) if step.undo else None
            call = step.call.model_copy(update={"company": company})
            return step.model_copy(update={"call": call, "undo": undo})

        return self.model_copy(update={"steps": [addressed(s) for s in self.steps]})


class LeftoverUndo(BaseModel):
    """A completed step whose undo Sage refused: what `reset` must still undo."""

    step: str
    summary: str
    call: SageCall
    key: str


def idempotency_key(workflow_id: str, generation: int, step: str, *, undo: bool = False) -> str:
    """Stable across activity retries, new for each export attempt (`retry` bumps generation)."""
    return f"{workflow_id}/g{generation}/{step}{'/undo' if undo else ''}"


def fill(call: SageCall, answers: dict[str, str]) -> SageCall:
    """Replace `{name}` placeholders in the path and body strings with remembered answers;
    an answer put in the path is percent-encoded as a path segment (domain/sage_paths.py)."""

    def sub(text: str, encode: Callable[[str], str] = str) -> str:
        def one(m: re.Match[str]) -> str:
            return encode(answers[m.group(1)]) if m.group(1) in answers else m.group(0)

        return _PLACEHOLDER.sub(one, text)

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return sub(value)
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return call.model_copy(update={"path": sub(call.path, segment), "body": walk(call.body)})


def dig(body: dict[str, Any], path: str) -> Any:
    value: Any = body
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def remembered(step: ExportStep, record: dict[str, Any]) -> dict[str, str]:
    found = {name: dig(record, path) for name, path in step.remember.items()}
    return {name: str(value) for name, value in found.items() if value is not None}


def answered_id_problem(plan: ExportPlan, step: ExportStep, record: dict[str, Any]) -> str | None:
    """Why an ID in Sage's answer to `step` must not be used, in plain words; None when every
    one may. Sage's answers are input too: the batch ID (read at `/v1/batches/{id}` until it is
    posted) and each remembered answer a path of the plan takes as a segment (an undo's record
    ID) must be a Sage code (domain/sage_codes.py), so "1001/../jobs" is refused where it
    arrives, before any path holds it (the activity's last check would refuse the call too, but
    only once the export had gone on)."""
    in_paths = {
        name
        for each in plan.steps
        for call in (each.call, each.undo)
        if call is not None
        for name in _PLACEHOLDER.findall(call.path)
    }
    ids = {name: value for name, value in remembered(step, record).items() if name in in_paths}
    if step.batch and (batch := dig(record, step.batch)) is not None:
        ids["batch ID"] = str(batch)
    for name, value in ids.items():
        problem = sage_code_problem(value)
        if problem is not None:
            return (
                f"Sage's answer to {step.name} holds a {name} this tool will not put in a Sage "
                f"path ({problem}); nothing was sent with it"
            )
    return None


def same_content(sent: dict[str, Any] | None, existing: dict[str, Any] | None) -> bool:
    """Does the record Sage already holds say everything we sent? (Then link, don't fail.)"""
    if sent is None or existing is None:
        return False

    def covers(ours: Any, theirs: Any) -> bool:
        if isinstance(ours, dict):
            return isinstance(theirs, dict) and all(
                covers(v, theirs.get(k)) for k, v in ours.items()
            )
        if isinstance(ours, list):
            return (
                isinstance(theirs, list)
                and len(ours) == len(theirs)
                and all(covers(a, b) for a, b in zip(ours, theirs, strict=True))
            )
        if isinstance(ours, int | float) and isinstance(theirs, int | float):
            return abs(float(ours) - float(theirs)) < 0.005
        return ours == theirs

    return covers(sent, existing)
