"""Issue 14, case 3 against the real product: a Sage ID cannot steer a call anywhere on the
Sage host. The attack of the issue goes in through starter.py (an item file, an export field
at accept, a settings file), is refused with the field named, and the mock shows nothing
created and nothing posted; the next valid command still works."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.conftest import ROOT, Stack, write_item

ADMIN, APPROVER = "pm.alex", "acct.ana"
TRANSFER = {  # a budget change awaiting a person in Sage: a batch the attack wants posted
    "job_id": "1001",
    "job_name": "Riverside Medical Center",
    "date": "2027-01-15",
    "lines": [
        {"cost_code": "01-100", "category": "L", "transfer_amount": -10.0},
        {"cost_code": "09-250", "category": "M", "transfer_amount": 10.0},
    ],
}


def ok(done) -> str:
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr}"
    return done.stdout


def sage_state(stack: Stack) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """What the mock holds: live records per kind, and every batch with its posted flag."""
    batches = stack.admin("GET", "/admin/records/batches")  # posts the batches that came due
    records = stack.admin("GET", "/admin/stats")["records"]
    return records, [{"batch_id": b["batch_id"], "posted": b["posted"]} for b in batches]


def refused_at_start(stack: Stack, path: Path, field: str) -> str:
    done = stack.starter("start", str(path))
    assert done.returncode == 2, f"exit {done.returncode}: {done.stdout} {done.stderr}"
    assert str(path) in done.stderr
    assert f"field '{field}'" in done.stderr
    assert "is not a Sage code" in done.stderr
    assert "use letters, digits, '-', '.' and '_' only" in done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


def test_hostile_sage_ids_are_refused_and_nothing_reaches_sage(stack: Stack, tmp_path: Path):
    waiting = stack.sage("POST", "/v1/estimate_transfers", json=TRANSFER)["batch"]["batch_id"]
    attack = f"x/../../../../admin/batches/{waiting}/post?"
    before = sage_state(stack)
    assert {"batch_id": waiting, "posted": False} in before[1]

    # 1. the CCO of case 3: its commitment's Sage ID walks up to the admin API
    cco = json.loads(
        (ROOT / "examples" / "items" / "commitment_change_order-SC-0042-01.json").read_text()
    )
    cco["number"] = "E2E-T3-CO1"
    cco["commitment"]["sage_id"] = attack
    cco_path = tmp_path / "cco-hostile.json"
    cco_path.write_text(json.dumps(cco))
    refused_at_start(stack, cco_path, "commitment.sage_id")
    assert stack.starter("status", "commitment_change_order:P-1001:E2E-T3-CO1").returncode == 3

    # 2. a commitment whose vendor ID does the same
    vendor_path = write_item(
        tmp_path,
        number="E2E-T3-02",
        contract_company={"name": "ACME Concrete", "sage_vendor_id": f"V-100/{attack}"},
    )
    refused_at_start(stack, vendor_path, "contract_company.sage_vendor_id")
    assert stack.starter("status", "commitment:P-1001:E2E-T3-02").returncode == 3

    # 3. a settings file whose Sage job ID does it
    projects = json.loads((ROOT / "examples" / "projects.json").read_text())
    projects["projects"]["P-1001"]["sage_job_id"] = "1001/../../admin"
    settings_path = tmp_path / "projects-hostile.json"
    settings_path.write_text(json.dumps(projects))
    valid = write_item(tmp_path, number="E2E-T3-03", title="Trust case 3")
    bad_settings = stack.starter("start", str(valid), env={"ERP_PROJECTS_FILE": str(settings_path)})
    assert bad_settings.returncode == 2, bad_settings.stderr
    assert "sage_job_id" in bad_settings.stderr and "is not a Sage code" in bad_settings.stderr
    assert "Traceback" not in bad_settings.stderr

    # 4. a valid commitment, then an approver's hostile export field at accept
    item = "commitment:P-1001:E2E-T3-03"
    ok(stack.starter("start", str(valid), "--send", "--as", ADMIN))
    for hostile in ("../../admin", attack, "SC%2F..", "a\\b", "SC 1"):
        done = stack.starter("accept", item, "--as", APPROVER, "--field", f"sage_id={hostile}")
        assert done.returncode == 1, f"{hostile!r}: exit {done.returncode}: {done.stderr}"
        assert "export field 'sage_id'" in done.stderr and "a Sage code" in done.stderr
        assert "Traceback" not in done.stderr
    status = stack.status(item)
    assert status["state"] == "sent"

    # nothing was created in Sage and the batch the attacks aimed at was not posted (other
    # tests' commitment batches may come due and be posted by the mock meanwhile)
    records, batches = sage_state(stack)
    assert records == before[0]
    assert [b["batch_id"] for b in batches] == [b["batch_id"] for b in before[1]]
    assert {"batch_id": waiting, "posted": False} in batches

    # 5. the next valid command on a valid item still works: exported and posted
    ok(stack.starter("accept", item, "--as", APPROVER))
    exported = stack.wait_for_state(item, "exported", "posted")
    assert exported["state"] in ("exported", "posted")
    records = stack.admin("GET", "/admin/records/commitments")
    assert [r["commitment_id"] for r in records if r["commitment_id"] == "E2E-T3-03"] == [
        "E2E-T3-03"
    ]
    after_records, after_batches = sage_state(stack)
    assert after_records["commitments"] == before[0]["commitments"] + 1
    assert {"batch_id": waiting, "posted": False} in after_batches  # still waits for a person
