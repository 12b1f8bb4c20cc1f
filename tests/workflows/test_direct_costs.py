"""ErpProject's `sync_direct_costs` on the time-skipping server, Sage faked behind the real
activity name: the Sage job's cost transactions synced into the project's Direct Costs (seeds/004
"Job Cost Transaction Details"; seeds/002 release note 08/11/2023), with the permissions matrix's
"Sync Job Cost Transactions from an Integrated ERP into Procore" level (Admin on ERP
Integrations) decided against the roster the workflow holds; a sync run again never adds a
direct cost twice; what the project cannot take waits in the unsyncable report until fixed."""

from __future__ import annotations

from typing import Any

from contract import erp_project as ep
from tests.workflows.test_erp_project import (
    ADMIN,
    APPROVER,
    PM,
    VIEWER,
    FakeSage,
    erp_project,
    job,
    refusal,
    update,
)
from tests.workflows.test_item_workflow import project
from tests.workflows.test_sub_job_import import extra

SYNC = ep.SYNC_DIRECT_COSTS_UPDATE
DETAILS_PATH = "/v1/jobs/1001/job_cost_transactions"


def detail(transaction_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "transaction_id": transaction_id,
        "cost_type": "PR",
        "cost_code": "01-100",
        "category": "1",
        "accounting_date": "2026-11-02",
        "description": "Superintendent payroll",
        "units": 60.0,
        "unit_cost": 70.0,
        "amount": 4200.0,
        **changes,
    }


def details(*transactions: dict[str, Any]) -> dict[str, Any]:
    return {"job_id": "1001", "as_of": "2026-11-22T02:00:00Z", "transactions": list(transactions)}


PAYROLL = detail("JCT-000001")
INVOICE = detail(
    "APT-000001-1",
    cost_type="AP",
    commitment_id="SC-0042",
    vendor_id="V-100",
    invoice_id="INV-001",
    cost_code="03-300",
    description="Footings",
    units=0.0,
    unit_cost=0.0,
    amount=5000.0,
)
NEW_CODE = detail("JCT-000002", cost_type="EQ", cost_code="16-100", description="Lift rental")
ON_EXTRA = detail("JCT-000003", cost_type="JC", extra_id="EW-1", description="East wing")


def sage(*transactions: dict[str, Any]) -> FakeSage:
    codes = extra()["cost_codes"]
    return FakeSage(
        erp="sage300",
        reads={
            "/v1/jobs/1001": job(job_id="1001", cost_codes=codes, linked_project="P-1001"),
            DETAILS_PATH: details(*transactions),
        },
        extras={"/v1/extras/1001/EW-1": extra()},
    )


def enabled() -> Any:
    """seeds/004: "Enable job cost transaction syncing on your project"."""
    return project().model_copy(update={"job_cost_transaction_sync": True})


def reads_of(fake: FakeSage) -> int:
    return sum(1 for _, path, _ in fake.calls if path == DETAILS_PATH)


async def test_an_admin_syncs_each_transaction_once_and_fixes_empty_the_report(time_skipping_env):
    fake = sage(PAYROLL, INVOICE, NEW_CODE, ON_EXTRA)
    async with erp_project(time_skipping_env, fake, enabled()) as handle:
        first = await refusal(handle, SYNC, actor=ADMIN)
        assert "project P-1001 holds no cost codes yet" in first
        assert "starter.py cost-codes refresh P-1001" in first
        await update(handle, "refresh_cost_codes", actor=ADMIN)

        record = await update(handle, SYNC, actor=ADMIN)
        assert record.direct_costs is not None
        costs = {c.sage_transaction: c for c in record.direct_costs.costs}
        assert sorted(costs) == ["APT-000001-1", "JCT-000001"]
        assert costs["JCT-000001"].type.value == "Payroll"
        assert costs["APT-000001-1"].type.value == "Subcontractor Invoice"
        assert (costs["APT-000001-1"].vendor, costs["APT-000001-1"].invoice_number) == (
            "V-100",
            "INV-001",
        )
        reasons = {u.sage_transaction: u.reason for u in record.direct_costs.unsyncable}
        assert reasons == {
            "JCT-000002": "cost code 16-100 is not in project P-1001",
            "JCT-000003": "sub job EW-1 (Sage extra EW-1) is not in project P-1001",
        }
        assert "2 direct costs (2 new, 0 updated), 2 unsyncable" in record.audit[-1].outcome

        again = await update(handle, SYNC, actor=ADMIN)  # re-running never duplicates
        assert again.direct_costs is not None
        assert len(again.direct_costs.costs) == 2 and again.direct_costs.syncs == 2
        assert "(0 new, 0 updated)" in again.audit[-1].outcome

        # the fixes: the sub job imported, the cost code added in Sage and refreshed
        await update(handle, ep.IMPORT_SUB_JOB_UPDATE, actor=ADMIN, extra_id="EW-1")
        codes = [*extra()["cost_codes"], {"code": "16-100", "categories": ["1"]}]
        fake.reads["/v1/jobs/1001"] = job(job_id="1001", cost_codes=codes, linked_project="P-1001")
        await update(handle, "refresh_cost_codes", actor=ADMIN)
        fixed = await update(handle, SYNC, actor=ADMIN)
        assert fixed.direct_costs is not None
        assert fixed.direct_costs.unsyncable == []
        assert [c.sage_transaction for c in fixed.direct_costs.costs].count("JCT-000001") == 1
        assert len(fixed.direct_costs.costs) == 4
        by_id = {c.sage_transaction: c for c in fixed.direct_costs.costs}
        assert by_id["JCT-000003"].sub_job == "EW-1"


async def test_refusals_come_from_the_held_roster_and_the_next_sync_works(time_skipping_env):
    fake = sage(PAYROLL)
    async with erp_project(time_skipping_env, fake, enabled()) as handle:
        await update(handle, "refresh_cost_codes", actor=ADMIN)
        for actor, words in (
            (PM, "pm.alex cannot sync job cost transactions from an integrated ERP into Procore"),
            (VIEWER, "needs Admin on the ERP Integrations tool (has Read Only)"),
            (APPROVER, "needs Admin on the ERP Integrations tool (has Standard)"),
            ("mallory", "'mallory' is not on the roster of project P-1001"),
        ):
            assert words in await refusal(handle, SYNC, actor=actor)
        assert reads_of(fake) == 0  # refused before Sage

        for hostile in (
            details(detail("../../etc")),
            details(detail("JCT-9", amount="NaN")),
            {"job_id": "1001", "transactions": "everything"},
            {**details(PAYROLL), "job_id": "2002"},
        ):
            fake.reads[DETAILS_PATH] = hostile
            words = await refusal(handle, SYNC, actor=ADMIN)
            assert "Sage answered something unexpected" in words or "not job 1001" in words
        fake.reads[DETAILS_PATH] = details(PAYROLL, PAYROLL)  # listed twice: synced once
        record = await update(handle, SYNC, actor=ADMIN)
        assert record.direct_costs is not None
        assert [c.sage_transaction for c in record.direct_costs.costs] == ["JCT-000001"]
        assert "refused" in record.audit[-2].outcome


async def test_a_project_that_did_not_enable_the_sync_is_refused(time_skipping_env):
    fake = sage(PAYROLL)
    off = project().model_copy(update={"job_cost_transaction_sync": False})
    async with erp_project(time_skipping_env, fake, off) as handle:
        await update(handle, "refresh_cost_codes", actor=ADMIN)
        words = await refusal(handle, SYNC, actor=ADMIN)
        assert "job cost transaction syncing is not enabled on project P-1001" in words
        assert reads_of(fake) == 0
