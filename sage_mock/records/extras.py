"""Extras (Procore: sub jobs) of a job, each with the cost codes it uses."""

import json
import sqlite3
import time
from typing import Any

from sage_mock.job_cost import NewExtra
from sage_mock.records import iso


def insert(db: sqlite3.Connection, extra: NewExtra) -> dict[str, Any]:
    codes = [code.model_dump() for code in extra.cost_codes]
    db.execute(
        "INSERT INTO extras (job_id, extra_id, description, cost_codes, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (extra.job_id, extra.extra_id, extra.description, json.dumps(codes), time.time()),
    )
    return find(db, extra.job_id, extra.extra_id) or {}


def find(db: sqlite3.Connection, job_id: str, extra_id: str) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT * FROM extras WHERE job_id = ? AND extra_id = ?", (job_id, extra_id)
    ).fetchone()
    return None if row is None else _record(row)


def list_all(db: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = db.execute("SELECT * FROM extras ORDER BY created_at").fetchall()
    return [{**_record(row), "created_at": iso(row["created_at"])} for row in rows]


def _record(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "job_id": row["job_id"],
        "extra_id": row["extra_id"],
        "description": row["description"],
        "cost_codes": sorted(json.loads(row["cost_codes"]), key=lambda c: c["code"]),
    }
