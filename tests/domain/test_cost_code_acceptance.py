"""domain/cost_code_acceptance.py and its permissions: project cost codes sent for acceptance,
accepted or rejected; default cost types of standard cost codes (seeds/004, seeds/002)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain import cost_code_acceptance as acc
from domain.cost_codes import JobCostCode, StandardCategory, StandardCostCode
from domain.items import BudgetLine, ItemTool
from domain.permissions import (
    ERP_ACTION_LEVELS,
    ErpAction,
    NotPermitted,
    authorize_cost_code_decision,
    authorize_cost_code_send,
    authorize_erp_action,
)
from domain.settings import ErpPermission, RosterUser

AT = datetime(2026, 12, 2, tzinfo=UTC)
ROSTER = {
    "pm.alex": RosterUser(tool_admin=frozenset({ItemTool.ADMIN})),
    "pm.cora": RosterUser(tool_admin=frozenset({ItemTool.COMMITMENTS})),
    "acct.ana": RosterUser(erp=ErpPermission.STANDARD, can_push_to_accounting=True),
    "acct.admin": RosterUser(erp=ErpPermission.ADMIN, can_push_to_accounting=True),
    "acct.sam": RosterUser(erp=ErpPermission.STANDARD),
    "viewer.vic": RosterUser(erp=ErpPermission.READ_ONLY, can_push_to_accounting=True),
}
WHERE = "project P-1001"


# --- permissions ---


def test_accept_or_reject_cost_codes_is_an_accounting_approvers():
    """seeds/004: "An Accounting Approver is a user with either 'Standard' or 'Admin' level
    permissions to the ERP Integrations tool who has been granted the 'Can Push to Accounting'
    privilege" (row "Accept or Reject Cost Codes for Export to ERP")."""
    for actor in ("acct.ana", "acct.admin"):
        for verb in ("accept", "reject"):
            authorize_cost_code_decision(ROSTER, actor, verb, WHERE)
    with pytest.raises(NotPermitted, match="the 'Can Push to Accounting' privilege"):
        authorize_cost_code_decision(ROSTER, "acct.sam", "accept", WHERE)
    with pytest.raises(NotPermitted, match=r"\(has Read Only\)$"):
        authorize_cost_code_decision(ROSTER, "viewer.vic", "reject", WHERE)
    with pytest.raises(NotPermitted, match="'mallory' is not on the roster of project P-1001"):
        authorize_cost_code_decision(ROSTER, "mallory", "accept", WHERE)


def test_sending_a_cost_code_needs_admin_on_the_admin_tool_and_no_erp_permission():
    """seeds/004: "These actions do NOT require permissions to the ERP Integrations tool";
    "Sending items to ERP for accounting acceptance requires 'Admin' level permissions on the
    tool where the item is located" (a project's cost codes: its Admin tool's WBS)."""
    authorize_cost_code_send(ROSTER, "pm.alex", WHERE)
    for actor in ("pm.cora", "acct.admin"):
        with pytest.raises(NotPermitted, match="needs Admin on the Admin tool"):
            authorize_cost_code_send(ROSTER, actor, WHERE)


def test_assign_default_cost_types_is_standard_or_admin():
    """seeds/004 matrix: "Assign Default Cost Types To ERP Standard Cost Codes" is checked
    under Standard and Admin."""
    assert ERP_ACTION_LEVELS[ErpAction.ASSIGN_DEFAULT_COST_TYPES] == {
        ErpPermission.STANDARD,
        ErpPermission.ADMIN,
    }
    authorize_erp_action(ROSTER, "acct.sam", ErpAction.ASSIGN_DEFAULT_COST_TYPES, WHERE)
    with pytest.raises(NotPermitted, match="needs Standard or Admin"):
        authorize_erp_action(ROSTER, "viewer.vic", ErpAction.ASSIGN_DEFAULT_COST_TYPES, WHERE)


# --- codes and cost types ---


@pytest.mark.parametrize(
    ("hostile", "words"),
    [
        ("", "can't be blank"),
        ("   ", "can't be blank"),
        ("../1001", "is not a Sage code"),
        ("07 100", "is not a Sage code"),
        ("07-100\n", "is not a Sage code"),
        ("０７-100", "is not a Sage code"),
        ("X" * 41, "is too long"),
        (None, "can't be blank"),
        (7, "must be text"),
    ],
)
def test_careless_codes_are_refused_naming_what_a_code_may_be(hostile, words):
    with pytest.raises(acc.CostCodeRefused, match=words):
        acc.check_code(hostile)


def test_cost_types_are_sage_codes_each_once_and_few():
    assert acc.check_categories(["L", "M", "L"]) == ["L", "M"]
    with pytest.raises(acc.CostCodeRefused, match="cost type:"):
        acc.check_categories(["L", "M/"])
    with pytest.raises(acc.CostCodeRefused, match="at most 20 cost types"):
        acc.check_categories([f"C{n}" for n in range(21)])


# --- send, accept, reject ---


def sent(code: str = "07-100", categories: list[str] | None = None) -> list[acc.SentCostCode]:
    return acc.sent_again([], code, categories or [], "pm.alex", AT)


def test_a_code_waiting_or_on_the_job_with_its_cost_types_is_not_sent():
    job = [JobCostCode(code="03-300", categories=["L", "M"])]
    acc.check_send([], job, "07-100", ["L"])
    acc.check_send([], job, "03-300", ["S"])  # a new cost type of a code the job has
    with pytest.raises(acc.CostCodeRefused, match="on the Sage job already \\(L, M\\)"):
        acc.check_send([], job, "03-300", ["L"])
    with pytest.raises(acc.CostCodeRefused, match="waits for an accounting approver"):
        acc.check_send(sent(), job, "07-100", ["L"])


def test_a_rejected_code_may_be_sent_again_as_a_new_sending():
    """seeds/004: data must "first be sent to the ERP Integrations tool for acceptance by an
    accounting approver. After acceptance, your Procore data is exported"; a rejected one is
    sent again like any rejected item."""
    rejected = acc.decided(
        sent(), "07-100", acc.CostCodeState.REJECTED, "acct.ana", AT, comment="no"
    )
    acc.check_send(rejected, [], "07-100", ["L"])
    with pytest.raises(acc.CostCodeRefused, match=r"rejected by acct\.ana: send it again first"):
        acc.check_decision(rejected, "07-100", "accept")
    again = acc.sent_again(rejected, "07-100", ["L"], "pm.alex", AT)
    [entry] = again
    assert (entry.state, entry.sends, entry.comment) == (acc.CostCodeState.SENT, 2, None)


def test_an_exported_code_is_never_accepted_or_rejected_again():
    exported = acc.decided(
        sent(), "07-100", acc.CostCodeState.EXPORTED, "acct.ana", AT, exported=["L"]
    )
    for verb in ("accept", "reject"):
        with pytest.raises(
            acc.CostCodeRefused, match=f"exported already \\(L\\): nothing to {verb}"
        ):
            acc.check_decision(exported, "07-100", verb)
    with pytest.raises(acc.CostCodeRefused, match="was not sent for acceptance"):
        acc.check_decision(exported, "08-100", "accept")


def test_a_rejection_needs_a_comment():
    for blank in (None, "", "   "):
        with pytest.raises(acc.CostCodeRefused, match="reject needs a comment"):
            acc.check_comment(blank)
    assert acc.check_comment("  wrong phase ") == "wrong phase"


def test_a_code_sent_with_no_cost_type_takes_its_standard_codes_defaults():
    [held] = sent()
    assert acc.categories_to_export(held, {"07-100": ["L", "S"]}) == ["L", "S"]
    [explicit] = sent(categories=["M"])
    assert acc.categories_to_export(explicit, {"07-100": ["L", "S"]}) == ["M"]
    with pytest.raises(acc.CostCodeRefused, match="has no default cost types"):
        acc.categories_to_export(held, {})
    assert acc.export_body("07-100", ["L"]) == {
        "cost_codes": [{"code": "07-100", "description": "", "categories": ["L"]}]
    }


# --- default cost types ---

CODES = [
    StandardCostCode(code="07-100", description="Roofing"),
    StandardCostCode(code="10-100", description="Specialties", active=False),
]
CATEGORIES = [StandardCategory(category="L"), StandardCategory(category="M")]


def test_defaults_go_to_active_standard_codes_with_standard_categories():
    """seeds/004: "Project level cost codes must be added to the project from the Company level
    ERP Standard Cost Code List. New cost codes must be created in your ERP system, and cannot
    be created in Procore"; "If a cost code has been deactivated, you cannot add it to a
    project unless you reactivate it first"."""
    acc.check_default_types(CODES, CATEGORIES, "07-100", ["L", "M"])
    acc.check_default_types(CODES, CATEGORIES, "07-100", [])  # clears them
    with pytest.raises(acc.CostCodeRefused, match="cannot be created in Procore"):
        acc.check_default_types(CODES, CATEGORIES, "99-999", ["L"])
    with pytest.raises(
        acc.CostCodeRefused, match=r"inactive\. If a cost code has been deactivated"
    ):
        acc.check_default_types(CODES, CATEGORIES, "10-100", ["L"])
    with pytest.raises(acc.CostCodeRefused, match="cost type S is not a standard category"):
        acc.check_default_types(CODES, CATEGORIES, "07-100", ["S"])
    with pytest.raises(acc.CostCodeRefused, match="refresh them first"):
        acc.check_default_types([], CATEGORIES, "07-100", ["L"])


def test_defaults_replace_and_clear():
    held = acc.with_default_types({}, "07-100", ["L"])
    held = acc.with_default_types(held, "01-100", ["M"])
    assert held == {"01-100": ["M"], "07-100": ["L"]}
    assert acc.with_default_types(held, "07-100", []) == {"01-100": ["M"]}
    assert (
        acc.describe_defaults("07-100", [])
        == "default cost types of standard cost code 07-100 cleared"
    )


def test_new_combinations_become_budget_lines_estimate_amount_unlocked_zero_locked():
    """seeds/004: "If the budget is unlocked, Procore will automatically import the Estimate
    amount found in Sage 300 CRE® to the Original Budget column. If the budget is locked,
    Procore will still add the line item for the new cost code/category combination, but will
    set the Original Budget column to $0"."""
    lines = [BudgetLine(cost_code="01-100", category="L", original_budget=Decimal(100))]
    job = [
        JobCostCode(code="01-100", categories=["L", "M"]),
        JobCostCode(code="03-300", categories=["S"]),
    ]
    amounts = {("01-100", "M"): Decimal(250), ("01-100", "L"): Decimal(999)}
    unlocked, added = acc.with_new_combinations(lines, job, locked=False, estimate=amounts)
    assert added == [("01-100", "M"), ("03-300", "S")]
    assert [(ln.cost_code, ln.category, ln.original_budget) for ln in unlocked] == [
        ("01-100", "L", 100),  # a line it had is left alone
        ("01-100", "M", 250),
        ("03-300", "S", 0),
    ]
    locked, _ = acc.with_new_combinations(lines, job, locked=True, estimate=amounts)
    assert [ln.original_budget for ln in locked] == [100, 0, 0]
    assert acc.with_new_combinations(unlocked, job, locked=False)[1] == []
