"""seeds/000 on the time-skipping server (Sage faked behind the real activity name): the lump-sum
item code the import reads from Sage, linking an existing Procore prime contract (3c), and pay
applications (3d, validations 1 and 2), each checked against the roster the workflow holds."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError

from contract import prime_contract_sync as pcw
from domain import pay_applications as pay
from domain import prime_contract as pc
from tests.workflows.test_item_workflow import result_of
from tests.workflows.test_prime_contract_sync import (
    ADMIN,
    ANA,
    PM,
    VIEWER,
    FakeSage,
    ProjectRegistry,
    prime_contract,
    refusal,
    settings,
    status,
    update,
)

SOV_OK = [
    pc.SovItem(code="A", description="Sitework", amount=Decimal(2_000_000)),
    pc.SovItem(code="B", description="Building", amount=Decimal(2_800_000)),
]


def request(actor: str = PM, number: int | None = None) -> pay.PayApplicationRequest:
    return pay.PayApplicationRequest(actor=actor, number=number)


async def imported(handle: Any) -> None:
    await update(handle, "import", pcw.ImportRequest(actor=ADMIN), pcw.SyncStatus)


async def test_the_lump_sum_item_code_is_the_one_sage_has(time_skipping_env):
    """3a/3e: PCCOs roll up into Sage's one item, whatever `lump_sum_contract_item` says."""
    sage, registry = FakeSage(), ProjectRegistry()
    sage.codes = ["LS-1"]
    async with prime_contract(time_skipping_env, sage, settings(), registry) as handle:
        await imported(handle)
        for _ in range(200):
            view = await registry.links()
            found = {(ln.kind.value, ln.procore): ln.sage_id for ln in view.registry.links}
            if ("lump_sum_item", "2001-PC") in found:
                break
            await asyncio.sleep(0.05)
        assert found[("lump_sum_item", "2001-PC")] == "LS-1"
        assert found[("contract_item", "2001-PC/LS-1")] == "LS-1"


async def test_a_pay_application_waits_for_the_sov_to_match_sage(time_skipping_env):
    sage = FakeSage()
    async with prime_contract(time_skipping_env, sage, settings()) as handle:
        await imported(handle)
        short = [SOV_OK[0]]
        await update(handle, "edit_sov", pc.SovEdit(actor=PM, lines=short), pcw.SyncStatus)
        message = await refusal(handle, pcw.PAY_APP_CREATE, request())
        assert "a new pay application refused: not ready for a pay application" in message
        assert "2,800,000.00 below the Sage revised total 4,800,000.00" in message
        # who may: the Prime Contracts admins of the held roster, nobody else
        for actor, words in [
            (ANA, "acct.ana cannot create a pay application: needs Admin on the Prime"),
            (VIEWER, "viewer.vic cannot create"),
            ("intruder", "'intruder' is not on the roster of project P-1005"),
        ]:
            assert words in await refusal(handle, pcw.PAY_APP_CREATE, request(actor))
        await update(handle, "edit_sov", pc.SovEdit(actor=PM, lines=SOV_OK), pcw.SyncStatus)
        # the same create twice at once: one draft, never two
        results = await asyncio.gather(
            update(handle, pcw.PAY_APP_CREATE, request(), pcw.SyncStatus),
            update(handle, pcw.PAY_APP_CREATE, request(), pcw.SyncStatus),
            return_exceptions=True,
        )
        failed = [r for r in results if isinstance(r, WorkflowUpdateFailedError)]
        assert len(failed) == 1 and "pay application #1 is still a draft" in str(failed[0].cause)
        record = await status(handle)
        assert [(p.number, p.status, p.total) for p in record.pay_applications] == [
            (1, pay.PayApplicationStatus.DRAFT, Decimal(4_800_000))
        ]


async def test_a_draft_resyncs_or_is_deleted_and_recreated(time_skipping_env):
    sage = FakeSage()
    async with prime_contract(time_skipping_env, sage, settings()) as handle:
        await imported(handle)
        await update(handle, "edit_sov", pc.SovEdit(actor=PM, lines=SOV_OK), pcw.SyncStatus)
        await update(handle, pcw.PAY_APP_CREATE, request(), pcw.SyncStatus)
        assert "already holds the current SOV" in await refusal(
            handle, pcw.PAY_APP_RESYNC, request(number=1)
        )
        # the team splits an item: the draft takes it again
        split = [
            SOV_OK[0],
            pc.SovItem(code="B1", description="Shell", amount=Decimal(1_800_000)),
            pc.SovItem(code="B2", description="Fit-out", amount=Decimal(1_000_000)),
        ]
        await update(handle, "edit_sov", pc.SovEdit(actor=PM, lines=split), pcw.SyncStatus)
        record = await update(handle, pcw.PAY_APP_RESYNC, request(number=1), pcw.SyncStatus)
        assert [line.code for line in record.pay_applications[0].sov] == ["A", "B1", "B2"]
        # hostile numbers, unknown users: refused, nothing changes
        assert "needs the pay application's number" in await refusal(
            handle, pcw.PAY_APP_DELETE, request()
        )
        assert "no pay application #99 (pay applications: #1)" in await refusal(
            handle, pcw.PAY_APP_DELETE, request(number=99)
        )
        assert "not on the roster" in await refusal(handle, pcw.PAY_APP_DELETE, request("ghost", 1))
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(
                pcw.PAY_APP_DELETE, {"actor": PM, "number": -3}, result_type=pcw.SyncStatus
            )
        # delete and recreate: the new draft pulls the SOV in
        record = await update(handle, pcw.PAY_APP_DELETE, request(number=1), pcw.SyncStatus)
        assert record.pay_applications == []
        record = await update(handle, pcw.PAY_APP_CREATE, request(), pcw.SyncStatus)
        assert [p.number for p in record.pay_applications] == [1]
        # submitted: draft only from now on; a new one may be created
        await update(handle, pcw.PAY_APP_SUBMIT, request(number=1), pcw.SyncStatus)
        assert "#1 is under_review: only a draft can be resynced" in await refusal(
            handle, pcw.PAY_APP_RESYNC, request(number=1)
        )
        # Sage's revised total moved (a PCCO): the SOV no longer matches, no new pay app
        sage.amount = 4_900_000
        assert "100,000.00 below the Sage revised total 4,900,000.00" in await refusal(
            handle, pcw.PAY_APP_CREATE, request()
        )
        actions = [line.action for line in (await status(handle)).audit]
        assert actions.count("pay_app_create") == 3  # two made, one refused by Sage's figures


async def test_pay_applications_are_the_lump_sum_modes(time_skipping_env):
    held = settings().model_copy(update={"sov_controlled_by": "sage"})
    async with prime_contract(time_skipping_env, FakeSage(), held) as handle:
        await imported(handle)
        assert "the SOV of this prime contract is controlled by Sage" in await refusal(
            handle, pcw.PAY_APP_CREATE, request()
        )


def procore_contract(*amounts: int) -> pc.ProcoreContract:
    lines = [pc.SovItem(code=f"L{n}", amount=Decimal(a)) for n, a in enumerate(amounts, 1)]
    return pc.ProcoreContract(number="PC-7", title="Lakeside Lofts", sov=lines)


async def test_link_an_existing_procore_prime_contract(time_skipping_env):
    """3c: link; 3c.i: refused when the Procore SOV exceeds what Sage shows."""
    sage, registry = FakeSage(), ProjectRegistry()
    async with prime_contract(time_skipping_env, sage, settings(), registry) as handle:
        assert "pm.alex cannot import prime contracts" in await refusal(
            handle, pcw.LINK_UPDATE, pcw.LinkRequest(actor=PM, prime=procore_contract(1))
        )
        with pytest.raises(WorkflowUpdateFailedError):  # a careless file: refused, no task fails
            await handle.execute_update(
                pcw.LINK_UPDATE,
                {"actor": ADMIN, "prime": {"number": "../x", "sov": "all"}},
                result_type=pcw.SyncStatus,
            )
        record = await update(
            handle,
            pcw.LINK_UPDATE,
            pcw.LinkRequest(actor=ANA, prime=procore_contract(3_000_000, 1_800_000)),
            pcw.SyncStatus,
        )
        assert record.prime.header.number == "PC-7" and record.prime.sov_total == 4_800_000
        assert "linked Procore prime contract PC-7 to 2001-PC" in record.audit[-1].outcome
        assert "already imported" in await refusal(
            handle, pcw.LINK_UPDATE, pcw.LinkRequest(actor=ANA, prime=procore_contract(1))
        )
        for _ in range(200):
            view = await registry.links()
            found = {(ln.kind.value, ln.procore): ln.sage_id for ln in view.registry.links}
            if ("lump_sum_item", "PC-7") in found:
                break
            await asyncio.sleep(0.05)
        assert found[("prime_contract", "PC-7")] == "2001-PC"
        assert found[("lump_sum_item", "PC-7")] == "001"


async def test_a_link_above_the_sage_total_is_refused_and_ends_the_run(time_skipping_env):
    async with prime_contract(time_skipping_env, FakeSage(), settings()) as handle:
        message = await refusal(
            handle,
            pcw.LINK_UPDATE,
            pcw.LinkRequest(actor=ADMIN, prime=procore_contract(5_000_000)),
        )
        assert "its SOV total 5,000,000.00 exceeds what Sage shows for contract 2001-PC" in message
        assert "by 200,000.00" in message
        assert await result_of(handle) == "not imported"


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # the helper's settings
async def test_the_continue_as_new_input_carries_pay_applications(time_skipping_env):
    """`run` hands the pay applications to continue-as-new in SyncStart; an input recorded
    before them decodes with none."""
    sage = FakeSage()
    async with prime_contract(time_skipping_env, sage, settings()) as handle:
        await imported(handle)
        await update(handle, "edit_sov", pc.SovEdit(actor=PM, lines=SOV_OK), pcw.SyncStatus)
        record = await update(handle, pcw.PAY_APP_CREATE, request(), pcw.SyncStatus)
    carried = pcw.SyncStart(
        project="P-1005",
        contract="2001-PC",
        settings=settings(),
        prime=record.prime,
        pay_applications=record.pay_applications,
    )
    again = pcw.SyncStart.model_validate_json(carried.model_dump_json())
    assert again.pay_applications == record.pay_applications
    old = pcw.SyncStart.model_validate(
        {k: v for k, v in carried.model_dump(mode="json").items() if k != "pay_applications"}
    )
    assert old.pay_applications == []  # an input recorded before pay applications
