"""Issue 14, case 4, against the real mock process: the orchestrator's own key no longer opens
the mock's admin API.

The attacker holds what a worker holds, `SAGE_API_KEY`, and tries what once worked: turn on
fault injection, shrink the quota, post a batch by hand, and find the door in `/openapi.json`.
Each is refused with a message that names the admin key; the knobs stay as they were, the
batch stays unposted, and a valid item still exports and posts, with exactly one record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.e2e.conftest import API_KEY, Stack, write_item

ADMIN, APPROVER = "pm.alex", "acct.ana"
TRANSFER = {
    "job_id": "1001",
    "job_name": "Riverside Medical Center",
    "job_address": "1200 River Road",
    "job_city": "Riverside",
    "job_state": "CA",
    "job_zip": "92501",
    "date": "2027-01-15",
    "lines": [
        {
            "cost_code": "01-100",
            "category": "L",
            "category_description": "Labor",
            "transfer_amount": -75.0,
        },
        {
            "cost_code": "09-250",
            "category": "M",
            "category_description": "Material",
            "transfer_amount": 75.0,
        },
    ],
}
"""A budget change: its batch waits for a person to post it (no auto-posting)."""


def as_client(stack: Stack, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """A call with the orchestrator's key, answer and all (no raise)."""
    return httpx.request(
        method,
        stack.sage_url + path,
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=10,
        **kwargs,
    )


def commitments_in_sage(stack: Stack, code: str) -> list[dict[str, Any]]:
    records = stack.admin("GET", "/admin/records/commitments")
    return [r for r in records if r["commitment_id"] == code and not r.get("deleted")]


def test_the_api_key_cannot_use_the_mock_admin_api(stack: Stack, tmp_path: Path):
    created = as_client(stack, "POST", "/v1/estimate_transfers", json=TRANSFER)
    assert created.status_code == 201, created.text
    batch = created.json()["batch"]["batch_id"]
    faults_before = stack.admin("GET", "/admin/faults")
    quota_before = stack.admin("GET", "/admin/quota")

    attacks = [
        ("PUT", "/admin/faults", {"error_rate": 1.0, "latency_ms": 60_000}),
        ("PUT", "/admin/quota", {"limit": 1, "window_seconds": 3600}),
        ("POST", f"/admin/batches/{batch}/post", None),
        ("PUT", "/admin/vendors/V-100", {"status": "inactive"}),
        ("GET", "/admin/records/commitments", None),
    ]
    for method, path, body in attacks:
        refused = as_client(stack, method, path, json=body)
        assert refused.status_code == 403, (method, path, refused.text)
        assert refused.json()["code"] == "admin_key_required"
        assert "SAGE_ADMIN_KEY" in refused.json()["message"]

    schema = as_client(stack, "GET", "/openapi.json").json()
    assert [path for path in schema["paths"] if "admin" in path] == []
    assert stack.admin("GET", "/admin/faults") == faults_before
    assert stack.admin("GET", "/admin/quota") == quota_before
    assert as_client(stack, "GET", f"/v1/batches/{batch}").json()["posted"] is False
    assert as_client(stack, "GET", "/v1/vendors/V-100").json()["status"] == "active"

    # Nothing lost: a valid item still goes all the way, once.
    path = write_item(tmp_path, number="TRUST-401")
    item = "commitment:P-1001:TRUST-401"
    started = stack.starter("start", str(path), "--send", "--as", ADMIN)
    assert started.returncode == 0, started.stderr
    accepted = stack.starter("accept", item, "--as", APPROVER)
    assert accepted.returncode == 0, accepted.stderr
    assert stack.wait_for_state(item, "posted", timeout=90)["state"] == "posted"
    assert len(commitments_in_sage(stack, "TRUST-401")) == 1

    # The person in Sage, with the admin key, still posts the batch.
    assert stack.admin("POST", f"/admin/batches/{batch}/post")["posted"] is True
