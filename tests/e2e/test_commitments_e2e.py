"""Commitments through the whole product, as a user drives it with starter.py."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from devtools import devstack
from tests.e2e.conftest import ROOT, Stack, write_item

ADMIN, APPROVER = "pm.alex", "acct.ana"


def commitments_in_sage(stack: Stack, code: str) -> list[dict]:
    records = stack.admin("GET", "/admin/records/commitments")
    return [r for r in records if r["commitment_id"] == code and not r.get("deleted")]


def ok(done) -> str:
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr}"
    return done.stdout


def test_reject_edit_resend_accept_export_post(stack: Stack, tmp_path: Path):
    path = write_item(tmp_path, number="E2E-0001", title="Foundations E2E")
    item = "commitment:P-1001:E2E-0001"
    ok(stack.starter("start", str(path)))
    ok(stack.starter("send", item, "--as", ADMIN))
    ok(stack.starter("reject", item, "--as", APPROVER, "--reason", "Retainage should be 5%"))
    edited = write_item(
        tmp_path, number="E2E-0001", title="Foundations E2E", **{"default_retainage_percent": "5"}
    )
    ok(stack.starter("edit", item, str(edited), "--as", ADMIN))
    ok(stack.starter("resend", item, "--as", ADMIN))
    out = ok(stack.starter("accept", item, "--as", APPROVER))
    assert "accepted" in out
    watched = ok(stack.starter("watch", item))
    assert "settled in posted" in watched

    status = stack.status(item)
    assert status["state"] == "posted"
    actions = [(e["actor"], e["action"]) for e in status["audit"]]
    assert actions == [
        (ADMIN, "send"),
        (APPROVER, "reject"),
        (ADMIN, "edit"),
        (ADMIN, "resend"),
        (APPROVER, "accept"),
        ("sage", "export_succeeded"),
        ("sage", "posted"),
    ]
    assert status["audit"][3]["detail"] == "changed since last send: default_retainage_percent"
    [record] = commitments_in_sage(stack, "E2E-0001")
    assert record["retainage_percent"] == 5.0
    assert record["vendor_id"] == "V-100"


def test_direct_export_goes_straight_to_sage(stack: Stack, tmp_path: Path):
    path = write_item(
        tmp_path,
        project="P-1002",
        number="E2E-0002",
        sov=[{"description": "Lobby", "cost_code": "16-100", "category": "S", "amount": "900"}],
    )
    item = "commitment:P-1002:E2E-0002"
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN))
    status = stack.wait_for_state(item, "posted")
    assert ("direct-export", "accept") in [(e["actor"], e["action"]) for e in status["audit"]]
    assert len(commitments_in_sage(stack, "E2E-0002")) == 1


@pytest.mark.parametrize(
    "name, words",
    [
        ("commitment-id-too-long.json", "ID Number. Must be 12 characters or less."),
        ("commitment-title-too-long.json", "Title. The title must be 30 characters or less."),
        ("commitment-vendor-not-synced.json", "Must be linked to a synced Sage 300 CRE® vendor."),
        ("commitment-po-not-approved.json", "the status must be set to 'Approved'."),
        ("commitment-subcontract-draft.json", "must be set to 'Approved' or 'Complete.'"),
        ("commitment-no-sov-cost-code.json", "at least one (1) line item with a Sage 300 CRE®"),
    ],
)
def test_a_commitment_breaking_a_prerequisite_is_refused_at_send(stack: Stack, name, words):
    path = ROOT / "examples" / "invalid" / name
    item = "commitment:P-1001:" + json.loads(path.read_text())["number"]
    ok(stack.starter("start", str(path)))
    refused = stack.starter("send", item, "--as", ADMIN)
    assert refused.returncode == 1
    assert words in refused.stderr
    assert "Traceback" not in refused.stderr
    assert stack.status(item)["state"] == "draft"


def test_accept_without_can_push_to_accounting_is_refused(stack: Stack, tmp_path: Path):
    path = write_item(tmp_path, number="E2E-0003")
    item = "commitment:P-1001:E2E-0003"
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN))
    refused = stack.starter("accept", item, "--as", ADMIN)
    assert refused.returncode == 1
    assert "Can Push to Accounting" in refused.stderr
    unknown = stack.starter("accept", item, "--as", "nobody")
    assert unknown.returncode == 1 and "not on the roster" in unknown.stderr
    assert stack.status(item)["state"] == "sent"


def test_a_sage_refusal_shows_cause_and_solution_and_retry_after_the_fix(
    stack: Stack, tmp_path: Path
):
    path = write_item(
        tmp_path,
        number="E2E-0004",
        contract_company={"name": "Defunct Drywall LLC", "sage_vendor_id": "V-900"},
    )
    item = "commitment:P-1001:E2E-0004"
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN))
    ok(stack.starter("accept", item, "--as", APPROVER))
    failed = stack.wait_for_state(item, "export_failed")
    assert failed["last_error"]["code"] == "vendor_inactive"
    shown = ok(stack.starter("status", item))
    assert "Vendor is inactive/has been archived." in shown
    assert "cause:" in shown and "solution:" in shown
    listed = json.loads(ok(stack.starter("list", "--state", "export_failed", "--json")))
    assert item in [row["item"] for row in listed]

    stack.admin("PUT", "/admin/vendors/V-900", json={"status": "active"})
    try:
        ok(stack.starter("retry", item, "--as", APPROVER))
        stack.wait_for_state(item, "posted")
    finally:
        stack.admin("PUT", "/admin/vendors/V-900", json={"status": "inactive"})
    assert len(commitments_in_sage(stack, "E2E-0004")) == 1


def test_user_mistakes_get_clear_errors_and_exit_codes(stack: Stack, tmp_path: Path):
    missing = stack.starter("status", "commitment:P-1001:NOPE")
    assert missing.returncode == 3 and "no such item" in missing.stderr

    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    bad_json = stack.starter("start", str(broken))
    assert bad_json.returncode == 2 and "broken.json" in bad_json.stderr

    wrong = write_item(tmp_path, number="E2E-0005", default_retainage_percent="150")
    invalid = stack.starter("start", str(wrong))
    assert invalid.returncode == 2
    assert "default_retainage_percent" in invalid.stderr

    unknown_project = write_item(tmp_path, number="E2E-0006", project="P-9999")
    nowhere = stack.starter("start", str(unknown_project))
    assert nowhere.returncode == 2 and "P-9999" in nowhere.stderr

    field = stack.starter("accept", "commitment:P-1001:X", "--as", APPROVER, "--field", "oops")
    assert field.returncode == 2

    again = write_item(tmp_path, number="E2E-0007")
    ok(stack.starter("start", str(again)))
    twice = stack.starter("start", str(again))
    assert twice.returncode == 1 and "already started" in twice.stderr

    down = stack.starter("list", env={"TEMPORAL_ADDRESS": "127.0.0.1:1"})
    assert down.returncode == 4 and "cannot reach Temporal" in down.stderr

    for done in (missing, bad_json, invalid, nowhere, field, twice, down):
        assert "Traceback" not in done.stderr


def test_a_malformed_signal_from_the_ui_is_recorded_and_harmless(stack: Stack, tmp_path: Path):
    path = write_item(tmp_path, number="E2E-0008")
    item = "commitment:P-1001:E2E-0008"
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN))
    signal = [
        devstack.temporal_binary(), "workflow", "signal",
        "--address", stack.env["TEMPORAL_ADDRESS"], "--workflow-id", item,
        "--name", "accept", "--input", '"just a string"',
    ]  # fmt: skip
    sent = subprocess.run(signal, capture_output=True, text=True, timeout=30)
    assert sent.returncode == 0, sent.stderr
    deadline = time.monotonic() + 30
    while (audit := stack.status(item)["audit"])[-1]["outcome"] != "refused":
        assert time.monotonic() < deadline, audit
        time.sleep(0.3)
    assert stack.status(item)["state"] == "sent"
    ok(stack.starter("accept", item, "--as", APPROVER))
    stack.wait_for_state(item, "posted")


def test_delegated_approval_through_the_command_line(stack: Stack, tmp_path: Path):
    path = write_item(
        tmp_path,
        project="P-1003",
        number="E2E-0009",
        sov=[{"description": "Gym", "cost_code": "16-100", "category": "S", "amount": "4800"}],
    )
    item = "commitment:P-1003:E2E-0009"
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN))
    first = ok(stack.starter("respond", item, "--as", ADMIN, "approve", "--comment", "ok"))
    assert "step 2 of 2 (Accounting)" in first
    shown = ok(stack.starter("status", item))
    assert "approval: commitment two-tier, step 2 of 2" in shown
    assert "waiting for acct.ana, acct.admin" in shown
    outsider = stack.starter("respond", item, "--as", "viewer.vic", "approve")
    assert outsider.returncode == 1
    assert "viewer.vic is not an assignee of step 2" in outsider.stderr
    direct = stack.starter("accept", item, "--as", APPROVER)
    assert direct.returncode == 1 and "delegated approval" in direct.stderr
    ok(stack.starter("respond", item, "--as", APPROVER, "approve"))
    status = stack.wait_for_state(item, "posted")
    assert [e["actor"] for e in status["audit"] if e["action"] == "accept"] == [APPROVER]
    assert len(commitments_in_sage(stack, "E2E-0009")) == 1
    finished = stack.starter("respond", item, "--as", APPROVER, "approve")
    assert finished.returncode == 1 and "no approval workflow is waiting" in finished.stderr


def test_settings_apply_reaches_open_items_and_changes_who_may_act(stack: Stack, tmp_path: Path):
    path = write_item(tmp_path, number="E2E-0010")
    item = "commitment:P-1001:E2E-0010"
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN))
    projects = json.loads((ROOT / "examples" / "projects.json").read_text())["projects"]
    projects["P-1001"]["roster"]["acct.ana"]["can_push_to_accounting"] = False
    changed = tmp_path / "projects.json"
    changed.write_text(json.dumps({"projects": {"P-1001": projects["P-1001"]}}))
    applied = ok(stack.starter("settings", "apply", str(changed), "--as", "acct.admin"))
    assert "open item" in applied
    deadline = time.monotonic() + 30
    while stack.status(item)["audit"][-1]["action"] != "settings":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    refused = stack.starter("accept", item, "--as", APPROVER)
    assert refused.returncode == 1 and "Can Push to Accounting" in refused.stderr
    ok(stack.starter("accept", item, "--as", "acct.admin"))
    stack.wait_for_state(item, "posted")


def test_signed_commands_through_the_command_line(stack: Stack, tmp_path: Path):
    keys = tmp_path / "keys"
    projects = json.loads((ROOT / "examples" / "projects.json").read_text())["projects"]
    project = projects["P-1001"]
    for user in (ADMIN, APPROVER):
        made = ok(stack.starter("keys", "new", user, "--dir", str(keys)))
        assert "never commit it" in made
        public = made.split('"public_key": "')[1].split('"')[0]
        project["roster"][user]["public_key"] = public
    again = stack.starter("keys", "new", ADMIN, "--dir", str(keys))
    assert again.returncode == 1 and "exists already" in again.stderr
    project["signing"] = {"accept_unsigned": False}
    # A project of this test's own (a P-1001 copy on the same Sage job): its posted commitment
    # stays open for unlinking, and P-1001's later `settings apply` must not meet its roster.
    project["project"] = "P-1091"
    settings_file = tmp_path / "projects.json"
    settings_file.write_text(json.dumps({"projects": {"P-1091": project}}))
    signed_env = {"ERP_PROJECTS_FILE": str(settings_file), "ERP_SIGNING_KEYS_DIR": str(keys)}

    path = write_item(tmp_path, number="E2E-0011", project="P-1091")
    item = "commitment:P-1091:E2E-0011"
    ok(stack.starter("start", str(path), env=signed_env))
    unsigned = stack.starter(
        "send", item, "--as", ADMIN, env={"ERP_PROJECTS_FILE": str(settings_file)}
    )
    assert unsigned.returncode == 1 and "must be signed" in unsigned.stderr
    wrong_key = stack.starter("send", item, "--as", ADMIN, "--key", str(keys / f"{APPROVER}.key"))
    assert wrong_key.returncode == 1 and "does not match" in wrong_key.stderr
    ok(stack.starter("send", item, "--as", ADMIN, env=signed_env))
    ok(stack.starter("accept", item, "--as", APPROVER, env=signed_env))
    status = stack.wait_for_state(item, "posted")
    refused = [e["detail"] for e in status["audit"] if e["outcome"] == "refused"]
    assert len(refused) == 2
