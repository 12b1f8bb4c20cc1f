"""runtime/logs.py as an operator meets it: JSON lines off a terminal, readable text on one,
every line inside an activity tied to its workflow, and no credential in any line; the mock
Sage's request log, read from a real server process, never carries the API key."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from pydantic import SecretStr
from temporalio import activity, workflow
from temporalio.testing import ActivityEnvironment

from devtools import devstack
from runtime import logs

SECRETS = [f"s3cr3t-{n}-do-not-log" for n in range(15)]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """logs.configure() changes process-wide state; put it back for the other tests."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    config = structlog.get_config()
    on_message = (
        workflow.logger.workflow_info_on_message,
        activity.logger.activity_info_on_message,
    )
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**config)
    workflow.logger.workflow_info_on_message, activity.logger.activity_info_on_message = on_message


def configured(fmt: str = "auto", stream: io.StringIO | None = None) -> io.StringIO:
    out = stream if stream is not None else io.StringIO()
    logs.configure("DEBUG", fmt, out)
    return out


def json_lines(out: io.StringIO) -> list[dict[str, Any]]:
    text = out.getvalue()
    assert text.strip(), "nothing was logged"
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# --- format ---


def test_json_lines_when_not_on_a_terminal():
    out = configured("auto")
    structlog.get_logger("worker").info("worker started", task_queue="erp-export")
    logging.getLogger("temporalio.worker").warning("poller %s slow", "sage")

    ours, sdk = json_lines(out)
    assert ours["event"] == "worker started"
    assert ours["task_queue"] == "erp-export"
    assert ours["level"] == "info" and ours["logger"] == "worker" and ours["timestamp"]
    assert sdk["event"] == "poller sage slow"
    assert sdk["level"] == "warning" and sdk["logger"] == "temporalio.worker"


@pytest.mark.parametrize("fmt, stream", [("console", io.StringIO), ("auto", Terminal)])
def test_readable_text_on_a_terminal_or_when_asked(fmt: str, stream: type[io.StringIO]):
    out = configured(fmt, stream())
    structlog.get_logger("worker").info("worker started", task_queue="erp-export")
    text = out.getvalue()
    assert "worker started" in text and "task_queue" in text and "erp-export" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text.splitlines()[0])


def test_json_is_json_even_when_forced_on_a_terminal():
    out = configured("json", Terminal())
    structlog.get_logger("worker").info("worker started")
    assert json_lines(out)[0]["event"] == "worker started"


# --- secrets ---


def test_credentials_are_redacted_in_keys_values_and_nested_structures():
    out = configured("json")
    structlog.get_logger("activities.sage").info(
        "calling sage",
        api_key=SECRETS[0],
        headers={
            "Authorization": f"Bearer {SECRETS[1]}",
            "nested": {"X-Api-Key": SECRETS[2], "Accept": "application/json"},
        },
        note=f"retrying with Bearer {SECRETS[3]}",
        attempts=[{"token": SECRETS[4]}, f"Bearer {SECRETS[5]}"],
        pairs=[("Authorization", f"Basic {SECRETS[6]}")],
        setting=SecretStr(SECRETS[7]),
        idempotency_key="commitment:P-1001:SC-0042/create/1",
    )
    text = out.getvalue()
    for secret in SECRETS[:8]:
        assert secret not in text
    [line] = json_lines(out)
    assert line["api_key"] == logs.REDACTED
    assert line["headers"]["Authorization"] == logs.REDACTED
    assert line["headers"]["nested"]["X-Api-Key"] == logs.REDACTED
    assert line["headers"]["nested"]["Accept"] == "application/json"
    assert line["note"] == f"retrying with Bearer {logs.REDACTED}"
    # What an operator needs to follow a call stays readable.
    assert line["idempotency_key"] == "commitment:P-1001:SC-0042/create/1"
    assert line["event"] == "calling sage"


def test_credentials_in_other_libraries_stdlib_records_are_redacted():
    out = configured("json")
    library = logging.getLogger("some.http.library")
    library.warning("sending headers %s", {"Authorization": f"Bearer {SECRETS[8]}"})
    library.error("connect failed: api_key=%s host=sage.example", SECRETS[9])
    library.info('body {"password": "%s", "user": "ana"}', SECRETS[10])
    codec_keys = {"current": "k2", "keys": {"k1": SECRETS[13], "k2": SECRETS[14]}}
    library.info("loaded ERP_CODEC_KEYS=%s", json.dumps(codec_keys))
    text = out.getvalue()
    for secret in [*SECRETS[8:11], *SECRETS[13:15]]:
        assert secret not in text
    first, second, third, fourth = json_lines(out)
    assert first["logger"] == "some.http.library"
    assert "host=sage.example" in second["event"]
    assert '"user": "ana"' in third["event"]
    assert fourth["event"].startswith("loaded ERP_CODEC_KEYS=")


def test_credentials_in_an_exception_traceback_are_redacted():
    out = configured("json")
    try:
        raise RuntimeError(f"401 from Sage for Authorization: Bearer {SECRETS[11]}")
    except RuntimeError:
        structlog.get_logger("worker").exception("sage call failed")
    try:
        raise ConnectionError(f"refused: api_key={SECRETS[12]}")
    except ConnectionError:
        logging.getLogger("some.http.library").exception("gave up")
    assert SECRETS[11] not in out.getvalue() and SECRETS[12] not in out.getvalue()
    ours, library = json_lines(out)
    assert "RuntimeError: 401 from Sage" in ours["exception"]
    assert "ConnectionError: refused" in library["exception"]


def test_ordinary_words_are_not_mistaken_for_credentials():
    out = configured("json")
    structlog.get_logger("worker").info(
        "token bucket refilled; basic checks passed", state="export_failed"
    )
    [line] = json_lines(out)
    assert line["event"] == "token bucket refilled; basic checks passed"


# --- Temporal context ---


async def test_a_line_logged_inside_an_activity_names_its_workflow_run_and_activity():
    out = configured("json")
    env = ActivityEnvironment()
    env.info = dataclasses.replace(
        env.info,
        workflow_id="commitment:P-1001:SC-0042",
        workflow_run_id="run-0042",
        activity_type="sage.call",
    )

    async def call_sage() -> None:
        structlog.get_logger("activities.sage").info("sage answered", status=201)
        logging.getLogger("httpx.custom").warning("slow answer")
        activity.logger.info("batch %s not posted yet", "B-7")

    await env.run(call_sage)
    structlog.get_logger("worker").info("outside any activity")

    ours, library, sdk, outside = json_lines(out)
    for line in (ours, library, sdk):
        assert line["workflow_id"] == "commitment:P-1001:SC-0042"
        assert line["run_id"] == "run-0042"
        assert line["activity"] == "sage.call"
    assert ours["status"] == 201
    # The SDK's activity logger: its info as fields, not appended to the message.
    assert sdk["event"] == "batch B-7 not posted yet"
    assert "temporal_activity" not in sdk
    assert "workflow_id" not in outside and "activity" not in outside


def test_a_workflow_logger_line_names_its_workflow_and_run():
    """The SDK's `workflow.logger` puts the workflow's identity on the record's extra."""
    out = configured("json")
    logging.getLogger("temporalio.workflow").info(
        "accept by acct.ana: done",
        extra={
            "temporal_workflow": {
                "workflow_id": "commitment:P-1001:SC-0042",
                "run_id": "run-0042",
                "workflow_type": "ErpItem",
            },
            "state": "accepted",
        },
    )
    [line] = json_lines(out)
    assert line["workflow_id"] == "commitment:P-1001:SC-0042"
    assert line["run_id"] == "run-0042"
    assert line["workflow_type"] == "ErpItem"
    assert line["state"] == "accepted"  # what the workflow passed as `extra`
    assert "temporal_workflow" not in line


# --- the mock Sage's own request log ---


def test_the_mock_sage_request_log_never_contains_the_api_key(tmp_path: Path):
    key = "mock-key-" + SECRETS[0]
    wrong = "wrong-key-" + SECRETS[1]
    port = devstack.free_port()
    log_file = tmp_path / "sage.log"
    admin_key = "admin-key-" + SECRETS[2]
    proc = devstack.spawn(
        devstack.mock_args(port, tmp_path / "sage.sqlite", 1000, 1),
        devstack.mock_env(key, admin_key),
        log=log_file,
    )
    try:
        devstack.wait_for_port(port, proc, "the mock Sage")
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as http:
            good = {"Authorization": f"Bearer {key}"}
            assert http.get("/v1/jobs", headers=good).status_code == 200
            assert http.get("/v1/vendors/V-100", headers=good).status_code == 200
            refused = http.get("/v1/jobs", headers={"Authorization": f"Bearer {wrong}"})
            assert refused.status_code == 401
            assert http.get(f"/v1/jobs?api_key={key}").status_code == 401
            admin = {"Authorization": f"Bearer {admin_key}"}
            assert http.get("/admin/stats", headers=admin).status_code == 200
    finally:
        devstack.stop(proc)

    text = log_file.read_text()
    assert key not in text and wrong not in text and admin_key not in text
    requests = [
        line for line in map(json.loads, text.splitlines()) if line["event"] == "sage_request"
    ]
    assert [(r["path"], r["status"]) for r in requests] == [
        ("/v1/jobs", 200),
        ("/v1/vendors/V-100", 200),
        ("/v1/jobs", 401),
        ("/v1/jobs", 401),
    ]
