"""Original estimates (Procore: budgets), in a batch a person posts.

Sage 300 CRE® keeps one per job: it is what locks the job's budget, and a second is refused
(`budget_locked`). Sage 100 Contractor® takes the budget again after an update in Procore
(seeds/002 "Update and Export a Budget"): the new estimate replaces the earlier one, which is
kept with `replaced_by` set. The job's estimate is the newest one (`of_job`); Job Costs count
the newest posted one.
"""

import json
import sqlite3
import time
from typing import Any

from sage_mock.job_cost import NewEstimate
from sage_mock.records import iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS estimates (
    seq INTEGER PRIMARY KEY,
    estimate_id TEXT NOT NULL UNIQUE,
    job_id TEXT NOT NULL REFERENCES jobs (job_id),
    lines TEXT NOT NULL,  -- JSON [{"cost_code", "category", "original_estimate"}]
    batch_id TEXT NOT NULL REFERENCES batches (batch_id),
    created_at REAL NOT NULL,
    replaced_by TEXT  -- Sage 100 Contractor: the estimate of the budget sent again
);
"""


def upgrade(db: sqlite3.Connection) -> None:
    """A database made when a job held one estimate (job_id UNIQUE) takes several: the table
    is made again with its rows; idempotent."""
    columns = {row["name"] for row in db.execute("PRAGMA table_info(estimates)")}
    if "replaced_by" in columns:
        return
    db.execute("ALTER TABLE estimates RENAME TO estimates_one_per_job")
    db.execute(SCHEMA)
    db.execute(
        "INSERT INTO estimates (seq, estimate_id, job_id, lines, batch_id, created_at)"
        " SELECT seq, estimate_id, job_id, lines, batch_id, created_at"
        " FROM estimates_one_per_job"
    )
    db.execute("DROP TABLE estimates_one_per_job")


def insert(
    db: sqlite3.Connection,
    estimate: NewEstimate,
    batch_id: str,
    replaces: dict[str, Any] | None = None,
) -> dict[str, Any]:
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM estimates").fetchone()[0]
    estimate_id = f"EST-{seq:06d}"
    lines = [line.model_dump() for line in estimate.lines]
    db.execute(
        "INSERT INTO estimates (seq, estimate_id, job_id, lines, batch_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (seq, estimate_id, estimate.job_id, json.dumps(lines), batch_id, time.time()),
    )
    if replaces is not None:
        db.execute(
            "UPDATE estimates SET replaced_by = ? WHERE estimate_id = ?",
            (estimate_id, replaces["estimate_id"]),
        )
    created = find(db, estimate_id) or {}
    return {**created, "replaces": replaces["estimate_id"]} if replaces else created


def find(db: sqlite3.Connection, estimate_id: str) -> dict[str, Any] | None:
    row = db.execute("SELECT * FROM estimates WHERE estimate_id = ?", (estimate_id,)).fetchone()
    return None if row is None else _record(row)


def of_job(db: sqlite3.Connection, job_id: str) -> dict[str, Any] | None:
    """The job's estimate: the newest a budget export left on it, if any."""
    row = db.execute(
        "SELECT * FROM estimates WHERE job_id = ? ORDER BY seq DESC LIMIT 1", (job_id,)
    ).fetchone()
    return None if row is None else _record(row)


def count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT COUNT(*) FROM estimates").fetchone()[0]


def list_all(db: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = db.execute("SELECT * FROM estimates ORDER BY seq").fetchall()
    return [
        {**_record(row), "created_at": iso(row["created_at"]), "replaced_by": row["replaced_by"]}
        for row in rows
    ]


def _record(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "estimate_id": row["estimate_id"],
        "job_id": row["job_id"],
        "lines": json.loads(row["lines"]),
        "batch_id": row["batch_id"],
    }
