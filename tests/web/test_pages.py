"""The approvers' page over HTTP (FastAPI's TestClient) with a fake orchestrator: logging in,
CSRF, who sees which buttons, escaping, and errors without tracebacks."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.commands import AcceptRequest, RejectRequest
from domain.lifecycle import State
from domain.settings import DirectExportMode
from domain.status import AuditEntry, ItemStatus, Outcome
from web.app import create_app
from web.auth import Users
from web.config import WebConfig
from web.orchestrator import ActionError, ItemRow

ROOT = Path(__file__).resolve().parents[2]
ITEM_ID = "commitment:P-1001:PO-0101"
PASSWORD = "a long demo password"


class FakeOrchestrator:
    def __init__(self) -> None:
        item = json.loads((ROOT / "examples/items/commitment-PO-0101.json").read_text())
        item["title"] = "<script>alert(1)</script> steel"
        self.statuses = {
            ITEM_ID: ItemStatus(
                workflow_id=ITEM_ID,
                item=item,
                state=State.SENT,
                export_mode=DirectExportMode.DISABLED,
                audit=[
                    AuditEntry(
                        at="2026-12-01T10:00:00Z",
                        actor="pm.alex",
                        action="send",
                        outcome=Outcome.DONE,
                        state_before=State.DRAFT,
                        state_after=State.SENT,
                    )
                ],
            )
        }
        self.commands: list[tuple[str, str, str, Any]] = []

    async def items(self, projects: list[str], states: Any = None, item_type: Any = None):
        return [
            ItemRow(ITEM_ID, "commitment", "P-1001", "sent", "disabled", 32500.0, None, None, True)
        ]

    async def status(self, workflow_id: str) -> ItemStatus:
        if workflow_id not in self.statuses:
            raise ActionError(f"{workflow_id}: no such item", 404)
        return self.statuses[workflow_id]

    async def command(self, user: str, workflow_id: str, name: str, request: Any) -> ItemStatus:
        self.commands.append((user, workflow_id, name, request))
        if isinstance(request, RejectRequest) and request.reason == "boom":
            raise ActionError("ana cannot reject: <b>refused</b>", 409)
        return self.statuses[workflow_id]


@pytest.fixture
def site(tmp_path: Path) -> tuple[TestClient, FakeOrchestrator]:
    users = Users(tmp_path / "users.json")
    for name in ("acct.ana", "viewer.vic", "acct.admin"):
        users.set_password(name, PASSWORD)
    fake = FakeOrchestrator()

    async def connect() -> Any:
        return fake

    cfg = WebConfig(
        users_file=tmp_path / "users.json",
        secret_file=tmp_path / "secret.key",
        url="http://testserver",
    )
    app = create_app(cfg, connect, ROOT / "examples" / "projects.json")
    return TestClient(app, raise_server_exceptions=False), fake


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def log_in(client: TestClient, user: str, password: str = PASSWORD) -> Any:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": user, "password": password, "csrf": token})


def test_login_sets_a_signed_httponly_lax_cookie_and_logout_ends_it(site):
    client, _ = site
    assert client.get("/queue", follow_redirects=False).status_code == 303
    assert log_in(client, "acct.ana", "wrong password!").status_code == 401
    response = log_in(client, "acct.ana")
    assert response.status_code == 200 and "acct.ana" in response.text
    cookie = response.history[0].headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=28800" in cookie
    old = client.cookies.get("erp_session")
    queue = client.get("/queue")
    client.post("/logout", data={"csrf": csrf_of(queue.text)})
    client.cookies.set("erp_session", old)  # the logged-out cookie, replayed
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_a_user_without_a_roster_place_cannot_log_in(site, tmp_path):
    client, _ = site
    Users(tmp_path / "users.json").set_password("mallory", PASSWORD)
    response = log_in(client, "mallory")
    assert response.status_code == 401 and "not on the roster" in response.text


def test_the_queue_offers_the_approver_buttons_and_the_viewer_none(site):
    client, _ = site
    log_in(client, "acct.ana")
    queue = client.get("/queue").text
    assert ITEM_ID in queue and "Accept selected" in queue and 'name="items"' in queue
    page = client.get("/items/commitment%3AP-1001%3APO-0101").text
    assert "Accept" in page and "Reject" in page and 'name="field:sage_id"' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "W12x26 beams" in page and "05-120" in page  # the lines Sage will receive
    client.cookies.clear()
    log_in(client, "viewer.vic")
    queue = client.get("/queue").text
    assert ITEM_ID in queue and "Accept selected" not in queue and 'name="items"' not in queue
    page = client.get("/items/commitment%3AP-1001%3APO-0101").text
    assert "W12x26 beams" in page and "<button" not in page.split("</header>")[1]


def test_commands_are_made_as_the_logged_in_user_with_the_csrf_token(site):
    client, fake = site
    log_in(client, "acct.ana")
    token = csrf_of(client.get(f"/items/{ITEM_ID}").text)
    form = {"csrf": token, "item": ITEM_ID, "field:sage_id": "PO-0101-A", "actor": "acct.admin"}
    done = client.post("/actions/accept", data=form)
    assert done.status_code == 200 and "Accepted" in done.text
    user, item, name, request = fake.commands[-1]
    assert (user, item, name) == ("acct.ana", ITEM_ID, "accept")
    assert request == AcceptRequest(actor="acct.ana", fields={"sage_id": "PO-0101-A"})


def test_a_post_without_or_with_another_sessions_csrf_token_is_refused(site):
    client, fake = site
    log_in(client, "acct.ana")
    other = TestClient(client.app)
    log_in(other, "acct.admin")
    admins_token = csrf_of(other.get("/queue").text)
    assert client.post("/actions/accept", data={"item": ITEM_ID}).status_code == 403
    refused = client.post("/actions/accept", data={"item": ITEM_ID, "csrf": admins_token})
    assert refused.status_code == 403 and "not yours" in refused.text
    forged = TestClient(client.app)
    forged.cookies.set("erp_session", "eyJ1IjoiYWNjdC5hbmEifQ.forged.signature")
    assert forged.post("/actions/accept", data={"item": ITEM_ID, "csrf": "x"}).status_code == 403
    cross = client.post(
        "/actions/accept",
        data={"item": ITEM_ID, "csrf": csrf_of(client.get("/queue").text)},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403
    assert fake.commands == []


def test_refusals_are_shown_escaped_and_failures_without_a_traceback(site):
    client, fake = site
    log_in(client, "acct.ana")
    token = csrf_of(client.get("/queue").text)
    form = {"csrf": token, "item": ITEM_ID, "reason": "boom"}
    refused = client.post("/actions/reject", data=form)
    assert refused.status_code == 409 and "&lt;b&gt;refused&lt;/b&gt;" in refused.text
    blank = client.post("/actions/reject", data={"csrf": token, "item": ITEM_ID, "reason": " "})
    assert blank.status_code == 400 and "needs a reason" in blank.text

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    fake.items = broken  # type: ignore[method-assign]
    page = client.get("/queue")
    assert page.status_code == 500
    assert "Traceback" not in page.text and "secret internals" not in page.text
    assert client.get("/items/commitment%3AP-9%3AX").status_code == 404
