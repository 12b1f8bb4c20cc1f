"""Estimate transfers (Procore: budget modifications), each in a batch a person posts."""

import json
import sqlite3
import time
from typing import Any

from sage_mock.job_cost import NewEstimateTransfer
from sage_mock.records import iso


def insert(db: sqlite3.Connection, transfer: NewEstimateTransfer, batch_id: str) -> dict[str, Any]:
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM estimate_transfers").fetchone()[0]
    transfer_id = f"ET-{seq:06d}"
    db.execute(
        "INSERT INTO estimate_transfers (seq, transfer_id, job_id, body, batch_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            seq,
            transfer_id,
            transfer.job_id,
            transfer.model_dump_json(),
            batch_id,
            time.time(),
        ),
    )
    return find(db, transfer_id) or {}


def find(db: sqlite3.Connection, transfer_id: str) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT * FROM estimate_transfers WHERE transfer_id = ?", (transfer_id,)
    ).fetchone()
    return None if row is None else _record(row)


def count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT COUNT(*) FROM estimate_transfers").fetchone()[0]


def list_all(db: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = db.execute("SELECT * FROM estimate_transfers ORDER BY seq").fetchall()
    return [{**_record(row), "created_at": iso(row["created_at"])} for row in rows]


def _record(row: sqlite3.Row) -> dict[str, Any]:
    """The transfer as it was sent, with its ID and the batch it landed in."""
    return {
        "transfer_id": row["transfer_id"],
        **json.loads(row["body"]),
        "batch_id": row["batch_id"],
    }
