"""Issue 14 against the real product: hostile or careless callers of an item.

A real dev server, the real mock Sage over HTTP and the worker process; attacks go in the way
a person would send them (the temporal CLI, as the UI's "Send Signal" does, and starter.py),
and records are counted in the mock.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.e2e.conftest import ROOT, Stack, write_item

ADMIN, APPROVER = "pm.alex", "acct.ana"
TEMPORAL = str(Path(sys.executable).with_name("temporal"))

SLOW_COMMITMENTS = {"latency_ms": 2000, "latency_paths": ["/v1/commitments"]}
"""The commitment's create (and its undo) slow at the mock; the cost code refresh before it not."""


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr}"
    return done.stdout


def commitments_in_sage(stack: Stack, code: str) -> list[dict[str, Any]]:
    records = stack.admin("GET", "/admin/records/commitments")
    return [r for r in records if r["commitment_id"] == code and not r.get("deleted")]


def temporal(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    """The temporal CLI, as an operator (or the UI) reaches the item."""
    return subprocess.run(
        [TEMPORAL, *args, "--address", stack.env["TEMPORAL_ADDRESS"]],
        capture_output=True,
        text=True,
        timeout=60,
    )


def signal(stack: Stack, item: str, name: str, payload_file: Path) -> None:
    ok(
        temporal(
            stack,
            "workflow",
            "signal",
            "--workflow-id",
            item,
            "--name",
            name,
            "--input-file",
            str(payload_file),
        )
    )


def wait_for_audit(stack: Stack, item: str, count: int, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status = stack.status(item)
        if len(status["audit"]) >= count:
            return status
        assert time.monotonic() < deadline, status["audit"]
        time.sleep(0.3)


def test_poison_and_oversized_signals_are_refused_and_the_item_goes_on(
    stack: Stack, tmp_path: Path
):
    """Cases 1 and 7: a signature without a time zone used to fail every workflow task (the
    item stalled for good); four 700 KB actors made a 2.8 MB audit trail; escape sequences
    reached the terminal through `status`."""
    path = write_item(tmp_path, number="E2E-T001")
    item = "commitment:P-1001:E2E-T001"
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN))
    naive = tmp_path / "naive.json"
    naive.write_text(
        json.dumps(
            {
                "actor": APPROVER,
                "signature": {
                    "timestamp": "2026-12-01T10:00:00",
                    "nonce": "0" * 32,
                    "value": "AAAA",
                },
            }
        )
    )
    signal(stack, item, "accept", naive)
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps({"actor": "\x1b[2J\x1b]0;owned\x07" + "m" * 700_000}))
    for _ in range(4):
        signal(stack, item, "accept", huge)
    status = wait_for_audit(stack, item, 6)
    refused = [e for e in status["audit"] if e["outcome"] == "refused"]
    assert len(refused) == 5
    assert "timestamp" in refused[0]["detail"]
    assert all(len(e["actor"]) <= 100 for e in refused)
    assert len(json.dumps(status)) < 50_000
    shown = ok(stack.starter("status", item))
    assert "\x1b" not in shown and "\x07" not in shown

    ok(stack.starter("accept", item, "--as", APPROVER))
    stack.wait_for_state(item, "posted")
    assert len(commitments_in_sage(stack, "E2E-T001")) == 1


def test_a_cancel_in_temporal_mid_export_undoes_the_record(stack: Stack, tmp_path: Path):
    """Case 6: a cancel while the Sage call was in flight used to end `export_failed` with a
    record in Sage that nobody tracked."""
    path = write_item(tmp_path, number="E2E-T002")
    item = "commitment:P-1001:E2E-T002"
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN))
    stack.admin("PUT", "/admin/faults", json=SLOW_COMMITMENTS)
    try:
        ok(stack.starter("accept", item, "--as", APPROVER))
        time.sleep(0.7)  # the cost code refresh done, the create call is in flight at the mock
        ok(temporal(stack, "workflow", "cancel", "--workflow-id", item))
        status = stack.wait_for_state(item, "cancelled", timeout=60)
    finally:
        stack.admin("PUT", "/admin/faults", json={})
    assert status["audit"][-1]["actor"] == "temporal"
    assert not status["leftovers"]
    described = ok(temporal(stack, "workflow", "describe", "--workflow-id", item, "-o", "json"))
    assert "CANCELED" in described
    time.sleep(2.5)  # anything still on its way to the mock has arrived
    assert commitments_in_sage(stack, "E2E-T002") == []


def test_a_user_with_a_key_must_sign_even_where_unsigned_commands_are_taken(
    stack: Stack, tmp_path: Path
):
    """Case 8: with `accept_unsigned: true` an unsigned command used to be taken even for a
    user who has a key, so "every command is signed" promised nothing."""
    keys = tmp_path / "keys"
    projects = json.loads((ROOT / "examples" / "projects.json").read_text())["projects"]
    project = projects["P-1001"]
    made = ok(stack.starter("keys", "new", APPROVER, "--dir", str(keys)))
    project["roster"][APPROVER]["public_key"] = made.split('"public_key": "')[1].split('"')[0]
    project["signing"] = {"accept_unsigned": True}
    settings = tmp_path / "projects.json"
    settings.write_text(json.dumps({"projects": {"P-1001": project}}))
    env = {"ERP_PROJECTS_FILE": str(settings)}

    path = write_item(tmp_path, number="E2E-T003")
    item = "commitment:P-1001:E2E-T003"
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN, env=env))
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({"actor": APPROVER}))
    signal(stack, item, "accept", forged)  # anybody can type a name into Send Signal
    unsigned = stack.starter("accept", item, "--as", APPROVER, env=env)
    assert unsigned.returncode == 1 and "must be signed" in unsigned.stderr
    status = stack.status(item)
    assert status["state"] == "sent"
    assert "must be signed" in status["audit"][-1]["detail"]
    assert commitments_in_sage(stack, "E2E-T003") == []

    ok(
        stack.starter(
            "accept", item, "--as", APPROVER, env={**env, "ERP_SIGNING_KEYS_DIR": str(keys)}
        )
    )
    stack.wait_for_state(item, "posted")
    assert len(commitments_in_sage(stack, "E2E-T003")) == 1


def test_leftovers_block_retry_until_a_reset_undoes_them(stack: Stack, tmp_path: Path):
    """Case 5: `retry` while a failed export's steps were still in Sage wrote a second record.

    Sage refuses the undo (someone has the record open: the mock's `locked_rate`), so the
    cancelled export leaves its commitment behind as a leftover."""
    path = write_item(tmp_path, number="E2E-T004")
    item = "commitment:P-1001:E2E-T004"
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN))
    stack.admin("PUT", "/admin/faults", json={**SLOW_COMMITMENTS, "locked_rate": 1.0})
    try:
        ok(stack.starter("accept", item, "--as", APPROVER))
        time.sleep(0.7)  # the cost code refresh done, the create call is in flight at the mock
        ok(temporal(stack, "workflow", "cancel", "--workflow-id", item))
        failed = stack.wait_for_state(item, "export_failed", timeout=60)
    finally:
        stack.admin("PUT", "/admin/faults", json={})
    assert failed["leftovers"] and failed["last_error"]["code"] == "export_cancelled"
    assert len(commitments_in_sage(stack, "E2E-T004")) == 1
    for command, actor in (("retry", APPROVER), ("cancel", ADMIN)):
        refused = stack.starter(command, item, "--as", actor)
        assert refused.returncode == 1 and "still in Sage" in refused.stderr, refused.stderr
    assert len(commitments_in_sage(stack, "E2E-T004")) == 1  # no second record

    ok(stack.starter("reset", item, "--as", "acct.admin", "--to", "sent"))
    stack.wait_for_state(item, "sent")
    assert commitments_in_sage(stack, "E2E-T004") == []
    ok(stack.starter("accept", item, "--as", APPROVER))
    stack.wait_for_state(item, "posted")
    assert len(commitments_in_sage(stack, "E2E-T004")) == 1


def test_a_key_holders_project_commands_are_signed_by_starter_and_refused_unsigned(
    stack: Stack, tmp_path: Path
):
    """Issue 18: a project's own commands (a cost code refresh, a job cost sync) are checked
    against the roster its ErpProject holds, and a key holder must sign them as item commands."""
    keys = tmp_path / "keys"
    projects = json.loads((ROOT / "examples" / "projects.json").read_text())["projects"]
    project = {**projects["P-1001"], "project": "P-1077"}
    made = ok(stack.starter("keys", "new", "acct.admin", "--dir", str(keys)))
    project["roster"]["acct.admin"]["public_key"] = made.split('"public_key": "')[1].split('"')[0]
    settings = tmp_path / "projects.json"
    settings.write_text(json.dumps({"projects": {"P-1077": project}}))
    env = {"ERP_PROJECTS_FILE": str(settings)}

    unsigned = stack.starter("cost-codes", "refresh", "P-1077", "--as", "acct.admin", env=env)
    assert unsigned.returncode == 1 and "must be signed" in unsigned.stderr, unsigned.stderr
    signed = {**env, "ERP_SIGNING_KEYS_DIR": str(keys)}
    refreshed = ok(
        stack.starter("cost-codes", "refresh", "P-1077", "--as", "acct.admin", env=signed)
    )
    assert "cost codes as of" in refreshed
    other = tmp_path / "other.key"
    ok(stack.starter("keys", "new", "acct.admin", "--dir", str(tmp_path / "other")))
    (tmp_path / "other" / "acct.admin.key").rename(other)
    forged = stack.starter(
        "job-costs", "P-1077", "--sync", "--as", "acct.admin", "--key", str(other), env=env
    )
    assert forged.returncode == 1 and "signature" in forged.stderr, forged.stderr
    careless = stack.starter(
        "job-costs", "P-1077", "--sync", "--as", "acct.admin", "--key", str(tmp_path / "no.key"),
        env=env,
    )  # fmt: skip
    assert careless.returncode == 2 and "cannot read the signing key" in careless.stderr, (
        careless.stderr
    )
    ok(stack.starter("job-costs", "P-1077", "--sync", "--as", "acct.admin", env=signed))
