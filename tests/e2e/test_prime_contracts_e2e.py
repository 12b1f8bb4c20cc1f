"""Prime contracts through the whole product: import from the mock Sage, a PCCO exported in
lump-sum mode, the contract changed in Sage, re-import, and every refusal's words."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from devtools import devstack
from domain import prime_contract as pc
from tests.e2e.conftest import ROOT, Stack
from tests.e2e.test_item_types_b_e2e import ok, pcco_data, post_batches, records, write
from tests.e2e.test_links_e2e import links

ERP_ADMIN, PM = "acct.admin", "pm.alex"
LUMP_SUM = "prime_contract:P-1005:2001-PC"


def refused(done, *words: str) -> None:
    assert done.returncode == 1, f"exit {done.returncode}: {done.stdout} {done.stderr}"
    assert "Traceback" not in done.stderr
    for text in words:
        assert text in done.stderr, done.stderr


def prime_status(stack: Stack, item: str) -> dict:
    return json.loads(ok(stack.starter("prime-contract", "status", *item.split(":")[1:], "--json")))


def test_lump_sum_import_pcco_change_in_sage_and_reimport(stack: Stack, tmp_path: Path):
    out = ok(stack.starter("prime-contract", "import", "P-1005", "2001-PC", "--as", ERP_ADMIN))
    assert "imported" in out
    status = prime_status(stack, LUMP_SUM)
    prime = status["prime"]
    assert prime["header"]["number"] == "2001-PC" and prime["sov_controlled_by"] == "procore"
    assert [(s["code"], float(s["amount"])) for s in prime["sov"]] == [("001", 4_800_000.0)]
    # the import wrote the prime contract and its contract item into the project's registry
    synced = links(stack, "P-1005", {})
    assert synced["prime_contract:2001-PC"] == "2001-PC"
    assert synced["contract_item:2001-PC/001"] == "001"
    assert synced["lump_sum_item:2001-PC"] == "001"  # Sage's one item: where PCCOs roll up

    # the project team keeps the detailed SOV; never above the Sage total
    too_much = tmp_path / "too-much.json"
    too_much.write_text(
        json.dumps(
            [
                {"code": "A", "description": "Sitework", "amount": "2000000"},
                {"code": "B", "description": "Building", "amount": "2900000"},
            ]
        )
    )
    refused(
        stack.starter(
            "prime-contract", "edit-sov", "P-1005", "2001-PC", str(too_much), "--as", ERP_ADMIN
        ),
        "would exceed the Sage contract total 4,800,000.00",
        "by 100,000.00",
    )
    detailed = tmp_path / "sov.json"
    detailed.write_text(
        json.dumps(
            [
                {"code": "A", "description": "Sitework", "amount": "2000000"},
                {"code": "B", "description": "Building", "amount": "2800000"},
            ]
        )
    )
    ok(
        stack.starter(
            "prime-contract", "edit-sov", "P-1005", "2001-PC", str(detailed), "--as", ERP_ADMIN
        )
    )
    ready = stack.starter("prime-contract", "readiness", "P-1005", "2001-PC", "--as", PM)
    assert ready.returncode == 0 and "equals the Sage revised total" in ready.stdout
    # seeds/000 3d: a pay application takes the SOV; a repeated create makes no second one
    pay_app = ("pay-app", "create", "P-1005", "2001-PC", "--as", PM)
    assert "pay application #1: draft of 2 SOV line(s)" in ok(stack.starter(*pay_app))
    refused(stack.starter(*pay_app), "pay application #1 is still a draft")

    # a PCCO in lump-sum mode: Sage hears only the rolled-up amount, on contract item 001
    data = pcco_data(
        "L-PCCO-01",
        project="P-1005",
        prime_contract={"number": "2001-PC", "sage_contract_id": "2001-PC"},
    )
    data["sov"] = [
        {
            "contract_item": "A",
            "description": "Grading",
            "cost_code": "03-300",
            "category": "M",
            "amount": "12000.00",
        },
        {
            "contract_item": "B",
            "description": "Canopy",
            "cost_code": "09-250",
            "category": "S",
            "amount": "8000.00",
        },
    ]
    item = "prime_contract_change_order:P-1005:L-PCCO-01"
    ok(stack.starter("start", str(write(tmp_path, data))))
    ok(stack.starter("send", item, "--as", PM))
    ok(stack.starter("accept", item, "--as", ERP_ADMIN))
    exported = stack.wait_for_state(item, "exported")
    # C61: the prime contract was synced from Sage before the export, in the approver's name
    [synced] = [e for e in exported["audit"] if e["action"] == "sync prime contract"]
    assert (synced["actor"], synced["outcome"]) == (ERP_ADMIN, "done"), synced
    assert "prime contract 2001-PC: nothing re-imported" in synced["detail"]
    post_batches(stack, item)
    stack.wait_for_state(item, "posted")
    [svc] = records(stack, "schedule_value_changes", chg_mgt_ref_1="L-PCCO-01")
    assert [(x["contract_item"], x["amount"]) for x in svc["lines"]] == [("001", 20000.0)]
    [estimate] = records(stack, "estimate_changes", chg_mgt_ref_1="L-PCCO-01")
    assert [x["amount"] for x in estimate["lines"]] == [12000.0, 8000.0]
    assert not [
        i for i in records(stack, "contract_items", job_id="2001") if i["created_by"] == "api"
    ]

    not_ready = stack.starter("prime-contract", "readiness", "P-1005", "2001-PC", "--as", PM)
    refused(not_ready)
    assert "is 20,000.00 below the Sage revised total 4,820,000.00" in not_ready.stdout
    # validation 2: the draft re-takes the SOV only once it matches Sage's revised total again
    refused(
        stack.starter("pay-app", "resync", "P-1005", "2001-PC", "1", "--as", PM),
        "resync of pay application #1 refused",
        "20,000.00 below the Sage revised total 4,820,000.00",
    )
    listed = json.loads(ok(stack.starter("pay-app", "list", "P-1005", "2001-PC", "--json")))
    assert [(p["number"], p["status"]) for p in listed["pay_applications"]] == [(1, "draft")]

    # nothing new in Sage yet: the seed's reason
    refused(
        stack.starter("prime-contract", "reimport", "P-1005", "2001-PC", "--as", ERP_ADMIN),
        pc.NOTHING_NEW,
    )
    # the contract is amended in Sage; reimport brings the new value, the SOV stays
    stack.admin(
        "PUT", "/admin/contracts/2001/2001-PC/items/001", json={"original_amount": 5_000_000}
    )
    ok(stack.starter("prime-contract", "reimport", "P-1005", "2001-PC", "--as", ERP_ADMIN))
    prime = prime_status(stack, LUMP_SUM)["prime"]
    assert float(prime["imported"]["2001-PC"]["items"][0]["original_amount"]) == 5_000_000
    assert [s["code"] for s in prime["sov"]] == ["A", "B"]
    # the same contract item re-imported: the same link, never a second one
    items = [k for k in links(stack, "P-1005", {}) if k.startswith("contract_item:2001-PC/")]
    assert items == ["contract_item:2001-PC/001"]
    assert (
        "below the Sage revised total 5,020,000.00"
        in prime_status(stack, LUMP_SUM)["readiness"]["message"]
    )


def test_each_refusal_in_the_seeds_words(stack: Stack, tmp_path: Path):
    refused(
        stack.starter("prime-contract", "import", "P-1005", "2001-ALT", "--as", ERP_ADMIN),
        pc.UNAPPROVED,
    )
    refused(
        stack.starter("prime-contract", "import", "P-1005", "1002-PC", "--as", ERP_ADMIN),
        pc.NOT_SYNCED_JOB,
        "Sage job 1002",
    )
    refused(
        stack.starter("prime-contract", "import", "P-1001", "1001-PC", "--as", PM),
        "pm.alex cannot import prime contracts: needs Standard or Admin on the ERP Integrations",
    )
    missing = stack.starter("prime-contract", "import", "P-1005", "NOPE", "--as", ERP_ADMIN)
    assert missing.returncode == 3 and "no prime contract NOPE" in missing.stderr
    after = ok(stack.starter("prime-contract", "status", "P-1005", "NOPE"))
    assert "not imported" in after and "refused: Sage has no prime contract NOPE" in after
    unknown = stack.starter("prime-contract", "status", "P-1005", "NEVER")
    assert unknown.returncode == 3 and "Traceback" not in unknown.stderr

    # approved in Sage: now it imports (into its own prime contract)
    stack.admin("PUT", "/admin/prime_contracts/2001/2001-ALT/status", json={"status": "approved"})
    ok(stack.starter("prime-contract", "import", "P-1005", "2001-ALT", "--as", ERP_ADMIN))
    refused(
        stack.starter("prime-contract", "import", "P-1005", "2001-ALT", "--as", ERP_ADMIN),
        "already imported",
    )
    # un-approved again: re-import refused
    stack.admin("PUT", "/admin/prime_contracts/2001/2001-ALT/status", json={"status": "unapproved"})
    alt = ("prime-contract", "reimport", "P-1005", "2001-ALT", "--as", ERP_ADMIN)
    refused(stack.starter(*alt), pc.UNAPPROVED)
    stack.admin("PUT", "/admin/prime_contracts/2001/2001-ALT/status", json={"status": "approved"})
    # linked to a second project by hand in Sage
    stack.admin("POST", "/admin/prime_contracts/2001/2001-ALT/links", json={"project": "P-9999"})
    refused(stack.starter(*alt), pc.TWO_PROJECTS, "P-9999")
    stack.admin("DELETE", "/admin/prime_contracts/2001/2001-ALT/links/P-9999")
    refused(stack.starter(*alt), pc.NOTHING_NEW)
    # the project's Sage job changes: the contract no longer belongs to its synced job
    # (a file the workflow is told of only through settings apply by an ERP Admin)
    projects = json.loads((ROOT / "examples" / "projects.json").read_text())
    p1005 = {**projects["projects"]["P-1005"], "sage_job_id": "1003"}
    moved = tmp_path / "projects.json"
    moved.write_text(json.dumps({"projects": {"P-1005": p1005}}))
    refused(stack.starter(*alt, env={"ERP_PROJECTS_FILE": str(moved)}), pc.NOTHING_NEW)
    applied = stack.starter("settings", "apply", str(moved), "--as", ERP_ADMIN)
    assert "settings taken by prime_contract:P-1005:2001-ALT" in applied.stdout, applied.stdout
    refused(stack.starter(*alt), pc.NOT_SYNCED_JOB)
    restored = tmp_path / "restored.json"  # what the rest of the module's stack expects
    restored.write_text(json.dumps({"projects": {"P-1005": projects["projects"]["P-1005"]}}))
    ok(stack.starter("settings", "apply", str(restored), "--as", ERP_ADMIN))


def test_quickbill_division_import_and_sync_schedule(stack: Stack, tmp_path: Path):
    projects = json.loads((ROOT / "examples" / "projects.json").read_text())
    projects["projects"]["P-1003"]["sage_job_id"] = "2003"
    projects["projects"]["P-1003"]["roster"]["acct.admin"]["tool_admin"] = ["prime_contracts"]
    path = tmp_path / "projects.json"
    path.write_text(json.dumps(projects))
    env = {"ERP_PROJECTS_FILE": str(path)}
    ok(stack.starter("prime-contract", "import", "P-1003", "2003", "--as", ERP_ADMIN, env=env))
    prime = prime_status(stack, "prime_contract:P-1003:2003")["prime"]
    assert [(s["code"], s["description"]) for s in prime["sov"]] == [
        ("01", "General Requirements"),
        ("03", "Concrete"),
        ("09", "Finishes"),
    ]

    stack.admin(
        "PUT",
        "/admin/misc_worksheets/2003/16",
        json={"description": "Electrical", "amount": 120000},
    )
    refused(
        stack.starter("sync", "P-1003", "--as", "acct.ana", env=env),
        "acct.ana cannot re-import prime contracts",
    )
    out = ok(stack.starter("sync", "P-1003", "--as", ERP_ADMIN, env=env))
    assert "re-imported 2003 (Sage job 2003)" in out
    prime = prime_status(stack, "prime_contract:P-1003:2003")["prime"]
    assert [s["code"] for s in prime["sov"]] == ["01", "03", "09", "16"]
    synced = links(stack, "P-1003", env)  # the division codes are the contract's items
    assert synced["prime_contract:2003"] == "2003"
    assert [k for k in synced if k.startswith("contract_item:2003/")] == [
        f"contract_item:2003/{code}" for code in ("01", "03", "09", "16")
    ]

    refused(
        stack.starter("schedule", "set", "P-1003", "--every", "6h", "--as", "acct.ana", env=env),
        "acct.ana cannot configure the sync schedule",
    )
    gone = stack.starter("schedule", "show", "P-1003", env=env)
    assert gone.returncode == 3  # nothing was created by the refused set
    every = ("schedule", "set", "P-1003", "--as", ERP_ADMIN, "--every")
    ok(stack.starter(*every, "6h", env=env))
    shown = ok(stack.starter("schedule", "show", "P-1003", env=env))
    assert "every 6:00:00" in shown and "in the name of acct.admin" in shown
    assert "changed" in ok(stack.starter(*every, "30m", env=env))
    assert "every 0:30:00" in ok(stack.starter("schedule", "show", "P-1003", env=env))
    bad = stack.starter(*every, "soon", env=env)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr

    # a scheduled run (triggered now rather than in 30 minutes) re-imports what changed
    stack.admin(
        "PUT", "/admin/misc_worksheets/2003/15", json={"description": "Plumbing", "amount": 5000}
    )
    trigger = [
        devstack.temporal_binary(), "schedule", "trigger", "--schedule-id",
        "prime_contract_sync:P-1003", "--address", stack.env["TEMPORAL_ADDRESS"],
    ]  # fmt: skip
    assert subprocess.run(trigger, capture_output=True, timeout=30).returncode == 0
    deadline = time.monotonic() + 60
    while "15" not in [
        s["code"] for s in prime_status(stack, "prime_contract:P-1003:2003")["prime"]["sov"]
    ]:
        assert time.monotonic() < deadline, "the scheduled sync never re-imported"
        time.sleep(0.5)
    refused(
        stack.starter("schedule", "delete", "P-1003", "--as", "viewer.vic", env=env),
        "viewer.vic cannot configure the sync schedule",
    )
    ok(stack.starter("schedule", "delete", "P-1003", "--as", ERP_ADMIN, env=env))
    gone = stack.starter("schedule", "show", "P-1003", env=env)
    assert gone.returncode == 3 and "no sync schedule" in gone.stderr
