"""The demo's mail server: a real SMTP server (aiosmtpd) on loopback that keeps what it gets.

`make run` and the tests start it (`python -m web.mailbox --port 8025 --db .data/mailbox.sqlite`);
the worker's notices go to it through SMTP_URL, and the page's /mailbox shows a user what was
sent to them. It keeps every message it receives, one row per recipient, duplicates included:
it is the witness that a notice went out once, not a filter that hides a second one.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sqlite3
import sys
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote

MESSAGE_LIMIT = 1_000_000


@dataclass(frozen=True)
class Mail:
    id: int
    received_at: str
    mail_from: str
    rcpt: str
    message_id: str
    subject: str
    item: str
    event: str
    user: str
    body: str


class Mailbox:
    """The SQLite store behind the server and the page."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        self.readonly = not create
        if self.readonly:
            return  # the page only reads (in compose, from a read-only mount)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS mail (id INTEGER PRIMARY KEY, "
                "received_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, mail_from TEXT, "
                "rcpt TEXT NOT NULL, message_id TEXT, subject TEXT, item TEXT, event TEXT, "
                "user TEXT, body TEXT)"
            )
        path.chmod(0o600)

    def _db(self) -> sqlite3.Connection:
        if self.readonly:
            uri = f"file:{quote(str(self.path))}?mode=ro"
            return sqlite3.connect(uri, uri=True, timeout=10, isolation_level=None)
        return sqlite3.connect(self.path, timeout=10, isolation_level=None)

    def keep(self, mail_from: str, rcpts: list[str], raw: bytes) -> None:
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        part = message.get_body(preferencelist=("plain",))
        text = part.get_content() if part is not None else ""
        with self._db() as db:
            for rcpt in rcpts:
                db.execute(
                    "INSERT INTO mail (mail_from, rcpt, message_id, subject, item, event, user, "
                    "body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        mail_from,
                        rcpt.lower(),
                        str(message.get("Message-ID", "")),
                        str(message.get("Subject", "")),
                        str(message.get("X-Erp-Item", "")),
                        str(message.get("X-Erp-Event", "")),
                        str(message.get("X-Erp-User", "")),
                        text,
                    ),
                )

    def messages(self, rcpts: list[str] | None = None) -> list[Mail]:
        """Newest first; only those to `rcpts` when given."""
        query = "SELECT id, received_at, mail_from, rcpt, message_id, subject, item, event, "
        query += "user, body FROM mail"
        args: list[Any] = []
        if rcpts is not None:
            if not rcpts:
                return []
            query += f" WHERE rcpt IN ({', '.join('?' for _ in rcpts)})"
            args = [r.lower() for r in rcpts]
        if self.readonly and not self.path.exists():
            return []  # no mail yet
        with self._db() as db:
            rows = db.execute(query + " ORDER BY id DESC", args).fetchall()
        return [Mail(*row) for row in rows]


class KeepingHandler:
    """aiosmtpd's handler: every message it accepts goes into the mailbox."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode()
        if len(raw) > MESSAGE_LIMIT:
            return "552 Message too large"
        await asyncio.to_thread(self.mailbox.keep, envelope.mail_from, envelope.rcpt_tos, raw)
        return "250 Message accepted for delivery"


def controller(mailbox: Mailbox, host: str, port: int) -> Any:
    from aiosmtpd.controller import Controller

    return Controller(
        KeepingHandler(mailbox),
        hostname=host,
        port=port,
        data_size_limit=MESSAGE_LIMIT,
        ready_timeout=10,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web.mailbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args(argv)
    server = controller(Mailbox(args.db), args.host, args.port)
    server.start()
    print(f"mailbox listening on {args.host}:{args.port}, keeping mail in {args.db}", flush=True)
    stopped = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopped
        stopped = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopped:
            signal.pause()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
