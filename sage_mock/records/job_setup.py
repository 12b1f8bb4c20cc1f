"""A job's link to its Procore project, and cost codes added to it from the standard list."""

import json
import sqlite3
import time
from typing import Any

from sage_mock.companies import current_company
from sage_mock.records import iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS cost_code_additions (
    seq INTEGER PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (job_id),
    code TEXT NOT NULL,
    category TEXT,  -- NULL: a new cost code asked with no category
    added_at REAL NOT NULL
);
"""
"""Every (cost code, category) `POST /v1/jobs/{job}/cost_codes` added to a job, one row each:
what a person (or a test) counts to see a code reach the job once."""


def link(db: sqlite3.Connection, job_id: str, project: str) -> None:
    db.execute("UPDATE jobs SET linked_project = ? WHERE job_id = ?", (project, job_id))


def add_cost_codes(
    db: sqlite3.Connection,
    job_id: str,
    missing: list[tuple[str, str | None]],
    descriptions: dict[str, str],
) -> list[dict[str, Any]]:
    """Add the (cost code, category) pairs to the job; a new cost code takes the standard
    list's description. Returns the pairs added."""
    for code, category in missing:
        row = db.execute(
            "SELECT categories FROM cost_codes WHERE job_id = ? AND code = ?", (job_id, code)
        ).fetchone()
        if row is None:
            db.execute(
                "INSERT INTO cost_codes (job_id, code, description, categories)"
                " VALUES (?, ?, ?, '[]')",
                (job_id, code, descriptions[code]),
            )
            categories: list[str] = []
        else:
            categories = json.loads(row["categories"])
        if category is not None and category not in categories:
            db.execute(
                "UPDATE cost_codes SET categories = ? WHERE job_id = ? AND code = ?",
                (json.dumps([*categories, category]), job_id, code),
            )
    db.executemany(
        "INSERT INTO cost_code_additions (job_id, code, category, added_at) VALUES (?, ?, ?, ?)",
        [(job_id, code, category, time.time()) for code, category in missing],
    )
    return [{"code": code, "category": category} for code, category in missing]


def list_additions(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """The request's company's additions (its jobs'), oldest first."""
    rows = db.execute(
        "SELECT a.* FROM cost_code_additions a JOIN jobs j ON j.job_id = a.job_id"
        " WHERE j.company_id = ? ORDER BY a.seq",
        (current_company(),),
    ).fetchall()
    return [
        {
            "job_id": row["job_id"],
            "code": row["code"],
            "category": row["category"],
            "added_at": iso(row["added_at"]),
        }
        for row in rows
    ]
