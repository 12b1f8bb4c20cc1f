"""docker-compose.yml, the Dockerfile and the one-shot scripts, checked without a Docker engine.

The file is parsed with PyYAML; what the services would run is checked with the project's own
code (the worker's settings, the mock's command line), and the init script that registers the
namespace and search attributes runs for real against a Temporal dev server.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import setuptools
import yaml
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeIndexedValueType

from contract import search_attributes as sa
from devtools import devstack
from runtime import codec
from runtime.config import Config
from sage_mock.__main__ import parse_config
from sage_mock.config import MockConfig

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
INIT_SCRIPT = ROOT / "deploy" / "temporal" / "init.sh"

TYPE_NAMES = {
    SearchAttributeIndexedValueType.KEYWORD: "Keyword",
    SearchAttributeIndexedValueType.DOUBLE: "Double",
    SearchAttributeIndexedValueType.TEXT: "Text",
    SearchAttributeIndexedValueType.INT: "Int",
    SearchAttributeIndexedValueType.BOOL: "Bool",
    SearchAttributeIndexedValueType.DATETIME: "Datetime",
    SearchAttributeIndexedValueType.KEYWORD_LIST: "KeywordList",
}
WANTED_ATTRIBUTES = {key.name: TYPE_NAMES[key.indexed_value_type] for key in sa.ALL}
"""What contract/search_attributes.py defines: the one source of the list."""


def service(name: str) -> dict[str, Any]:
    assert name in SERVICES, f"docker-compose.yml has no service {name!r}"
    return SERVICES[name]


def environment(name: str) -> dict[str, str]:
    """A service's environment as compose would pass it when no variable is set in the shell."""
    env = service(name).get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: interpolate(str(value)) for key, value in env.items()}


def interpolate(value: str, shell: dict[str, str] | None = None) -> str:
    """Compose's `${VAR:-default}` / `${VAR}`, with an empty shell environment unless `shell`
    says otherwise."""
    shell = shell or {}
    return re.sub(
        r"\$\{(\w+)(?::?-([^}]*))?\}",
        lambda m: shell.get(m.group(1)) or m.group(2) or "",
        value,
    )


def command(name: str) -> list[str]:
    cmd = service(name).get("command", [])
    return shlex.split(cmd) if isinstance(cmd, str) else [str(part) for part in cmd]


def image_of(name: str) -> tuple[str, str]:
    repository, _, tag = service(name)["image"].rpartition(":")
    return repository, tag


def mock_config(monkeypatch: pytest.MonkeyPatch) -> MockConfig:
    """The mock's settings as `python -m sage_mock` would read them inside its container."""
    for key, value in environment("sage").items():
        monkeypatch.setenv(key, value)
    cmd = command("sage")
    assert cmd[:3] == ["python", "-m", "sage_mock"], cmd
    return parse_config(cmd[3:])


def registered_by_compose() -> dict[str, str]:
    pairs = environment("temporal-init")["ERP_SEARCH_ATTRIBUTES"].split()
    return dict(pair.split("=", 1) for pair in pairs)


# --- services, images, ports ---


def test_the_stack_has_every_service_a_user_needs():
    assert {
        "postgresql",
        "temporal-schema",
        "temporal",
        "temporal-init",
        "temporal-ui",
        "sage",
        "worker",
        "web",
        "mailbox",
    } <= set(SERVICES)


def test_every_image_is_pinned_to_a_version():
    for name, spec in SERVICES.items():
        if "image" not in spec:
            continue
        repository, tag = image_of(name)
        assert repository and tag, f"{name}: image {spec['image']!r} has no tag"
        assert tag != "latest" and re.match(r"\d+(\.\d+)+", tag), f"{name}: tag {tag!r}"
    assert image_of("postgresql")[0] == "postgres"
    assert image_of("temporal")[0] in ("temporalio/server", "temporalio/auto-setup")
    assert image_of("temporal-schema")[0] == "temporalio/admin-tools"
    assert image_of("temporal-init")[0] == "temporalio/admin-tools"
    assert image_of("temporal-ui")[0] == "temporalio/ui"
    # The schema tool must match the server it prepares the database for.
    assert image_of("temporal-schema")[1] == image_of("temporal")[1]


def test_the_ui_is_on_8080_and_temporal_on_7233():
    def published(name: str) -> set[tuple[str, str]]:
        pairs = set()
        for port in service(name).get("ports", []):
            host, _, container = str(port).rpartition(":")
            pairs.add((host.rpartition(":")[2], container))
        return pairs

    assert ("8080", "8080") in published("temporal-ui")
    assert ("7233", "7233") in published("temporal")
    assert environment("temporal-ui")["TEMPORAL_ADDRESS"] == "temporal:7233"


# --- start order and health ---


def depends(name: str) -> dict[str, str]:
    found = service(name).get("depends_on", {})
    assert isinstance(found, dict), f"{name}: depends_on needs conditions, not a bare list"
    return {other: spec.get("condition", "service_started") for other, spec in found.items()}


def test_each_service_waits_for_what_it_needs_to_be_ready():
    assert depends("temporal-schema") == {"postgresql": "service_healthy"}
    assert depends("temporal") == {"temporal-schema": "service_completed_successfully"}
    assert depends("temporal-init") == {"temporal": "service_healthy"}
    assert depends("temporal-ui") == {"temporal": "service_healthy"}
    assert depends("worker") == {
        "temporal-init": "service_completed_successfully",
        "sage": "service_healthy",
    }


def test_every_service_waited_on_for_health_has_a_healthcheck():
    for name in SERVICES:
        for other, condition in depends(name).items():
            if condition == "service_healthy":
                test = service(other).get("healthcheck", {}).get("test")
                assert test, f"{name} waits for {other} to be healthy, which has no healthcheck"
    assert "pg_isready" in str(service("postgresql")["healthcheck"]["test"])


def test_the_mock_sage_healthcheck_presents_the_admin_key_on_an_admin_call(monkeypatch):
    """Admin calls need the admin key but don't spend the request quota a worker needs."""
    check = " ".join(service("sage")["healthcheck"]["test"])
    port = mock_config(monkeypatch).port
    assert f"127.0.0.1:{port}/admin/" in check
    assert "SAGE_ADMIN_KEY" in check and "Bearer" in check
    assert "SAGE_API_KEY" not in check


# --- exposure and secrets ---


def published(name: str, shell: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    """(host address, host port, container port) of each port a service publishes."""
    found = []
    for spec in service(name).get("ports", []):
        parts = interpolate(str(spec), shell).split(":")
        assert len(parts) == 3, f"{name}: {spec!r} publishes on every interface"
        found.append((parts[0], parts[1], parts[2]))
    return found


def test_every_port_is_published_on_loopback_unless_a_user_opts_in():
    for name in SERVICES:
        for address, port, _ in published(name):
            assert address == "127.0.0.1", f"{name}: port {port} published on {address!r}"
    opted_in = {"ERP_BIND_ADDRESS": "0.0.0.0"}
    assert published("temporal", opted_in) == [("0.0.0.0", "7233", "7233")]
    assert published("temporal-ui", opted_in) == [("0.0.0.0", "8080", "8080")]
    # The mock and the codec server stay on loopback whatever the user says.
    assert published("sage", opted_in)[0][0] == "127.0.0.1"
    assert published("codec", opted_in)[0][0] == "127.0.0.1"


def test_the_mock_has_its_own_admin_key_which_no_worker_holds(monkeypatch):
    config = mock_config(monkeypatch)
    assert config.admin_key is not None
    assert config.admin_key.get_secret_value() != config.api_key.get_secret_value()
    assert "SAGE_ADMIN_KEY" not in environment("worker")
    for name in SERVICES:
        if name != "sage":
            assert "SAGE_ADMIN_KEY" not in environment(name), name


def test_no_secret_is_on_a_command_line():
    for name in SERVICES:
        cmd = command(name)
        for flag in ("--api-key", "--admin-key", "--token"):
            assert flag not in cmd, f"{name}: {flag} on its command line shows in `ps`"


# --- what the project's own services run ---


def test_the_mock_runs_from_the_project_image_with_its_database_on_a_volume(monkeypatch):
    sage = service("sage")
    assert sage.get("build") in (".", {"context": "."})
    config = mock_config(monkeypatch)
    assert config.host == "0.0.0.0"
    volume_paths = [str(v).split(":")[1] for v in sage.get("volumes", [])]
    assert any(config.db_path.is_relative_to(path) for path in volume_paths), volume_paths
    named = [str(v).split(":")[0] for v in sage.get("volumes", [])]
    assert set(named) <= set(COMPOSE.get("volumes", {}))


def test_the_worker_configuration_reaches_temporal_and_the_mock(monkeypatch):
    env = environment("worker")
    codec_settings = {codec.KEYS_ENV, codec.KEYS_FILE_ENV}  # runtime/codec.py reads them
    for key in env:
        known = key.lower() in Config.model_fields or key in codec_settings | NOTICE_SETTINGS
        assert known, f"worker: {key} is not a setting"
    for key in list(os.environ):
        if key.lower() in Config.model_fields:
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    cfg = Config()

    assert {
        "TEMPORAL_ADDRESS",
        "TEMPORAL_NAMESPACE",
        "TEMPORAL_TASK_QUEUE",
        "SAGE_API_URL",
        "SAGE_API_KEY",
        "SAGE_RATE_LIMIT_PER_HOUR",
        "LOG_FORMAT",
    } <= set(env)
    assert cfg.temporal_address == "temporal:7233"
    assert cfg.log_format == "json"
    assert cfg.temporal_namespace == environment("temporal-init")["TEMPORAL_NAMESPACE"]

    url = urlsplit(cfg.sage_api_url)
    mock = mock_config(monkeypatch)
    assert (url.hostname, url.port) == ("sage", mock.port)
    assert cfg.sage_api_key.get_secret_value() == mock.api_key.get_secret_value()
    assert cfg.sage_rate_limit_per_hour == mock.rate_limit


NOTICE_SETTINGS = {"SMTP_URL", "ERP_NOTICES_LEDGER", "ERP_WEB_URL", "ERP_NOTICES_FROM"}
"""What activities/notices.py reads (NoticeActivities.from_env)."""


def test_the_workers_notices_reach_the_mailbox_and_link_to_the_page():
    env = environment("worker")
    smtp = urlsplit(env["SMTP_URL"])
    mailbox = command("mailbox")
    assert mailbox[:3] == ["python", "-m", "web.mailbox"]
    assert (smtp.scheme, smtp.hostname, str(smtp.port)) == (
        "smtp",
        "mailbox",
        mailbox[mailbox.index("--port") + 1],
    )
    assert env["ERP_WEB_URL"] == environment("web")["ERP_WEB_URL"]
    ledger = Path(env["ERP_NOTICES_LEDGER"])
    mounts = [str(v).split(":")[1] for v in service("worker").get("volumes", [])]
    assert any(ledger.is_relative_to(m) for m in mounts), "the ledger outlives a container"


def test_the_approvers_page_serves_from_the_project_image(monkeypatch):
    from web.config import WebConfig

    web = service("web")
    assert web.get("build") in (".", {"context": "."}) and command("web") == ["python", "-m", "web"]
    env = environment("web")
    for key in env:
        known = (
            key.lower() in Config.model_fields
            or key.removeprefix("ERP_WEB_").lower() in WebConfig.model_fields
            or key in {codec.KEYS_ENV, "ERP_SIGNING_KEYS_DIR"}
        )
        assert known, f"web: {key} is not a setting"
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    cfg = WebConfig()
    assert (cfg.host, cfg.port) == ("0.0.0.0", 8600)  # inside its container; published below
    assert published("web") == [("127.0.0.1", "8600", "8600")]
    assert published("web", {"ERP_BIND_ADDRESS": "0.0.0.0"})[0][0] == "0.0.0.0"
    mounts = {str(v).split(":")[1]: str(v) for v in web.get("volumes", [])}
    for path in (cfg.users_file, cfg.secret_file, cfg.mailbox_db):
        assert any(path.is_relative_to(m) for m in mounts), path
    mailbox_db = command("mailbox")[command("mailbox").index("--db") + 1]
    assert Path(mailbox_db).name == cfg.mailbox_db.name
    assert mounts["/mailbox"].endswith(":ro"), "the page only reads the mailbox"
    assert "SAGE_API_KEY" not in env, "the page never calls Sage"
    assert "healthcheck" in web


def test_the_worker_scales_with_docker_compose_up_scale():
    worker = service("worker")
    assert "container_name" not in worker, "a fixed container name allows one worker only"
    assert "ports" not in worker, "a fixed host port allows one worker only"
    assert worker.get("build") in (".", {"context": "."})
    assert command("worker") == ["python", "worker.py"]


def test_the_dockerfile_installs_the_project_and_runs_the_worker():
    base = re.search(r"^FROM\s+(\S+)", DOCKERFILE, re.M)
    assert base and re.match(r"python:3\.1[1-9][\w.-]*$", base.group(1)), base
    assert re.search(r"^RUN .*pip install[^\n]*\s\.(\s|$)", DOCKERFILE, re.M), "pip install ."
    assert re.search(r"^CMD \[\"python\", \"worker\.py\"\]", DOCKERFILE, re.M)


def test_the_docker_build_context_holds_the_code_but_not_local_state():
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def kept(path: str) -> bool:
        return not any(fnmatch.fnmatch(path, pattern) for pattern in ignored)

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = setuptools.find_packages(str(ROOT), include=project["packages"]["find"]["include"])
    needed = [f"{module}.py" for module in project["py-modules"]]
    needed += sorted({package.split(".")[0] for package in found})
    needed += ["pyproject.toml", "examples"]
    for path in needed:
        assert (ROOT / path).exists(), path
        assert kept(path), f".dockerignore leaves out {path}, which the image needs"
    for local in (".venv", ".data", ".git", "tests"):
        assert not kept(local), f".dockerignore should leave out {local}"


# --- search attributes: one list, registered for real ---


def test_compose_registers_exactly_the_search_attributes_the_code_defines():
    assert registered_by_compose() == WANTED_ATTRIBUTES


@pytest.fixture(scope="module")
def bare_server() -> Iterator[str]:
    """A dev server with no ERP attributes but one wrong one, as a cluster set up by hand."""
    port = devstack.free_port()
    args = [
        devstack.temporal_binary(), "server", "start-dev", "--ip", "127.0.0.1",
        "--port", str(port), "--headless", "--log-level", "error",
        "--search-attribute", "ErpAmount=Keyword",
    ]  # fmt: skip
    proc = devstack.spawn(args)
    try:
        devstack.wait_for_port(port, proc, "Temporal", 60)
        yield f"127.0.0.1:{port}"
    finally:
        devstack.stop(proc)


def run_init(address: str, namespace: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **environment("temporal-init"),
        "TEMPORAL_ADDRESS": address,
        "TEMPORAL_NAMESPACE": namespace,
        "INIT_WAIT_SECONDS": "60",
        "PATH": f"{Path(devstack.temporal_binary()).parent}{os.pathsep}{os.environ['PATH']}",
    }
    return subprocess.run(
        ["sh", str(INIT_SCRIPT)], env=env, capture_output=True, text=True, timeout=180
    )


async def registered_on(address: str, namespace: str) -> dict[str, str]:
    client = await Client.connect(address, namespace=namespace)
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    names = {
        IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD: "Keyword",
        IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE: "Double",
    }
    return {
        name: names.get(kind, str(kind))
        for name, kind in listed.custom_attributes.items()
        if name.startswith("Erp")
    }


@pytest.mark.e2e
async def test_the_init_step_creates_the_namespace_and_attributes_and_can_run_again(
    bare_server: str,
):
    first = run_init(bare_server, "erp-compose")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "namespace erp-compose created" in first.stdout
    assert await registered_on(bare_server, "erp-compose") == WANTED_ATTRIBUTES

    again = run_init(bare_server, "erp-compose")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "namespace erp-compose exists" in again.stdout
    for name in WANTED_ATTRIBUTES:
        assert f"search attribute {name} ({WANTED_ATTRIBUTES[name]}) already registered" in (
            again.stdout
        )
    assert await registered_on(bare_server, "erp-compose") == WANTED_ATTRIBUTES


@pytest.mark.e2e
async def test_the_init_step_stops_on_an_attribute_registered_with_another_type(
    bare_server: str,
):
    clash = run_init(bare_server, "default")
    assert clash.returncode == 1
    assert "ErpAmount exists with another type" in clash.stderr
    assert "wanted Double" in clash.stderr


def test_payload_encryption_is_wired_for_the_ui_and_the_workers():
    codec_service = SERVICES["codec"]
    assert codec_service["profiles"] == ["encryption"]
    assert "devtools.codec_server" in codec_service["command"]
    env = environment("codec")
    assert "ERP_CODEC_KEYS" in env
    assert "ERP_CODEC_TOKEN" not in env  # the UI cannot send one: nothing to set
    assert env["ERP_CODEC_UI_ORIGINS"].split(",")[0] == "http://localhost:8080"
    assert env["ERP_CODEC_NAMESPACES"] == environment("temporal-init")["TEMPORAL_NAMESPACE"]
    assert "TEMPORAL_CODEC_ENDPOINT" in environment("temporal-ui")
    assert codec.KEYS_ENV in environment("worker")
