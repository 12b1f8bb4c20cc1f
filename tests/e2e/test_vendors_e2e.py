"""Vendors and standard cost codes through the whole product: `starter.py vendors ...` and
`standard-cost-codes ...` against the mock Sage's two companies, a vendor edited in Sage,
'Vendors will be automatically updated' off then on, and a synced company's insurance imported
once 'Vendor Insurance Sync' is on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx

from tests.e2e.conftest import ADMIN_KEY, ROOT, Stack

ADMIN, ANA, PM, VIEWER = "acct.admin", "acct.ana", "pm.alex", "viewer.vic"


def run(stack: Stack, account: Path, *args: str):
    return stack.starter(*args, env={"ERP_COMPANY_FILE": str(account)})


def ok(done) -> str:
    assert done.returncode == 0, f"exit {done.returncode}: {done.stdout} {done.stderr}"
    return done.stdout


def refused(done, code: int, *words: str) -> None:
    assert done.returncode == code, f"exit {done.returncode}: {done.stdout} {done.stderr}"
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    for text in words:
        assert text in done.stderr, done.stderr


def vendors(stack: Stack, account: Path, company: str = "CRE") -> dict:
    listed = run(stack, account, "vendors", "list", "--company", company, "--json", "--as", ANA)
    return json.loads(ok(listed))


def edit_in_sage(
    stack: Stack, company: str, vendor_id: str, part: str = "", **changes: object
) -> None:
    """A person edits the vendor (or a `part` of it: insurance) in Sage; the admin call names
    its company."""
    response = httpx.put(
        f"{stack.sage_url}/admin/vendors/{vendor_id}{part}",
        json=changes,
        headers={"Authorization": f"Bearer {ADMIN_KEY}", "X-Sage-Company": company},
        timeout=10,
    )
    response.raise_for_status()


def states(record: dict) -> dict[str, str]:
    return {row["vendor_id"]: row["state"] for row in record["vendors"]}


def set_account(account: Path, **settings: bool) -> None:
    data = json.loads(account.read_text())
    data.update(settings)
    account.write_text(json.dumps(data, indent=2))


def test_vendors_matched_linked_archived_imported_and_updated(stack: Stack, tmp_path: Path):
    account = tmp_path / "company.json"
    shutil.copy(ROOT / "examples" / "company.json", account)

    # nothing read yet; a standard user may not refresh
    # (the company's workflow may exist already: an export earlier in the session noted its
    # vendor link there, README "Links"; either way no vendor has been read)
    listed = run(stack, account, "vendors", "list")
    if listed.returncode == 0:
        assert "no vendors read yet" in listed.stdout, listed.stdout
    else:
        refused(listed, 3, "nothing read from Sage yet")
    refused(run(stack, account, "vendors", "refresh", "--as", PM), 1, "needs Admin")
    refused(run(stack, account, "vendors", "refresh", "--company", "X9", "--as", ADMIN), 2, "X9")

    out = ok(run(stack, account, "vendors", "refresh", "--as", ADMIN))
    assert "linked V-100 to company C-ACME (exact match)" in out
    cre = vendors(stack, account)
    assert cre["erp"] == "sage300"
    found = states(cre)
    assert (found["V-100"], found["V-200"], found["V-300"], found["V-900"]) == (
        "linked",
        "review",
        "none",
        "inactive",
    )
    table = ok(run(stack, account, "vendors", "list"))
    assert "Sage 300 CRE®" in table
    assert any(
        "V-200" in line and "review" in line and "C-BRIGHT" in line for line in table.splitlines()
    ), table

    out = ok(run(stack, account, "vendors", "refresh", "--company", "S100", "--as", ADMIN))
    s100 = vendors(stack, account, "S100")
    assert s100["erp"] == "sage100"
    assert states(s100) == {"S-10": "linked", "S-20": "none", "S-30": "review", "S-31": "review"}
    assert s100["directory"]["companies"]["C-GRANITE"]["vendor_id"] == "S-10"
    rows = {row["vendor_id"]: row for row in s100["vendors"]}
    assert rows["S-30"]["candidates"] == ["C-SUMMIT"] == rows["S-31"]["candidates"]
    assert "V-100" not in states(s100)  # the other company's vendors are not listed

    # a person reviews: links, archives, imports
    refused(run(stack, account, "vendors", "link", "V-200", "C-BRIGHT", "--as", PM), 1, "Admin")
    refused(
        run(stack, account, "vendors", "link", "V-200", "C-ACME", "--as", ADMIN),
        1,
        "company C-ACME is already linked to vendor V-100",
    )
    out = ok(run(stack, account, "vendors", "link", "V-200", "C-BRIGHT", "--as", ADMIN))
    assert "vendor V-200 linked to company C-BRIGHT" in out
    ok(run(stack, account, "vendors", "archive", "V-300", "--as", ANA))
    assert states(vendors(stack, account))["V-300"] == "archived"
    # the archived companies list needs Standard or Admin (permissions matrix, issue 18)
    plain = ok(run(stack, account, "vendors", "list"))
    assert "V-300" not in plain and "1 archived vendor(s) not shown" in plain
    refused(run(stack, account, "vendors", "list", "--as", VIEWER), 1, "needs Standard or Admin")
    refused(
        run(stack, account, "vendors", "import", "V-300", "--as", ANA), 1, "archived; unarchive"
    )
    refused(run(stack, account, "vendors", "import", "V-300", "--as", VIEWER), 1, "Standard")
    ok(run(stack, account, "vendors", "unarchive", "V-300", "--as", ANA))
    out = ok(run(stack, account, "vendors", "import", "V-300", "C-STEEL", "--as", ANA))
    assert "as company C-STEEL" in out
    cre = vendors(stack, account)
    steel = cre["directory"]["companies"]["C-STEEL"]
    assert (steel["name"], steel["address"], steel["vendor_id"]) == (
        "Steel Works Inc",
        "5 Forge Rd",
        "V-300",
    )
    refused(
        run(stack, account, "vendors", "import", "S-30", "--company", "S100", "--as", ANA),
        1,
        "link it instead",
    )
    ok(run(stack, account, "vendors", "import", "S-20", "--company", "S100", "--as", ANA))
    assert states(vendors(stack, account, "S100"))["S-20"] == "linked"

    # ACME moves in Sage: not followed while the setting is off
    edit_in_sage(stack, "CRE", "V-100", address="2 Cement Way")
    out = ok(run(stack, account, "vendors", "refresh", "--as", ADMIN))
    assert "'1 Cement Way' -> '2 Cement Way'" in out and "is off" in out
    acme = vendors(stack, account)["directory"]["companies"]["C-ACME"]
    assert acme["address"] == "1 Cement Way"

    # turned on in the file: the workflow holds its account until an ERP Admin applies it
    set_account(account, vendors_auto_update=True)
    refused(
        run(stack, account, "company-account", "apply", "--company", "CRE", "--as", ANA),
        1,
        "acct.ana cannot configure advanced settings: ERP integrations: needs Admin",
    )
    out = ok(run(stack, account, "company-account", "apply", "--company", "CRE", "--as", ADMIN))
    assert "CRE: changed: vendors_auto_update" in out
    edit_in_sage(stack, "CRE", "V-100", telephone="951-555-0199")
    out = ok(run(stack, account, "vendors", "refresh", "--as", ADMIN))
    assert "phone '951-555-0100' -> '951-555-0199'; applied" in out
    acme = vendors(stack, account)["directory"]["companies"]["C-ACME"]
    assert acme["phone"] == "951-555-0199"
    assert acme["vendor_id"] == "V-100"

    # company insurance (seeds/004): only on synced companies, an optional setting, off first
    insure = ("vendors", "insurance", "import")
    refused(run(stack, account, *insure, "V-100", "--as", ADMIN), 1, "'Vendor Insurance Sync'")
    set_account(account, vendor_insurance_sync=True)
    ok(run(stack, account, "company-account", "apply", "--company", "CRE", "--as", ADMIN))
    refused(run(stack, account, *insure, "V-100", "--as", ANA), 1, "needs Admin")
    refused(run(stack, account, *insure, "V-900", "--as", ADMIN), 1, "vendors link V-900")
    out = ok(run(stack, account, *insure, "V-100", "--as", ADMIN))
    assert "3 policies (General Liability, Automobile, Worker's)" in out, out
    assert "GL-2026-0042" in out and "left out: Builders Risk" in out
    umbrella = {"insurance_type": "Umbrella", "policy_number": "UMB-1", "limit": 1e6}
    edit_in_sage(stack, "CRE", "V-100", "/insurance", **umbrella)
    out = ok(run(stack, account, *insure, "V-100", "--as", ADMIN))
    assert "4 policies, added Umbrella" in out, out
    shown = json.loads(ok(run(stack, account, "vendors", "insurance", "V-100", "--json")))
    policies = shown["insurance"]["policies"]
    assert [p["type"] for p in policies] == [
        "General Liability",
        "Automobile",
        "Umbrella",
        "Worker's",
    ]
    assert shown["insurance"]["company_id"] == "C-ACME"


def test_standard_cost_codes_of_each_company(stack: Stack, tmp_path: Path):
    account = tmp_path / "company.json"
    shutil.copy(ROOT / "examples" / "company.json", account)
    refused(run(stack, account, "standard-cost-codes", "refresh", "--as", PM), 1, "needs Admin")

    out = ok(run(stack, account, "standard-cost-codes", "refresh", "--as", ADMIN))
    assert "10-100" in out and "inactive" in out
    cre = json.loads(ok(run(stack, account, "standard-cost-codes", "show", "--json")))
    codes = {code["code"]: code["active"] for code in cre["standard_cost_codes"]}
    assert codes["03-300"] is True and codes["07-100"] is True and codes["10-100"] is False
    assert [c["category"] for c in cre["standard_categories"]] == ["L", "M", "S", "O", "E"]

    args = ("standard-cost-codes", "refresh", "--company", "S100", "--as", ADMIN, "--json")
    s100 = json.loads(ok(run(stack, account, *args)))
    assert {"07-000", "09-000"} <= {code["code"] for code in s100["standard_cost_codes"]}
    assert "03-300" not in {code["code"] for code in s100["standard_cost_codes"]}
    assert [c["category"] for c in s100["standard_categories"]] == ["1", "2", "3", "4", "5"]
