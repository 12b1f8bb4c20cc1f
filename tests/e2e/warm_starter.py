"""`starter.py` for the end-to-end suite, without paying its imports on every run.

A cold `python starter.py ...` costs about 2 s on a 2-core machine, 1.4 s of it importing
temporalio, pydantic and rich before the first line of the command runs; the suite runs it
hundreds of times. This module is a fork server: one process (`serve`) imports everything
`starter.py` imports, then for each request forks a child that becomes the run a user
makes: its own argv, environment, working directory, stdin from /dev/null, stdout and
stderr into files, `starter.py` executed as `__main__`, and its exit code. What is shared is
only the imported code, loaded before any thread or connection exists (forking is safe
then: nothing but the main thread runs).

`WarmStarter` is the test side: `run(args, env)` returns a `subprocess.CompletedProcess`,
from any thread. `ERP_E2E_COLD_STARTER=1` makes `Stack.starter` run `python starter.py`
instead, for anyone who doubts the warm path; tests/test_hostile_inputs.py always runs it
cold.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "starter.py"


def serve() -> None:
    """Read one JSON request per line on stdin; answer `{"id", "rc", "timed_out"}` per run."""
    sys.path.insert(0, str(ROOT))
    import cli.main  # noqa: F401  (the warm part: everything starter.py imports)

    running: dict[int, dict[str, Any]] = {}  # child pid -> its request and deadline
    pending = b""
    while True:
        ready, _, _ = select.select([0], [], [], 0.02 if running else None)
        if ready:
            chunk = os.read(0, 1 << 16)
            if not chunk:  # the suite is done
                for pid in running:
                    os.kill(pid, signal.SIGKILL)
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    _become_the_run(request)
                request["deadline"] = time.monotonic() + request["timeout"]
                running[pid] = request
        _answer_finished(running)
        for pid, request in running.items():
            if not request.get("timed_out") and time.monotonic() > request["deadline"]:
                request["timed_out"] = True
                os.kill(pid, signal.SIGKILL)


def _answer_finished(running: dict[int, dict[str, Any]]) -> None:
    while running:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            return
        request = running.pop(pid)
        answer = {
            "id": request["id"],
            "rc": os.waitstatus_to_exitcode(status),
            "timed_out": request.get("timed_out", False),
        }
        os.write(1, json.dumps(answer).encode() + b"\n")


def _become_the_run(request: dict[str, Any]) -> None:
    """In the child: the process `python starter.py ARGS` would have been. Never returns."""
    import random
    import runpy
    import traceback

    code = 1
    try:
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(os.open(request["stdout"], os.O_WRONLY | os.O_TRUNC), 1)
        os.dup2(os.open(request["stderr"], os.O_WRONLY | os.O_TRUNC), 2)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        sys.argv = [str(STARTER), *request["args"]]
        sys.path[0] = str(STARTER.parent)
        random.seed()
        runpy.run_path(str(STARTER), run_name="__main__")  # ends in os._exit(exit code)
        code = 0
    except SystemExit as done:  # usage errors and --help leave through argparse
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
    except BaseException:  # what an uncaught error prints, and its exit code
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


class WarmStarter:
    """The suite's handle on one fork server (started on first use, ended with `close`)."""

    def __init__(self) -> None:
        self._server: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._next_id = 0
        self._answers: dict[int, dict[str, Any]] = {}
        self._arrived = threading.Condition(self._lock)

    def run(
        self, args: list[str], env: dict[str, str], timeout: float
    ) -> subprocess.CompletedProcess[str]:
        with tempfile.TemporaryDirectory(prefix="starter-") as folder:
            out, err = Path(folder, "stdout"), Path(folder, "stderr")
            out.touch()
            err.touch()
            with self._lock:
                server = self._started()
                self._next_id += 1
                run_id = self._next_id
                request = {
                    "id": run_id, "args": args, "env": env, "cwd": str(ROOT),
                    "stdout": str(out), "stderr": str(err), "timeout": timeout,
                }  # fmt: skip
                assert server.stdin is not None
                server.stdin.write(json.dumps(request).encode() + b"\n")
                server.stdin.flush()
                while run_id not in self._answers:
                    if server.poll() is not None:
                        raise RuntimeError(f"the warm starter died (exit {server.returncode})")
                    self._arrived.wait(1)
                answer = self._answers.pop(run_id)
            cmd = [sys.executable, "starter.py", *args]
            stdout, stderr = out.read_text(), err.read_text()
        if answer["timed_out"]:
            raise subprocess.TimeoutExpired(cmd, timeout, stdout, stderr)
        return subprocess.CompletedProcess(cmd, answer["rc"], stdout, stderr)

    def close(self) -> None:
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(10)

    def _started(self) -> subprocess.Popen[bytes]:
        if self._server is None or self._server.poll() is not None:
            self._server = subprocess.Popen(
                [sys.executable, __file__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=ROOT,
            )
            threading.Thread(target=self._read_answers, args=(self._server,), daemon=True).start()
        return self._server

    def _read_answers(self, server: subprocess.Popen[bytes]) -> None:
        assert server.stdout is not None
        for line in server.stdout:
            answer = json.loads(line)
            with self._arrived:
                self._answers[answer["id"]] = answer
                self._arrived.notify_all()
        with self._arrived:
            self._arrived.notify_all()


if __name__ == "__main__":
    serve()
