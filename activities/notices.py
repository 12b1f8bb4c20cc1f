"""The notices activity: one email per person per event, through the SMTP server in SMTP_URL.

Idempotent: each event has a stable ID from the workflow (domain/notices.py), the Message-ID
is made from it, and a small SQLite ledger remembers every (event, user) sent, so a retried
activity, or one re-run after its worker was killed, sends nothing twice. The one gap: a
worker killed after the server took the message and before the ledger row was written sends
that one message again, with the same Message-ID (so a client that deduplicates shows one).

No SMTP_URL: notices are off; the activity sends nothing and says so (the workflow records
nothing).
"""

from __future__ import annotations

import asyncio
import os
import smtplib
import sqlite3
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from urllib.parse import unquote, urlsplit

from temporalio import activity

from domain.notices import (
    NOTICE_ACTIVITY,
    NoticeRequest,
    NoticeResult,
    body,
    item_link,
    message_id,
    subject,
)

DEFAULT_SENDER = "ERP Export Orchestrator <erp-notices@localhost>"
DEFAULT_WEB_URL = "http://localhost:8600"


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    starttls: bool = False
    ssl: bool = False
    user: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpServer:
    """smtp://[user:password@]host[:port] (STARTTLS with ?starttls=1), or smtps://..."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("SMTP_URL must look like smtp://host:port or smtps://host:port")
    ssl = parts.scheme == "smtps"
    return SmtpServer(
        host=parts.hostname,
        port=parts.port or (465 if ssl else 25),
        starttls="starttls=1" in parts.query,
        ssl=ssl,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class Ledger:
    """Which (event, user) notices were handed to the SMTP server: a file of its own, so a
    worker's restart remembers them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS sent (event_id TEXT NOT NULL, user TEXT NOT NULL, "
                "message_id TEXT NOT NULL, at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, "
                "PRIMARY KEY (event_id, user))"
            )
        path.chmod(0o600)

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10, isolation_level=None)

    def sent(self, event_id: str, user: str) -> bool:
        with self._db() as db:
            row = db.execute(
                "SELECT 1 FROM sent WHERE event_id = ? AND user = ?", (event_id, user)
            ).fetchone()
        return row is not None

    def record(self, event_id: str, user: str, message_id: str) -> None:
        with self._db() as db:
            db.execute(
                "INSERT OR IGNORE INTO sent (event_id, user, message_id) VALUES (?, ?, ?)",
                (event_id, user, message_id),
            )


class NoticeActivities:
    """Built once per worker from the environment (SMTP_URL, ERP_NOTICES_LEDGER,
    ERP_WEB_URL, ERP_NOTICES_FROM)."""

    def __init__(
        self,
        smtp_url: str | None,
        ledger: Path,
        web_url: str = DEFAULT_WEB_URL,
        sender: str = DEFAULT_SENDER,
    ) -> None:
        self.server = parse_smtp_url(smtp_url) if smtp_url else None
        self.ledger = Ledger(ledger) if self.server else None
        self.web_url = web_url
        self.sender = sender

    @classmethod
    def from_env(cls, default_ledger: Path) -> NoticeActivities:
        env = os.environ
        return cls(
            env.get("SMTP_URL") or None,
            Path(env.get("ERP_NOTICES_LEDGER") or default_ledger),
            env.get("ERP_WEB_URL") or DEFAULT_WEB_URL,
            env.get("ERP_NOTICES_FROM") or DEFAULT_SENDER,
        )

    @activity.defn(name=NOTICE_ACTIVITY)
    async def send_notice(self, request: NoticeRequest) -> NoticeResult:
        if self.server is None or self.ledger is None:
            return NoticeResult(off=True)
        return await asyncio.to_thread(self._send, request)

    def _send(self, request: NoticeRequest) -> NoticeResult:
        assert self.server is not None and self.ledger is not None
        link = item_link(self.web_url, request.workflow_id)
        pending = [r for r in request.recipients if not self.ledger.sent(request.event_id, r.user)]
        if pending:
            with self._connect() as smtp:
                for recipient in pending:
                    mid = message_id(request.event_id, recipient.user)
                    mail = EmailMessage()
                    mail["From"] = self.sender
                    mail["To"] = recipient.email
                    mail["Subject"] = subject(request)
                    mail["Message-ID"] = mid
                    mail["Date"] = formatdate(localtime=False)
                    mail["X-Erp-Item"] = request.workflow_id
                    mail["X-Erp-Event"] = request.event_id
                    mail["X-Erp-User"] = recipient.user
                    mail.set_content(body(request, link))
                    smtp.send_message(mail)
                    self.ledger.record(request.event_id, recipient.user, mid)
        return NoticeResult(sent=[r.user for r in request.recipients])

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        assert server is not None
        smtp: smtplib.SMTP
        if server.ssl:
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=10)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=10)
            if server.starttls:
                smtp.starttls()
        if server.user:
            smtp.login(server.user, server.password or "")
        return smtp
