"""An accounting approver accepts an item from the Temporal UI: "More Actions" -> "Send a
Signal" -> `accept` with `{"actor": "acct.ana"}`, in a real browser (Playwright driving Debian's
Chromium; no browser is ever downloaded), against the real dev server, its UI and the mock.

The item is started with the demo's settings (devstack.demo_security): on P-1001, acct.ana has
no registered key and the project takes unsigned commands from such users, which is what lets
this path work in `make run`. The commitment then exports and posts, once.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from temporalio.client import Client

from devtools import devstack
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, Stack, write_item

ADMIN, APPROVER = "pm.alex", "acct.ana"


def run_id_of(stack: Stack, workflow_id: str) -> str:
    async def describe() -> str:
        client = await Client.connect(stack.env["TEMPORAL_ADDRESS"])
        return (await client.get_workflow_handle(workflow_id).describe()).run_id

    return asyncio.run(describe())


def commitments_in_sage(stack: Stack, code: str) -> list[dict]:
    records = stack.admin("GET", "/admin/records/commitments")
    return [r for r in records if r["commitment_id"] == code and not r.get("deleted")]


def test_an_approver_accepts_from_the_uis_send_a_signal(stack: Stack, tmp_path: Path):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's Chromium is missing: `make test` installs it (apt-get chromium)")
    from playwright.sync_api import expect, sync_playwright

    demo = devstack.demo_security(tmp_path / "demo-data")
    demo_settings = {
        "ERP_PROJECTS_FILE": demo["ERP_PROJECTS_FILE"],
        "ERP_SIGNING_KEYS_DIR": demo["ERP_SIGNING_KEYS_DIR"],
    }
    roster = json.loads(Path(demo["ERP_PROJECTS_FILE"]).read_text())["projects"]["P-1001"]
    assert "public_key" not in roster["roster"][APPROVER]  # the demo's P-1001, as make run has it
    assert "public_key" in roster["roster"][ADMIN]

    path = write_item(tmp_path, number="UI-SIG-01", title="Send a Signal")
    item = "commitment:P-1001:UI-SIG-01"
    started = stack.starter("start", str(path), "--send", "--as", ADMIN, env=demo_settings)
    assert started.returncode == 0, started.stderr
    assert stack.wait_for_state(item, "sent")["state"] == "sent"
    url = (
        f"http://localhost:{stack.ui_port}/namespaces/default/workflows/"
        f"{quote(item, safe='')}/{run_id_of(stack, item)}/history"
    )

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        try:
            page.set_default_timeout(60_000)
            page.goto(url, wait_until="domcontentloaded")  # the UI polls: no "networkidle"
            page.get_by_text(item).first.wait_for()
            page.get_by_role("button", name=re.compile("More Actions")).click()
            page.locator(".menu-item-wrapper:visible", has_text="Send a Signal").first.click()
            dialog = page.locator("dialog[open]")
            dialog.wait_for()
            dialog.locator('[data-testid="signal-select-button"]').click()
            # The list offers every signal the workflow defines, internal ones included.
            page.get_by_role("option", name="accept", exact=True).click()
            editor = dialog.locator(".cm-content")
            editor.click()
            page.keyboard.press("ControlOrMeta+A")
            page.keyboard.insert_text('{"actor": "acct.ana"}')  # no auto-closed brackets
            expect(editor).to_contain_text('{"actor": "acct.ana"}')
            dialog.get_by_role("button", name="Submit").click()
            expect(page.locator("dialog[open]")).to_have_count(0)
        except Exception:
            page.screenshot(path=str(tmp_path / "send-signal.png"))  # what the browser showed
            raise
        finally:
            browser.close()

    status = stack.wait_for_state(item, "exported", "posted", timeout=90)
    accepted = [e for e in status["audit"] if e["action"] == "accept"]
    assert [e["actor"] for e in accepted] == [APPROVER], status["audit"]
    deadline = time.monotonic() + 60
    while stack.status(item)["state"] != "posted":
        assert time.monotonic() < deadline, stack.status(item)
        time.sleep(0.5)
    assert len(commitments_in_sage(stack, "UI-SIG-01")) == 1
