"""Project cost codes sent for acceptance, accepted (exported to the Sage job) or rejected;
and the default cost types an ERP user assigns to the company's standard cost codes.

The seeds' words this module follows (seeds/004, identical matrix in seeds/002):

- the permissions matrix: "Accept or Reject Cost Codes for Export to ERP" is an accounting
  approver's ("An Accounting Approver is a user with either 'Standard' or 'Admin' level
  permissions to the ERP Integrations tool who has been granted the 'Can Push to Accounting'
  privilege"); "Send, Retrieve, or Resend Items to ERP Integrations for Accounting
  Acceptance" needs "'Admin' level permissions on the tool where the item is located": a
  project's cost codes live in its Admin tool (Work Breakdown Structure);
- "Assign Default Cost Types To ERP Standard Cost Codes": Standard or Admin on the ERP
  Integrations tool (company level);
- "Project level cost codes must be added to the project from the Company level ERP Standard
  Cost Code List. New cost codes must be created in your ERP system, and cannot be created in
  Procore", and "If a cost code has been deactivated, you cannot add it to a project unless
  you reactivate it first": Sage refuses any other code at export (the mock's
  `cost_code_not_standard`), and a default is assigned only to an active standard code;
- "To be synced with Sage 300 CRE®, the compatible data in Procore must first be sent to the
  ERP Integrations tool for acceptance by an accounting approver. After acceptance, your
  Procore data is exported": a sent code reaches Sage only when accepted, once; a rejected
  one never (it may be sent again, as any rejected item may be re-sent).

The rules are ours where the seed is silent: a code the job already has with every asked
category is not sent (nothing to export); a cost code sent with no cost type takes its
standard code's default cost types at acceptance, and with neither it is refused (a cost
code without a category cannot carry a budget line or a commitment line in Sage); a
rejection needs a comment. Pure: the workflows hold the state and call Sage; this decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.cost_codes import JobCostCode, Pair, StandardCategory, StandardCostCode, pairs
from domain.items import BudgetLine
from domain.refusal import Refusal
from domain.sage_codes import sage_code_problem

MAX_CATEGORIES = 20
"""Cost types asked for one cost code at most (Sage 300 CRE® has a handful per company)."""

COMMENT_MAX = 2000
INACTIVE_RULE = (
    "If a cost code has been deactivated, you cannot add it to a project unless you reactivate "
    "it first."
)
"""seeds/004 COMPANY LEVEL work breakdown structure, Notes."""


class CostCodeRefused(Refusal):
    """A cost code command refused (the reason in its words)."""


class CostCodeState(StrEnum):
    """Where a project cost code sent to the ERP Integrations tool stands."""

    SENT = "sent"
    EXPORTED = "exported"
    """Accepted and added to the Sage job (one step: acceptance exports it)."""
    REJECTED = "rejected"


class SentCostCode(BaseModel):
    """A project cost code sent for acceptance, as the project's ErpProject holds it."""

    model_config = ConfigDict(frozen=True)

    code: str
    categories: list[str] = Field(
        default_factory=list, description="as sent; none: the standard code's default cost types"
    )
    state: CostCodeState = CostCodeState.SENT
    sends: int = Field(default=1, description="times sent: each sending is its own export")
    sent_by: str
    sent_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    comment: str | None = None
    exported_categories: list[str] = Field(
        default_factory=list, description="what the acceptance added to the Sage job"
    )


def check_code(code: object) -> str:
    """A cost code as given, or the refusal naming what a code may be."""
    problem = sage_code_problem(code if code is not None else "")
    if problem:
        raise CostCodeRefused(f"cost code: {problem}")
    assert isinstance(code, str)
    return code


def check_categories(categories: Iterable[object]) -> list[str]:
    """Cost types (Sage categories) as given, each once, in order; refused when one is not a
    Sage code or when there are too many."""
    out: list[str] = []
    for category in categories:
        problem = sage_code_problem(category)
        if problem:
            raise CostCodeRefused(f"cost type: {problem}")
        assert isinstance(category, str)
        if category not in out:
            out.append(category)
    if len(out) > MAX_CATEGORIES:
        raise CostCodeRefused(f"at most {MAX_CATEGORIES} cost types for one cost code")
    return out


def find(sent: Iterable[SentCostCode], code: str) -> SentCostCode | None:
    return next((entry for entry in sent if entry.code == code), None)


def check_send(
    sent: Iterable[SentCostCode],
    job_codes: Iterable[JobCostCode],
    code: str,
    categories: list[str],
) -> None:
    """Refuse a code waiting for acceptance already, and one the job has with every cost type
    asked (exported or made in Sage: nothing to send). A rejected one may be sent again."""
    held = find(sent, code)
    if held is not None and held.state is CostCodeState.SENT:
        raise CostCodeRefused(
            f"cost code {code} was sent by {held.sent_by} and waits for an accounting approver"
        )
    on_job = {entry.code: set(entry.categories) for entry in job_codes}
    if code in on_job and set(categories) <= on_job[code]:
        have = ", ".join(sorted(on_job[code])) or "no cost type"
        raise CostCodeRefused(
            f"cost code {code} is on the Sage job already ({have}): nothing to send"
        )


def sent_again(
    sent: list[SentCostCode], code: str, categories: list[str], actor: str, at: datetime
) -> list[SentCostCode]:
    """The list with `code` sent (again, if it was rejected)."""
    held = find(sent, code)
    entry = SentCostCode(
        code=code,
        categories=categories,
        sends=(held.sends + 1) if held else 1,
        sent_by=actor,
        sent_at=at,
    )
    return [*(e for e in sent if e.code != code), entry] if held else [*sent, entry]


def check_decision(sent: Iterable[SentCostCode], code: str, verb: str) -> SentCostCode:
    """The sent code an approver may accept or reject; refused in any other state."""
    held = find(sent, code)
    if held is None:
        raise CostCodeRefused(f"cost code {code} was not sent for acceptance: nothing to {verb}")
    if held.state is CostCodeState.EXPORTED:
        raise CostCodeRefused(
            f"cost code {code} was accepted by {held.decided_by} and exported already "
            f"({', '.join(held.exported_categories) or 'no cost type'}): nothing to {verb}"
        )
    if held.state is CostCodeState.REJECTED:
        raise CostCodeRefused(
            f"cost code {code} was rejected by {held.decided_by}: send it again first"
        )
    return held


def check_comment(comment: str | None) -> str:
    text = (comment or "").strip()
    if not text:
        raise CostCodeRefused("reject needs a comment saying why (--comment TEXT)")
    if len(text) > COMMENT_MAX:
        raise CostCodeRefused(f"the comment is longer than {COMMENT_MAX} characters")
    return text


def categories_to_export(held: SentCostCode, defaults: Mapping[str, list[str]]) -> list[str]:
    """The cost types sent, else the standard code's default cost types; refused with
    neither."""
    if held.categories:
        return list(held.categories)
    found = list(defaults.get(held.code, []))
    if not found:
        raise CostCodeRefused(
            f"cost code {held.code} was sent with no cost type and its standard cost code has "
            "no default cost types: assign them (starter.py cost-codes default-types) or reject "
            "it and send it again with --category"
        )
    return found


def export_body(code: str, categories: list[str]) -> dict[str, object]:
    """`POST /v1/jobs/{job}/cost_codes`: the one code with its cost types."""
    return {"cost_codes": [{"code": code, "description": "", "categories": categories}]}


def decided(
    sent: list[SentCostCode],
    code: str,
    state: CostCodeState,
    actor: str,
    at: datetime,
    *,
    comment: str | None = None,
    exported: list[str] | None = None,
) -> list[SentCostCode]:
    return [
        entry.model_copy(
            update={
                "state": state,
                "decided_by": actor,
                "decided_at": at,
                "comment": comment,
                "exported_categories": exported or [],
            }
        )
        if entry.code == code
        else entry
        for entry in sent
    ]


# --- default cost types (company level) ---


def check_default_types(
    standard_codes: Iterable[StandardCostCode],
    standard_categories: Iterable[StandardCategory],
    code: str,
    categories: list[str],
) -> None:
    """Default cost types go to an active code of the standard list the company holds, and
    each is a standard category; an empty list clears them."""
    codes = {entry.code: entry for entry in standard_codes}
    if not codes:
        raise CostCodeRefused(
            "no standard cost codes held yet: refresh them first "
            "(starter.py standard-cost-codes refresh --as USER)"
        )
    standard = codes.get(code)
    if standard is None:
        raise CostCodeRefused(
            f"cost code {code} is not on the standard cost code list. New cost codes must be "
            "created in your ERP system, and cannot be created in Procore."
        )
    if not standard.active:
        raise CostCodeRefused(f"standard cost code {code} is inactive. {INACTIVE_RULE}")
    known = {entry.category for entry in standard_categories}
    unknown = [category for category in categories if category not in known]
    if unknown:
        raise CostCodeRefused(
            f"cost type {', '.join(unknown)} is not a standard category "
            f"(known: {', '.join(sorted(known)) or 'none'})"
        )


def with_default_types(
    defaults: Mapping[str, list[str]], code: str, categories: list[str]
) -> dict[str, list[str]]:
    out = {key: list(value) for key, value in defaults.items() if key != code}
    if categories:
        out[code] = list(categories)
    return dict(sorted(out.items()))


def describe_defaults(code: str, categories: list[str]) -> str:
    if not categories:
        return f"default cost types of standard cost code {code} cleared"
    return f"default cost types of standard cost code {code}: {', '.join(categories)}"


# --- new combinations added to the budget (seeds/004 Configuration Settings) ---

AUTO_ADD_RULE = (
    "If the budget is unlocked, Procore will automatically import the Estimate amount found in "
    "Sage 300 CRE® to the Original Budget column. If the budget is locked, Procore will still "
    "add the line item for the new cost code/category combination, but will set the Original "
    "Budget column to $0"
)
"""seeds/004, 'Automatically add new cost code/cost type combinations ... to budgets'."""


def with_new_combinations(
    lines: Iterable[BudgetLine],
    job_codes: Iterable[JobCostCode],
    *,
    locked: bool,
    estimate: Mapping[Pair, Decimal] | None = None,
) -> tuple[list[BudgetLine], list[Pair]]:
    """The budget lines with one more for each cost code/category of the job that is no line
    yet (AUTO_ADD_RULE): unlocked, the amount Sage's estimate holds for it (none: $0); locked,
    $0. Returns the lines, sorted, and the combinations added."""
    held = list(lines)
    have = {(line.cost_code, line.category) for line in held}
    amounts = estimate or {}
    added = sorted(pairs(job_codes) - have)
    for code, category in added:
        amount = Decimal(0) if locked else amounts.get((code, category), Decimal(0))
        held.append(BudgetLine(cost_code=code, category=category, original_budget=amount))
    return sorted(held, key=lambda line: (line.cost_code, line.category)), added
