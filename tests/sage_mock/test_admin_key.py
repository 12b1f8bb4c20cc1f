"""The admin API has its own key: the orchestrator's API key never opens it (issue 14, case 4).

A client holding only `SAGE_API_KEY` must not post batches, inject faults, shrink the quota or
edit master data: each of those is a person in Sage (or a test's knob), not an API call a real
Sage offers. Every `/admin/` route is tried, found from the app itself, so a new admin route is
covered the day it is added.
"""

import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from sage_mock import MockConfig, create_app
from sage_mock import app as app_module
from sage_mock.__main__ import parse_config
from tests.sage_mock.conftest import ADMIN_AUTH, ADMIN_KEY, API_KEY, AUTH, SUBCONTRACT

KEY_REQUIRED = {
    "code": "admin_key_required",
    "message": "The admin API takes the admin key (SAGE_ADMIN_KEY), not the API key: "
    "an API client cannot post batches, inject faults or change the quota.",
}
SAMPLE_PARAMS = {
    "batch_id": "B-000001",
    "job_id": "1001",
    "vendor_id": "V-100",
    "contract_id": "1001-PC",
    "item_code": "001",
    "code": "01-100",
    "period": "2026-11",
    "project": "P-1001",
    "kind": "commitments",
}


def admin_routes(_: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) under `/admin/`, its path parameters filled with seeded IDs."""
    found = []
    for route in app_module.admin_routes():
        path = re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PARAMS.get(m.group(1), "X"), route.path)
        found += [(method, path) for method in sorted(route.methods)]
    return found


def test_the_admin_routes_are_found(app: FastAPI) -> None:
    routes = admin_routes(app)
    assert ("PUT", "/admin/faults") in routes
    assert ("POST", "/admin/batches/B-000001/post") in routes
    assert ("PUT", "/admin/quota") in routes
    assert len(routes) >= 15, routes


async def test_the_api_key_is_refused_on_every_admin_route(
    app: FastAPI, client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    batch = (await client.post("/v1/commitments", json=SUBCONTRACT)).json()["batch"]["batch_id"]
    assert batch == "B-000001"
    before = (await admin.get("/admin/faults")).json(), (await admin.get("/admin/quota")).json()

    for method, path in admin_routes(app):
        answer = await client.request(method, path, json={"error_rate": 1.0, "limit": 1})
        assert answer.status_code == 403, (method, path, answer.text)
        assert answer.json() == KEY_REQUIRED, (method, path)

    after = (await admin.get("/admin/faults")).json(), (await admin.get("/admin/quota")).json()
    assert after == before
    assert (await client.get(f"/v1/batches/{batch}")).json()["posted"] is False


async def test_a_wrong_or_missing_key_is_refused_on_admin_routes(
    app: FastAPI, admin: httpx.AsyncClient
) -> None:
    for headers in ({"Authorization": ""}, {"Authorization": f"Bearer {ADMIN_KEY}x"}):
        for method, path in admin_routes(app)[:5]:
            answer = await admin.request(method, path, headers=headers)
            assert answer.status_code == 401, (method, path)
            assert answer.json() == {
                "code": "unauthorized",
                "message": "Invalid or missing admin key.",
            }


async def test_the_admin_key_works_on_every_admin_route(
    app: FastAPI, admin: httpx.AsyncClient
) -> None:
    for method, path in admin_routes(app):
        answer = await admin.request(method, path, json={})
        assert answer.status_code not in (401, 403), (method, path, answer.text)
    assert (await admin.put("/admin/faults", json={"latency_ms": 5})).json()["latency_ms"] == 5


async def test_the_admin_key_is_not_an_api_key(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/jobs", headers=ADMIN_AUTH)
    assert answer.status_code == 401
    assert answer.json()["message"] == "Invalid or missing API key."


async def test_the_client_schema_has_no_admin_path(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert "/v1/commitments" in paths
    assert [path for path in paths if "admin" in path] == []


async def test_without_an_admin_key_the_admin_api_is_off(config: MockConfig) -> None:
    app = create_app(config.model_copy(update={"admin_key": None}))
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://sage.test"
        ) as http:
            for headers in (AUTH, ADMIN_AUTH):
                answer = await http.get("/admin/stats", headers=headers)
                assert answer.status_code == 403
                assert answer.json()["code"] == "admin_off"
            assert (await http.get("/v1/jobs", headers=AUTH)).status_code == 200
    finally:
        app.state.services.store.close()


def test_the_admin_key_must_differ_from_the_api_key(config: MockConfig) -> None:
    with pytest.raises(ValueError, match="must differ"):
        create_app(config.model_copy(update={"admin_key": config.api_key}))


# --- keys never on a command line ---


def test_keys_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAGE_API_KEY", API_KEY)
    monkeypatch.setenv("SAGE_ADMIN_KEY", ADMIN_KEY)
    config = parse_config([])
    assert config.api_key.get_secret_value() == API_KEY
    assert config.admin_key.get_secret_value() == ADMIN_KEY


def test_keys_come_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAGE_API_KEY", raising=False)
    monkeypatch.delenv("SAGE_ADMIN_KEY", raising=False)
    api, admin = tmp_path / "api.key", tmp_path / "admin.key"
    api.write_text(API_KEY + "\n")
    admin.write_text(ADMIN_KEY + "\n")
    config = parse_config(["--api-key-file", str(api), "--admin-key-file", str(admin)])
    assert config.api_key.get_secret_value() == API_KEY
    assert config.admin_key.get_secret_value() == ADMIN_KEY
    monkeypatch.setenv("SAGE_API_KEY_FILE", str(api))
    assert parse_config([]).admin_key is None  # no admin key: the admin API is off


@pytest.mark.parametrize("flag", ["--api-key", "--admin-key"])
def test_a_key_on_the_command_line_is_refused(
    flag: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAGE_API_KEY", API_KEY)
    with pytest.raises(SystemExit) as stopped:
        parse_config([flag, "some-key"])
    assert stopped.value.code == 2
    assert "shows in `ps`" in capsys.readouterr().err


def test_the_same_key_for_both_doors_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SAGE_API_KEY", API_KEY)
    monkeypatch.setenv("SAGE_ADMIN_KEY", API_KEY)
    with pytest.raises(SystemExit):
        parse_config([])
    assert "must differ" in capsys.readouterr().err
