"""The stack a benchmark runs against: the real dev server, the real mock Sage, real workers.

Everything lives in one temporary folder (both SQLite files, the logs) and is stopped when the
benchmark ends, like the end-to-end tests' `stack` fixture. Ports are free ones, so a `make
run` on the same machine is left alone.
"""

from __future__ import annotations

import asyncio
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from temporalio.client import Client

from devtools import devstack
from runtime.config import Config
from runtime.connection import connect

ROOT = Path(__file__).resolve().parents[1]
API_KEY = "bench-sage-key"
ADMIN_KEY = "bench-sage-admin-key"
"""The mock's admin key: only the mock and the benchmark's own knobs (`BenchStack.admin`)."""
UNLIMITED = 10_000_000
"""The mock's quota outside the quota benchmark: never reached."""
T = TypeVar("T")


@dataclass
class ProcessUsage:
    """CPU seconds a process has used so far (user + system), and its resident memory."""

    cpu_seconds: float
    rss_mb: float
    peak_rss_mb: float


def usage(pid: int) -> ProcessUsage:
    """From /proc, so no extra package is needed; children are not counted."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )

    def mb(key: str) -> float:
        return int(status.get(key, "0 kB").split()[0]) / 1024

    return ProcessUsage(cpu_seconds=cpu, rss_mb=mb("VmRSS"), peak_rss_mb=mb("VmHWM"))


@dataclass
class BenchStack:
    data: Path
    temporal_port: int
    sage_port: int
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    keep: bool = False

    @classmethod
    def create(cls, keep: bool = False) -> BenchStack:
        data = Path(tempfile.mkdtemp(prefix="erp-bench-"))
        return cls(data, devstack.free_port(), devstack.free_port(), keep=keep)

    # --- processes ---

    def env(self, **changes: str) -> dict[str, str]:
        """The processes' environment. Python writes and reads its bytecode cache (in the
        stack's folder, so the tree stays clean) as on a user's machine: without it, each
        sandboxed workflow run compiles the workflow modules from source again."""
        return {
            "TEMPORAL_ADDRESS": f"127.0.0.1:{self.temporal_port}",
            "SAGE_API_URL": self.sage_url,
            "SAGE_API_KEY": API_KEY,
            "SAGE_RATE_LIMIT_PER_HOUR": str(UNLIMITED),
            "LOG_FORMAT": "json",
            "ERP_ENV_FILE": "",  # never a developer's .data/demo.env (runtime/config.py)
            # The posting watch looks 1 s after an automatic batch registers and every 2 s when
            # only people post (5 s and 5 min in production), as the mock posts after 0-1 s and
            # the history benchmark posts by hand; `python -m bench waiting` sets its own.
            "POSTING_WATCH_FAST_SECONDS": "1",
            "POSTING_WATCH_SLOW_SECONDS": "2",
            "PYTHONDONTWRITEBYTECODE": "",
            "PYTHONPYCACHEPREFIX": str(self.data / "pycache"),
            **changes,
        }

    def settings(self, **changes: Any) -> Config:
        env = self.env()
        return Config(
            temporal_address=env["TEMPORAL_ADDRESS"],
            sage_api_url=env["SAGE_API_URL"],
            sage_api_key=API_KEY,
            sage_rate_limit_per_hour=UNLIMITED,
            **changes,
        )

    def start_temporal(
        self, pragmas: Sequence[str] | None = None, extra: Sequence[str] = ()
    ) -> None:
        """The dev server as `make run` starts it; `pragmas` replaces its SQLite pragmas
        (an empty list: SQLite's defaults) and `extra` adds flags, to measure them."""
        args = devstack.dev_server_args(self.data / "temporal.sqlite", self.temporal_port, None)
        args += list(extra)
        if pragmas is not None:
            args = _without_pragmas(args)
            at = args.index("--db-filename") + 2
            for pragma in reversed(pragmas):
                args[at:at] = ["--sqlite-pragma", pragma]
        self.procs["temporal"] = devstack.spawn(args, log=self.data / "temporal.log")
        devstack.wait_for_port(self.temporal_port, self.procs["temporal"], "Temporal", 60)

    def restart_sage(self, auto_post_seconds: float) -> None:
        """The same mock (same port, same SQLite file) with another auto-posting delay."""
        self.stop("sage")
        self.start_sage(auto_post_seconds)

    def start_sage(self, auto_post_seconds: float) -> None:
        args = devstack.mock_args(
            self.sage_port, self.data / "sage.sqlite", UNLIMITED, auto_post_seconds
        )
        env = {**self.env(), **devstack.mock_env(API_KEY, ADMIN_KEY)}
        self.procs["sage"] = devstack.spawn(args, env, log=self.data / "sage.log")
        devstack.wait_for_port(self.sage_port, self.procs["sage"], "the mock Sage")

    def start_worker(
        self, name: str, args: Sequence[str] = (), **env: str
    ) -> subprocess.Popen[bytes]:
        """The bench worker (`bench/bench_worker.py`: worker.build_workers plus the baseline
        workflow), or with `args=["worker.py"]` the product's own worker process."""
        command = [sys.executable, *(args or ["-m", "bench.bench_worker"])]
        proc = devstack.spawn(command, self.env(**env), log=self.data / f"{name}.log")
        self.procs[name] = proc
        return proc

    def stop(self, name: str) -> None:
        devstack.stop(self.procs.pop(name), timeout=30)

    def usage(self, name: str) -> ProcessUsage:
        return usage(self.procs[name].pid)

    def close(self) -> None:
        for name in list(self.procs)[::-1]:
            self.stop(name)
        if not self.keep:
            shutil.rmtree(self.data, ignore_errors=True)

    # --- clients ---

    async def client(self) -> Client:
        deadline = time.monotonic() + 30
        while True:
            try:
                return await connect(self.settings())
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    @property
    def sage_url(self) -> str:
        return f"http://127.0.0.1:{self.sage_port}"

    def sage_http(self, key: str = API_KEY) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.sage_url,
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )

    async def sage(self, method: str, path: str, **kwargs: Any) -> Any:
        """A `/v1/` call with the orchestrator's key."""
        async with self.sage_http() as http:
            response = await http.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    async def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        """An `/admin/` call with the admin key (a person in Sage, the benchmark's knobs)."""
        async with self.sage_http(ADMIN_KEY) as http:
            response = await http.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    def starter(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 900
    ) -> subprocess.CompletedProcess[str]:
        """`python starter.py ...` as a user runs it."""
        return subprocess.run(
            [sys.executable, "starter.py", *args],
            cwd=ROOT,
            env={**os.environ, **self.env(LOG_FORMAT="console", **(env or {}))},
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def _without_pragmas(args: list[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--sqlite-pragma":
            skip = True
        else:
            out.append(arg)
    return out


async def bounded(limit: int, jobs: Iterable[Callable[[], Awaitable[T]]]) -> list[T]:
    """Run `jobs` with at most `limit` at once (long polls and updates must be bounded: the dev
    server refuses 2,000 concurrent waits, ../shared/FACTS.md)."""
    gate = asyncio.Semaphore(limit)

    async def one(job: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await job()

    return await asyncio.gather(*(one(job) for job in jobs))


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return ordered[rank - 1]
