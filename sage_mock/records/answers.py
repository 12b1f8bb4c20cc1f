"""Stored answers of idempotent writes, kept so a retry replays the first outcome."""

import json
import sqlite3
import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StoredAnswer:
    fingerprint: str
    status: int
    body: Any


def find(db: sqlite3.Connection, key: str) -> StoredAnswer | None:
    row = db.execute(
        "SELECT fingerprint, status, body FROM idempotency_answers WHERE idempotency_key = ?",
        (key,),
    ).fetchone()
    if row is None:
        return None
    return StoredAnswer(row["fingerprint"], row["status"], json.loads(row["body"]))


def save(db: sqlite3.Connection, key: str, fingerprint: str, status: int, body: Any) -> None:
    db.execute(
        "INSERT INTO idempotency_answers (idempotency_key, fingerprint, status, body, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (key, fingerprint, status, json.dumps(body), time.time()),
    )
