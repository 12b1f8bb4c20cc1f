"""The ErpCompany workflow on the time-skipping server, with a fake Sage answering the vendor
and standard cost code lists of each company."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contract.sage import SAGE_CALL_ACTIVITY, SageAnswer, SageFailure, SageRequest
from domain.company_account import AccountRequest, CompanyAccount, parse_company_account
from runtime.sandbox import RUNNER
from tests.workflows.link_makers import LinkMaker, verify_activity
from workflows.erp_company import CompanyRecord, CompanyRequest, CompanyStart, ErpCompany

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ADMIN, STANDARD, READER = "acct.admin", "acct.ana", "viewer.vic"


def vendor(
    vendor_id: str, name: str, address: str = "", city: str = "", zip_code: str = "", **more
):
    return {
        "vendor_id": vendor_id,
        "name": name,
        "status": "active",
        "address": address,
        "city": city,
        "state": "CA",
        "zip": zip_code,
        "telephone": "",
        "fax": "",
        **more,
    }


class FakeSage:
    """GET /v1/vendors, /v1/standard_cost_codes, /v1/standard_categories of each company."""

    def __init__(self) -> None:
        self.vendors: dict[str, list[dict[str, Any]]] = {
            "CRE": [
                vendor(
                    "V-100",
                    "ACME Concrete",
                    "1 Cement Way",
                    "Riverside",
                    "92501",
                    telephone="951-555-0100",
                ),
                vendor("V-200", "Bright Electric", "77 Volt St", "Riverside", "92503"),
                vendor("V-300", "Steel Works Inc", "5 Forge Rd", "Corona", "92880"),
                vendor("V-900", "Defunct Drywall LLC", status="inactive"),
            ],
            "S100": [
                vendor("S-10", "Granite Masonry Co", "88 Quarry Rd", "Fresno", "93706"),
                vendor("S-20", "Pacific Plumbing", "410 Harbor Blvd", "Oakland", "94607"),
                vendor("S-30", "Summit Roofing", "12 Ridge Way", "Fresno", "93711"),
                vendor("S-31", "Summit Roofing", "900 Valley Ave", "Visalia", "93277"),
            ],
        }
        self.codes: dict[str, list[dict[str, Any]]] = {
            "CRE": [
                {"code": "01-100", "description": "General Conditions", "active": True},
                {"code": "10-100", "description": "Specialties", "active": False},
            ],
            "S100": [{"code": "02-000", "description": "Site Work", "active": True}],
        }
        self.categories: dict[str, list[dict[str, Any]]] = {
            "CRE": [{"category": "L", "description": "Labor"}],
            "S100": [{"category": "1", "description": "Material"}],
        }
        self.insurance: dict[str, list[dict[str, Any]]] = {"V-100": [], "V-200": []}
        """GET /v1/vendors/{vendor}/insurance (tests/workflows/test_company_insurance.py)."""
        self.companies: list[str | None] = []
        self.paths: list[str] = []
        self.down = False

    def change_vendor(self, company: str, vendor_id: str, **changes: str) -> None:
        for entry in self.vendors[company]:
            if entry["vendor_id"] == vendor_id:
                entry.update(changes)

    def activities(self) -> list[Any]:
        @activity.defn(name=SAGE_CALL_ACTIVITY)
        async def call(request: SageRequest) -> SageAnswer:
            company = request.call.company or "CRE"
            self.companies.append(request.call.company)
            if self.down:
                failure = SageFailure(status=503, code="maintenance", message="Sage is down.")
                raise ApplicationError(
                    failure.message, failure.model_dump(), type=failure.code, non_retryable=True
                )
            self.paths.append(request.call.path)
            lists = {
                "/v1/vendors": self.vendors,
                "/v1/standard_cost_codes": self.codes,
                "/v1/standard_categories": self.categories,
            }
            vendor = request.call.path.removeprefix("/v1/vendors/").removesuffix("/insurance")
            if request.call.path.endswith("/insurance"):
                answer = [dict(entry) for entry in self.insurance[vendor]]
            else:
                answer = [dict(entry) for entry in lists[request.call.path][company]]
            return SageAnswer(status=200, body={"value": answer})

        return [call]


def account(**changes: Any) -> CompanyAccount:
    found = parse_company_account((EXAMPLES / "company.json").read_text())
    return found.model_copy(update=changes)


@asynccontextmanager
async def company_workflow(
    env: WorkflowEnvironment, sage: FakeSage, company: str = "CRE", **changes: Any
) -> AsyncIterator[WorkflowHandle[Any, Any]]:
    queue = f"company-{uuid.uuid4()}"
    async with (
        Worker(
            env.client,
            task_queue=queue,
            workflows=[ErpCompany, LinkMaker],
            activities=[verify_activity(env.client, queue)],
            workflow_runner=RUNNER,
        ),
        Worker(env.client, task_queue=f"{queue}-sage", activities=sage.activities()),
    ):
        handle = await env.client.start_workflow(
            ErpCompany.run,
            CompanyStart(sage_company=company, account=account(**changes)),
            id=f"erp_company:{company}:{uuid.uuid4().hex[:6]}",
            task_queue=queue,
        )
        try:
            yield handle
        finally:
            with contextlib.suppress(RPCError):
                await handle.terminate("test finished")


async def update(handle: WorkflowHandle[Any, Any], name: str, actor: str = ADMIN, **fields):
    request = CompanyRequest(actor=actor, **fields)
    return await handle.execute_update(name, request, result_type=CompanyRecord)


async def refusal(handle: WorkflowHandle[Any, Any], name: str, actor: str = ADMIN, **fields):
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await update(handle, name, actor, **fields)
    return str(failed.value.cause)


async def status(handle: WorkflowHandle[Any, Any]) -> CompanyRecord:
    return await handle.query("status", result_type=CompanyRecord)


async def settings(handle: WorkflowHandle[Any, Any], actor: str, new: CompanyAccount):
    request = AccountRequest(actor=actor, account=new)
    return await handle.execute_update("settings", request, result_type=CompanyRecord)


async def settings_refusal(handle: WorkflowHandle[Any, Any], actor: str, new: CompanyAccount):
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await settings(handle, actor, new)
    return str(failed.value.cause)


async def wait_for(handle: WorkflowHandle[Any, Any], done: Any) -> CompanyRecord:
    for _ in range(200):
        record = await status(handle)
        if done(record):
            return record
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {record.audit}")


def states(record: CompanyRecord) -> dict[str, str]:
    return {row.vendor_id: row.state.value for row in record.vendors}


async def test_refresh_links_exact_matches_and_lists_the_rest(time_skipping_env):
    sage = FakeSage()
    async with company_workflow(time_skipping_env, sage) as handle:
        record = await update(handle, "refresh_vendors")
    assert states(record) == {
        "V-100": "linked",
        "V-200": "review",
        "V-300": "none",
        "V-900": "inactive",
    }
    assert record.directory.links == {"V-100": "C-ACME"}
    review = {row.vendor_id: row for row in record.vendors}["V-200"]
    assert review.candidates == ["C-BRIGHT"] and "another address" in review.reason
    assert record.last_report is not None and record.last_report.linked == {"V-100": "C-ACME"}
    assert record.erp == "sage300" and sage.companies == ["CRE"]
    assert "linked V-100 to company C-ACME" in record.audit[-1].outcome


async def test_two_vendors_with_one_name_are_left_for_review_on_sage_100(time_skipping_env):
    sage = FakeSage()
    async with company_workflow(time_skipping_env, sage, company="S100") as handle:
        record = await update(handle, "refresh_vendors")
        assert states(record) == {
            "S-10": "linked",
            "S-20": "none",
            "S-30": "review",
            "S-31": "review",
        }
        assert record.directory.links == {"S-10": "C-GRANITE"}
        assert sage.companies == ["S100"]
        # a person decides which Summit Roofing is the company
        record = await update(handle, "link", vendor_id="S-31", company_id="C-SUMMIT")
        assert record.directory.links["S-31"] == "C-SUMMIT"
        assert "another address" not in str(states(record))
        # the other one is a different business: import it as its own company
        message = await refusal(handle, "import_vendor", vendor_id="S-30")
        assert "may already be in the directory" in message
        record = await update(handle, "archive", vendor_id="S-30")
        assert states(record)["S-30"] == "archived"
        record = await update(handle, "import_vendor", STANDARD, vendor_id="S-20")
        assert record.directory.links["S-20"] == "C-S-20"
        assert record.directory.companies["C-S-20"].address == "410 Harbor Blvd"


async def test_link_unlink_archive_import_refusals_change_nothing(time_skipping_env):
    sage = FakeSage()
    async with company_workflow(time_skipping_env, sage) as handle:
        message = await refusal(handle, "link", vendor_id="V-200", company_id="C-BRIGHT")
        assert "not among the vendors last read from Sage; refresh the vendor list first" in message
        before = await update(handle, "refresh_vendors")
        assert "already linked to vendor V-100" in await refusal(
            handle, "link", vendor_id="V-200", company_id="C-ACME"
        )
        assert "is not in the company directory" in await refusal(
            handle, "link", vendor_id="V-200", company_id="C-NOPE"
        )
        assert "inactive in Sage" in await refusal(
            handle, "link", vendor_id="V-900", company_id="C-HARBOR"
        )
        assert "not linked to any company" in await refusal(handle, "unlink", vendor_id="V-200")
        assert "unlink it before archiving it" in await refusal(
            handle, "archive", vendor_id="V-100"
        )
        assert "is not archived" in await refusal(handle, "unarchive", vendor_id="V-300")
        assert "link it instead" in await refusal(handle, "import_vendor", vendor_id="V-200")
        assert "needs the Procore company ID" in await refusal(handle, "link", vendor_id="V-200")
        after = await status(handle)
        assert after.directory == before.directory and len(after.audit) == len(before.audit)

        record = await update(handle, "link", vendor_id="V-200", company_id="C-BRIGHT")
        assert states(record)["V-200"] == "linked"
        record = await update(handle, "unlink", STANDARD, vendor_id="V-200")
        assert states(record)["V-200"] == "review"
        record = await update(handle, "archive", STANDARD, vendor_id="V-200")
        assert states(record)["V-200"] == "archived"
        assert "archived; unarchive it first" in await refusal(
            handle, "link", vendor_id="V-200", company_id="C-BRIGHT"
        )
        record = await update(handle, "unarchive", STANDARD, vendor_id="V-200")
        record = await update(
            handle, "import_vendor", STANDARD, vendor_id="V-300", company_id="C-STEEL"
        )
        assert record.directory.companies["C-STEEL"].name == "Steel Works Inc"
        assert [line.action for line in record.audit[-5:]] == [
            "link V-200",
            "unlink V-200",
            "archive V-200",
            "unarchive V-200",
            "import V-300",
        ]


async def test_permissions_follow_the_company_roster(time_skipping_env):
    sage = FakeSage()
    async with company_workflow(time_skipping_env, sage) as handle:
        message = await refusal(handle, "refresh_vendors", STANDARD)
        assert "acct.ana cannot refresh the companies list for ERP: needs Admin" in message
        assert "not on the roster of company account Demo Builders" in await refusal(
            handle, "refresh_vendors", "mallory"
        )
        assert sage.companies == []
        await update(handle, "refresh_vendors")
        assert "needs Admin" in await refusal(
            handle, "link", STANDARD, vendor_id="V-200", company_id="C-BRIGHT"
        )
        message = await refusal(handle, "archive", READER, vendor_id="V-300")
        assert "viewer.vic cannot archive an ERP company in Procore" in message
        assert "needs Admin" in await refusal(handle, "refresh_standard_cost_codes", STANDARD)
        # an account carried by a request is no authority: acct.ana "promotes" herself
        promoted = account().model_copy(
            update={"roster": {**account().roster, STANDARD: account().roster[ADMIN]}}
        )
        message = await refusal(
            handle, "link", STANDARD, vendor_id="V-200", company_id="C-BRIGHT", account=promoted
        )
        assert "acct.ana cannot link ERP companies to Procore companies: needs Admin" in message
        held = await status(handle)
        assert held.account.roster[STANDARD].erp.value == "standard"
        assert "V-200" not in held.directory.links
        # nor through the one path for a new account: she is not an ERP Admin of the held one
        message = await settings_refusal(handle, STANDARD, promoted)
        assert "acct.ana cannot configure advanced settings: ERP integrations" in message
        assert (await status(handle)).account.roster[STANDARD].erp.value == "standard"
        # an ERP Admin of the held account promotes her: from now on she may link
        record = await settings(handle, ADMIN, promoted)
        assert record.account.roster[STANDARD].erp.value == "admin"
        assert record.audit[-1].action == "settings" and "roster" in record.audit[-1].outcome
        record = await update(handle, "link", STANDARD, vendor_id="V-200", company_id="C-BRIGHT")
        assert record.directory.links["V-200"] == "C-BRIGHT"


async def test_a_new_account_keeps_an_erp_admin_and_this_company(time_skipping_env):
    async with company_workflow(time_skipping_env, FakeSage()) as handle:
        nobody = account().model_copy(
            update={
                "roster": {name: user for name, user in account().roster.items() if name != ADMIN}
            }
        )
        assert "the new roster has no ERP Admin" in await settings_refusal(handle, ADMIN, nobody)
        other = account().model_copy(update={"sage_companies": {"S100": "sage100"}})
        assert "'CRE' is not in the account's sage_companies" in await settings_refusal(
            handle, ADMIN, other
        )


async def test_sync_signal_names_a_checked_actor_and_refusals_never_fail_the_workflow(
    time_skipping_env,
):
    sage = FakeSage()
    async with company_workflow(time_skipping_env, sage) as handle:
        hostile = [
            (),  # no payload
            ("schedule",),  # the old bare string: names nobody now
            ({"actor": READER},),  # a read-only user
            ({"actor": "mallory"},),  # not on the roster
            ({"actor": ADMIN, "extra": 1},),
            ({"actor": ADMIN, "signature": {"timestamp": "2026-01-01T00:00:00", "nonce": "x"}},),
            ({"actor": "x" * 5000},),
        ]
        for payload in hostile:
            await handle.signal("sync", args=list(payload))
        record = await wait_for(handle, lambda r: len(r.audit) >= len(hostile))
        assert [line.action for line in record.audit] == ["sync"] * len(hostile)
        assert all(line.outcome.startswith("refused: ") for line in record.audit)
        assert record.audit[2].actor == READER and "needs Admin" in record.audit[2].outcome
        assert "not on the roster" in record.audit[3].outcome
        assert {line.actor for line in record.audit} <= {"unknown", READER, "mallory", ADMIN}
        assert sage.companies == []  # nothing refused spent Sage quota
        # the workflow still answers the next valid command
        await handle.signal("sync", {"actor": ADMIN})
        record = await wait_for(handle, lambda r: len(r.standard_cost_codes) == 2)
        assert record.audit[-1].actor == ADMIN and not record.audit[-1].outcome.startswith("ref")
        # and a settings signal (the UI's Send Signal) is checked the same way
        promoted = account().model_copy(
            update={"roster": {**account().roster, READER: account().roster[ADMIN]}}
        )
        request = AccountRequest(actor=READER, account=promoted)
        await handle.signal("settings", request.model_dump(mode="json"))
        record = await wait_for(handle, lambda r: r.audit[-1].action == "settings")
        assert record.audit[-1].outcome.startswith("refused: ")
        assert record.account.roster[READER].erp.value == "read_only"
        description = await handle.describe()
    assert description.status is not None and description.status.name == "RUNNING"


async def test_address_changes_follow_only_with_auto_update(time_skipping_env):
    sage = FakeSage()
    async with company_workflow(time_skipping_env, sage) as handle:
        await update(handle, "refresh_vendors")
        sage.change_vendor("CRE", "V-100", address="2 Cement Way", telephone="951-555-0199")
        record = await update(handle, "refresh_vendors")
        acme = record.directory.companies["C-ACME"]
        assert (acme.address, acme.phone) == ("1 Cement Way", "951-555-0100")
        assert record.last_report is not None and len(record.last_report.not_synced) == 1
        assert "'Vendors will be automatically updated' is off" in record.audit[-1].outcome

        # turned on: a change made while it was off stays as it was (the company's address may
        # differ from Sage's billing address on purpose); the next change in Sage follows
        await settings(handle, ADMIN, account(vendors_auto_update=True))
        record = await update(handle, "refresh_vendors")
        assert record.directory.companies["C-ACME"].address == "1 Cement Way"
        sage.change_vendor("CRE", "V-100", address="3 Cement Way", telephone="951-555-0199")
        record = await update(handle, "refresh_vendors")
        acme = record.directory.companies["C-ACME"]
        assert (acme.address, acme.phone) == ("3 Cement Way", "951-555-0100")
        assert "address '1 Cement Way' -> '3 Cement Way'; applied" in record.audit[-1].outcome
        record = await update(handle, "refresh_vendors")
        assert record.last_report is not None and not record.last_report.updated


async def test_sage_100_cannot_update_vendors_automatically(time_skipping_env):
    sage = FakeSage()
    async with company_workflow(time_skipping_env, sage, "S100", vendors_auto_update=True) as h:
        await update(h, "refresh_vendors")
        sage.change_vendor("S100", "S-10", address="90 Quarry Rd")
        record = await update(h, "refresh_vendors")
    assert record.directory.companies["C-GRANITE"].address == "88 Quarry Road"
    assert "Sage 100 Contractor®, which cannot update linked companies" in record.audit[-1].outcome


async def test_standard_cost_codes_refresh_and_sync_signal(time_skipping_env):
    sage = FakeSage()
    async with company_workflow(time_skipping_env, sage) as handle:
        record = await update(handle, "refresh_standard_cost_codes")
        assert [(c.code, c.active) for c in record.standard_cost_codes] == [
            ("01-100", True),
            ("10-100", False),
        ]
        assert [c.category for c in record.standard_categories] == ["L"]
        assert record.audit[-1].outcome == "2 cost codes (1 inactive), 1 categories"
        sage.codes["CRE"].append({"code": "07-100", "description": "Roofing", "active": True})
        sage.codes["CRE"][1]["active"] = True
        await handle.signal("sync", {"actor": ADMIN})
        for _ in range(200):
            record = await status(handle)
            if record.vendors and len(record.standard_cost_codes) == 3:
                break
            await asyncio.sleep(0.05)
        assert states(record)["V-100"] == "linked"
        assert "added 07-100; 10-100 reactivated" in record.audit[-1].outcome

        sage.down = True
        await handle.signal("sync", {"actor": ADMIN})
        for _ in range(200):
            record = await status(handle)
            if record.audit[-1].outcome.startswith("refused") and len(record.audit) >= 5:
                break
            await asyncio.sleep(0.05)
        assert [line.outcome for line in record.audit[-2:]] == [
            "refused: Sage refused: Sage is down.",
            "refused: Sage refused: Sage is down.",
        ]
        description = await handle.describe()
    assert description.status is not None and description.status.name == "RUNNING"
