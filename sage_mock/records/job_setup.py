"""A job's link to its Procore project, and cost codes added to it from the standard list."""

import json
import sqlite3
from typing import Any


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
    return [{"code": code, "category": category} for code, category in missing]
