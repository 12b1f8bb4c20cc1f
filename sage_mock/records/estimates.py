"""Original estimates (Procore: budgets): one per job, in a batch a person posts.

The job's estimate is what locks its budget: a second one is refused (`budget_locked`).
"""

import json
import sqlite3
import time
from typing import Any

from sage_mock.job_cost import NewEstimate
from sage_mock.records import iso


def insert(db: sqlite3.Connection, estimate: NewEstimate, batch_id: str) -> dict[str, Any]:
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM estimates").fetchone()[0]
    estimate_id = f"EST-{seq:06d}"
    lines = [line.model_dump() for line in estimate.lines]
    db.execute(
        "INSERT INTO estimates (seq, estimate_id, job_id, lines, batch_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (seq, estimate_id, estimate.job_id, json.dumps(lines), batch_id, time.time()),
    )
    return find(db, estimate_id) or {}


def find(db: sqlite3.Connection, estimate_id: str) -> dict[str, Any] | None:
    row = db.execute("SELECT * FROM estimates WHERE estimate_id = ?", (estimate_id,)).fetchone()
    return None if row is None else _record(row)


def of_job(db: sqlite3.Connection, job_id: str) -> dict[str, Any] | None:
    """The estimate an earlier budget export left on the job, if any."""
    row = db.execute("SELECT * FROM estimates WHERE job_id = ?", (job_id,)).fetchone()
    return None if row is None else _record(row)


def count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT COUNT(*) FROM estimates").fetchone()[0]


def list_all(db: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = db.execute("SELECT * FROM estimates ORDER BY seq").fetchall()
    return [{**_record(row), "created_at": iso(row["created_at"])} for row in rows]


def _record(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "estimate_id": row["estimate_id"],
        "job_id": row["job_id"],
        "lines": json.loads(row["lines"]),
        "batch_id": row["batch_id"],
    }
