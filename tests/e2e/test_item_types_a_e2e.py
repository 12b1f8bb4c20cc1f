"""Projects, sub jobs, companies, budgets and budget modifications through the whole product,
as a user drives them with starter.py: from draft to posted (a person posts the estimate
batches in Sage through the mock's admin call), every invalid example refused at send in the
seed's words, and Sage's refusals shown in `status` with their cause and solution.

Item numbers start with "A-" so no other test's items or Sage records collide with these.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from domain.errors import CATALOGUE
from tests.e2e.conftest import ROOT, Stack

ADMIN, APPROVER = "pm.alex", "acct.ana"
ITEMS, INVALID = ROOT / "examples" / "items", ROOT / "examples" / "invalid"
JOB = "A-1004"  # the Sage Job ID the approver gives project P-1018 (a P-1004 copy) here


def ok(done) -> str:
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr}"
    return done.stdout


def write(folder: Path, example: str, **changes: Any) -> Path:
    data = json.loads((ITEMS / example).read_text(encoding="utf-8"))
    data.update(changes)
    path = folder / f"{data['type']}-{data['number']}.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def own_project(folder: Path, project: str) -> dict[str, str]:
    """A settings file with `project`: a copy of P-1004 (no Sage job yet), for a test whose
    project export must not meet another test's job in the link registry."""
    projects = json.loads((ROOT / "examples" / "projects.json").read_text(encoding="utf-8"))
    projects["projects"][project] = {**projects["projects"]["P-1004"], "project": project}
    path = folder / "projects.json"
    path.write_text(json.dumps(projects))
    return {"ERP_PROJECTS_FILE": str(path)}


def post_batches(stack: Stack, item: str) -> dict[str, Any]:
    """A person posts the item's batches in Sage; the item then reaches posted on its own."""
    exported = stack.wait_for_state(item, "exported")
    assert exported["next_action"].startswith("a person posts batch")
    assert exported["batches"]
    for batch in exported["batches"]:
        assert stack.sage("GET", f"/v1/batches/{batch}")["posted"] is False
        stack.admin("POST", f"/admin/batches/{batch}/post")
    return stack.wait_for_state(item, "posted", timeout=120)


def test_a_project_then_its_sub_job_budget_and_modification_reach_posted(
    stack: Stack, tmp_path: Path
):
    # the project: the approver must give the Sage Job ID
    # P-1018: a copy of P-1004 of this test's own (examples/invalid's P-1004 stays unsynced)
    env = own_project(tmp_path, "P-1018")
    project = "project:P-1018:A-1004"
    path = write(tmp_path, "project-1004.json", number="A-1004", project="P-1018")
    ok(stack.starter("start", str(path), env=env))
    ok(stack.starter("send", project, "--as", ADMIN, env=env))
    missing = stack.starter("accept", project, "--as", APPROVER, env=env)
    assert missing.returncode == 1
    assert "export field 'sage_job_id' can't be blank" in missing.stderr
    ok(stack.starter("accept", project, "--as", APPROVER, "--field", f"sage_job_id={JOB}", env=env))
    done = stack.wait_for_state(project, "posted")
    assert done["sage_ids"] == {"job_id": JOB}
    job = stack.sage("GET", f"/v1/jobs/{JOB}")
    assert (job["name"], job["city"], job["zip"]) == ("Lakeside Library", "Lakeside", "92040")
    assert {c["code"]: c["categories"] for c in job["cost_codes"]}["01-100"] == ["L", "M", "O"]

    # the sub job: SubJob ID prefilled, changed at accept
    sub_job = "sub_job:P-1018:A-SJ-01"
    path = write(tmp_path, "sub_job-SJ-01.json", project="P-1018", number="A-SJ-01")
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN, env=env))
    ok(stack.starter("accept", sub_job, "--as", APPROVER, "--field", "sub_job_id=A-EW", env=env))
    assert stack.wait_for_state(sub_job, "posted")["sage_ids"] == {"extra_id": "A-EW"}
    assert stack.sage("GET", f"/v1/extras/{JOB}/A-EW")["description"] == "East Wing"

    # the budget: exported, then posted once a person posts its batch
    budget = "budget:P-1018:A-BUD-1"
    path = write(tmp_path, "budget-BUD-1001.json", project="P-1018", number="A-BUD-1")
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN, env=env))
    ok(stack.starter("accept", budget, "--as", APPROVER, env=env))
    posted = post_batches(stack, budget)
    estimate = stack.sage("GET", f"/v1/estimates/{posted['sage_ids']['estimate_id']}")
    assert estimate["job_id"] == JOB
    assert sum(line["original_estimate"] for line in estimate["lines"]) == 2_767_000.0

    # the budget modification: allowed on the locked budget, posted by a person too
    change = "budget_modification:P-1018:A-BM-1"
    path = write(tmp_path, "budget_modification-BM-001.json", project="P-1018", number="A-BM-1")
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN, env=env))
    ok(stack.starter("accept", change, "--as", APPROVER, env=env))
    posted = post_batches(stack, change)
    transfer = stack.sage("GET", f"/v1/estimate_transfers/{posted['sage_ids']['transfer_id']}")
    assert [line["transfer_amount"] for line in transfer["lines"]] == [-7500.0, 7500.0]
    assert transfer["job_name"] == "Lakeside Library"

    # a second budget for the same job: Sage refuses, status says why and what to do
    again = "budget:P-1018:A-BUD-2"
    path = write(
        tmp_path,
        "budget-BUD-1001.json",
        project="P-1018",
        number="A-BUD-2",
        lines=[{"cost_code": "03-300", "category": "S", "original_budget": "1300000"}],
    )
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN, env=env))
    ok(stack.starter("accept", again, "--as", APPROVER, env=env))
    failed = stack.wait_for_state(again, "export_failed")
    assert failed["last_error"]["code"] == "budget_locked"
    shown = ok(stack.starter("status", again))
    assert f"The budget of job [{JOB}] has already been exported" in shown
    assert f"cause: {CATALOGUE['budget_locked'].cause}" in shown
    assert f"solution: {CATALOGUE['budget_locked'].solution}" in shown
    estimates = stack.admin("GET", "/admin/records/estimates")
    assert [e["job_id"] for e in estimates].count(JOB) == 1


def test_a_company_reaches_posted_as_a_vendor_with_its_phones(stack: Stack, tmp_path: Path):
    company = "company:P-1001:A-C-5001"
    path = write(tmp_path, "company-C-5001.json", number="A-C-5001")
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN))
    ok(stack.starter("accept", company, "--as", APPROVER, "--field", "erp_company_id=A-V-500"))
    assert stack.wait_for_state(company, "posted")["sage_ids"] == {"vendor_id": "A-V-500"}
    vendor = stack.sage("GET", "/v1/vendors/A-V-500")
    assert (vendor["name"], vendor["telephone"], vendor["fax"]) == (
        "Northside Glazing LLC",
        "951-555-0142",
        "951-555-0143",
    )


@pytest.mark.parametrize(
    ("example", "number", "field", "taken", "free", "code"),
    [
        ("project-1004.json", "A-1005", "sage_job_id", "1001", "A-1005", "job_exists"),
        ("company-C-5001.json", "A-C-5002", "erp_company_id", "V-100", "A-V-501", "vendor_exists"),
    ],
    ids=["job-code-in-use", "vendor-id-in-use"],
)
def test_a_code_sage_already_uses_shows_cause_and_solution_and_a_retry_fixes_it(
    stack: Stack, tmp_path: Path, example, number, field, taken, free, code
):
    data = json.loads((ITEMS / example).read_text(encoding="utf-8"))
    env: dict[str, str] = {}
    if data["type"] == "project":  # P-1004 is synced by the test above: a project of its own
        data["project"] = "P-1017"
        env = own_project(tmp_path, "P-1017")
    item = f"{data['type']}:{data['project']}:{number}"
    path = write(tmp_path, example, number=number, project=data["project"])
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN, env=env))
    ok(stack.starter("accept", item, "--as", APPROVER, "--field", f"{field}={taken}", env=env))

    failed = stack.wait_for_state(item, "export_failed")
    assert failed["last_error"]["code"] == code
    shown = ok(stack.starter("status", item))
    assert f"last error [{code}]: {CATALOGUE[code].message}" in shown
    assert f"cause: {CATALOGUE[code].cause}" in shown
    assert f"solution: {CATALOGUE[code].solution}" in shown

    ok(stack.starter("retry", item, "--as", APPROVER, "--field", f"{field}={free}", env=env))
    assert stack.wait_for_state(item, "posted")["export_fields"] == {field: free}


# --- every invalid example of these types is refused at send, in the seed's words ---

JOB_RULE = "The project must be synced with a Sage 300 CRE® job first"
SEED_WORDS = {
    "project-already-synced": "jobs CANNOT be created in both locations and linked together.",
    "project-pre-existing": "Projects that are in-progress or created before connection of the "
    "integration cannot be synced.",
    "project-name-too-long": "[Name] is too long, maximum length is 30 characters.",
    "project-city-too-long": "[AddressCity] is too long, maximum length is 15 characters.",
    "project-zip-too-long": "[AddressZip] is too long, maximum length is 10 characters.",
    "sub_job-project-not-synced": JOB_RULE,
    "company-already-linked": "It is already linked to Sage 300 CRE® vendor V-100",
    "company-name-too-long": "[Name] is too long, maximum length is 30 characters.",
    "company-city-too-long": "[AddressCity] is too long, maximum length is 15 characters.",
    "company-zip-too-long": "[AddressZip] is too long, maximum length is 10 characters.",
    "budget-project-not-synced": JOB_RULE,
    "budget-not-locked": "Lock the budget before you send it to ERP Integrations",
    "budget-no-lines": "Must include at least one (1) budget line item",
    "budget_modification-project-not-synced": JOB_RULE,
    "budget_modification-question-mark-line": 'Line items with a "?" will not allow a user to '
    "create a Budget Change into/from the line item.",
    "budget_modification-no-from-line": "moves money from at least one budget line item",
}
TYPES = ("project", "sub_job", "company", "budget", "budget_modification")


def test_there_is_an_invalid_example_for_every_rule():
    found = {p.stem for t in TYPES for p in INVALID.glob(f"{t}-*.json")}
    assert found == set(SEED_WORDS)


@pytest.mark.parametrize(("name", "words"), sorted(SEED_WORDS.items()))
def test_an_invalid_example_is_refused_at_send_with_the_seeds_words(stack: Stack, name, words):
    path = INVALID / f"{name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    item = f"{data['type']}:{data['project']}:{data['number']}"
    ok(stack.starter("start", str(path)))
    refused = stack.starter("send", item, "--as", ADMIN)
    assert refused.returncode == 1
    assert words in refused.stderr
    assert "Traceback" not in refused.stderr
    assert stack.status(item)["state"] == "draft"
