"""Fixtures for the mock Sage API: an in-process app per test, or a real server."""

import copy
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from sage_mock import MockConfig, create_app

API_KEY = "test-key-not-a-secret"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
"""The orchestrator's key: every `/v1/` call."""
ADMIN_KEY = "test-admin-key-not-a-secret"
ADMIN_AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
"""A person in Sage, and the tests' knobs: every `/admin/` call."""
PROJECT_ROOT = Path(__file__).resolve().parents[2]

SUBCONTRACT: dict[str, Any] = {
    "job_id": "1001",
    "commitment_id": "SC-0042",
    "commitment_type": "subcontract",
    "description": "Concrete package",
    "vendor_id": "V-100",
    "date": "2026-11-21",
    "retainage_percent": 10.0,
    "items": [
        {
            "item_id": "1",
            "description": "Foundations",
            "cost_code": "03-300",
            "category": "S",
            "units": None,
            "unit_cost": None,
            "unit_description": None,
            "amount": 12500.0,
        }
    ],
}


def subcontract(**changes: Any) -> dict[str, Any]:
    """A valid commitment body, with some fields changed."""
    return {**copy.deepcopy(SUBCONTRACT), **changes}


@pytest.fixture
def config(tmp_path: Path) -> MockConfig:
    return MockConfig(
        db_path=tmp_path / "sage.sqlite",
        api_key=API_KEY,
        admin_key=ADMIN_KEY,
        rate_limit=1000,
        rate_window_seconds=3600,
        auto_post_seconds=3600,
    )


@pytest.fixture
def app(config: MockConfig) -> Iterator[FastAPI]:
    """An in-process app on a fresh database."""
    app = create_app(config)
    yield app
    app.state.services.store.close()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The orchestrator's client of the app: the API key (`/v1/` calls)."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sage.test", headers=AUTH
    ) as http:
        yield http


@pytest.fixture
async def admin(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A person in Sage (or a test's knob) on the same app: the admin key (`/admin/` calls)."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sage.test", headers=ADMIN_AUTH
    ) as http:
        yield http


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RealServer:
    """`python -m sage_mock` in a subprocess, restartable on the same database file."""

    db_path: Path
    log_path: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        env = {**os.environ, "SAGE_API_KEY": API_KEY, "SAGE_ADMIN_KEY": ADMIN_KEY}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "sage_mock",
                    "--port",
                    str(self.port),
                    "--db",
                    str(self.db_path),
                    "--auto-post-seconds",
                    "3600",
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sage_mock exited: {self.log_path.read_text()}")
            try:
                httpx.get(f"{self.base_url}/admin/stats", headers=ADMIN_AUTH, timeout=0.5)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("sage_mock did not start in time")

    def kill(self) -> None:
        """An abrupt end (SIGKILL): whatever was committed must survive it."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def real_server(tmp_path: Path) -> Iterator[RealServer]:
    server = RealServer(db_path=tmp_path / "sage.sqlite", log_path=tmp_path / "sage.log")
    server.start()
    yield server
    server.kill()
