"""Approved estimate changes and approved schedule value changes (Job Cost transactions).

Sage numbers each import (`EC-000001`, `SVC-000001`). A reversal keeps the row, flagged, and
it stops counting: Sage takes the transactions out of their batch.
"""

import json
import sqlite3
import time
from typing import Any

from sage_mock.records import iso

PREFIX = {"estimate_change": "EC", "schedule_value_change": "SVC"}


def insert(
    db: sqlite3.Connection, kind: str, change: dict[str, Any], batch_id: str
) -> dict[str, Any]:
    seq = db.execute(
        "SELECT COUNT(*) + 1 FROM job_cost_changes WHERE kind = ?", (kind,)
    ).fetchone()[0]
    change_id = f"{PREFIX[kind]}-{seq:06d}"
    header = {k: v for k, v in change.items() if k != "lines"}
    db.execute(
        "INSERT INTO job_cost_changes (kind, change_id, job_id, contract_id, header, lines,"
        " batch_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            kind,
            change_id,
            change["job_id"],
            change.get("contract_id"),
            json.dumps(header),
            json.dumps(change["lines"]),
            batch_id,
            time.time(),
        ),
    )
    return find(db, kind, change_id) or {}


def find(db: sqlite3.Connection, kind: str, change_id: str) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT * FROM job_cost_changes WHERE kind = ? AND change_id = ?", (kind, change_id)
    ).fetchone()
    return None if row is None else _record(row)


def reverse(db: sqlite3.Connection, kind: str, change_id: str) -> bool:
    cursor = db.execute(
        "UPDATE job_cost_changes SET reversed_at = ?"
        " WHERE kind = ? AND change_id = ? AND reversed_at IS NULL",
        (time.time(), kind, change_id),
    )
    return cursor.rowcount == 1


def count_live(db: sqlite3.Connection, kind: str) -> int:
    return db.execute(
        "SELECT COUNT(*) FROM job_cost_changes WHERE kind = ? AND reversed_at IS NULL", (kind,)
    ).fetchone()[0]


def list_all(db: sqlite3.Connection, kind: str) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT * FROM job_cost_changes WHERE kind = ? ORDER BY row_id", (kind,)
    ).fetchall()
    return [{**_record(row), "created_at": iso(row["created_at"])} for row in rows]


def _record(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "change_id": row["change_id"],
        **json.loads(row["header"]),
        "lines": json.loads(row["lines"]),
        "batch_id": row["batch_id"],
        "reversed": row["reversed_at"] is not None,
        "reversed_at": iso(row["reversed_at"]),
    }
