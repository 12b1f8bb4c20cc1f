"""A Sage job's budget imported into the project's Procore budget (domain/budget_import.py),
rule by rule with the seed lines it follows (seeds/002, seeds/004)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from domain import links
from domain.budget_import import (
    BudgetImportRefused,
    SageJobEstimate,
    budget_from_sage,
    check_import,
    describe,
    import_link,
)
from domain.exports.budget import IMPORTED_BUDGET
from domain.items import parse_item
from domain.links import Link, LinkKind, LinkOrigin, LinkRegistry
from domain.permissions import ErpAction, NotPermitted, authorize_erp_action
from domain.settings import RosterUser, parse_projects

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 12, 2, tzinfo=UTC)


def answer(estimate_id: str = "EST-000001", posted: bool = True, **changes: Any):
    estimate = {
        "estimate_id": estimate_id,
        "job_id": "1001",
        "lines": [
            {"cost_code": "03-300", "category": "S", "original_estimate": 125000.0},
            {"cost_code": "01-100", "category": "L", "original_estimate": 185000.0},
        ],
        "batch_id": "B-000001",
        "posted": posted,
        **changes,
    }
    return SageJobEstimate.model_validate({"job_id": "1001", "estimate": estimate})


def test_the_mapping_table_original_budget_is_the_original_estimate():
    """seeds/004 "Budgets" mapping: Original Budget <-> Original Estimate, Cost Code <-> Cost
    Code, Category <-> Category (amounts only: "UOM / unit qty" are not synced)."""
    budget = budget_from_sage(answer(), "1001", "acct.ana", AT)
    assert [(ln.cost_code, ln.category, ln.original_budget, ln.uom) for ln in budget.lines] == [
        ("01-100", "L", Decimal("185000.0"), None),
        ("03-300", "S", Decimal("125000.0"), None),
    ]
    assert (budget.job_id, budget.estimate_id, budget.imports) == ("1001", "EST-000001", 1)
    assert describe(budget, "P-1001") == (
        "budget of project P-1001 imported from estimate EST-000001 of Sage job 1001: "
        "2 lines, $310,000.00"
    )


def test_a_second_import_refreshes_the_lines_never_a_second_budget():
    """seeds/004 BUDGET: "Budget data can also be imported from Sage 300 CRE® into Procore.
    Budgets can be refreshed by doing a Cost Code refresh"."""
    first = budget_from_sage(answer(), "1001", "acct.ana", AT)
    registry = import_link(LinkRegistry(), first)
    changed = answer(
        "EST-000002",
        lines=[{"cost_code": "01-100", "category": "L", "original_estimate": 190000.0}],
    )
    second = budget_from_sage(changed, "1001", "acct.admin", AT, held=first)
    registry = import_link(registry, second)
    assert [(ln.cost_code, ln.original_budget) for ln in second.lines] == [
        ("01-100", Decimal("190000.0"))
    ]
    assert second.imports == 2 and "refreshed (import 2)" in describe(second, "P-1001")
    assert [(ln.procore, ln.sage_id, ln.origin) for ln in registry.links] == [
        (IMPORTED_BUDGET, "EST-000002", LinkOrigin.IMPORTED)
    ]
    assert import_link(registry, second) == registry  # the same estimate again: no change


def test_a_line_sage_lists_twice_is_one_budget_line():
    twice = answer(
        lines=[
            {"cost_code": "01-100", "category": "L", "original_estimate": 100.0},
            {"cost_code": "01-100", "category": "L", "original_estimate": 50.0},
        ]
    )
    [line] = budget_from_sage(twice, "1001", "acct.ana", AT).lines
    assert line.original_budget == Decimal("150.0")


def test_a_budget_exported_from_procore_is_never_imported():
    """seeds/004 BUDGET restrictions: "After exporting a Procore budget to Sage 300 CRE® ...
    You no longer be permitted to import Sage 300 CRE® budget or job data into Procore." """
    for origin in (LinkOrigin.EXPORTED, LinkOrigin.LINKED):
        exported = LinkRegistry(
            links=[
                Link(
                    kind=LinkKind.BUDGET, procore="BUD-1001", sage_id="EST-1", origin=origin, at=AT
                )
            ]
        )
        with pytest.raises(BudgetImportRefused, match="you no longer be permitted to import"):
            check_import(exported, "P-1001")
    imported = import_link(LinkRegistry(), budget_from_sage(answer(), "1001", "a", AT))
    check_import(imported, "P-1001")  # an imported budget may be imported again (refreshed)


def test_an_imported_budget_is_never_exported():
    """seeds/002 Set Up and Manage a Budget: "you must always set up the budget in one system
    and then import or export it to the other. You cannot create a budget in both systems and
    then sync the budgets a later time. Once it is set up as desired, updates to the budget
    must be managed in the system in which it was created." """
    registry = import_link(LinkRegistry(), budget_from_sage(answer(), "1001", "a", AT))
    projects = parse_projects((ROOT / "examples" / "projects.json").read_text(encoding="utf-8"))
    item = parse_item(json.loads((ROOT / "examples/items/budget-BUD-1001.json").read_text()))
    found = links.resolve(item, projects.projects["P-1001"], registry.sage_id)
    assert not found.ok
    assert "imported from Sage (estimate EST-000001)" in found.broken[0]
    assert (
        "updates to the budget must be managed in the system in which it was created"
        in (found.broken[0])
    )
    assert links.resolve(item, projects.projects["P-1001"], LinkRegistry().sage_id).ok


@pytest.mark.parametrize(
    ("sage", "words"),
    [
        ({"job_id": "1001", "estimate": None}, "holds no budget"),
        (answer(lines=[]), "holds no budget"),
        (answer(posted=False), "waits in batch B-000001 to be posted in Sage"),
        (answer(job_id="2002"), "estimate EST-000001 of job 2002, not of job 1001"),
        ({"job_id": "2002", "estimate": None}, "answered for job 2002, not job 1001"),
    ],
)
def test_no_posted_budget_for_this_job_in_sage_is_refused(sage, words):
    given = sage if isinstance(sage, SageJobEstimate) else SageJobEstimate.model_validate(sage)
    with pytest.raises(BudgetImportRefused, match=words):
        budget_from_sage(given, "1001", "acct.ana", AT)


@pytest.mark.parametrize(
    "hostile",
    [
        {"job_id": "../1001", "estimate": None},
        {"job_id": "1001", "estimate": {"estimate_id": "x/../y", "job_id": "1001"}},
        {"job_id": "1001", "estimate": {"estimate_id": "E1", "job_id": "1001", "lines": "no"}},
        {"job_id": "1001", "estimate": {"estimate_id": "E1", "job_id": "1001", "lines": [{}]}},
    ],
)
def test_a_careless_sage_answer_is_refused_before_any_line(hostile):
    with pytest.raises(ValidationError):
        SageJobEstimate.model_validate(hostile)


def test_the_matrix_level_standard_or_admin_on_erp_integrations():
    """seeds/004 permissions matrix: "Import a Budget from ERP", checked for Standard and Admin."""
    roster = {
        name: RosterUser.model_validate({"erp": level})
        for name, level in (("ana", "standard"), ("adam", "admin"), ("vic", "read_only"))
    }
    for user in ("ana", "adam"):
        authorize_erp_action(roster, user, ErpAction.IMPORT_BUDGET, "project P-1001")
    with pytest.raises(NotPermitted, match=r"needs Standard or Admin .* \(has Read Only\)"):
        authorize_erp_action(roster, "vic", ErpAction.IMPORT_BUDGET, "project P-1001")
