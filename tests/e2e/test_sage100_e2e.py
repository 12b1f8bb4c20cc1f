"""A Sage 100 Contractor® job imported as a project, then its items exported to it, end to end:
the real dev server, the real mock Sage (company S100) and worker, `starter.py` as a user runs it.

The project settings file is a copy: `jobs import` writes the new project into it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from devtools import devstack
from domain.settings import ProjectSettings
from tests.e2e.conftest import ROOT, Stack

SAGE100 = ROOT / "examples" / "sage100"
ADMIN, PM, APPROVER = "acct.admin", "pm.alex", "acct.ana"
S100 = {"X-Sage-Company": "S100"}


@pytest.fixture(scope="module")
def projects_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("settings") / "projects.json"
    shutil.copy(ROOT / "examples" / "projects.json", path)
    return path


def run(stack: Stack, projects_file: Path, *args: str) -> Any:
    return stack.starter(*args, env={"ERP_PROJECTS_FILE": str(projects_file)})


def records(stack: Stack, kind: str, **match: str) -> list[dict[str, Any]]:
    found = stack.admin("GET", f"/admin/records/{kind}")
    return [
        r for r in found if not r.get("deleted_at") and all(r.get(k) == v for k, v in match.items())
    ]


@pytest.fixture(scope="module")
def imported(stack: Stack, projects_file: Path) -> dict[str, Any]:
    done = run(
        stack,
        projects_file,
        *("jobs", "import", "3001", "--company", "S100", "--project", "P-3001"),
        *("--like", "P-1001", "--as", ADMIN),
    )
    assert done.returncode == 0, done.stderr
    assert "Sage 100 Contractor® job 3001 (Oak Street Apartments)" in done.stdout
    return json.loads(projects_file.read_text())["projects"]["P-3001"]


def test_the_imported_job_becomes_a_sage100_project_with_the_jobs_name_and_number(
    stack, projects_file, imported
):
    assert imported["erp"] == "sage100"
    assert imported["sage_company"] == "S100"
    assert imported["sage_job_id"] == "3001"
    assert imported["name"] == "Oak Street Apartments"
    assert "acct.ana" in imported["roster"]  # the team of the --like project
    # the import linked the project to its job in the link registry (README "Links")
    shown = run(stack, projects_file, "links", "P-3001", "--json")
    assert shown.returncode == 0, shown.stderr
    [job] = [ln for ln in json.loads(shown.stdout)["registry"]["links"] if ln["kind"] == "job"]
    assert (job["procore"], job["sage_id"], job["origin"]) == ("P-3001", "3001", "imported")


def test_a_job_is_added_in_one_system_then_the_other_never_both(stack, projects_file, imported):
    again = run(
        stack,
        projects_file,
        *("jobs", "import", "3001", "--company", "S100", "--project", "P-3001"),
        *("--like", "P-1001", "--as", ADMIN),
    )
    assert again.returncode == 1
    assert "P-3001 exists in Procore already" in again.stderr
    assert "you must always add the job/project in one system" in again.stderr.lower()
    # another new project for the same job: Sage refuses, the job is synced with P-3001
    other = run(
        stack,
        projects_file,
        *("jobs", "import", "3001", "--company", "S100", "--project", "P-3009"),
        *("--like", "P-1001", "--as", ADMIN),
    )
    assert other.returncode == 1, other.stderr
    assert "P-3001" in other.stderr and "in one system" in other.stderr
    assert "P-3009" not in json.loads(projects_file.read_text())["projects"]


def test_an_import_the_settings_file_lost_is_written_again(stack, projects_file, imported):
    data = json.loads(projects_file.read_text())
    del data["projects"]["P-3001"]  # restored from an older copy, say
    projects_file.write_text(json.dumps(data))
    done = run(
        stack,
        projects_file,
        *("jobs", "import", "3001", "--company", "S100", "--project", "P-3001"),
        *("--like", "P-1001", "--as", ADMIN),
    )
    assert done.returncode == 0, done.stderr
    assert "imported from Sage job 3001 before; settings written again" in done.stdout
    written = json.loads(projects_file.read_text())["projects"]["P-3001"]
    assert ProjectSettings.model_validate(written) == ProjectSettings.model_validate(imported)


def test_import_needs_admin_on_the_erp_integrations_tool(stack, projects_file):
    done = run(
        stack,
        projects_file,
        *("jobs", "import", "3002", "--company", "S100", "--project", "P-3002"),
        *("--like", "P-1001", "--as", APPROVER),
    )
    assert done.returncode == 1
    assert "cannot add an ERP job to Procore: needs Admin" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_commitment_exports_to_the_sage100_job_exactly_once(stack, projects_file, imported):
    item = "commitment:P-3001:SC-3101"
    done = run(stack, projects_file, "start", str(SAGE100 / "commitment-SC-3101.json"))
    assert done.returncode == 0, done.stderr
    assert run(stack, projects_file, "send", item, "--as", PM).returncode == 0
    accepted = run(stack, projects_file, "accept", item, "--as", APPROVER)
    assert accepted.returncode == 0, accepted.stderr
    stack.wait_for_state(item, "posted")
    [commitment] = records(stack, "commitments", job_id="3001", commitment_id="SC-3101")
    assert commitment["vendor_id"] == "S-20"
    # the job lives in the Sage 100 company: the default (Sage 300 CRE) company does not see it
    assert stack.sage("GET", "/v1/jobs/3001", headers=S100)["name"] == "Oak Street Apartments"


@pytest.mark.parametrize(
    ("file", "missing"),
    [
        ("prime_contract_change_order-PCCO-301.json", "a prime contract change order"),
        ("sub_job-SJ-31.json", "a sub job"),
    ],
)
def test_what_sage100_cannot_take_is_refused_at_start(
    stack, projects_file, imported, file, missing
):
    done = run(stack, projects_file, "start", str(SAGE100 / file))
    assert done.returncode == 1
    assert "Sage 100 Contractor®" in done.stderr and missing in done.stderr
    assert "Sage 300 CRE® has it" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_budget_export_adds_its_missing_cost_code_to_the_job_first(
    stack, projects_file, imported
):
    item = "budget:P-3001:BUD-3001"
    job = stack.sage("GET", "/v1/jobs/3001", headers=S100)
    assert "07-000" not in {c["code"] for c in job["cost_codes"]}
    assert run(stack, projects_file, "start", str(SAGE100 / "budget-BUD-3001.json")).returncode == 0
    assert run(stack, projects_file, "send", item, "--as", PM).returncode == 0
    assert run(stack, projects_file, "accept", item, "--as", APPROVER).returncode == 0
    stack.wait_for_state(item, "exported")
    job = stack.sage("GET", "/v1/jobs/3001", headers=S100)
    roofing = {c["code"]: c for c in job["cost_codes"]}["07-000"]
    assert roofing["categories"] == ["4"]
    [estimate] = records(stack, "estimates", job_id="3001")
    assert len(estimate["lines"]) == 3


def test_job_costs_sync_and_print_per_cost_code_and_category(stack, projects_file, imported):
    stack.wait_for_state("commitment:P-3001:SC-3101", "posted")
    synced = run(stack, projects_file, "job-costs", "P-3001", "--sync", "--as", ADMIN)
    assert synced.returncode == 0, synced.stderr
    assert "15-000" in synced.stdout and "86,500.00" in synced.stdout
    as_json = run(stack, projects_file, "job-costs", "P-3001", "--json", "--as", ADMIN)
    assert as_json.returncode == 0, as_json.stderr
    lines = {
        (line["cost_code"], line["category"]): line for line in json.loads(as_json.stdout)["lines"]
    }
    assert float(lines[("15-000", "4")]["original_commitment"]) == 86500.0
    refused = run(stack, projects_file, "job-costs", "P-3001", "--sync", "--as", PM)
    assert refused.returncode == 1 and "needs Admin" in refused.stderr


def test_cost_codes_refresh_shows_the_jobs_codes(stack, projects_file, imported):
    done = run(stack, projects_file, "cost-codes", "refresh", "P-3001", "--as", ADMIN)
    assert done.returncode == 0, done.stderr
    assert "Sage job 3001 (Oak Street Apartments)" in done.stdout
    assert "15-000" in done.stdout


def site_work_cost(job_costs_json: str) -> float:
    lines = json.loads(job_costs_json)["lines"]
    return sum(float(line["jtd_cost"]) for line in lines if line["cost_code"] == "02-000")


def test_the_sync_schedule_brings_new_job_costs(stack, projects_file, imported):
    """A cost posted in Sage reaches `job-costs` on the project's schedule (triggered now)."""
    run(stack, projects_file, "job-costs", "P-3001", "--sync", "--as", ADMIN)
    shown = run(stack, projects_file, "job-costs", "P-3001", "--json", "--as", ADMIN)
    before = site_work_cost(shown.stdout)
    stack.admin(
        "POST",
        "/admin/job_cost_transactions",
        headers=S100,
        json={
            "job_id": "3001",
            "cost_code": "02-000",
            "category": "3",
            "date": "2026-11-20",
            "description": "Excavator rental",
            "amount": 4321.0,
        },
    )
    done = run(stack, projects_file, "schedule", "set", "P-3001", "--every", "6h", "--as", ADMIN)
    assert done.returncode == 0, done.stderr
    trigger = [
        devstack.temporal_binary(), "schedule", "trigger", "--schedule-id",
        "prime_contract_sync:P-3001", "--address", stack.env["TEMPORAL_ADDRESS"],
    ]  # fmt: skip
    assert subprocess.run(trigger, capture_output=True, timeout=30).returncode == 0
    deadline = time.monotonic() + 60
    while True:
        shown = run(stack, projects_file, "job-costs", "P-3001", "--json", "--as", ADMIN)
        if site_work_cost(shown.stdout) == before + 4321.0:
            break
        assert time.monotonic() < deadline, "the scheduled sync never brought the new cost"
        time.sleep(0.5)
    done = run(stack, projects_file, "schedule", "delete", "P-3001", "--as", ADMIN)
    assert done.returncode == 0, done.stderr


def test_prime_contract_import_is_a_sage300_feature(stack, projects_file, imported):
    done = run(stack, projects_file, "prime-contract", "import", "P-3001", "3001-PC", "--as", ADMIN)
    assert done.returncode == 1
    assert "Sage 100 Contractor®" in done.stderr and "prime contract import" in done.stderr
    assert "Traceback" not in done.stderr
