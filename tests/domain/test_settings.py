"""Project settings: the file's checks, Direct Export modes, and the demo roster."""

import json
from datetime import timedelta

import pytest

from domain.items import ItemTool, ItemType
from domain.permissions import is_accounting_approver
from domain.settings import (
    DirectExportMode,
    ErpPermission,
    InvalidSettings,
    parse_projects,
)
from tests.domain.builders import (
    APPROVER,
    ERP_ADMIN,
    EXAMPLES,
    TOOL_ADMIN,
    VIEWER,
    demo_settings,
)


def projects_text(**project) -> str:
    body = {"project": "P-9", "sage_job_id": "9", **project}
    return json.dumps({"projects": {"P-9": body}})


def refusal(text: str) -> str:
    with pytest.raises(InvalidSettings) as refused:
        parse_projects(text)
    return str(refused.value)


def test_the_demo_file_parses():
    projects = parse_projects((EXAMPLES / "projects.json").read_text(encoding="utf-8"))
    assert set(projects.projects) >= {"P-1001", "P-1002"}


def test_p1001_is_a_sage_300_project_with_approval():
    p1001 = demo_settings("P-1001")
    assert (p1001.erp, p1001.sage_job_id) == ("sage300", "1001")
    assert p1001.export_mode(ItemType.COMMITMENT) is DirectExportMode.DISABLED
    assert p1001.reminder_period == timedelta(days=2)


def test_p1002_exports_commitments_directly():
    assert demo_settings("P-1002").export_mode(ItemType.COMMITMENT) is DirectExportMode.ENABLED


def test_a_minimal_project_has_safe_defaults():
    project = parse_projects(projects_text()).projects["P-9"]
    assert project.roster == {}
    assert project.reminder_period == timedelta(days=2)
    for item_type in ItemType:
        assert project.export_mode(item_type) is DirectExportMode.DISABLED


@pytest.mark.parametrize(
    "item_type", ["commitment", "commitment_change_order", "subcontractor_invoice"]
)
@pytest.mark.parametrize("mode", list(DirectExportMode))
def test_direct_export_for_commitments_ccos_and_invoices(item_type, mode):
    template = {"name": "one step", "steps": [{"name": "Review", "assignees": ["group:g"]}]}
    text = projects_text(
        direct_export={item_type: mode.value},
        approval_templates={item_type: [template]},
        groups={"g": []},
    )
    project = parse_projects(text).projects["P-9"]
    assert project.export_mode(ItemType(item_type)) is mode


@pytest.mark.parametrize(
    "item_type", ["budget", "prime_contract_change_order", "project", "budget_modification"]
)
def test_direct_export_for_other_types_is_refused(item_type):
    message = refusal(projects_text(direct_export={item_type: "enabled"}))
    assert "field 'projects.P-9.direct_export'" in message
    assert "commitments, commitment change orders and subcontractor invoices only" in message
    assert f"not {item_type}" in message


def test_an_unknown_direct_export_mode_is_refused():
    assert "field 'projects.P-9.direct_export.commitment'" in refusal(
        projects_text(direct_export={"commitment": "on"})
    )


def test_the_key_must_match_the_projects_id():
    text = json.dumps({"projects": {"P-9": {"project": "P-8", "sage_job_id": "9"}}})
    assert refusal(text) == "field 'projects.P-9.project': says 'P-8', expected 'P-9'"


@pytest.mark.parametrize(
    ("project", "field"),
    [
        ({"sage_job_id": ""}, "projects.P-9.sage_job_id"),
        ({"erp": "sage500"}, "projects.P-9.erp"),
        ({"reminder_period": "PT0S"}, "projects.P-9.reminder_period"),
        ({"reminder_period": "-P1D"}, "projects.P-9.reminder_period"),
        ({"roster": {"x": {"erp": "owner"}}}, "projects.P-9.roster.x.erp"),
        ({"roster": {"x": {"tool_admin": ["payroll"]}}}, "projects.P-9.roster.x.tool_admin"),
        ({"roster": {"x": {"admin": True}}}, "projects.P-9.roster.x.admin"),
        ({"colour": "red"}, "projects.P-9.colour"),
    ],
)
def test_a_bad_setting_is_refused_by_name(project, field):
    assert f"field '{field}" in refusal(projects_text(**project))


def test_a_file_that_is_not_json_is_refused():
    with pytest.raises(InvalidSettings):
        parse_projects("{not json")


# --- the demo roster (DESIGN.md "Permissions") ---


@pytest.mark.parametrize("project", ["P-1001", "P-1002"])
def test_the_demo_roster_is_the_designed_one(project):
    roster = demo_settings(project).roster
    assert {TOOL_ADMIN, APPROVER, ERP_ADMIN, VIEWER} <= set(roster)

    alex = roster[TOOL_ADMIN]
    assert alex.tool_admin == frozenset(ItemTool)
    assert (alex.erp, alex.can_push_to_accounting) == (ErpPermission.NONE, False)

    ana = roster[APPROVER]
    assert (ana.erp, ana.can_push_to_accounting) == (ErpPermission.STANDARD, True)

    admin = roster[ERP_ADMIN]
    assert (admin.erp, admin.can_push_to_accounting) == (ErpPermission.ADMIN, True)

    vic = roster[VIEWER]
    assert vic.erp is ErpPermission.READ_ONLY
    assert vic.tool_admin == frozenset()
    assert not vic.can_push_to_accounting


def test_the_demo_approvers():
    p1001 = demo_settings()
    for item_type in (ItemType.COMMITMENT, ItemType.COMMITMENT_CHANGE_ORDER, ItemType.BUDGET):
        approvers = {u for u in p1001.roster if is_accounting_approver(p1001, u, item_type)}
        assert approvers == {APPROVER, ERP_ADMIN}
    pcco = ItemType.PRIME_CONTRACT_CHANGE_ORDER
    assert {u for u in p1001.roster if is_accounting_approver(p1001, u, pcco)} == {ERP_ADMIN}
