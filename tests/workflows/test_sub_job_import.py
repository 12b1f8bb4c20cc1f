"""ErpProject's `import_sub_job` on the time-skipping server, Sage faked behind the real
activity name: a Sage extra of the project's job added as a sub job (seeds/004 permissions
matrix, "Import an ERP Sub Job to a Procore Project": Standard or Admin on ERP Integrations),
decided against the roster the workflow holds."""

from __future__ import annotations

from typing import Any

from contract import erp_project as ep
from domain.links import LinkKind, LinkOrigin
from tests.workflows.link_makers import linked_by
from tests.workflows.test_erp_project import (
    ADMIN,
    APPROVER,
    PM,
    VIEWER,
    FakeSage,
    erp_project,
    new_project,
    refusal,
    update,
)
from tests.workflows.test_item_workflow import project

IMPORT = ep.IMPORT_SUB_JOB_UPDATE


def extra(extra_id: str = "EW-1", **changes: Any) -> dict[str, Any]:
    return {
        "job_id": "1001",
        "extra_id": extra_id,
        "description": "East Wing",
        "cost_codes": [
            {"code": "03-300", "description": "Cast-in-place concrete", "categories": ["1"]},
            {"code": "01-100", "description": "General conditions", "categories": ["1", "4"]},
        ],
        **changes,
    }


def sage_with(*extras: dict[str, Any]) -> FakeSage:
    return FakeSage(
        erp="sage300",
        extras={f"/v1/extras/{e['job_id']}/{e['extra_id']}": e for e in extras},
    )


def sub_job_links(record: ep.ProjectRecord) -> list[tuple[str, str, LinkOrigin]]:
    return [
        (ln.procore, ln.sage_id, ln.origin)
        for ln in record.links.links
        if ln.kind is LinkKind.SUB_JOB
    ]


async def test_a_standard_user_imports_an_extra_once(time_skipping_env):
    sage = sage_with(extra())
    async with erp_project(time_skipping_env, sage, project()) as handle:
        record = await update(handle, IMPORT, actor=APPROVER, extra_id="EW-1")
        [sub_job] = record.sub_jobs
        assert (sub_job.code, sub_job.name, sub_job.job_id) == ("EW-1", "East Wing", "1001")
        assert [c.code for c in sub_job.cost_codes] == ["01-100", "03-300"]
        assert sub_job_links(record) == [("EW-1", "EW-1", LinkOrigin.IMPORTED)]
        assert record.audit[-1].action == "import sub job EW-1"
        assert ("GET", "/v1/extras/1001/EW-1") in [(m, p) for m, p, _ in sage.calls]

        again = await refusal(handle, IMPORT, actor=ADMIN, extra_id="EW-1")
        assert "extra EW-1 of Sage job 1001 is synced with sub job EW-1 already" in again
        after = await handle.query("status", result_type=ep.ProjectRecord)
        assert len(after.sub_jobs) == 1 and len(sub_job_links(after)) == 1
        reads = [path for _, path, _ in sage.calls if path.startswith("/v1/extras")]
        assert reads == ["/v1/extras/1001/EW-1"]  # the double import never read Sage


async def test_refusals_come_from_the_held_roster_and_leave_the_next_import_working(
    time_skipping_env,
):
    sage = sage_with(extra(), extra("EW-2", description="West Wing"))
    async with erp_project(time_skipping_env, sage, project()) as handle:
        for actor, words in (
            (
                PM,
                "pm.alex cannot import an ERP sub job to a Procore project: needs Standard "
                "or Admin on the ERP Integrations tool (has None)",
            ),
            (VIEWER, "needs Standard or Admin on the ERP Integrations tool (has Read Only)"),
            ("mallory", "'mallory' is not on the roster of project P-1001"),
        ):
            assert words in await refusal(handle, IMPORT, actor=actor, extra_id="EW-1")
        for hostile, words in (
            ("../jobs/1001", "is not a Sage code"),
            ("", "can't be blank"),
            ("X" * 5000, "is too long for a Sage code"),
        ):
            assert words in await refusal(handle, IMPORT, actor=ADMIN, extra_id=hostile)
        unknown = await refusal(handle, IMPORT, actor=ADMIN, extra_id="NOPE-9")
        assert "Sage job 1001 has no extra NOPE-9" in unknown
        record = await update(handle, IMPORT, actor=ADMIN, extra_id="EW-2")
        assert [s.name for s in record.sub_jobs] == ["West Wing"]
        assert "refused: Sage job 1001 has no extra NOPE-9" in record.audit[-2].outcome


async def test_an_extra_synced_with_another_sub_job_is_refused(time_skipping_env):
    sage = sage_with(extra())
    async with erp_project(time_skipping_env, sage, project()) as handle:
        # the sub job SJ-01 was exported with SubJob ID EW-1 (changed at accept)
        sub_job = {"kind": "sub_job", "procore": "SJ-01", "sage_id": "EW-1"}
        item = "sub_job:P-1001:SJ-01"
        await linked_by(time_skipping_env.client, handle, item, "P-1001", sub_job)
        refused = await refusal(handle, IMPORT, actor=ADMIN, extra_id="EW-1")
        assert "is synced with sub job SJ-01 already (exported); one extra is one sub job" in (
            refused
        )


async def test_a_sage100_project_has_no_extras(time_skipping_env):
    sage = sage_with(extra())
    settings = new_project(erp="sage100", sage_job_id="3001")  # company S100
    async with erp_project(time_skipping_env, sage, settings) as handle:
        refused = await refusal(handle, IMPORT, actor=ADMIN, extra_id="EW-1")
        assert "cannot import a Sage extra as a sub job" in refused


async def test_a_project_without_its_sage_job_has_no_extras_to_import(time_skipping_env):
    sage = sage_with(extra())
    async with erp_project(time_skipping_env, sage, new_project(erp="sage300")) as handle:
        refused = await refusal(handle, IMPORT, actor=ADMIN, extra_id="EW-1")
        assert "project P-3001 has no Sage job yet" in refused
        assert not [path for _, path, _ in sage.calls if path.startswith("/v1/extras")]
