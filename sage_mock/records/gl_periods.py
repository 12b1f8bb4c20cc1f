"""General ledger periods: an invoice's accounting date must fall in an open one."""

import datetime as dt
import sqlite3
from typing import Any


def period_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def status_of(db: sqlite3.Connection, day: dt.date) -> str | None:
    """`open`, `closed`, or None when the period is not set up in Sage."""
    row = db.execute("SELECT status FROM gl_periods WHERE period = ?", (period_of(day),)).fetchone()
    return None if row is None else row["status"]


def set_status(db: sqlite3.Connection, period: str, status: str) -> dict[str, Any]:
    """A person opens, closes or sets up a period in Sage."""
    db.execute(
        "INSERT INTO gl_periods (period, status) VALUES (?, ?)"
        " ON CONFLICT (period) DO UPDATE SET status = excluded.status",
        (period, status),
    )
    return {"period": period, "status": status}


def list_all(db: sqlite3.Connection) -> list[dict[str, Any]]:
    return [dict(row) for row in db.execute("SELECT * FROM gl_periods ORDER BY period")]
