"""What `make run` needs from the web app: its processes (the page and the demo's SMTP server),
the environment that points the worker's notices at that server, and a password per demo user.

The stack's own module (devtools/devstack.py) calls these; nothing here starts a process.
"""

from __future__ import annotations

import json
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from web.auth import Users, write_private

PYTHON = sys.executable
WEB_PORT = 8600
SMTP_PORT = 8025
PASSWORDS_FILE = "web-passwords.txt"


@dataclass(frozen=True)
class Process:
    """Shaped like devtools.devstack.Process: what it runs, its environment, log and port."""

    what: str
    args: list[str]
    env: dict[str, str]
    log: Path
    port: int | None


def environment(data: Path, web_port: int = WEB_PORT, smtp_port: int = SMTP_PORT) -> dict[str, str]:
    """For the worker (notices), the page and a second terminal (demo.env)."""
    return {
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "ERP_NOTICES_LEDGER": str(data / "notices-ledger.sqlite"),
        "ERP_WEB_URL": f"http://localhost:{web_port}",
        "ERP_WEB_PORT": str(web_port),
        "ERP_WEB_USERS_FILE": str(data / "web-users.json"),
        "ERP_WEB_SECRET_FILE": str(data / "web-secret.key"),
        "ERP_WEB_MAILBOX_DB": str(data / "mailbox.sqlite"),
    }


def processes(
    data: Path, env: dict[str, str], web_port: int = WEB_PORT, smtp_port: int = SMTP_PORT
) -> list[Process]:
    """The SMTP server first (the worker's notices need it), then the page."""
    env = {**env, **environment(data, web_port, smtp_port)}
    mailbox = [PYTHON, "-m", "web.mailbox", "--port", str(smtp_port)]
    mailbox += ["--db", env["ERP_WEB_MAILBOX_DB"]]
    return [
        Process("the demo's SMTP server", mailbox, env, data / "mailbox.log", smtp_port),
        Process("the approvers' page", [PYTHON, "-m", "web"], env, data / "web.log", web_port),
    ]


def make_demo_passwords(data: Path, users: list[str]) -> Path:
    """A password per demo user, kept in .data/web-passwords.txt (0600) and hashed into the
    users file; a user who already has one keeps it. Returns the passwords file."""
    path = data / PASSWORDS_FILE
    known: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            user, _, password = line.partition(" ")
            if user and password and not user.startswith("#"):
                known[user] = password
    store = Users(data / "web-users.json")
    hashes = store.load()
    for user in users:
        password = known.get(user)
        if password is None or user not in hashes or store.verify(user, password) is None:
            password = known.get(user) or secrets.token_urlsafe(12)
            store.set_password(user, password)
            known[user] = password
    lines = ["# user password: the approvers' page (http://localhost:8600) of `make run`"]
    lines += [f"{user} {password}" for user, password in sorted(known.items())]
    write_private(path, "\n".join(lines) + "\n")
    return path


def banner(data: Path, web_port: int = WEB_PORT) -> str:
    return (
        f"The approvers' page: http://localhost:{web_port}  (log in as acct.ana, say; "
        f"passwords in {data / PASSWORDS_FILE}, mode 0600)\n"
        f"Notices go by email to the demo's SMTP server (127.0.0.1:{SMTP_PORT}); "
        f"read them at http://localhost:{web_port}/mailbox"
    )


def roster_users(projects_file: Path) -> list[str]:
    """Everyone on a roster of the demo's projects: each gets a password."""
    projects = json.loads(projects_file.read_text()).get("projects", {})
    return sorted({user for project in projects.values() for user in project.get("roster", {})})
