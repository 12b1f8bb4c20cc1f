"""The seeds' rules that main had wrong (issue 18), end to end: the real dev server, the real
mock Sage and worker, `starter.py` as people run it.

- A budget modification that does not net to zero is sent, warned about in `status`, exported.
- A CCO title longer than a commitment's 30 characters reaches Sage whole.
- A Sage 100 Contractor® budget updated after its export is sent again and replaces the job's
  estimate (seeds/002 "Update and Export a Budget").
- A PCCO on a "Use Quickbill" job changes its Miscellaneous Worksheet (seeds/004 footnote 7).
- A Sage extra is imported as a sub job and listed with the exported ones (seeds/004 matrix).
- A budget set up in Sage is imported (and refreshed), then a Procore budget export of that
  project is refused (seeds/002: set up in one system, then imported or exported).
- A project cost code sent for acceptance is accepted into the Sage job once, with its standard
  code's default cost types; a rejected one reaches nothing (seeds/004 matrix).
- A Sage job's cost transactions are synced into the project's Direct Costs once each; one on
  an extra not yet a sub job waits in the unsyncable report until the sub job is imported.
- An exported subcontractor invoice Sage pays shows Paid with its check, noted once.

The project settings file is this module's copy: it adds a Quickbill project and the Sage 100
job it imports.
"""

from __future__ import annotations

import copy
import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, Stack

TOOL_ADMIN, APPROVER, ERP_ADMIN = "pm.alex", "acct.ana", "acct.admin"
QUICKBILL = "P-2092"
"""A project synced with job 2002 (Cedar Park Library), billed "Use Quickbill" at the job."""
SETTINGS_OFF = "P-1093"
"""Job 1001 again, with the two seed settings off: no Sage ID from the contract number, no
invoice line consolidation; pm.cora is Admin on Commitments only, pm.ivy on Invoicing only,
acct.dora is ERP Standard and Admin on the Directory tool (she sees the synced sub jobs)."""
BUDGET_FROM_SAGE = "P-1094"
"""Sage job 1094, made in Sage by this module (its own job: a Sage 300 CRE® job takes one
estimate, which no other test may lock), its budget set up in Sage."""
DIRECT_COSTS = "P-1095"
"""Sage job 1095, made in Sage by this module, with an extra and cost transactions of its own."""
SAGE100 = "P-3092"
"""Sage 100 Contractor® job 3002 (Elm Park Townhomes), imported by this module."""
FORECAST = "P-1096"
"""Job 1003 (Northgate School) with Export Forecast Amounts on (seeds/004 Cost Forecast Data)."""


@pytest.fixture(scope="module")
def projects_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed-rules") / "projects.json"
    shutil.copy(ROOT / "examples" / "projects.json", path)
    data = json.loads(path.read_text())
    quickbill = copy.deepcopy(data["projects"]["P-1001"])
    quickbill.update(project=QUICKBILL, name="Cedar Park Library", sage_job_id="2002")
    data["projects"][QUICKBILL] = quickbill
    settings_off = copy.deepcopy(data["projects"]["P-1001"])
    settings_off.update(
        project=SETTINGS_OFF,
        commitment_sage_id_from_contract_number=False,
        consolidate_invoice_lines=False,
    )
    settings_off["roster"]["pm.cora"] = {"erp": "none", "tool_admin": ["commitments"]}
    settings_off["roster"]["pm.ivy"] = {"erp": "none", "tool_admin": ["invoicing"]}
    settings_off["roster"]["acct.dora"] = {"erp": "standard", "tool_admin": ["directory"]}
    data["projects"][SETTINGS_OFF] = settings_off
    from_sage = copy.deepcopy(data["projects"]["P-1001"])
    from_sage.update(project=BUDGET_FROM_SAGE, name="Harbor Point Offices", sage_job_id="1094")
    data["projects"][BUDGET_FROM_SAGE] = from_sage
    forecast = copy.deepcopy(data["projects"]["P-1001"])
    forecast.update(
        project=FORECAST, name="Northgate School", sage_job_id="1003", export_forecast_amounts=True
    )
    data["projects"][FORECAST] = forecast
    direct = copy.deepcopy(data["projects"]["P-1001"])
    direct.update(
        project=DIRECT_COSTS,
        name="Bayview Clinic",
        sage_job_id="1095",
        job_cost_transaction_sync=True,  # seeds/004: "Enable job cost transaction syncing"
    )
    data["projects"][DIRECT_COSTS] = direct
    path.write_text(json.dumps(data, indent=2))
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("seed-rule-items")


def run(stack: Stack, projects_file: Path, *args: str) -> Any:
    return stack.starter(*args, env={"ERP_PROJECTS_FILE": str(projects_file)})


def ok(done: Any) -> str:
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr}"
    assert "Traceback" not in done.stderr
    return done.stdout


def example(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "examples" / "items" / name).read_text(encoding="utf-8"))


def write(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / f"{data['type']}-{data['number']}.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def records(stack: Stack, kind: str, **match: Any) -> list[dict[str, Any]]:
    rows = stack.admin("GET", f"/admin/records/{kind}")
    return [r for r in rows if all(r.get(k) == v for k, v in match.items())]


def post_batches(stack: Stack, item: str) -> None:
    """A person posts the item's batches in Sage."""
    for batch in stack.status(item)["batches"]:
        stack.admin("POST", f"/admin/batches/{batch}/post")


def send_and_accept(stack: Stack, projects_file: Path, path: Path, approver: str, *extra: str):
    data = json.loads(path.read_text())
    item = f"{data['type']}:{data['project']}:{data['number']}"
    ok(run(stack, projects_file, "start", str(path), "--send", "--as", TOOL_ADMIN))
    ok(run(stack, projects_file, "accept", item, "--as", approver, *extra))
    return item


def test_a_budget_modification_that_does_not_net_to_zero_is_warned_about_and_exported(
    stack: Stack, projects_file: Path, folder: Path
):
    """seeds/004: "Typically Budget Modifications are used to move money from one budget line
    item to another, usually with a zero sum effect." Usually, not always."""
    data = example("budget_modification-BM-001.json") | {"number": "S-BM-UNEVEN"}
    data["lines"][1]["amount"] = "7600.00"  # 7,500.00 out, 7,600.00 in
    item = "budget_modification:P-1001:S-BM-UNEVEN"
    ok(run(stack, projects_file, "start", str(write(folder, data))))
    ok(run(stack, projects_file, "send", item, "--as", TOOL_ADMIN))

    shown = ok(run(stack, projects_file, "status", item))
    assert "warning: From/To. Typically Budget Modifications are used to move money" in shown
    assert "change the budget by $+100.00" in shown
    [warning] = stack.status(item)["warnings"]
    assert "usually with a zero sum effect" in warning

    ok(run(stack, projects_file, "accept", item, "--as", APPROVER))
    exported = stack.wait_for_state(item, "exported")
    transfer_id = exported["sage_ids"]["transfer_id"]
    [transfer] = records(stack, "estimate_transfers", transfer_id=transfer_id)
    assert [line["transfer_amount"] for line in transfer["lines"]] == [-7500.0, 7600.0]


def test_a_cco_title_longer_than_30_characters_reaches_sage_whole(
    stack: Stack, projects_file: Path, folder: Path
):
    """The seeds' 30-character title is the commitment's ("COMMITMENTS" prerequisites); the CCO
    section names no limit, so nothing refuses a long CCO title, before or after acceptance."""
    commitment = example("commitment-SC-0042.json") | {"number": "S-SC-TITLE"}
    accepted = send_and_accept(stack, projects_file, write(folder, commitment), APPROVER)
    stack.wait_for_state(accepted, "exported", "posted")  # in Sage: it takes change orders

    title = "Added footings at grid C and D after the soils report of week 12"
    cco = example("commitment_change_order-SC-0042-01.json") | {
        "number": "S-CCO-TITLE",
        "title": title,
        "commitment": {"number": "S-SC-TITLE", "sage_id": "S-SC-TITLE"},
    }
    item = send_and_accept(stack, projects_file, write(folder, cco), APPROVER)
    stack.wait_for_state(item, "exported", "posted")
    [sent] = records(stack, "commitment_change_orders", change_order_id="S-CCO-TITLE")
    assert sent["description"] == title


def test_a_sage100_budget_updated_after_its_export_is_exported_again(
    stack: Stack, projects_file: Path, folder: Path
):
    """seeds/002 "Update and Export a Budget": "If you need to update a budget in Procore after
    exporting it to Sage 100 Contractor®": edit a line, add a partial line, delete a line, then
    send it again and accept it."""
    ok(
        run(
            stack, projects_file,
            *("jobs", "import", "3002", "--company", "S100", "--project", SAGE100),
            *("--like", "P-1001", "--as", ERP_ADMIN),
        )
    )  # fmt: skip
    first = {
        "type": "budget",
        "project": SAGE100,
        "number": "S-BUD-1",
        "locked": True,
        "lines": [
            {"cost_code": "03-000", "category": "1", "original_budget": "145000.00"},
            {"cost_code": "06-000", "category": "2", "original_budget": "60000.00"},
        ],
    }
    item = send_and_accept(stack, projects_file, write(folder, first), APPROVER)
    stack.wait_for_state(item, "exported")
    post_batches(stack, item)  # a person posts it in Sage

    updated = first | {
        "number": "S-BUD-2",
        "lines": [  # 03-000 edited, 06-000 deleted, 16-000 added
            {"cost_code": "03-000", "category": "1", "original_budget": "150000.00"},
            {"cost_code": "16-000", "category": "2", "original_budget": "40000.00"},
        ],
    }
    again = send_and_accept(stack, projects_file, write(folder, updated), APPROVER)
    status = stack.wait_for_state(again, "exported")
    assert status["last_error"] is None
    post_batches(stack, again)

    estimates = records(stack, "estimates", job_id="3002")
    assert len(estimates) == 2  # one per export, exactly once each
    assert estimates[0]["replaced_by"] == estimates[1]["estimate_id"]
    assert estimates[1]["replaced_by"] is None
    ok(run(stack, projects_file, "job-costs", SAGE100, "--sync", "--as", ERP_ADMIN))
    costs = json.loads(
        ok(run(stack, projects_file, "job-costs", SAGE100, "--json", "--as", ERP_ADMIN))
    )
    # the matrix's "View an ERP Job Costs Report": Admin on the ERP Integrations tool
    refused = run(stack, projects_file, "job-costs", SAGE100, "--as", APPROVER)
    assert refused.returncode == 1 and "cannot view an ERP job costs report: needs Admin" in (
        refused.stderr
    )
    nobody = run(stack, projects_file, "job-costs", SAGE100)
    assert nobody.returncode == 2 and "job-costs needs --as USER" in nobody.stderr
    budgeted = {
        (line["cost_code"], line["category"]): float(line["original_estimate"])
        for line in costs["lines"]
        if float(line["original_estimate"])
    }
    assert budgeted == {("03-000", "1"): 150000.0, ("16-000", "2"): 40000.0}


def test_a_pcco_on_a_quickbill_job_goes_to_its_misc_worksheet(
    stack: Stack, projects_file: Path, folder: Path
):
    """seeds/004 PCCO data mapping, footnote 7: "Includes miscellaneous worksheet transactions"
    (a Quickbill job has no Contracts-application contract: its contract number is the job)."""
    data = example("prime_contract_change_order-PCCO-007.json") | {
        "project": QUICKBILL,
        "number": "S-PCCO-QB",
        "prime_contract": {"number": "2002"},  # the job: its number once imported
    }
    data["sov"] = [
        {
            "contract_item": "JOB",
            "description": "Entrance canopy",
            "cost_code": "03-300",
            "category": "M",
            "amount": "18000.00",
        }
    ]
    ok(run(stack, projects_file, "prime-contract", "import", QUICKBILL, "2002", "--as", ERP_ADMIN))
    item = send_and_accept(stack, projects_file, write(folder, data), ERP_ADMIN)
    status = stack.wait_for_state(item, "exported", "export_failed")
    assert status["state"] == "exported", status["last_error"]
    assert status["links"] == {"contract": "2002"}  # the registry's, not the file's
    [change] = records(stack, "schedule_value_changes", chg_mgt_ref_1="S-PCCO-QB")
    assert (change["job_id"], change["contract_id"]) == ("2002", "2002")
    assert [line["contract_item"] for line in change["lines"]] == ["JOB"]
    [worksheet] = stack.sage("GET", "/v1/prime_contracts/2002/2002")["worksheet"]
    assert worksheet["approved_changes"] == 18000.0


# --- the accountant report: seeds/004 permissions matrix, "View an Accountant Report for ERP"
# (Admin on the ERP Integrations tool) ---


def commitment_data(number: str, **changes: Any) -> dict[str, Any]:
    return example("commitment-SC-0042.json") | {"project": QUICKBILL, "number": number} | changes


def test_the_accountant_report_shows_ready_failed_synced_and_posted_with_amounts(
    stack: Stack, projects_file: Path, folder: Path
):
    inactive = {"name": "Defunct Drywall LLC", "sage_vendor_id": "V-900"}
    ready = f"commitment:{QUICKBILL}:R-READY"
    path = write(folder, commitment_data("R-READY"))
    ok(run(stack, projects_file, "start", str(path), "--send", "--as", TOOL_ADMIN))
    draft = commitment_data("R-DRAFT")
    ok(run(stack, projects_file, "start", str(write(folder, draft))))
    failing = commitment_data("R-FAILED", contract_company=inactive)
    failed = send_and_accept(stack, projects_file, write(folder, failing), APPROVER)
    posted = send_and_accept(
        stack, projects_file, write(folder, commitment_data("R-POSTED")), APPROVER
    )
    moving = example("budget_modification-BM-001.json") | {"project": QUICKBILL, "number": "R-BM"}
    synced = send_and_accept(stack, projects_file, write(folder, moving), APPROVER)
    stack.wait_for_state(failed, "export_failed")
    stack.wait_for_state(posted, "posted")
    stack.wait_for_state(synced, "exported")

    shown = ok(run(stack, projects_file, "report", QUICKBILL, "--as", ERP_ADMIN))
    assert f"Accountant report for ERP: project {QUICKBILL}" in shown
    assert "Ready to export (waiting for an accounting approver): 1, $125,000.00" in shown
    assert "[vendor_inactive] Vendor is inactive/has been archived." in shown
    assert "Not in the report: 1 draft" in shown
    for item in (ready, failed, posted, synced):
        assert item in shown

    report = json.loads(
        ok(run(stack, projects_file, "report", QUICKBILL, "--as", ERP_ADMIN, "--json"))
    )
    sections = {s["section"]: s for s in report["sections"]}
    assert [line["item"] for line in sections["ready"]["lines"]] == [ready]
    assert sections["ready"]["amount"] == "125000.00"
    assert [line["item"] for line in sections["failed"]["lines"]] == [failed]
    assert synced in [line["item"] for line in sections["synced"]["lines"]]
    [bm] = [line for line in sections["synced"]["lines"] if line["item"] == synced]
    assert bm["batches"] and bm["amount"] == "7500.00"
    assert posted in [line["item"] for line in sections["posted"]["lines"]]
    assert report["elsewhere"] == {"draft": 1}

    for who, words in (
        (APPROVER, "cannot view an accountant report for ERP: needs Admin"),
        ("mallory", "'mallory' is not on the roster"),
    ):
        refused = run(stack, projects_file, "report", QUICKBILL, "--as", who)
        assert refused.returncode == 1, refused.stderr
        assert words in refused.stderr and "Traceback" not in refused.stderr
    unknown = run(stack, projects_file, "report", "P-NOPE", "--as", ERP_ADMIN)
    assert unknown.returncode == 2 and "P-NOPE" in unknown.stderr
    assert "Traceback" not in unknown.stderr


# --- the seeds' settings and the invoice's tool ---


def test_the_sage_id_setting_the_invoice_line_switch_and_the_invoices_tool(
    stack: Stack, projects_file: Path, folder: Path, tmp_path: Path
):
    """seeds/004 COMMITMENTS: "If enabled, the Sage ID will auto-populate with the Procore
    Contract Number ... (Note: Enabling this setting requires 'Admin' level permission on the
    ERP Integrations tool.)"; release note 08/05/2024: invoice lines consolidated per commitment
    line, "If you would like to have this functionality turned off ..."; subcontractor invoices:
    "Before you can send an invoice from the Commitments tool to the ERP Integrations tool"."""
    commitment = commitment_data("R-NOID") | {"project": SETTINGS_OFF}
    item = f"commitment:{SETTINGS_OFF}:R-NOID"
    path = write(folder, commitment)
    ok(run(stack, projects_file, "start", str(path), "--send", "--as", TOOL_ADMIN))
    refused = run(stack, projects_file, "accept", item, "--as", APPROVER)
    assert refused.returncode == 1, refused.stderr
    assert "commitment_sage_id_from_contract_number" in refused.stderr
    assert "--field sage_id=ID" in refused.stderr and "Traceback" not in refused.stderr
    ok(run(stack, projects_file, "accept", item, "--as", APPROVER, "--field", "sage_id=R-NOID-S"))
    stack.wait_for_state(item, "exported", "posted")
    assert len(records(stack, "commitments", commitment_id="R-NOID-S")) == 1

    invoice = example("subcontractor_invoice-INV-0042-01.json") | {
        "project": SETTINGS_OFF,
        "number": "R-INV-1",
        "commitment": {"number": "R-NOID", "sage_id": "R-NOID-S"},
    }
    invoice_item = f"subcontractor_invoice:{SETTINGS_OFF}:R-INV-1"
    ok(run(stack, projects_file, "start", str(write(folder, invoice))))
    wrong_tool = run(stack, projects_file, "send", invoice_item, "--as", "pm.ivy")
    assert wrong_tool.returncode == 1 and "needs Admin on the Commitments tool" in (
        wrong_tool.stderr
    )
    ok(run(stack, projects_file, "send", invoice_item, "--as", "pm.cora"))
    ok(run(stack, projects_file, "accept", invoice_item, "--as", APPROVER))
    stack.wait_for_state(invoice_item, "exported")
    [sent] = records(stack, "ap_invoices", invoice_id="R-INV-1")
    assert [d["commitment_item"] for d in sent["distributions"]] == ["1", "1", "2"]

    # Sage pays it: the matrix's "Sync Paid Invoice Notifications from ERP into Procore" (Admin)
    post_batches(stack, invoice_item)
    check = {"check_number": "10234", "date": "2026-12-05", "amount": sent["original_amount"]}
    stack.admin("POST", f"/admin/ap_invoices/{sent['vendor_id']}/R-INV-1/payments", json=check)
    syncing = ("paid-invoices", "sync", SETTINGS_OFF)
    not_admin = run(stack, projects_file, *syncing, "--as", APPROVER)
    assert not_admin.returncode == 1 and "needs Admin on the ERP" in not_admin.stderr
    deadline = time.monotonic() + 30
    while "1 new payments (R-INV-1)" not in ok(
        run(stack, projects_file, *syncing, "--as", ERP_ADMIN)
    ):
        assert time.monotonic() < deadline, "the invoice's link never reached its project"
        time.sleep(0.3)
    assert "0 new payments" in ok(run(stack, projects_file, *syncing, "--as", ERP_ADMIN))
    listing = ("paid-invoices", "list", SETTINGS_OFF, "--as", "pm.cora", "--json")
    [paid] = json.loads(ok(run(stack, projects_file, *listing)))
    assert (paid["invoice"], paid["status"], paid["checks"]) == ("R-INV-1", "Paid", ["10234"])

    # enabling the setting: settings apply, from an ERP Admin of the roster the items hold
    later = f"commitment:{SETTINGS_OFF}:R-LATER"
    data = commitment_data("R-LATER") | {"project": SETTINGS_OFF}
    ok(run(stack, projects_file, "start", str(write(folder, data)), "--send", "--as", TOOL_ADMIN))
    projects = json.loads(projects_file.read_text())["projects"]
    enabled = projects[SETTINGS_OFF] | {"commitment_sage_id_from_contract_number": True}
    changed = tmp_path / "enabled.json"
    changed.write_text(json.dumps({"projects": {SETTINGS_OFF: enabled}}))
    not_admin = run(stack, projects_file, "settings", "apply", str(changed), "--as", APPROVER)
    assert not_admin.returncode == 1, not_admin.stderr
    assert "needs Admin on the ERP Integrations tool" in not_admin.stdout + not_admin.stderr
    ok(run(stack, projects_file, "settings", "apply", str(changed), "--as", ERP_ADMIN))
    deadline = time.monotonic() + 30
    while stack.status(later)["audit"][-1]["action"] != "settings":
        assert time.monotonic() < deadline, "the settings never reached the open item"
        time.sleep(0.3)
    ok(run(stack, projects_file, "accept", later, "--as", APPROVER))
    done = stack.wait_for_state(later, "exported", "posted")
    assert done["export_fields"] == {"sage_id": "R-LATER"}


def test_the_list_of_synced_sub_jobs(stack: Stack, projects_file: Path, folder: Path):
    """seeds/004 permissions matrix, "View a List of Synced Sub Jobs": Standard or Admin on the
    ERP Integrations tool, "Also requires 'Admin' level permissions to the Company level
    Directory tool"; and "Import an ERP Sub Job to a Procore Project" (Standard or Admin): an
    extra a person made in Sage becomes a sub job (Code <- Extra, Sub Job <- Description)."""
    empty = ok(run(stack, projects_file, "sub-jobs", "list", SETTINGS_OFF, "--as", "acct.dora"))
    assert "(no sub job synced yet)" in empty
    data = json.loads((ROOT / "examples" / "items" / "sub_job-SJ-01.json").read_text())
    data |= {"project": SETTINGS_OFF, "number": "R-SJ-1"}
    synced = send_and_accept(
        stack, projects_file, write(folder, data), APPROVER, "--field", "sub_job_id=R-EW"
    )
    stack.wait_for_state(synced, "exported", "posted")
    waiting = data | {"number": "R-SJ-2"}
    path = write(folder, waiting)
    ok(run(stack, projects_file, "start", str(path), "--send", "--as", TOOL_ADMIN))

    # an extra made in Sage, imported by an ERP Standard user; the held roster decides (the
    # other refusals: tests/workflows/test_sub_job_import.py, tests/test_cli_usage.py)
    made = {"job_id": "1001", "extra_id": "R-NW", "description": "North Wing"}
    made["cost_codes"] = [{"code": "03-300", "description": "Concrete", "categories": ["L"]}]
    stack.sage("POST", "/v1/extras", headers={"Idempotency-Key": "e2e-r-nw"}, json=made)
    hostile = run(
        stack, projects_file, "sub-jobs", "import", SETTINGS_OFF, "R-NW", "--as", "mallory"
    )
    assert hostile.returncode == 1, hostile.stderr
    assert "'mallory' is not on the roster of project P-1093" in hostile.stderr
    added = ok(
        run(stack, projects_file, "sub-jobs", "import", SETTINGS_OFF, "R-NW", "--as", APPROVER)
    )
    assert "sub job R-NW (North Wing) added from extra R-NW of Sage job 1001" in added
    again = run(stack, projects_file, "sub-jobs", "import", SETTINGS_OFF, "R-NW", "--as", ERP_ADMIN)
    assert again.returncode == 1 and "synced with sub job R-NW already" in again.stderr

    listing = ("sub-jobs", "list", SETTINGS_OFF, "--as", "acct.dora")
    shown = ok(run(stack, projects_file, *listing))
    assert "Sub jobs of project P-1093 synced with Sage job 1001" in shown
    assert "R-SJ-1" in shown and "R-EW" in shown and "R-SJ-2" not in shown
    assert "North Wing" in shown
    listed = json.loads(ok(run(stack, projects_file, *listing, "--json")))
    assert [(row["number"], row["extra_id"], row["origin"]) for row in listed] == [
        ("R-NW", "R-NW", "imported"),
        ("R-SJ-1", "R-EW", "exported"),
    ]
    assert stack.sage("GET", "/v1/extras/1001/R-EW")["extra_id"] == "R-EW"
    for who, words in (
        (APPROVER, "also needs Admin on the company level Directory tool"),
        (TOOL_ADMIN, "needs Standard or Admin on the ERP Integrations tool"),
    ):
        refused = run(stack, projects_file, "sub-jobs", "list", SETTINGS_OFF, "--as", who)
        assert refused.returncode == 1 and words in refused.stderr, refused.stderr


def test_a_budget_set_up_in_sage_is_imported_refreshed_and_never_exported(
    stack: Stack, projects_file: Path, folder: Path
):
    """seeds/002: "you must always set up the budget in one system and then import or export
    it to the other"; seeds/004 matrix "Import a Budget from ERP" (Standard or Admin) and
    "Budgets can be refreshed". (Refused after an export, the held roster's refusals:
    tests/workflows/test_budget_import.py.)"""
    codes = [
        {"code": "01-100", "description": "General Conditions", "categories": ["L"]},
        {"code": "03-300", "description": "Concrete", "categories": ["S"]},
    ]
    job = {"job_id": "1094", "name": "Harbor Point Offices", "cost_codes": codes}
    stack.sage("POST", "/v1/jobs", headers={"Idempotency-Key": "e2e-job-1094"}, json=job)
    importing = ("budgets", "import", BUDGET_FROM_SAGE)
    none = run(stack, projects_file, *importing, "--as", APPROVER)
    assert none.returncode == 1 and "Sage job 1094 holds no budget" in none.stderr, none.stderr

    lines = [
        {"cost_code": "01-100", "category": "L", "original_estimate": 185000.0},
        {"cost_code": "03-300", "category": "S", "original_estimate": 125000.0},
    ]
    made = stack.sage(
        "POST",
        "/v1/estimates",
        headers={"Idempotency-Key": "e2e-estimate-1094"},
        json={"job_id": "1094", "lines": lines},
    )
    stack.admin("POST", f"/admin/batches/{made['batch']['batch_id']}/post")
    estimate_id = made["estimate"]["estimate_id"]
    shown = ok(run(stack, projects_file, *importing, "--as", APPROVER))
    assert (
        f"budget of project P-1094 imported from estimate {estimate_id} of Sage job 1094: "
        "2 lines, $310,000.00"
    ) in shown
    assert "185,000.00" in shown and "125,000.00" in shown
    again = json.loads(ok(run(stack, projects_file, *importing, "--as", ERP_ADMIN, "--json")))
    assert again["imports"] == 2 and len(again["lines"]) == 2  # refreshed, not added

    budget = example("budget-BUD-1001.json") | {"project": BUDGET_FROM_SAGE, "number": "S-BUD-S"}
    ok(run(stack, projects_file, "start", str(write(folder, budget))))
    refused = run(
        stack, projects_file, "send", f"budget:{BUDGET_FROM_SAGE}:S-BUD-S", "--as", TOOL_ADMIN
    )
    assert refused.returncode == 1, refused.stdout
    assert f"imported from Sage (estimate {estimate_id})" in refused.stderr
    kept = records(stack, "estimates", job_id="1094")
    assert [e["estimate_id"] for e in kept] == [estimate_id]  # Sage's budget, untouched


def test_cost_forecast_amounts_become_one_misc_worksheet_1_and_2_per_line_item(
    stack: Stack, projects_file: Path, folder: Path
):
    """seeds/004 Cost Forecast Data: "If enabled, the information tracked in the Procore Budget
    for Forecast to Complete and Estimated Cost at Complete will be included in the export any
    time an original budget amount, or budget modfications are exported"; "For each budget line
    item, 2 transaction types (Misc worksheet1 and Misc worksheet 2) are created"."""

    def transactions(job: str) -> list[tuple[str, str, str, str]]:
        rows = records(stack, "misc_worksheet_transactions", job_id=job)
        return [
            (r["import_id"], r["transaction_type"], r["cost_code"], r["category"]) for r in rows
        ]

    # a careless amount in the file: refused at load, naming the file and the field
    budget = example("budget-BUD-1001.json") | {"project": FORECAST, "number": "S-BUD-FC"}
    hostile = json.loads(json.dumps(budget))
    hostile["lines"][3]["estimated_cost_at_completion"] = "-1"
    path = write(folder, hostile)
    refused = run(stack, projects_file, "start", str(path))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
    assert "lines.3.estimated_cost_at_completion" in refused.stderr
    assert "greater than or equal to 0" in refused.stderr

    # the valid file: the estimate, then one Misc Worksheet 1 and 2 per budget line item
    item = send_and_accept(stack, projects_file, write(folder, budget), APPROVER)
    exported = stack.wait_for_state(item, "exported")
    forecast_id = exported["sage_ids"]["forecast_id"]
    lines = [(ln["cost_code"], ln["category"]) for ln in budget["lines"]]
    assert transactions("1003") == [
        (forecast_id, kind, code, category)
        for code, category in lines
        for kind in ("misc_worksheet_1", "misc_worksheet_2")
    ]
    drywall = records(
        stack, "misc_worksheet_transactions", import_id=forecast_id, cost_code="09-250"
    )
    assert [(r["amount"], r["description"], r["extra_id"]) for r in drywall] == [
        (305000.0, "Estimated Cost at Complete", None),
        (305000.0, "Forecast to Complete", None),
    ]
    assert len(exported["batches"]) == 2  # the estimate's and the forecast's, a person posts both
    shown = ok(run(stack, projects_file, "status", item))
    assert "cost forecast (exported with the item):" in shown
    assert "09-250/M: Misc Worksheet 1 Estimated Cost at Complete $305,000.00" in shown

    # a budget modification of the project: its two line items' forecasts, one import more
    moving = example("budget_modification-BM-001.json") | {"project": FORECAST, "number": "S-BM-FC"}
    amounts = {"estimated_cost_at_completion": "181000.00", "forecast_to_complete": "9000.00"}
    moving["lines"] = [line | amounts for line in moving["lines"]]
    item = send_and_accept(stack, projects_file, write(folder, moving), APPROVER)
    second = stack.wait_for_state(item, "exported")["sage_ids"]["forecast_id"]
    assert [t for t in transactions("1003") if t[0] == second] == [
        (second, "misc_worksheet_1", "01-100", "L"),
        (second, "misc_worksheet_2", "01-100", "L"),
        (second, "misc_worksheet_1", "09-250", "M"),
        (second, "misc_worksheet_2", "09-250", "M"),
    ]

    # the setting off (P-1001, the default): the same modification sends no forecast
    off = moving | {"project": "P-1001", "number": "S-BM-NOFC"}
    item = send_and_accept(stack, projects_file, write(folder, off), APPROVER)
    done = stack.wait_for_state(item, "exported")
    assert "forecast_id" not in done["sage_ids"]
    assert transactions("1001") == []
    assert "not exported: the project's Export Forecast Amounts is off" in ok(
        run(stack, projects_file, "status", item)
    )


def test_a_project_cost_code_is_accepted_into_the_sage_job_once_and_a_rejected_one_never(
    stack: Stack, projects_file: Path
):
    """seeds/004 matrix: "Accept or Reject Cost Codes for Export to ERP" (an accounting
    approver) and "Assign Default Cost Types To ERP Standard Cost Codes" (Standard or Admin): a
    code sent with no cost type is exported with its standard code's defaults, once. (The
    held roster's other refusals: tests/workflows/test_cost_code_acceptance.py.)"""
    ok(run(stack, projects_file, "standard-cost-codes", "refresh", "--as", ERP_ADMIN))
    assigning = ("standard-cost-codes", "default-types", "08-100", "--category", "L")
    assigned = ok(run(stack, projects_file, *assigning, "--category", "S", "--as", APPROVER))
    assert "default cost types of standard cost code 08-100: L, S" in assigned

    sending = ("cost-codes", "send", SETTINGS_OFF, "08-100")
    hostile = run(stack, projects_file, *sending, "--as", "mallory")
    assert hostile.returncode == 1 and "'mallory' is not on the roster" in hostile.stderr
    assert "sent for acceptance" in ok(run(stack, projects_file, *sending, "--as", TOOL_ADMIN))
    accepting = ("cost-codes", "accept", SETTINGS_OFF, "08-100")
    viewer = run(stack, projects_file, *accepting, "--as", "viewer.vic")
    assert viewer.returncode == 1 and "(has Read Only)" in viewer.stderr, viewer.stderr
    accepted = ok(run(stack, projects_file, *accepting, "--as", APPROVER))
    assert "exported to Sage job 1001 with cost types L, S (added: L, S)" in accepted
    again = run(stack, projects_file, *accepting, "--as", ERP_ADMIN)
    assert again.returncode == 1 and "exported already" in again.stderr, again.stderr
    added = records(stack, "cost_code_additions", job_id="1001", code="08-100")
    assert sorted(row["category"] for row in added) == ["L", "S"]  # once, not twice

    rejecting = ("cost-codes", "reject", SETTINGS_OFF, "02-200", "--comment", "wrong phase")
    ok(
        run(
            stack,
            projects_file,
            "cost-codes",
            "send",
            SETTINGS_OFF,
            "02-200",
            "--category",
            "E",
            "--as",
            TOOL_ADMIN,
        )
    )
    assert "rejected, nothing exported" in ok(
        run(stack, projects_file, *rejecting, "--as", APPROVER)
    )
    assert records(stack, "cost_code_additions", job_id="1001", code="02-200") == []
    listed = json.loads(ok(run(stack, projects_file, "cost-codes", "list", SETTINGS_OFF, "--json")))
    assert [(row["code"], row["state"]) for row in listed] == [
        ("08-100", "exported"),
        ("02-200", "rejected"),
    ]


def test_cost_transactions_sync_into_direct_costs_once_and_the_unsyncable_report(
    stack: Stack, projects_file: Path
):
    """seeds/004 "Job Cost Transaction Details" (all posted cost transaction details into the
    Direct Cost tool), the matrix's "Sync Job Cost Transactions" (Admin) and "View an ERP
    Unsyncable Direct Costs Report" (no ERP permission: Admin on Budgets or Prime Contracts).
    (The mapping rows, the held roster's refusals and hostile answers: tests/domain and
    tests/workflows test_direct_costs.py.)"""
    codes = [
        {"code": "01-100", "description": "General Conditions", "categories": ["L"]},
        {"code": "03-300", "description": "Concrete", "categories": ["S"]},
    ]
    job = {"job_id": "1095", "name": "Bayview Clinic", "cost_codes": codes}
    stack.sage("POST", "/v1/jobs", headers={"Idempotency-Key": "e2e-job-1095"}, json=job)
    extra = {"job_id": "1095", "extra_id": "BW", "description": "Bay Wing", "cost_codes": codes}
    stack.sage("POST", "/v1/extras", headers={"Idempotency-Key": "e2e-extra-1095"}, json=extra)
    posted = [
        {"cost_code": "01-100", "category": "L", "cost_type": "PR", "amount": 4200.0},
        {"cost_code": "03-300", "category": "S", "extra_id": "BW", "amount": 950.0},
    ]
    for body in posted:
        body |= {"job_id": "1095", "date": "2026-11-02", "description": "crew", "units": 10.0}
        stack.admin("POST", "/admin/job_cost_transactions", json=body)
    ok(run(stack, projects_file, "cost-codes", "refresh", DIRECT_COSTS, "--as", ERP_ADMIN))

    syncing = ("direct-costs", "sync", DIRECT_COSTS, "--as", ERP_ADMIN)
    first = ok(run(stack, projects_file, *syncing))
    assert "1 direct costs (1 new, 0 updated), 1 unsyncable" in first
    report = ("direct-costs", "unsyncable", DIRECT_COSTS)
    refused = run(stack, projects_file, *report, "--as", ERP_ADMIN)
    assert refused.returncode == 1 and "needs Admin on the project's Budget tool" in refused.stderr
    [row] = json.loads(ok(run(stack, projects_file, *report, "--as", TOOL_ADMIN, "--json")))
    assert row["reason"] == "sub job BW (Sage extra BW) is not in project P-1095"
    assert row["fix"] == "import it: starter.py sub-jobs import P-1095 BW --as USER"

    ok(run(stack, projects_file, "sub-jobs", "import", DIRECT_COSTS, "BW", "--as", APPROVER))
    assert "2 direct costs (1 new, 0 updated), 0 unsyncable" in ok(
        run(stack, projects_file, *syncing)
    )
    ok(run(stack, projects_file, *syncing))  # again: nothing added twice
    listing = ("direct-costs", "list", DIRECT_COSTS, "--as", TOOL_ADMIN)
    listed = json.loads(ok(run(stack, projects_file, *listing, "--json")))
    assert sorted((c["type"], c["sub_job"], c["amount"]) for c in listed) == [
        ("Expense", "BW", "950.0"),
        ("Payroll", None, "4200.0"),
    ]
    shown = ok(run(stack, projects_file, *listing))
    assert "Direct costs · project P-1095 · Sage job 1095" in shown and "4,200.00" in shown
