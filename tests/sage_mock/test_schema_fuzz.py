"""Schemathesis against the mock's own OpenAPI schema: no input it generates gets a 500.

Valid and invalid inputs alike (wrong types, missing fields, odd strings, huge numbers), with
the right bearer key, so that every answer comes from the routes and not from the gateway's
401. Injected faults stay at zero, so any 500 is a bug in the mock.

The schema is the client's: `/admin/` is not in it, and the client key the fuzzer holds is
refused there, so the fuzzer cannot turn on faults or shrink the quota (it once did: 100%
faults and 60 s latency, ../shared/FACTS.md). The mock runs with its admin API on, as in
`make run`, so this is the door being shut, not a door that is missing.

Schemathesis's own pytest plugin does not run under pytest 9 (it reads a removed private
attribute), so each operation's strategies are driven by Hypothesis directly.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from sage_mock import MockConfig, create_app
from tests.sage_mock.conftest import ADMIN_KEY, API_KEY, AUTH

KNOWN = {"job_id": "1001", "vendor_id": "V-100", "contract_id": "1001-PC", "period": "2026-11"}
"""Records the mock is seeded with: half the cases use them, so they get past "not found"."""


def anchored(case: schemathesis.Case, anchor: bool) -> schemathesis.Case:
    """The case, with IDs in its path and body replaced by seeded ones when `anchor`."""
    if anchor:
        for where in (case.path_parameters, case.body):
            if isinstance(where, dict):
                where.update({k: v for k, v in KNOWN.items() if k in where})
    return case


def mock_config(folder: Path) -> MockConfig:
    return MockConfig(
        db_path=folder / "sage.sqlite",
        api_key=API_KEY,
        admin_key=ADMIN_KEY,
        rate_limit=10_000_000,
        auto_post_seconds=0,
    )


def operation_labels() -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(mock_config(Path(folder)))
        paths = app.openapi()["paths"]
        app.state.services.store.close()
    return [f"{method.upper()} {path}" for path, ops in paths.items() for method in ops]


def test_the_fuzzer_cannot_reach_the_admin_api(tmp_path: Path) -> None:
    labels = operation_labels()
    assert labels and all(label.split(" ", 1)[1].startswith("/v1/") for label in labels), labels
    app = create_app(mock_config(tmp_path))
    try:
        with TestClient(app) as http:
            for method, path, body in (
                ("PUT", "/admin/faults", {"error_rate": 1.0, "latency_ms": 60_000}),
                ("PUT", "/admin/quota", {"limit": 1, "window_seconds": 3600}),
            ):
                refused = http.request(method, path, json=body, headers=AUTH)
                assert refused.status_code == 403, (path, refused.text)
        assert app.state.services.faults.settings.error_rate == 0.0
        assert app.state.services.quota.limit == 10_000_000
    finally:
        app.state.services.store.close()


@pytest.fixture
def sage_schema(tmp_path: Path) -> Iterator[schemathesis.BaseSchema]:
    app = create_app(mock_config(tmp_path))
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    app.state.services.store.close()


@pytest.mark.parametrize("label", operation_labels())
def test_no_input_makes_the_mock_fail(sage_schema: schemathesis.BaseSchema, label: str) -> None:
    method, path = label.split(" ", 1)
    operation = sage_schema[path][method]
    generated = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    cases = st.builds(anchored, generated, st.booleans())

    @given(case=cases)
    @settings(
        max_examples=16,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def no_server_error(case: schemathesis.Case) -> None:
        response = case.call(headers=AUTH)
        statuses.append(response.status_code)
        assert response.status_code < 500, (
            f"{label} -> {response.status_code}: {response.text[:300]}\n"
            f"reproduce: {case.as_curl_command()}"
        )

    statuses: list[int] = []
    no_server_error()
    assert statuses and 401 not in statuses, "the fuzzer never got past the API key"
