"""Commitments and their items (schedule of values).

A delete is a soft delete: the row stays for `GET /admin/records`, but it no longer
counts and its code can be used again, as in Sage after a compensation.
"""

import sqlite3
import time
from typing import Any

from sage_mock import records
from sage_mock.models import Commitment

ITEM_FIELDS = (
    "item_id",
    "description",
    "cost_code",
    "category",
    "units",
    "unit_cost",
    "unit_description",
    "amount",
)


def insert(db: sqlite3.Connection, commitment: Commitment, batch_id: str) -> dict[str, Any]:
    cursor = db.execute(
        "INSERT INTO commitments (job_id, commitment_id, commitment_type, description,"
        " vendor_id, date, retainage_percent, batch_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            commitment.job_id,
            commitment.commitment_id,
            commitment.commitment_type,
            commitment.description,
            commitment.vendor_id,
            commitment.date.isoformat(),
            commitment.retainage_percent,
            batch_id,
            time.time(),
        ),
    )
    row_id = cursor.lastrowid
    db.executemany(
        f"INSERT INTO commitment_items (commitment_row, line, {', '.join(ITEM_FIELDS)})"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (row_id, line, *(getattr(item, f) for f in ITEM_FIELDS))
            for line, item in enumerate(commitment.items, start=1)
        ],
    )
    row = db.execute("SELECT * FROM commitments WHERE row_id = ?", (row_id,)).fetchone()
    return _record(db, row)


def find_live(db: sqlite3.Connection, job_id: str, commitment_id: str) -> dict[str, Any] | None:
    row = _live_row(db, job_id, commitment_id)
    return None if row is None else _record(db, row)


def delete(db: sqlite3.Connection, job_id: str, commitment_id: str) -> bool:
    cursor = db.execute(
        "UPDATE commitments SET deleted_at = ?"
        " WHERE job_id = ? AND commitment_id = ? AND deleted_at IS NULL",
        (time.time(), job_id, commitment_id),
    )
    return cursor.rowcount == 1


def count_live(db: sqlite3.Connection) -> int:
    return records.count_live(db, "commitments")


def list_all(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every commitment ever stored, deleted ones flagged, for admins and tests."""
    return records.every_row(db, "commitments", lambda row: _record(db, row))


def _live_row(db: sqlite3.Connection, job_id: str, commitment_id: str) -> sqlite3.Row | None:
    return db.execute(
        "SELECT * FROM commitments WHERE job_id = ? AND commitment_id = ? AND deleted_at IS NULL",
        (job_id, commitment_id),
    ).fetchone()


def _record(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """The stored record in the shape it was sent, plus the batch it landed in."""
    items = db.execute(
        f"SELECT {', '.join(ITEM_FIELDS)} FROM commitment_items"
        " WHERE commitment_row = ? ORDER BY line",
        (row["row_id"],),
    ).fetchall()
    return {
        "job_id": row["job_id"],
        "commitment_id": row["commitment_id"],
        "commitment_type": row["commitment_type"],
        "description": row["description"],
        "vendor_id": row["vendor_id"],
        "date": row["date"],
        "retainage_percent": row["retainage_percent"],
        "items": [dict(item) for item in items],
        "batch_id": row["batch_id"],
    }
