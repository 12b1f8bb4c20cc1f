"""ErpCompany's `import_insurance` on the time-skipping server, Sage faked: a synced company's
insurance from its vendor's AP Vendor Insurance (seeds/004 "Company Insurance")."""

from __future__ import annotations

from typing import Any

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from contract.erp_company import IMPORT_INSURANCE_UPDATE
from runtime.sandbox import RUNNER
from tests.workflows.link_makers import linked_by
from tests.workflows.test_erp_company import (
    ADMIN,
    READER,
    STANDARD,
    FakeSage,
    account,
    company_workflow,
    refusal,
    settings,
    status,
    update,
)
from workflows.erp_company import ErpCompany

IMPORT = IMPORT_INSURANCE_UPDATE


def policy(kind: str, number: str, vendor: str = "V-100", **more: Any) -> dict[str, Any]:
    return {
        "vendor_id": vendor,
        "level": "global",
        "job_id": None,
        "insurance_type": kind,
        "policy_number": number,
        "insurance_company": "Golden State Mutual",
        "limit": 2_000_000.0,
        "effective_date": "2026-01-01",
        "expiration_date": "2026-12-31",
        **more,
    }


def insured_sage() -> FakeSage:
    sage = FakeSage()
    sage.insurance["V-100"] = [
        policy("General Liability", "GL-2026-0042"),
        policy("Builders Risk", "BR-1"),
        policy("General Liability", "GL-1001-X", level="job", job_id="1001"),
    ]
    return sage


async def test_refusals_permission_setting_unlinked_and_careless_ids(time_skipping_env):
    sage = insured_sage()
    async with company_workflow(time_skipping_env, sage) as handle:
        await update(handle, "refresh_vendors")
        message = await refusal(handle, IMPORT, vendor_id="V-100")
        assert "'Vendor Insurance Sync' is an optional setting ERP Support enables" in message
        await settings(handle, ADMIN, account(vendor_insurance_sync=True))
        before = await status(handle)
        for actor in (STANDARD, READER):
            message = await refusal(handle, IMPORT, actor, vendor_id="V-100")
            assert f"{actor} cannot refresh the companies list for ERP: needs Admin" in message
        assert "not on the roster" in await refusal(handle, IMPORT, "mallory", vendor_id="V-100")
        message = await refusal(handle, IMPORT, vendor_id="V-200")
        assert "vendor V-200 is not linked to a Procore company" in message
        assert "starter.py vendors link V-200 COMPANY --as USER" in message
        for careless in ("../V-100", " ", "V" * 41, None):
            message = await refusal(handle, IMPORT, vendor_id=careless)
            assert "the Sage vendor ID" in message
        after = await status(handle)
        assert after.insurance == {} and len(after.audit) == len(before.audit)
        assert not any(path.endswith("/insurance") for path in sage.paths)
        # the next valid command works
        record = await update(handle, IMPORT, vendor_id="V-100")
        assert list(record.insurance) == ["C-ACME"]


async def test_import_then_reimport_refreshes_without_duplicates(time_skipping_env):
    sage = insured_sage()
    async with company_workflow(time_skipping_env, sage, vendor_insurance_sync=True) as handle:
        await update(handle, "refresh_vendors")
        record = await update(handle, IMPORT, vendor_id="V-100")
        held = record.insurance["C-ACME"]
        assert [(p.type, p.policy_number, p.insurance_provider) for p in held.policies] == [
            ("General Liability", "GL-2026-0042", "Golden State Mutual")
        ]
        assert held.policies[0].limit_amount == 2_000_000.0
        assert str(held.policies[0].expiration_date) == "2026-12-31"
        assert held.left_out == [
            "Builders Risk: not a Sage 300 CRE® default type",
            "General Liability of job 1001: not Global Level",
        ]
        assert record.audit[-1].action == "import insurance V-100"
        assert "1 policies (General Liability)" in record.audit[-1].outcome

        sage.insurance["V-100"] = [
            policy("General Liability", "GL-2027-0001"),
            policy("Automobile", "AU-7781"),
        ]
        record = await update(handle, IMPORT, vendor_id="V-100")
        held = record.insurance["C-ACME"]
        assert [(p.type, p.policy_number) for p in held.policies] == [
            ("General Liability", "GL-2027-0001"),
            ("Automobile", "AU-7781"),
        ]
        assert held.left_out == []
        assert record.audit[-1].outcome.endswith(
            "2 policies, added Automobile; updated General Liability"
        )
        record = await update(handle, IMPORT, vendor_id="V-100")
        assert len(record.insurance["C-ACME"].policies) == 2
        assert record.audit[-1].outcome.endswith("2 policies, no change")
        replayer = Replayer(
            workflows=[ErpCompany],
            data_converter=pydantic_data_converter,
            workflow_runner=RUNNER,
        )
        await replayer.replay_workflow(await handle.fetch_history())


async def test_a_company_exported_as_the_vendor_is_synced_too(time_skipping_env):
    sage = insured_sage()
    sage.insurance["V-500"] = [policy("Umbrella", "UMB-9", vendor="V-500")]
    async with company_workflow(time_skipping_env, sage, vendor_insurance_sync=True) as handle:
        link = {"kind": "vendor", "procore": "C-NEW", "sage_id": "V-500"}
        await linked_by(time_skipping_env.client, handle, "company:C-NEW", "P-1001", link)
        record = await update(handle, IMPORT, vendor_id="V-500")
        assert [p.policy_number for p in record.insurance["C-NEW"].policies] == ["UMB-9"]


async def test_an_answer_sage_garbles_is_a_refusal_and_the_workflow_lives_on(time_skipping_env):
    sage = insured_sage()
    sage.insurance["V-100"] = [{"vendor_id": "V-100", "insurance_type": ""}]
    async with company_workflow(time_skipping_env, sage, vendor_insurance_sync=True) as handle:
        await update(handle, "refresh_vendors")
        message = await refusal(handle, IMPORT, vendor_id="V-100")
        assert "Sage answered something unexpected" in message
        sage.insurance["V-100"] = [policy("Umbrella", "U-1", vendor="V-200")]
        assert "not of vendor V-100" in await refusal(handle, IMPORT, vendor_id="V-100")
        sage.down = True
        assert "Sage is down" in await refusal(handle, IMPORT, vendor_id="V-100")
        sage.down = False
        sage.insurance["V-100"] = [policy("Umbrella", "U-1")]
        record = await update(handle, IMPORT, vendor_id="V-100")
        assert [p.type for p in record.insurance["C-ACME"].policies] == ["Umbrella"]
        assert [line.outcome.startswith("refused") for line in record.audit[-4:]] == [
            True,
            True,
            True,
            False,
        ]


async def test_sage_100_has_no_company_insurance(time_skipping_env):
    sage = FakeSage()
    async with company_workflow(
        time_skipping_env, sage, company="S100", vendor_insurance_sync=True
    ) as handle:
        message = await refusal(handle, IMPORT, vendor_id="S-10")
        assert "Sage 100 Contractor®, which cannot import a vendor's insurance" in message
