"""Jobs (with cost codes and categories) and vendors: what Sage already knows."""

import json
import sqlite3
from typing import Any

JOBS: list[dict[str, Any]] = [
    {
        "job_id": "1001",
        "name": "Riverside Medical Center",
        "status": "open",
        "cost_codes": [
            ("01-100", "General Conditions", ["L", "M", "O"]),
            ("03-300", "Concrete", ["L", "M", "S"]),
            ("05-120", "Structural Steel", ["M", "S"]),
            ("09-250", "Drywall", ["L", "M", "S"]),
            ("16-100", "Electrical", ["L", "M", "S", "E"]),
        ],
    },
    {
        "job_id": "1002",
        "name": "Harbor View Offices",
        "status": "open",
        "cost_codes": [
            ("01-100", "General Conditions", ["L", "M", "O"]),
            ("03-300", "Concrete", ["L", "M", "S"]),
            ("09-250", "Drywall", ["L", "M", "S"]),
            ("15-400", "Plumbing", ["L", "M", "S"]),
            ("16-100", "Electrical", ["L", "M", "S"]),
        ],
    },
    {
        "job_id": "0999",
        "name": "Old Warehouse Reno",
        "status": "closed",
        "cost_codes": [
            ("01-100", "General Conditions", ["L", "M", "O"]),
            ("02-200", "Demolition", ["L", "S", "E"]),
        ],
    },
]

VENDORS: list[tuple[str, str, str]] = [
    ("V-100", "ACME Concrete", "active"),
    ("V-200", "Bright Electric", "active"),
    ("V-300", "Steel Works Inc", "active"),
    ("V-900", "Defunct Drywall LLC", "inactive"),
]


def seed(db: sqlite3.Connection) -> None:
    """Fill an empty database with the jobs and vendors that API.md promises."""
    for job in JOBS:
        db.execute(
            "INSERT INTO jobs (job_id, name, status) VALUES (?, ?, ?)",
            (job["job_id"], job["name"], job["status"]),
        )
        db.executemany(
            "INSERT INTO cost_codes (job_id, code, description, categories) VALUES (?, ?, ?, ?)",
            [(job["job_id"], c, d, json.dumps(cats)) for c, d, cats in job["cost_codes"]],
        )
    db.executemany("INSERT INTO vendors (vendor_id, name, status) VALUES (?, ?, ?)", VENDORS)


def _job(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    codes = db.execute(
        "SELECT code, description, categories FROM cost_codes WHERE job_id = ? ORDER BY code",
        (row["job_id"],),
    ).fetchall()
    return {
        "job_id": row["job_id"],
        "name": row["name"],
        "status": row["status"],
        "cost_codes": [
            {
                "code": c["code"],
                "description": c["description"],
                "categories": json.loads(c["categories"]),
            }
            for c in codes
        ],
    }


def find_job(db: sqlite3.Connection, job_id: str) -> dict[str, Any] | None:
    row = db.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
    return None if row is None else _job(db, row)


def list_jobs(db: sqlite3.Connection) -> list[dict[str, Any]]:
    return [_job(db, row) for row in db.execute("SELECT * FROM jobs ORDER BY job_id").fetchall()]


def set_job_status(db: sqlite3.Connection, job_id: str, status: str) -> bool:
    cursor = db.execute("UPDATE jobs SET status = ? WHERE job_id = ?", (status, job_id))
    return cursor.rowcount == 1


def find_vendor(db: sqlite3.Connection, vendor_id: str) -> dict[str, Any] | None:
    row = db.execute("SELECT * FROM vendors WHERE vendor_id = ?", (vendor_id,)).fetchone()
    return None if row is None else dict(row)


def list_vendors(db: sqlite3.Connection) -> list[dict[str, Any]]:
    return [dict(row) for row in db.execute("SELECT * FROM vendors ORDER BY vendor_id")]


def set_vendor_status(db: sqlite3.Connection, vendor_id: str, status: str) -> bool:
    cursor = db.execute("UPDATE vendors SET status = ? WHERE vendor_id = ?", (status, vendor_id))
    return cursor.rowcount == 1
