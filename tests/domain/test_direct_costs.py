"""domain/direct_costs.py against seeds/004 "Job Cost Transaction Details" and the permissions
matrix's "View an ERP Unsyncable Direct Costs Report"."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from domain.cost_codes import JobCostCode
from domain.direct_costs import (
    DirectCostSyncRefused,
    DirectCostType,
    SageCostTransaction,
    SageCostTransactions,
    authorize_direct_cost_view,
    direct_cost,
    direct_cost_table,
    require_enabled,
    sync_direct_costs,
    unsyncable_table,
)
from domain.items import ItemTool
from domain.permissions import NotPermitted
from domain.settings import ErpPermission, ProjectSettings, RosterUser
from tests.domain.builders import demo_settings

AT = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
CODES = [
    JobCostCode(code="01-100", categories=["L", "O"]),
    JobCostCode(code="03-300", categories=["S"]),
]


def transaction(transaction_id: str = "JCT-000001", **changes: Any) -> SageCostTransaction:
    body: dict[str, Any] = {
        "transaction_id": transaction_id,
        "cost_type": "PR",
        "cost_code": "01-100",
        "category": "L",
        "accounting_date": "2026-11-02",
        "description": "Superintendent payroll",
        "units": 60,
        "unit_cost": 70,
        "amount": 4200,
        **changes,
    }
    return SageCostTransaction.model_validate(body)


def answer(*transactions: SageCostTransaction, job_id: str = "1001") -> SageCostTransactions:
    return SageCostTransactions(job_id=job_id, as_of=AT, transactions=list(transactions))


def sync(held: Any, sage: SageCostTransactions, sub_jobs: tuple[str, ...] = (), at=AT) -> Any:
    return sync_direct_costs(
        held,
        sage,
        job_id="1001",
        project="P-1001",
        cost_codes=CODES,
        sub_jobs=sub_jobs,
        at=at,
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # seeds/004: "Direct Cost Type <- Cost Type"
        ({"cost_type": "AP", "invoice_id": "INV-1", "vendor_id": "V-1"}, "Invoice"),
        (
            {"cost_type": "AP", "commitment_id": "SC-0042", "invoice_id": "INV-1"},
            "Subcontractor Invoice",
        ),  # "AP Cost (with Commitment)"
        ({"cost_type": "PR"}, "Payroll"),
        ({"cost_type": "EQ"}, "Expense"),
        ({"cost_type": "IV"}, "Expense"),
        ({"cost_type": "JC"}, "Expense"),
        ({"cost_type": "AP"}, "Expense"),  # the seed's second AP Cost row: no invoice
    ],
)
def test_the_seed_type_rows(changes, expected):
    assert direct_cost(transaction(**changes), AT).type is DirectCostType(expected)


def test_the_seed_general_information_rows():
    ap = transaction(
        cost_type="AP", vendor_id="V-100", invoice_id="INV-001", description="Rebar", amount=9.5
    )
    cost = direct_cost(ap, AT)
    assert cost.item_date == date(2026, 11, 2)  # Item Date <- Accounting Date
    assert cost.status == "Approved"  # "Automatically set to Approved"
    assert cost.description == "Rebar"  # Description <- Description
    assert (cost.vendor, cost.invoice_number) == ("V-100", "INV-001")  # AP only
    assert (cost.qty, cost.unit_cost, cost.amount) == (60, 70, Decimal("9.5"))
    assert cost.sage_transaction == "JCT-000001"

    payroll = direct_cost(transaction(vendor_id="V-100", invoice_id="INV-001"), AT)
    # "Vendor (Only for transactions that originate from Accounts Payable)"
    assert (payroll.vendor, payroll.invoice_number) == (None, None)


def test_a_sync_run_again_never_adds_a_direct_cost_twice():
    first = sync(None, answer(transaction()))
    assert (first.added, len(first.direct_costs.costs)) == (1, 1)

    again = sync(first.direct_costs, answer(transaction(), transaction()), at=LATER)
    assert (again.added, again.updated, len(again.direct_costs.costs)) == (0, 0, 1)
    assert again.direct_costs.costs[0].synced_at == AT
    assert again.direct_costs.syncs == 2

    corrected = sync(again.direct_costs, answer(transaction(amount=4300)), at=LATER)
    assert (corrected.added, corrected.updated) == (0, 1)
    assert corrected.direct_costs.costs[0].amount == 4300
    assert corrected.direct_costs.costs[0].synced_at == AT

    gone = sync(corrected.direct_costs, answer(), at=LATER)
    assert len(gone.direct_costs.costs) == 1  # a synced cost is not taken back


def test_unsyncable_transactions_name_the_reason_and_the_fix():
    outcome = sync(
        None,
        answer(
            transaction("JCT-1", cost_code="16-100"),
            transaction("JCT-2", category="M"),
            transaction("JCT-3", extra_id="EW-1"),
            transaction("JCT-4"),
        ),
    )
    report = {u.sage_transaction: (u.reason, u.fix) for u in outcome.direct_costs.unsyncable}
    assert report["JCT-1"][0] == "cost code 16-100 is not in project P-1001"
    assert report["JCT-2"][0] == "category M of cost code 01-100 is not in project P-1001"
    assert report["JCT-3"] == (
        "sub job EW-1 (Sage extra EW-1) is not in project P-1001",
        "import it: starter.py sub-jobs import P-1001 EW-1 --as USER",
    )
    for _, fix in (report["JCT-1"], report["JCT-2"]):
        # seeds/004 footnote 6: "Project level cost codes must be added to the project from
        # the Company level ERP Standard Cost Code List"
        assert "starter.py cost-codes refresh P-1001" in fix
        assert "ERP Standard Cost Code List" in fix
    assert [c.sage_transaction for c in outcome.direct_costs.costs] == ["JCT-4"]

    fixed = sync(outcome.direct_costs, answer(transaction("JCT-3", extra_id="EW-1")), ("EW-1",))
    assert fixed.added == 1 and fixed.direct_costs.unsyncable == []
    assert fixed.describe().startswith("2 direct costs (1 new, 0 updated), 0 unsyncable")


def test_a_sync_without_cost_codes_or_for_another_job_is_refused():
    with pytest.raises(DirectCostSyncRefused, match="holds no cost codes yet"):
        sync_direct_costs(
            None, answer(), job_id="1001", project="P-1001", cost_codes=None, sub_jobs=(), at=AT
        )
    with pytest.raises(DirectCostSyncRefused, match="answered for job 2002, not job 1001"):
        sync(None, answer(job_id="2002"))


@pytest.mark.parametrize(
    "changes",
    [
        {"transaction_id": "../etc"},
        {"transaction_id": ""},
        {"cost_type": "XX"},
        {"amount": "NaN"},
        {"amount": "Infinity"},
        {"accounting_date": "2026-13-01"},
        {"description": "x" * 300},
        {"cost_code": "01 100\n"},
    ],
)
def test_a_hostile_sage_transaction_is_refused(changes):
    with pytest.raises(ValidationError):
        transaction(**changes)
    assert transaction().transaction_id == "JCT-000001"  # the next valid one is taken


def user(erp: str = "none", *tools: ItemTool) -> RosterUser:
    return RosterUser(erp=ErpPermission(erp), tool_admin=frozenset(tools))


def test_the_unsyncable_report_needs_budget_or_prime_contract_admin_not_erp():
    """seeds/004: "Users do NOT require permissions to the ERP Integrations tool to view this
    report. They do require ... 'Admin' level permission on the project's Budgets tool OR
    'Admin' level permission on the project's Prime Contract tool.\""""
    roster = {
        "pm.budget": user("none", ItemTool.BUDGET),
        "pm.prime": user("none", ItemTool.PRIME_CONTRACTS),
        "acct.admin": user("admin"),
        "pm.commit": user("standard", ItemTool.COMMITMENTS),
    }
    what = "view an ERP unsyncable direct costs report"
    for actor in ("pm.budget", "pm.prime"):
        authorize_direct_cost_view(roster, actor, what, "project P-1001")
    for actor in ("acct.admin", "pm.commit"):
        with pytest.raises(NotPermitted, match="needs Admin on the project's Budget tool"):
            authorize_direct_cost_view(roster, actor, what, "project P-1001")
    with pytest.raises(NotPermitted, match="'mallory' is not on the roster of project P-1001"):
        authorize_direct_cost_view(roster, "mallory", what, "project P-1001")


def test_the_tables_use_the_seed_column_names():
    outcome = sync(None, answer(transaction(), transaction("JCT-2", cost_code="16-100")))
    drawn = direct_cost_table("P-1001", outcome.direct_costs)
    assert drawn.headers[:3] == ["Item Date", "Type", "Status"]
    assert {"Vendor", "Invoice #", "Qty", "Unit Cost", "Amount"} <= set(drawn.headers)
    assert drawn.rows == [
        [
            "2026-11-02",
            "Payroll",
            "Approved",
            "01-100/L",
            "Superintendent payroll",
            "",
            "",
            "60",
            "70.00",
            "4,200.00",
            "JCT-000001",
        ]
    ]
    assert drawn.totals is not None and drawn.totals[-2] == "4,200.00"
    report = unsyncable_table("P-1001", outcome.direct_costs)
    assert report.headers[-2:] == ["Reason", "Fix"]
    assert report.rows[0][0] == "JCT-2" and "16-100" in report.rows[0][4]


def test_the_sync_must_be_enabled_on_the_project():
    """seeds/004 "Requirements for job cost transaction detail": "Enable job cost transaction
    syncing on your project in the project level Admin tool"."""
    assert ProjectSettings.model_fields["job_cost_transaction_sync"].default is False
    off = demo_settings().model_copy(update={"job_cost_transaction_sync": False})
    with pytest.raises(DirectCostSyncRefused, match="not enabled on project P-1001"):
        require_enabled(off)
    require_enabled(off.model_copy(update={"job_cost_transaction_sync": True}))
