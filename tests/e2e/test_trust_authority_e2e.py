"""Issue 14, case 2, end to end: a caller who sends themselves a roster gains nothing.

The real dev server, the real mock Sage and worker, `starter.py` and the temporal CLI as an
attacker would use them: a copy of the settings file where viewer.vic is an ERP Admin and
approver, pushed with `settings apply COPY --as viewer.vic` and as a signal; `accept` and
`sync` in viewer.vic's name. Every attempt is refused, recorded, and writes nothing to Sage;
the legitimate ERP Admin's `settings apply` then works and the next valid accept exports
exactly one record.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

from devtools import devstack
from tests.e2e.conftest import ROOT, Stack, write_item

PM, APPROVER, ERP_ADMIN, VIEWER = "pm.alex", "acct.ana", "acct.admin", "viewer.vic"


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"exit {done.returncode}: {done.stdout} {done.stderr}"
    return done.stdout


def commitments_in_sage(stack: Stack, code: str) -> list[dict[str, Any]]:
    records = stack.admin("GET", "/admin/records/commitments")
    return [r for r in records if r["commitment_id"] == code and not r.get("deleted")]


def project_file(folder: Path, name: str, **users: dict[str, Any]) -> Path:
    """P-1001 alone (so nothing else on the module's stack hears of it), roster users changed."""
    projects = json.loads((ROOT / "examples" / "projects.json").read_text())
    p1001 = projects["projects"]["P-1001"]
    p1001["roster"].update(users)
    path = folder / name
    path.write_text(json.dumps({"projects": {"P-1001": p1001}}, indent=2))
    return path


def audit(stack: Stack, item: str) -> list[tuple[str, str, str]]:
    return [(e["actor"], e["action"], e["outcome"]) for e in stack.status(item)["audit"]]


def temporal_signal(stack: Stack, workflow_id: str, name: str, payload: Any) -> None:
    args = [
        devstack.temporal_binary(), "workflow", "signal", "--workflow-id", workflow_id,
        "--name", name, "--input", json.dumps(payload),
        "--address", stack.env["TEMPORAL_ADDRESS"],
    ]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


def temporal_query(stack: Stack, workflow_id: str) -> Any:
    args = [
        devstack.temporal_binary(), "workflow", "query", "--workflow-id", workflow_id,
        "--name", "status", "--address", stack.env["TEMPORAL_ADDRESS"], "--output", "json",
    ]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    result = answer.get("queryResult", answer)
    return result[0] if isinstance(result, list) else result


def wait_for(check: Any, what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, what
        time.sleep(0.5)


def test_a_forged_roster_is_refused_and_the_admins_settings_are_taken(stack: Stack, tmp_path):
    item = "commitment:P-1001:TRUST-01"
    ok(stack.starter("start", str(write_item(tmp_path, number="TRUST-01", title="Trust E2E"))))
    ok(stack.starter("send", item, "--as", PM))

    # viewer.vic edits a copy of the settings file: ERP Admin with Can Push to Accounting
    admin = {"erp": "admin", "can_push_to_accounting": True}
    forged = project_file(tmp_path, "forged.json", **{VIEWER: admin})
    done = stack.starter("settings", "apply", str(forged), "--as", VIEWER)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert "P-1001: settings taken by 0 open item(s), refused by" in done.stdout
    assert "viewer.vic" in done.stdout and "needs Admin on the ERP Integrations tool" in (
        done.stdout
    )
    # pm.alex tries the same, for himself
    done = stack.starter(
        "settings", "apply", str(project_file(tmp_path, "pm.json", **{PM: admin})), "--as", PM
    )
    assert done.returncode == 1 and "settings taken by 0 open item(s)" in done.stdout

    # the item's held roster is unchanged: viewer.vic still cannot accept, nothing reaches Sage
    refused = stack.starter("accept", item, "--as", VIEWER)
    assert refused.returncode == 1, refused.stderr
    assert "viewer.vic cannot accept" in refused.stderr
    assert commitments_in_sage(stack, "TRUST-01") == []
    assert stack.status(item)["state"] == "sent"
    assert audit(stack, item) == [(PM, "send", "done")]  # refused at once, nothing taken

    # the same attack as a signal through the temporal CLI: recorded as refused
    payload = {"actor": VIEWER, "settings": json.loads(forged.read_text())["projects"]["P-1001"]}
    temporal_signal(stack, item, "settings", payload)
    temporal_signal(stack, item, "settings", payload["settings"])  # bare settings, no actor
    wait_for(
        lambda: (VIEWER, "settings", "refused") in audit(stack, item),
        "the signal was never recorded",
    )
    [entry] = [e for e in stack.status(item)["audit"] if e["actor"] == VIEWER]
    assert "needs Admin on the ERP Integrations tool" in entry["detail"]
    assert stack.starter("accept", item, "--as", VIEWER).returncode == 1

    # and `sync` in viewer.vic's name spends no Sage quota
    synced = stack.starter("sync", "P-1001", "--as", VIEWER)
    assert synced.returncode == 1, (synced.stdout, synced.stderr)
    # the first step refused: a re-import of P-1001's prime contract when a test before imported
    # it (tests/e2e/test_item_types_b_e2e.py does), else the cost code refresh
    first_refusal = ("viewer.vic cannot re-import prime contracts", "viewer.vic cannot refresh")
    assert any(words in synced.stderr for words in first_refusal), synced.stderr
    # the project's workflow takes no settings signal from viewer.vic either
    temporal_signal(stack, "erp_project:P-1001", "settings", payload)
    temporal_signal(stack, "erp_project:P-1001", "sync", {"actor": VIEWER})

    def signals_recorded() -> Any:
        found = temporal_query(stack, "erp_project:P-1001")
        actions = [line["action"] for line in found["audit"]]
        return found if actions[-2:] == ["settings", "sync"] else None

    project = wait_for(signals_recorded, "the project's workflow never recorded the signals")
    lines = [(a["actor"], a["action"], a["outcome"][:8]) for a in project["audit"][-2:]]
    assert lines == [(VIEWER, "settings", "refused:"), (VIEWER, "sync", "refused:")]
    assert project["settings"]["roster"][VIEWER]["erp"] == "read_only"

    # the ERP Admin of the held roster applies a real change: taken
    renamed = project_file(tmp_path, "renamed.json")
    data = json.loads(renamed.read_text())
    data["projects"]["P-1001"]["name"] = "Riverside Medical Center (phase 2)"
    renamed.write_text(json.dumps(data))
    out = ok(stack.starter("settings", "apply", str(renamed), "--as", ERP_ADMIN))
    assert "refused by 0" in out and "settings taken by 0 open item(s)" not in out
    assert (ERP_ADMIN, "settings", "done") in audit(stack, item)

    # the next valid accept exports exactly one record
    ok(stack.starter("accept", item, "--as", APPROVER))
    stack.wait_for_state(item, "exported", "posted")
    assert len(commitments_in_sage(stack, "TRUST-01")) == 1
