"""The Temporal UI in a real browser: headless Chromium (Debian's `chromium`, which `.ci/run`
installs) opens the dev server's UI with the query an operator types to find what needs a
person, and the page it renders holds the failed item and not the one waiting in `sent`."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.e2e.conftest import Stack, write_item

ADMIN, APPROVER = "pm.alex", "acct.ana"
CHROMIUM = "/usr/bin/chromium"


def chromium() -> str:
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not found:
        pytest.fail(
            "headless Chromium is missing: `apt-get install -y chromium chromium-driver` "
            "(.ci/run installs it)"
        )
    return found


def rendered_dom(stack: Stack, query: str) -> str:
    """The workflow list page for `query`, after its scripts ran, as Chromium prints it."""
    url = f"http://localhost:{stack.ui_port}/namespaces/default/workflows?query={quote(query)}"
    with tempfile.TemporaryDirectory() as profile:
        args = [
            chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=15000",
            "--dump-dom", url,
        ]  # fmt: skip
        done = subprocess.run(args, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"chromium exited {done.returncode}: {done.stderr[-2000:]}"
    return done.stdout


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr}"
    return done.stdout


def wait_until_listed(stack: Stack, item: str, state: str, timeout: float = 30) -> None:
    """Visibility trails the workflow by a moment; the UI asks the same index."""
    deadline = time.monotonic() + timeout
    while True:
        listed = json.loads(ok(stack.starter("list", "--state", state, "--json")))
        if item in [row["item"] for row in listed]:
            return
        assert time.monotonic() < deadline, f"{item} never listed as {state}: {listed}"
        time.sleep(0.5)


def test_the_ui_finds_the_failed_export_with_the_operators_query(stack: Stack, tmp_path: Path):
    chromium()  # fail at once, before any setup, when the browser is missing
    stack.admin("PUT", "/admin/vendors/V-900", json={"status": "inactive"})
    failing = write_item(
        tmp_path,
        number="UI-0001",
        contract_company={"name": "Defunct Drywall LLC", "sage_vendor_id": "V-900"},
    )
    failed_item = "commitment:P-1001:UI-0001"
    ok(stack.starter("start", str(failing), "--send", "--as", ADMIN))
    ok(stack.starter("accept", failed_item, "--as", APPROVER))
    assert stack.wait_for_state(failed_item, "export_failed")["last_error"]["code"] == (
        "vendor_inactive"
    )

    waiting = write_item(tmp_path, number="UI-0002")
    sent_item = "commitment:P-1001:UI-0002"
    ok(stack.starter("start", str(waiting), "--send", "--as", ADMIN))
    assert stack.status(sent_item)["state"] == "sent"

    wait_until_listed(stack, failed_item, "export_failed")
    wait_until_listed(stack, sent_item, "sent")

    failed_page = rendered_dom(stack, 'ErpState="export_failed"')
    assert failed_item in failed_page
    assert sent_item not in failed_page

    # The same page does show the waiting item when asked for it: its absence above is the
    # query at work, not a page that failed to render.
    sent_page = rendered_dom(stack, 'ErpState="sent"')
    assert sent_item in sent_page
    assert failed_item not in sent_page
