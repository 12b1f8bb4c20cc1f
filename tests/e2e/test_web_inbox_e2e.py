"""The approvers' page end to end: the real dev server and mock Sage (the module's stack), a
worker of its own whose notices go to a real SMTP server on loopback (web/mailbox.py, aiosmtpd),
the web app as `python -m web` runs it, and headless Chromium (Playwright, Debian's Chromium).

P-1001 here is stricter than the demo's: every user has a registered key and the project takes
signed commands only, so an accept from the page works only if the page signs it in the
logged-in user's name.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools import devstack
from domain.signing import load_private_key
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, Stack, write_item
from web.devstack import make_demo_passwords

ADMIN, APPROVER, VIEWER = "pm.alex", "acct.ana", "viewer.vic"
PO = "commitment:P-1001:PO-0101"
REJECTED = "commitment:P-1001:WEB-REJ-01"
BULK = ["commitment:P-1001:WEB-BULK-01", "commitment:P-1001:WEB-BULK-02"]
WATCHED = "commitment:P-1001:WEB-VIEW-01"
ITEMS = [PO, REJECTED, *BULK, WATCHED]


@dataclass
class Inbox:
    stack: Stack
    url: str
    env: dict[str, str]
    mailbox: Path
    passwords: dict[str, str]
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def starter(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.stack.starter(*args, env=self.env)

    def status(self, item: str) -> dict[str, Any]:
        done = self.starter("status", item, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def wait_for_state(self, item: str, *states: str, timeout: float = 90) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (current := self.status(item))["state"] not in states:
            assert time.monotonic() < deadline, f"{item} stayed {current['state']}"
            time.sleep(0.3)
        return current

    def mail(self) -> list[dict[str, str]]:
        if not self.mailbox.exists():
            return []
        with sqlite3.connect(self.mailbox) as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM mail ORDER BY id")]


def strict_p1001(demo: dict[str, str]) -> None:
    """Every P-1001 user registers their key; P-1001 takes signed commands only."""
    path = Path(demo["ERP_PROJECTS_FILE"])
    projects = json.loads(path.read_text())
    p1001 = projects["projects"]["P-1001"]
    for user, entry in p1001["roster"].items():
        key = load_private_key((Path(demo["ERP_SIGNING_KEYS_DIR"]) / f"{user}.key").read_text())
        entry["public_key"] = base64.b64encode(key.public_key().public_bytes_raw()).decode()
    p1001["signing"] = {**p1001.get("signing", {}), "accept_unsigned": False}
    devstack.write_private(path, json.dumps(projects, indent=2))


@pytest.fixture(scope="module")
def inbox(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Inbox]:
    data = tmp_path_factory.mktemp("web")
    demo = devstack.demo_security(data / "demo")
    strict_p1001(demo)
    web_port, smtp_port = devstack.free_port(), devstack.free_port()
    url = f"http://127.0.0.1:{web_port}"
    env = {
        **stack.env,
        **demo,
        "TEMPORAL_TASK_QUEUE": f"web-e2e-{uuid.uuid4().hex[:8]}",  # this module's worker only
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "ERP_NOTICES_LEDGER": str(data / "notices-ledger.sqlite"),
        "ERP_WEB_URL": url,
        "ERP_WEB_PORT": str(web_port),
        "ERP_WEB_USERS_FILE": str(data / "web-users.json"),
        "ERP_WEB_SECRET_FILE": str(data / "web-secret.key"),
        "ERP_WEB_MAILBOX_DB": str(data / "mailbox.sqlite"),
        "ERP_WEB_TEMPORAL_UI_URL": f"http://localhost:{stack.ui_port}",
    }
    passwords_file = make_demo_passwords(data, [ADMIN, APPROVER, "acct.admin", VIEWER])
    passwords = dict(
        line.split(" ", 1)
        for line in passwords_file.read_text().splitlines()
        if line and not line.startswith("#")
    )
    found = Inbox(stack, url, env, data / "mailbox.sqlite", passwords)
    mailbox = [sys.executable, "-m", "web.mailbox", "--port", str(smtp_port)]
    mailbox += ["--db", str(data / "mailbox.sqlite")]
    try:
        found.procs.append(devstack.spawn(mailbox, env, log=data / "mailbox.log"))
        devstack.wait_for_port(smtp_port, found.procs[-1], "the SMTP server")
        worker = [sys.executable, "worker.py"]
        found.procs.append(devstack.spawn(worker, env, log=data / "worker.log"))
        found.procs.append(devstack.spawn([sys.executable, "-m", "web"], env, log=data / "web.log"))
        devstack.wait_for_port(web_port, found.procs[-1], "the web app")
        for item in ITEMS:
            number = item.rsplit(":", 1)[1]
            path = (
                ROOT / "examples" / "items" / "commitment-PO-0101.json"
                if item == PO
                else write_item(data, number=number, title=f"Web {number}")
            )
            started = found.starter("start", str(path), "--send", "--as", ADMIN)
            assert started.returncode == 0, started.stderr
        for item in ITEMS:
            found.wait_for_state(item, "sent")
        yield found
    finally:
        for proc in reversed(found.procs):
            devstack.stop(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's Chromium is missing: `make test` installs it (apt-get chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def logged_in(browser: Any, inbox: Inbox, user: str, width: int = 1280) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(inbox.url + "/login")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(inbox.passwords[user])
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My queue").wait_for()
    return page


def reload_until(page: Any, text: str | re.Pattern[str], timeout: float = 60) -> None:
    """Reload until `text` is on the page (the page does not poll; a person reloads too)."""
    deadline = time.monotonic() + timeout
    pattern = text if isinstance(text, re.Pattern) else re.compile(re.escape(text))
    while not pattern.search(page.content()):
        assert time.monotonic() < deadline, f"{text!r} never appeared on {page.url}"
        page.wait_for_timeout(300)
        page.reload()


def shots(inbox: Inbox) -> Path:
    """docs/ when ERP_SCREENSHOTS=1 (the README's pictures), else the test's own folder."""
    return ROOT / "docs" if os.environ.get("ERP_SCREENSHOTS") == "1" else inbox.mailbox.parent


def records(stack: Stack, code: str) -> list[dict[str, Any]]:
    found = stack.admin("GET", "/admin/records/commitments")
    return [r for r in found if r["commitment_id"] == code and not r.get("deleted")]


def test_the_approver_accepts_po_0101_with_a_field_and_sees_it_exported(inbox, browser):
    page = logged_in(browser, inbox, APPROVER)
    try:
        for item in ITEMS:
            reload_until(page, item)
        assert "Ready to export:" in page.get_by_test_id("counts").inner_text()
        page.screenshot(path=str(shots(inbox) / "web-queue.png"), full_page=True)
        page.get_by_role("link", name=PO).click()
        page.get_by_role("heading", name=re.compile("Commitment PO-0101")).wait_for()
        assert "W12x26 beams" in page.content() and "05-120" in page.content()
        page.screenshot(path=str(shots(inbox) / "web-item.png"), full_page=True)
        page.get_by_label(re.compile("^sage_id")).fill("PO-0101-W")
        page.get_by_role("button", name="Accept", exact=True).click()
        page.get_by_text("Accepted: the export to Sage starts now.").wait_for()
        reload_until(page, re.compile(r'data-testid="state">(exported|posted)<'), timeout=90)
    finally:
        page.context.close()
    status = inbox.wait_for_state(PO, "exported", "posted")
    accepts = [e for e in status["audit"] if e["action"] == "accept"]
    assert [(e["actor"], e["outcome"]) for e in accepts] == [(APPROVER, "done")]
    assert status["export_fields"]["sage_id"] == "PO-0101-W"
    assert len(records(inbox.stack, "PO-0101-W")) == 1


def test_the_approver_rejects_with_a_reason(inbox, browser):
    page = logged_in(browser, inbox, APPROVER)
    try:
        page.goto(inbox.url + "/items/" + REJECTED.replace(":", "%3A"))
        page.get_by_label("Reason for rejecting").fill("Cost code 05-120 is not <this> job's")
        page.get_by_role("button", name="Reject", exact=True).click()
        page.get_by_text("Rejected, with your reason recorded.").wait_for()
        assert "Cost code 05-120 is not &lt;this&gt; job's" in page.content()
    finally:
        page.context.close()
    status = inbox.status(REJECTED)
    assert status["state"] == "rejected"
    assert status["audit"][-1]["detail"] == "Cost code 05-120 is not <this> job's"


def test_bulk_accept_reports_an_outcome_per_item(inbox, browser):
    page = logged_in(browser, inbox, APPROVER)
    try:
        for item in BULK:
            reload_until(page, item)
            page.get_by_label(f"Select {item}").check()
        page.get_by_role("button", name="Accept selected").click()
        outcomes = page.get_by_test_id("outcomes")
        outcomes.wait_for()
        assert outcomes.inner_text().count("accepted") == 2, outcomes.inner_text()
    finally:
        page.context.close()
    for item in BULK:
        inbox.wait_for_state(item, "exported", "posted")
        assert len(records(inbox.stack, item.rsplit(":", 1)[1])) == 1


def test_the_viewer_sees_the_items_and_no_action(inbox, browser):
    page = logged_in(browser, inbox, VIEWER, width=390)  # a phone's width
    try:
        reload_until(page, WATCHED)
        assert page.locator("input[type=checkbox]").count() == 0
        assert page.get_by_role("button", name="Accept selected").count() == 0
        page.get_by_role("link", name=WATCHED).click()
        page.get_by_test_id("state").wait_for()
        assert page.locator("main form").count() == 0  # no Accept, Reject, Retry or Reset
        assert page.locator("main button").count() == 0
    finally:
        page.context.close()


def test_a_post_without_its_csrf_token_or_for_another_session_is_refused(inbox, browser):
    ana, vic = logged_in(browser, inbox, APPROVER), logged_in(browser, inbox, VIEWER)
    try:
        ana_cookies = {c["name"]: c["value"] for c in ana.context.cookies()}
        vics_token = vic.locator("input[name=csrf]").first.get_attribute("value")
        anas_token = ana.locator("input[name=csrf]").first.get_attribute("value")
        form = {"item": WATCHED, "field:sage_id": "WEB-VIEW-01"}
        with httpx.Client(base_url=inbox.url, cookies=ana_cookies) as http:
            assert http.post("/actions/accept", data=form).status_code == 403  # no token
            other = http.post("/actions/accept", data={**form, "csrf": vics_token})
            assert other.status_code == 403  # vic's token with ana's session
        forged = {"erp_session": ana_cookies["erp_session"][:-4] + "AAAA"}
        with httpx.Client(base_url=inbox.url, cookies=forged) as http:
            signed_off = http.post("/actions/accept", data={**form, "csrf": anas_token})
            assert signed_off.status_code == 403  # a cookie whose signature does not verify
    finally:
        ana.context.close()
        vic.context.close()
    status = inbox.status(WATCHED)
    assert status["state"] == "sent"
    assert [e["action"] for e in status["audit"] if e["action"] != "notified"] == ["send"]


def test_one_notice_per_event_each_linking_to_its_item(inbox, browser):
    def sent_notices() -> list[dict[str, str]]:
        return [m for m in inbox.mail() if m["subject"].startswith("Waiting on you")]

    deadline = time.monotonic() + 60
    while {m["item"] for m in sent_notices()} != set(ITEMS):
        assert time.monotonic() < deadline, [m["subject"] for m in inbox.mail()]
        time.sleep(0.3)
    mail = inbox.mail()
    by_event: dict[tuple[str, str], int] = {}
    for m in mail:
        by_event[(m["event"], m["rcpt"])] = by_event.get((m["event"], m["rcpt"]), 0) + 1
    assert set(by_event.values()) == {1}, by_event  # exactly one per event and person
    anas = [m for m in sent_notices() if m["rcpt"] == "acct.ana@example.com"]
    assert sorted(m["item"] for m in anas) == sorted(ITEMS)
    assert len({m["message_id"] for m in mail}) == len(mail)
    assert "notified acct.admin, acct.ana (sent)" in [
        e["detail"] for e in inbox.status(WATCHED)["audit"]
    ]
    page = logged_in(browser, inbox, APPROVER)
    try:
        page.get_by_role("link", name="Mailbox").click()
        page.get_by_role("heading", name="Mailbox").wait_for()
        for item in ITEMS:
            page.get_by_role("link", name=f"Open {item}").first.click()
            assert page.get_by_test_id("workflow-id").inner_text() == item
            page.go_back()
    finally:
        page.context.close()
