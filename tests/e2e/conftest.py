"""The real thing: a Temporal dev server on its SQLite file, the mock Sage over HTTP on
loopback, a worker process, and `starter.py` run as a user runs it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from client.items import item_status
from devtools import devstack
from runtime.config import Config
from runtime.connection import connect
from tests.e2e.warm_starter import WarmStarter

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Debian's Chromium, and the flags it needs headless on a machine with no outside network
(Playwright launches it by path; nothing is downloaded)."""
API_KEY = "e2e-sage-key"
"""The orchestrator's key: the worker and starter.py have it (`Stack.env`)."""
ADMIN_KEY = "e2e-sage-admin-key"
"""The mock's admin key: only the mock and the test (`Stack.admin`, a person in Sage) have it."""


WARM_STARTER = WarmStarter()
"""One fork server for the whole session (started by the first `Stack.starter`)."""


def pytest_sessionfinish() -> None:
    WARM_STARTER.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@dataclass
class Stack:
    """Handles on the running processes, with the calls a test needs."""

    data: Path
    temporal_port: int
    ui_port: int
    sage_port: int
    env: dict[str, str]
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def sage_url(self) -> str:
        return f"http://127.0.0.1:{self.sage_port}"

    def start_temporal(self) -> None:
        args = devstack.dev_server_args(
            self.data / "temporal.sqlite", self.temporal_port, self.ui_port
        )
        self.procs["temporal"] = devstack.spawn(args, log=self.data / "temporal.log")
        devstack.wait_for_port(self.temporal_port, self.procs["temporal"], "Temporal", 60)

    def start_sage(self, rate_limit: int = 100_000, rate_window: int = 3600) -> None:
        args = devstack.mock_args(
            self.sage_port, self.data / "sage.sqlite", rate_limit, 1, rate_window
        )
        env = {**self.env, **devstack.mock_env(API_KEY, ADMIN_KEY)}
        self.procs["sage"] = devstack.spawn(args, env, log=self.data / "sage.log")
        devstack.wait_for_port(self.sage_port, self.procs["sage"], "the mock Sage")

    def start_worker(self, name: str = "worker", **env: str) -> subprocess.Popen[bytes]:
        proc = devstack.spawn(
            [sys.executable, "worker.py"], {**self.env, **env}, log=self.data / f"{name}.log"
        )
        self.procs[name] = proc
        return proc

    def stop(self, name: str) -> None:
        devstack.stop(self.procs.pop(name))

    def kill(self, name: str) -> None:
        """SIGKILL: the process dies at once, whatever it was doing, as in a crash."""
        proc = self.procs.pop(name)
        proc.kill()
        proc.wait()

    def starter(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`python starter.py ARGS` as a user runs it, through the warm fork server
        (tests/e2e/warm_starter.py: the same run without 1.4 s of imports each time)."""
        run_env = {**os.environ, **self.env, **(env or {})}
        if os.environ.get("ERP_E2E_COLD_STARTER") != "1":
            return WARM_STARTER.run(list(args), run_env, timeout=120)
        return subprocess.run(
            [sys.executable, "starter.py", *args],
            cwd=ROOT,
            env=run_env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def sage(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:
        """A `/v1/` call with the orchestrator's key, as the worker makes it."""
        return self._call(API_KEY, method, path, headers, **kwargs)

    def admin(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:
        """An `/admin/` call with the admin key: a person in Sage, or a test's knob."""
        return self._call(ADMIN_KEY, method, path, headers, **kwargs)

    def _call(
        self, key: str, method: str, path: str, headers: dict[str, str] | None, **kwargs: Any
    ) -> Any:
        response = httpx.request(
            method,
            self.sage_url + path,
            headers={"Authorization": f"Bearer {key}", **(headers or {})},
            timeout=10,
            **kwargs,
        )
        response.raise_for_status()
        return response.json()

    def status(self, item: str) -> dict[str, Any]:
        done = self.starter("status", item, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def wait_for_state(self, item: str, *states: str, timeout: float = 60) -> dict[str, Any]:
        """The item's `starter.py status --json` once it is in one of `states`.

        Between two runs of `starter.py` the wait asks the workflow itself, in this process,
        until its state moves: the test sees the change within a quarter second, and what it
        then checks is still what `starter.py` prints."""
        deadline = time.monotonic() + timeout
        while True:
            current = self.status(item)
            if current["state"] in states:
                return current
            if time.monotonic() > deadline:
                raise AssertionError(f"{item} stayed {current['state']}: {current['audit']}")
            self._until_state_moves(item, current["state"], deadline)

    def _until_state_moves(self, item: str, state: str, deadline: float) -> None:
        async def ask() -> None:
            client = await connect(Config(temporal_address=self.env["TEMPORAL_ADDRESS"]))
            while time.monotonic() < deadline:
                if (await item_status(client, item)).state.value != state:
                    return
                await asyncio.sleep(0.25)

        asking = ask()
        try:
            asyncio.run(asking)
        except Exception:  # a loop already running, no workflow yet, Temporal restarting:
            asking.close()
            time.sleep(0.5)  # back to starter.py alone


@contextmanager
def running_stack(data: Path) -> Iterator[Stack]:
    """A dev server, the mock Sage and a worker on fresh ports and files; all stopped after."""
    ports = [devstack.free_port() for _ in range(3)]
    env = {
        "TEMPORAL_ADDRESS": f"127.0.0.1:{ports[0]}",
        "SAGE_API_URL": f"http://127.0.0.1:{ports[2]}",
        "SAGE_API_KEY": API_KEY,
        "SAGE_RATE_LIMIT_PER_HOUR": "100000",
        "LOG_FORMAT": "json",
        "ERP_ENV_FILE": "",  # never a developer's .data/demo.env (runtime/config.py)
        # The posting watch looks every 2 s when only people post (5 min in production), so a
        # test that posts by hand sees `posted` within seconds.
        "POSTING_WATCH_SLOW_SECONDS": "2",
        "POSTING_WATCH_FAST_SECONDS": "0.5",
    }
    stack = Stack(data, ports[0], ports[1], ports[2], env)
    try:
        stack.start_temporal()
        stack.start_sage()
        stack.start_worker()
        yield stack
    finally:
        for proc in reversed(stack.procs.values()):  # workers first, Temporal last
            devstack.stop(proc)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack per test module: no module sees another's items, links or Sage records, so
    none depends on which modules ran before it in its process (make test runs two)."""
    with running_stack(tmp_path_factory.mktemp("stack")) as found:
        yield found


def write_item(folder: Path, **changes: Any) -> Path:
    """An item file based on the demo's SC-0042, with `changes` applied."""
    data = json.loads((ROOT / "examples" / "items" / "commitment-SC-0042.json").read_text())
    data.update(changes)
    path = folder / f"{data['type']}-{data['number']}.json"
    path.write_text(json.dumps(data, indent=2))
    return path
