"""ErpProject's `import_budget` on the time-skipping server, Sage faked behind the real activity
name: the Sage job's budget (its posted original estimate) imported as the project's budget
(seeds/004 permissions matrix, "Import a Budget from ERP": Standard or Admin on ERP
Integrations), decided against the roster the workflow holds; refused once the budget was
exported from Procore ("you no longer be permitted to import Sage 300 CRE® budget or job data
into Procore"); imported again, it refreshes ("Budgets can be refreshed")."""

from __future__ import annotations

from typing import Any

from contract import erp_project as ep
from domain.exports.budget import IMPORTED_BUDGET
from domain.links import LinkKind, LinkOrigin
from tests.workflows.link_makers import linked_by
from tests.workflows.test_erp_project import (
    ADMIN,
    APPROVER,
    PM,
    VIEWER,
    FakeSage,
    erp_project,
    job,
    new_project,
    refusal,
    update,
)
from tests.workflows.test_item_workflow import project

IMPORT = ep.IMPORT_BUDGET_UPDATE
ESTIMATE_PATH = "/v1/jobs/1001/estimate"


def estimate(estimate_id: str = "EST-000001", posted: bool = True, **amounts: float) -> dict:
    lines = amounts or {"01-100/L": 185000.0, "03-300/S": 125000.0}
    return {
        "job_id": "1001",
        "estimate": {
            "estimate_id": estimate_id,
            "job_id": "1001",
            "lines": [
                {
                    "cost_code": key.split("/")[0],
                    "category": key.split("/")[1],
                    "original_estimate": v,
                }
                for key, v in lines.items()
            ],
            "batch_id": "B-000001",
            "posted": posted,
        },
    }


def sage_with(answer: dict[str, Any]) -> FakeSage:
    return FakeSage(erp="sage300", reads={ESTIMATE_PATH: answer})


def budget_links(record: ep.ProjectRecord) -> list[tuple[str, str, LinkOrigin]]:
    return [
        (ln.procore, ln.sage_id, ln.origin)
        for ln in record.links.links
        if ln.kind is LinkKind.BUDGET
    ]


def lines(record: ep.ProjectRecord) -> list[tuple[str, str, float]]:
    assert record.budget is not None
    return [(ln.cost_code, ln.category, float(ln.original_budget)) for ln in record.budget.lines]


async def test_a_standard_user_imports_the_budget_and_a_second_import_refreshes_it(
    time_skipping_env,
):
    sage = sage_with(estimate())
    async with erp_project(time_skipping_env, sage, project()) as handle:
        record = await update(handle, IMPORT, actor=APPROVER)
        assert lines(record) == [("01-100", "L", 185000.0), ("03-300", "S", 125000.0)]
        assert budget_links(record) == [(IMPORTED_BUDGET, "EST-000001", LinkOrigin.IMPORTED)]
        assert record.audit[-1].action == "import budget"
        assert "2 lines, $310,000.00" in record.audit[-1].outcome

        # Sage's estimate changed (a Sage 100 budget sent again; here: edited in Sage)
        sage.reads[ESTIMATE_PATH] = estimate("EST-000002", **{"01-100/L": 190000.0})
        again = await update(handle, IMPORT, actor=ADMIN)
        assert lines(again) == [("01-100", "L", 190000.0)]  # refreshed, not added
        assert again.budget is not None and again.budget.imports == 2
        assert budget_links(again) == [(IMPORTED_BUDGET, "EST-000002", LinkOrigin.IMPORTED)]
        assert "refreshed (import 2)" in again.audit[-1].outcome
        same = await update(handle, IMPORT, actor=ADMIN)
        assert lines(same) == lines(again) and len(budget_links(same)) == 1


async def test_refusals_come_from_the_held_roster_and_leave_the_next_import_working(
    time_skipping_env,
):
    sage = sage_with({"job_id": "1001", "estimate": None})
    async with erp_project(time_skipping_env, sage, project()) as handle:
        for actor, words in (
            (
                PM,
                "pm.alex cannot import a budget from ERP: needs Standard or Admin on the ERP "
                "Integrations tool (has None)",
            ),
            (VIEWER, "needs Standard or Admin on the ERP Integrations tool (has Read Only)"),
            ("mallory", "'mallory' is not on the roster of project P-1001"),
        ):
            assert words in await refusal(handle, IMPORT, actor=actor)
        assert not [p for _, p, _ in sage.calls if p == ESTIMATE_PATH]  # refused before Sage
        none = await refusal(handle, IMPORT, actor=ADMIN)
        assert "Sage job 1001 holds no budget (no original estimate)" in none
        sage.reads[ESTIMATE_PATH] = estimate(posted=False)
        waiting = await refusal(handle, IMPORT, actor=ADMIN)
        assert "waits in batch B-000001 to be posted in Sage" in waiting
        sage.reads[ESTIMATE_PATH] = {"job_id": "1001", "estimate": {"estimate_id": "../x"}}
        hostile = await refusal(handle, IMPORT, actor=ADMIN)
        assert "Sage answered something unexpected" in hostile
        sage.reads[ESTIMATE_PATH] = estimate()
        record = await update(handle, IMPORT, actor=ADMIN)
        assert len(lines(record)) == 2
        assert "refused" in record.audit[-2].outcome


async def test_a_budget_exported_from_procore_is_never_imported(time_skipping_env):
    sage = sage_with(estimate())
    async with erp_project(time_skipping_env, sage, project()) as handle:
        # budget BUD-1001 was exported: its export noted the link (activities/links.py)
        budget = {"kind": "budget", "procore": "BUD-1001", "sage_id": "EST-000001"}
        item = "budget:P-1001:BUD-1001"
        await linked_by(time_skipping_env.client, handle, item, "P-1001", budget)
        noted = await handle.query("status", result_type=ep.ProjectRecord)
        assert budget_links(noted) == [("BUD-1001", "EST-000001", LinkOrigin.EXPORTED)]
        refused = await refusal(handle, IMPORT, actor=ADMIN)
        assert "budget BUD-1001 of project P-1001 was exported to Sage" in refused
        assert "you no longer be permitted to import Sage 300 CRE® budget" in refused
        assert not [p for _, p, _ in sage.calls if p == ESTIMATE_PATH]
        after = await handle.query("status", result_type=ep.ProjectRecord)
        assert after.budget is None


async def test_a_project_without_its_sage_job_has_no_budget_to_import(time_skipping_env):
    sage = sage_with(estimate())
    async with erp_project(time_skipping_env, sage, new_project(erp="sage300")) as handle:
        refused = await refusal(handle, IMPORT, actor=ADMIN)
        assert "project P-3001 has no Sage job yet" in refused
        assert not [p for _, p, _ in sage.calls if "estimate" in p]


async def test_a_cost_code_refresh_refreshes_an_imported_budget(time_skipping_env):
    """seeds/004 BUDGET: "Budgets can be refreshed by doing a Cost Code refresh in the Project
    Admin Work breakdown structure"; a refusal there leaves the cost code refresh done."""
    sage = sage_with(estimate())
    sage.reads["/v1/jobs/1001"] = job(job_id="1001", linked_project="P-1001")
    async with erp_project(time_skipping_env, sage, project()) as handle:
        plain = await update(handle, "refresh_cost_codes", actor=ADMIN)
        assert plain.budget is None  # nothing imported: no estimate read
        assert not [p for _, p, _ in sage.calls if p == ESTIMATE_PATH]

        await update(handle, IMPORT, actor=APPROVER)
        sage.reads[ESTIMATE_PATH] = estimate("EST-000002", **{"03-300/S": 99000.0})
        record = await update(handle, "refresh_cost_codes", actor=ADMIN)
        assert lines(record) == [("03-300", "S", 99000.0)]
        assert [a.action for a in record.audit[-2:]] == ["refresh cost codes", "refresh budget"]

        sage.reads[ESTIMATE_PATH] = estimate("EST-000003", posted=False)
        kept = await update(handle, "refresh_cost_codes", actor=ADMIN)
        assert lines(kept) == [("03-300", "S", 99000.0)]  # the budget as last imported
        assert kept.audit[-1].action == "refresh budget"
        assert "refused" in kept.audit[-1].outcome and "to be posted" in kept.audit[-1].outcome
