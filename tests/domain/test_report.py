"""The accountant report (seeds/004 and seeds/002 permissions matrix: "View an Accountant Report
for ERP", checked for Admin on the ERP Integrations tool only): a project's items ready to
export, failed, synced and posted, with amounts."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.errors import CATALOGUE
from domain.exports import kind_of
from domain.items import parse_item
from domain.lifecycle import State
from domain.permissions import (
    ErpAction,
    NotPermitted,
    authorize_erp_action,
    authorize_sub_job_list,
)
from domain.report import (
    Section,
    accountant_report,
    report_line,
    synced_sub_job_list,
    synced_sub_jobs,
)
from domain.settings import DirectExportMode, RosterUser
from domain.status import ItemStatus
from domain.sub_job_import import ImportedSubJob
from tests.domain.builders import (
    APPROVER,
    ERP_ADMIN,
    TOOL_ADMIN,
    commitment,
    demo_settings,
)

SETTINGS = demo_settings()
AT = datetime(2026, 12, 2, tzinfo=UTC)


def status(number: str, state: State, amount: str = "1000.00", **fields) -> ItemStatus:
    item = commitment(number=number, sov=[{**commitment().sov[0].model_dump(), "amount": amount}])
    return ItemStatus(
        workflow_id=item.workflow_id,
        item=item.model_dump(mode="json"),
        state=state,
        export_mode=DirectExportMode.DISABLED,
        **fields,
    )


def test_items_are_grouped_ready_failed_synced_posted_with_their_amounts():
    lines = [
        report_line(
            status(
                "SC-9003", State.EXPORT_FAILED, "250.00", last_error=CATALOGUE["vendor_inactive"]
            )
        ),
        report_line(status("SC-9001", State.SENT, "1000.00")),
        report_line(status("SC-9002", State.SENT, "2500.50")),
        report_line(status("SC-9004", State.EXPORTED, "40.00", batches=["B-000007"])),
        report_line(
            status("SC-9005", State.POSTED, "10.00", sage_ids={"commitment_id": "SC-9005"})
        ),
        report_line(status("SC-9006", State.DRAFT)),
        report_line(status("SC-9007", State.CANCELLED)),
        report_line(status("SC-9008", State.DRAFT)),
    ]
    report = accountant_report("P-1001", lines)

    assert [s.section for s in report.sections] == list(Section)
    ready = report.section(Section.READY)
    assert [line.number for line in ready.lines] == ["SC-9001", "SC-9002"]
    assert (ready.count, ready.amount) == (2, Decimal("3500.50"))
    [failed] = report.section(Section.FAILED).lines
    assert (failed.error_code, failed.amount) == ("vendor_inactive", Decimal("250.00"))
    assert failed.error_message == CATALOGUE["vendor_inactive"].message
    assert report.section(Section.SYNCED).lines[0].batches == ["B-000007"]
    assert report.section(Section.POSTED).amount == Decimal("10.00")
    assert report.total_count == 5
    assert report.elsewhere == {State.DRAFT: 2, State.CANCELLED: 1}


def test_an_empty_project_has_every_section_empty():
    report = accountant_report("P-1004", [])
    assert [(s.count, s.amount, s.lines) for s in report.sections] == [(0, Decimal(0), [])] * 4
    assert report.model_dump(mode="json")["total_count"] == 0


def test_the_amount_is_the_items_own_exact_amount():
    [line] = [report_line(status("SC-9010", State.SENT, "0.10"))]
    assert line.amount == Decimal("0.10")
    item = parse_item(status("SC-9010", State.SENT, "0.10").item)
    assert kind_of(item) is not None and line.summary == item.summary()


def test_only_an_erp_admin_views_the_accountant_report():
    authorize_erp_action(SETTINGS.roster, ERP_ADMIN, ErpAction.VIEW_ACCOUNTANT_REPORT, "P-1001")
    for user in (APPROVER, TOOL_ADMIN, "viewer.vic"):
        with pytest.raises(NotPermitted, match="needs Admin on the ERP Integrations tool"):
            authorize_erp_action(SETTINGS.roster, user, ErpAction.VIEW_ACCOUNTANT_REPORT, "P-1001")
    with pytest.raises(NotPermitted, match="not on the roster"):
        authorize_erp_action(SETTINGS.roster, "mallory", ErpAction.VIEW_ACCOUNTANT_REPORT, "x")


# --- seeds/004 permissions matrix, "View a List of Synced Sub Jobs": Standard and Admin on the
# ERP Integrations tool, "Also requires 'Admin' level permissions to the Company level
# Directory tool" ---


def sub_job_status(number: str, state: State, extra: str | None = None) -> ItemStatus:
    data = {
        "type": "sub_job",
        "project": "P-1001",
        "number": number,
        "name": "East Wing",
        "cost_codes": [{"code": "03-300", "description": "Concrete", "cost_types": ["L"]}],
    }
    item = parse_item(data)
    return ItemStatus(
        workflow_id=item.workflow_id,
        item=item.model_dump(mode="json"),
        state=state,
        export_mode=DirectExportMode.DISABLED,
        sage_ids={"extra_id": extra} if extra else {},
    )


def test_the_synced_sub_jobs_are_those_sage_holds():
    lines = [
        report_line(sub_job_status("SJ-03", State.POSTED, "SJ-03")),
        report_line(sub_job_status("SJ-01", State.EXPORTED, "EW-1")),
        report_line(sub_job_status("SJ-02", State.SENT)),
        report_line(sub_job_status("SJ-04", State.EXPORT_FAILED)),
        report_line(status("SC-9001", State.POSTED)),
    ]
    synced = synced_sub_jobs(lines)
    assert [(line.number, line.sage_ids["extra_id"]) for line in synced] == [
        ("SJ-01", "EW-1"),
        ("SJ-03", "SJ-03"),
    ]


def test_the_synced_list_holds_exported_and_imported_sub_jobs_by_number():
    """ "View a List of Synced Sub Jobs": a sub job imported from a Sage extra is synced too."""
    lines = [
        report_line(sub_job_status("SJ-03", State.POSTED, "SJ-03")),
        report_line(sub_job_status("SJ-02", State.SENT)),
    ]
    imported = ImportedSubJob(
        code="EW-1", name="East Wing", job_id="1001", imported_by="acct.ana", at=AT
    )
    rows = synced_sub_job_list(lines, [imported])
    assert [(r.number, r.name, r.extra_id, r.origin, r.state, r.item) for r in rows] == [
        ("EW-1", "East Wing", "EW-1", "imported", "imported", None),
        ("SJ-03", "East Wing", "SJ-03", "exported", "posted", "sub_job:P-1001:SJ-03"),
    ]


def test_the_sub_job_list_needs_the_erp_level_and_the_directory_tool():
    roster = {
        name: RosterUser.model_validate(user)
        for name, user in {
            "dora": {"erp": "standard", "tool_admin": ["directory"]},
            "adam": {"erp": "admin", "tool_admin": ["directory", "commitments"]},
            "ana": {"erp": "standard"},
            "pm": {"erp": "none", "tool_admin": ["directory"]},
            "root": {"erp": "admin"},
        }.items()
    }
    for user in ("dora", "adam"):
        authorize_sub_job_list(roster, user, "P-1001")
    for user, words in (
        ("ana", "also needs Admin on the company level Directory tool"),
        ("pm", "needs Standard or Admin on the ERP Integrations tool"),
        ("root", "also needs Admin on the company level Directory tool"),
    ):
        with pytest.raises(NotPermitted, match=words):
            authorize_sub_job_list(roster, user, "P-1001")
